"""The audit history (/staff/audit/): administrators read who did what, newest first,
filtered by action, who, kind of record and days of the program; bad filters are named."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.staff.selectors import day_start
from tests.conftest import make_user

URL = "/staff/audit/"


def event(action="concern.acknowledged", *, actor=None, when=None, **fields) -> AuditEvent:
    values = {"object_type": "safeguarding.safetyconcern", "object_id": 7, **fields}
    created = AuditEvent.objects.create(actor=actor, action=action, **values)
    if when is not None:
        AuditEvent.objects.filter(pk=created.pk).update(created_at=when)
    return created


def listed(response) -> list[int]:
    """The entries shown, in their order."""
    assert response.status_code == 200
    return [row.event.pk for row in response.context["rows"]]


def test_the_address_and_its_name():
    assert reverse("staff:audit_list") == URL


@pytest.mark.django_db
def test_newest_first_fifty_a_page_and_the_pages_go_on(admin_client, admin_user):
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    events = [event(actor=admin_user, when=start + dt.timedelta(minutes=n)) for n in range(55)]
    # Two entries of the same moment keep one order: the later written first.
    same_moment = [event(when=start + dt.timedelta(minutes=100)) for _ in range(2)]
    newest = [same_moment[1].pk, same_moment[0].pk] + [e.pk for e in reversed(events)]
    assert listed(admin_client.get(URL)) == newest[:50]
    assert listed(admin_client.get(URL, {"page": 2})) == newest[50:]


@pytest.mark.django_db
def test_a_deep_page_reads_the_same_entries_as_a_plain_pager(admin_client, monkeypatch):
    from portal.lib.paging import KeysFirstPaginator

    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ids = [event(when=start + dt.timedelta(minutes=n)).pk for n in range(120)]
    monkeypatch.setattr(KeysFirstPaginator, "keys_first_from", 0)
    assert listed(admin_client.get(URL, {"page": 2})) == list(reversed(ids))[50:100]
    assert listed(admin_client.get(URL, {"page": 3})) == list(reversed(ids))[100:]


@pytest.mark.django_db
def test_filter_by_action_and_by_the_kind_of_action(admin_client):
    acknowledged = event("concern.acknowledged")
    csv_export = event("export.sessions", object_type="accounts.user", object_id=1)
    children = event("export.with_children", object_type="accounts.user", object_id=1)
    assert listed(admin_client.get(URL, {"action": "concern.acknowledged"})) == [acknowledged.pk]
    assert listed(admin_client.get(URL, {"action": "export."})) == [children.pk, csv_export.pk]
    page = admin_client.get(URL).content.decode()
    assert 'value="export."' in page  # the kind is offered, as it has two actions
    assert "Concern acknowledged" in page


@pytest.mark.django_db
def test_filter_by_who_whole_address_or_part(admin_client, admin_user, staff_user):
    other = make_user("robin.other@example.org", "staff", "Robin Other")
    mine = event(actor=staff_user)
    theirs = event(actor=other)
    event(actor=admin_user)
    assert listed(admin_client.get(URL, {"who": "STAFF@example.org"})) == [mine.pk]
    assert listed(admin_client.get(URL, {"who": "robin."})) == [theirs.pk]
    assert listed(admin_client.get(URL, {"who": "nobody-here"})) == []
    nothing = admin_client.get(URL, {"who": "zzz"}).content.decode()
    assert "No entries match these filters." in nothing


@pytest.mark.django_db
def test_filter_by_kind_of_record(admin_client):
    concern = event(object_type="safeguarding.safetyconcern")
    match = event("match.closed", object_type="mentoring.match", object_id=3)
    assert listed(admin_client.get(URL, {"object_type": "mentoring.match"})) == [match.pk]
    assert listed(admin_client.get(URL, {"object_type": "safeguarding.safetyconcern"})) == [
        concern.pk
    ]


@pytest.mark.django_db
def test_days_are_the_programs(admin_client, program):
    midnight = day_start(dt.date(2026, 3, 10), program.tz)
    before = event(when=midnight - dt.timedelta(minutes=30))
    on_the_day = event(when=midnight + dt.timedelta(minutes=30))
    after = event(when=midnight + dt.timedelta(days=1, minutes=1))
    day = {"date_from": "2026-03-10", "date_to": "2026-03-10"}
    assert listed(admin_client.get(URL, day)) == [on_the_day.pk]
    assert listed(admin_client.get(URL, {"date_from": "2026-03-11"})) == [after.pk]
    assert listed(admin_client.get(URL, {"date_to": "2026-03-09"})) == [before.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"action": "no.such"}, "Choose an action from the list"),
        ({"action": "export"}, "Choose an action from the list"),
        ({"object_type": "accounts.nothing"}, "Choose a kind of record from the list"),
        ({"date_from": "10/03/2026"}, "Enter the day as a date, like 2025-10-01"),
        ({"date_to": "2026-02-30"}, "Enter the day as a date, like 2025-10-01"),
        ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "is before the from day"),
        ({"date_from": "0001-01-01"}, "Enter a day between"),
        ({"who": "x" * 300}, "at most 254 characters"),
        ({"page": "-3"}, ""),
        ({"page": "999999999999999999999"}, ""),
    ],
)
def test_bad_filters_are_named_never_a_server_error(admin_client, query, message):
    shown = event()
    response = admin_client.get(URL, query)
    assert listed(response) == [shown.pk]  # every entry, with the message
    assert message in response.content.decode()
    if message:
        assert "Some filters could not be read" in response.content.decode()


@pytest.mark.django_db
def test_a_row_shows_who_what_the_record_and_the_changes(admin_client, staff_user, match_a):
    event(
        "match.closed",
        actor=staff_user,
        object_type="mentoring.match",
        object_id=match_a.pk,
        old_values={"status": "active"},
        new_values={"status": "closed"},
        note="Family moved",
    )
    page = admin_client.get(URL).content.decode()
    assert "Robin Ellis" in page and "staff@example.org" in page
    assert "Match closed" in page and "<code" in page
    assert f'href="{reverse("staff:match_detail", args=[match_a.pk])}"' in page
    assert "status: active → closed" in page
    assert "Family moved" in page


@pytest.mark.django_db
def test_changed_text_about_a_child_is_not_shown(admin_client, staff_user):
    event(
        "session.corrected",
        actor=staff_user,
        object_type="mentoring.sessionlog",
        object_id=5,
        old_values={"notes": "Jane talked about her grandmother", "duration_minutes": 30},
        new_values={"notes": "Jane was quiet today", "duration_minutes": 45},
        note="Wrong length",
    )
    page = admin_client.get(URL).content.decode()
    assert "grandmother" not in page and "quiet today" not in page
    assert "notes: (text not shown) → (text not shown)" in page
    assert "duration minutes: 30 → 45" in page


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["staff_user", "mentor_a", "site_contact_a"])
def test_only_administrators_open_the_page(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")


def _queries(admin_client, users, count: int) -> int:
    AuditEvent.objects.all().delete()
    for n in range(count):
        event(actor=users[n % len(users)], object_id=n, old_values={"a": 1}, new_values={"a": 2})
    with CaptureQueriesContext(connection) as queries:
        assert len(listed(admin_client.get(URL, {"action": "concern."}))) == count
    return len(queries)


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_entries(admin_client, admin_user):
    users = [admin_user] + [make_user(f"p{n}@example.org", "staff") for n in range(5)]
    event("concern.reopened")  # so that "concern." is a kind the form offers
    assert _queries(admin_client, users, 3) == _queries(admin_client, users, 30)
