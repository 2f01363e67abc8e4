"""Every page that shows a concern's text records the look on the concern (RULES 6; issue 11,
item 3): the staff session page and its correction page, and the admin pages of the
concern and of its session, as /concerns/N/ does."""

import datetime as dt

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.safeguarding.models import SafetyConcern
from tests.conftest import log_session

DESCRIPTION = "Jane said her uncle locks her out of the flat at night."


@pytest.fixture
def session_with_concern(match_a):
    return log_session(
        match_a,
        timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2),
        entered_at=timezone.now(),
        safety_concern=True,
        safety_concern_details=DESCRIPTION,
    )


@pytest.fixture
def plain_session(match_a):
    return log_session(
        match_a, timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=5)
    )


def views_of(session, user=None):
    concern = SafetyConcern.objects.get(session=session)
    found = AuditEvent.objects.filter(
        object_type="safeguarding.safetyconcern", object_id=concern.pk, action="concern.viewed"
    )
    return found.filter(actor=user) if user else found


@pytest.mark.parametrize(
    "url",
    [
        "/staff/sessions/{pk}/",
        "/staff/sessions/{pk}/correct/",
        "/admin/mentoring/sessionlog/{pk}/change/",
    ],
)
def test_each_staff_page_of_the_session_records_a_view_of_its_concern(
    client, staff_user, session_with_concern, url
):
    client.force_login(staff_user)

    response = client.get(url.format(pk=session_with_concern.pk))

    assert response.status_code == 200
    assert DESCRIPTION in response.content.decode()
    assert views_of(session_with_concern, staff_user).count() == 1


def test_the_correction_page_shown_again_with_an_error_records_another_view(
    client, staff_user, session_with_concern
):
    client.force_login(staff_user)

    response = client.post(f"/staff/sessions/{session_with_concern.pk}/correct/", {"reason": ""})

    assert response.status_code == 200
    assert views_of(session_with_concern, staff_user).count() == 1


def test_the_admin_page_of_the_concern_records_a_view(client, admin_user, session_with_concern):
    concern = SafetyConcern.objects.get(session=session_with_concern)
    client.force_login(admin_user)

    response = client.get(f"/admin/safeguarding/safetyconcern/{concern.pk}/change/")

    assert response.status_code == 200
    assert DESCRIPTION in response.content.decode()
    assert views_of(session_with_concern, admin_user).count() == 1


def test_a_session_without_a_concern_records_no_concern_view(client, staff_user, plain_session):
    client.force_login(staff_user)

    assert client.get(f"/staff/sessions/{plain_session.pk}/").status_code == 200
    assert client.get(f"/admin/mentoring/sessionlog/{plain_session.pk}/change/").status_code == 200
    assert not AuditEvent.objects.filter(action="concern.viewed").exists()


def test_the_staff_session_page_links_to_its_concern(client, staff_user, session_with_concern):
    concern = SafetyConcern.objects.get(session=session_with_concern)
    client.force_login(staff_user)

    page = client.get(f"/staff/sessions/{session_with_concern.pk}/").content.decode()

    assert f'href="/concerns/{concern.pk}/"' in page


@pytest.mark.parametrize(
    "url",
    [
        "/staff/sessions/{pk}/",
        "/staff/sessions/{pk}/correct/",
        "/admin/mentoring/sessionlog/{pk}/change/",
    ],
)
def test_a_site_contact_or_mentor_opening_these_pages_reads_nothing_and_records_no_view(
    client, site_contact_a, mentor_a, session_with_concern, url
):
    for outsider in (site_contact_a, mentor_a):
        client.force_login(outsider)
        response = client.get(url.format(pk=session_with_concern.pk))
        assert response.status_code in (302, 403, 404)
        assert DESCRIPTION not in response.content.decode()
    assert not views_of(session_with_concern).exists()
