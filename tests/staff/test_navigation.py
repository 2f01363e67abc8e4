"""The staff workspace's navigation shows on every page under /staff/, whichever app routes
it, and marks the section the page is in."""

import re

import pytest
from django.urls import reverse

from portal.support.models import SupportRequest, Topic

NAV = re.compile(r'<nav class="subnav" aria-label="Staff workspace">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]*)"(?: aria-current="([^"]*)")?>([^<]*)</a>')


def staff_nav(response) -> dict[str, str] | None:
    """Each link of the navigation with its aria-current ("" for none), or None."""
    assert response.status_code in (200, 403, 404)
    found = NAV.search(response.content.decode())
    if found is None:
        return None
    return {label: current for _, current, label in LINK.findall(found.group(1))}


def marked(response) -> dict[str, str]:
    return {label: current for label, current in staff_nav(response).items() if current}


def test_a_list_page_is_marked_as_the_page(staff_client):
    assert marked(staff_client.get(reverse("staff:session_list"))) == {"Sessions": "page"}


def test_the_dashboard_is_marked_on_the_dashboard_only(staff_client, match_a):
    assert marked(staff_client.get(reverse("staff:dashboard"))) == {"Dashboard": "page"}
    match_page = staff_client.get(reverse("staff:match_detail", args=[match_a.pk]))
    assert marked(match_page) == {"Matches": "true"}


def test_a_page_under_a_section_marks_its_section(staff_client, school_a):
    page = staff_client.get(reverse("staff:contact_create", args=[school_a.pk]))
    assert marked(page) == {"Schools": "true"}
    assert marked(staff_client.get(reverse("staff:import_upload", args=["mentors"]))) == {
        "Imports": "true"
    }


def test_the_support_requests_are_in_the_workspace(staff_client, db):
    item = SupportRequest.objects.create(
        name="Pat", email="pat@example.org", topic=Topic.values[0], message="Hello"
    )
    assert marked(staff_client.get(reverse("staff:support_request_list"))) == {"Requests": "page"}
    page = staff_client.get(reverse("staff:support_request_detail", args=[item.pk]))
    assert marked(page) == {"Requests": "true"}


def test_the_invitations_are_in_the_workspace(staff_client):
    page = staff_client.get(reverse("staff:invitation_list"))
    assert marked(page) == {"Invitations": "page"}


def test_settings_are_offered_to_administrators_only(staff_client, admin_user, client):
    assert "Settings" not in staff_nav(staff_client.get(reverse("staff:dashboard")))
    client.force_login(admin_user)
    page = client.get(reverse("staff:program_settings"))
    assert marked(page) == {"Settings": "page"}


def test_pages_outside_the_workspace_have_no_staff_navigation(staff_client):
    assert staff_nav(staff_client.get(reverse("safeguarding:concern_list"))) is None
    assert staff_nav(staff_client.get(reverse("support:help"))) is None


@pytest.mark.parametrize("persona", ["mentor_a", "site_contact_a"])
def test_someone_who_is_not_staff_sees_no_staff_navigation(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("staff:dashboard"))
    assert page.status_code == 403
    assert staff_nav(page) is None


def test_the_audit_history_is_offered_to_administrators_only(staff_client, admin_user, client):
    assert "Audit history" not in staff_nav(staff_client.get(reverse("staff:dashboard")))
    client.force_login(admin_user)
    assert marked(client.get(reverse("staff:audit_list"))) == {"Audit history": "page"}
