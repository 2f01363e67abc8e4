"""Every staff page: staff and administrators get it; mentors and site contacts do not."""

import pytest
from django.urls import reverse

from portal.mentoring.models import Choice, SiteContact
from tests.conftest import log_session


@pytest.fixture
def records(match_a, site_contact_a):
    from django.utils import timezone

    session = log_session(
        match_a, timezone.now().replace(second=0, microsecond=0) - timezone.timedelta(hours=2)
    )
    return {
        "session": session.pk,
        "match": match_a.pk,
        "mentor": match_a.mentor.pk,
        "mentee": match_a.mentee.pk,
        "site": match_a.site.pk,
        "contact": SiteContact.objects.get(site=match_a.site).pk,
        "choice": Choice.objects.first().pk,
    }


# (url name, kwargs from records, who may open it)
PAGES = [
    ("staff:dashboard", {}, "staff"),
    ("staff:session_list", {}, "staff"),
    ("staff:session_detail", {"pk": "session"}, "staff"),
    ("staff:session_correct", {"pk": "session"}, "staff"),
    ("staff:compliance", {}, "staff"),
    ("staff:hours", {}, "staff"),
    ("staff:export", {}, "staff"),
    ("staff:import_start", {}, "staff"),
    ("staff:import_upload", {"kind": "mentors"}, "staff"),
    ("staff:import_template", {"kind": "matches"}, "staff"),
    ("staff:site_list", {}, "staff"),
    ("staff:site_create", {}, "staff"),
    ("staff:site_detail", {"pk": "site"}, "staff"),
    ("staff:site_edit", {"pk": "site"}, "staff"),
    ("staff:contact_create", {"site_pk": "site"}, "staff"),
    ("staff:contact_edit", {"site_pk": "site", "pk": "contact"}, "staff"),
    ("staff:mentor_list", {}, "staff"),
    ("staff:mentor_create", {}, "staff"),
    ("staff:mentor_detail", {"pk": "mentor"}, "staff"),
    ("staff:mentor_edit", {"pk": "mentor"}, "staff"),
    ("staff:mentee_list", {}, "staff"),
    ("staff:mentee_create", {}, "staff"),
    ("staff:mentee_edit", {"pk": "mentee"}, "staff"),
    ("staff:match_list", {}, "staff"),
    ("staff:match_create", {}, "staff"),
    ("staff:match_detail", {"pk": "match"}, "staff"),
    ("staff:match_edit", {"pk": "match"}, "staff"),
    ("staff:match_close", {"pk": "match"}, "staff"),
    ("staff:program_settings", {}, "admin"),
    ("staff:audit_list", {}, "admin"),
]
POST_ONLY = [
    ("staff:session_review_bulk", {}),
    ("staff:session_review", {"pk": "session"}),
    ("staff:import_save", {"kind": "mentors"}),
    ("staff:choice_add", {}),
    ("staff:choice_change", {"pk": "choice"}),
    ("staff:contact_invite", {"site_pk": "site", "pk": "contact"}),
    ("staff:contact_remove", {"site_pk": "site", "pk": "contact"}),
]


def url(name, kwargs, records):
    return reverse(name, kwargs={k: records.get(v, v) for k, v in kwargs.items()})


@pytest.mark.parametrize(("name", "kwargs", "who"), PAGES, ids=[p[0] for p in PAGES])
def test_each_staff_page_is_for_staff_only(
    client, records, staff_user, admin_user, mentor_a, mentor_b, site_contact_a, name, kwargs, who
):
    address = url(name, kwargs, records)
    client.force_login(admin_user)
    assert client.get(address).status_code == 200
    client.force_login(staff_user)
    assert client.get(address).status_code == (200 if who == "staff" else 403)
    for outsider in (mentor_a, mentor_b, site_contact_a):
        client.force_login(outsider)
        assert client.get(address).status_code in (403, 404), outsider
    client.logout()
    assert "/sign-in/" in client.get(address)["Location"]


@pytest.mark.parametrize(("name", "kwargs"), POST_ONLY, ids=[p[0] for p in POST_ONLY])
def test_each_staff_action_refuses_outsiders(
    client, records, mentor_a, site_contact_a, staff_user, name, kwargs
):
    address = url(name, kwargs, records)
    for outsider in (mentor_a, site_contact_a):
        client.force_login(outsider)
        assert client.post(address, {}).status_code in (403, 404)
    client.force_login(staff_user)
    assert client.get(address).status_code in (403, 405)


def test_the_front_door_sends_staff_to_the_dashboard(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/")["Location"] == "/staff/"
    assert client.get("/accounts/staff/")["Location"] == "/staff/"


def test_staff_pages_keep_one_help_and_one_contact_link(client, records, admin_user):
    import re

    client.force_login(admin_user)
    for name, kwargs, _ in PAGES:
        if name == "staff:import_template":
            continue  # a CSV file, not a page
        html = client.get(url(name, kwargs, records)).content.decode()
        links = re.findall(r"<a [^>]*>(.*?)</a>", html, flags=re.S)
        texts = [re.sub(r"<[^>]+>", "", text).strip() for text in links]
        assert sum("Help" in t for t in texts) == 1, name
        assert sum("Contact" in t for t in texts) == 1, name
