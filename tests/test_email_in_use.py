"""One rule for an email already in use: the staff form, the mentor import, invitations and
school contacts give the same answer, in the same words (portal/accounts/people.py)."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.accounts import people
from portal.accounts.models import Role, User
from portal.mentoring.models import Mentor
from tests.page import read_page

TAKEN_BY_STAFF = (
    "Robin Ellis already signs in to the portal as program staff with this email, so it "
    "cannot also be a mentor's sign-in. Use another email, or ask an administrator."
)


def from_the_form(client, email: str) -> str:
    response = client.post(
        "/staff/mentors/new/", {"full_name": "Pat Lee", "email": email, "status": "invited"}
    )
    return html.unescape(response.content.decode())


def from_the_invitation(client, email: str) -> str:
    response = client.post("/staff/invitations/new/", {"full_name": "Pat Lee", "email": email})
    return read_page(response).text


def from_the_import(client, email: str) -> list[str]:
    file = SimpleUploadedFile("mentors.csv", f"email,full_name\n{email},Pat Lee\n".encode())
    response = client.post("/staff/import/mentors/", {"file": file})
    return [problem.message for problem in response.context["result"].problems]


def from_the_invitation_file(client, email: str) -> str:
    file = SimpleUploadedFile("mentors.csv", f"email,full name\n{email},Pat Lee\n".encode())
    return read_page(client.post("/staff/invitations/import/", {"file": file})).text


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


def test_an_email_of_program_staff_gets_the_same_message_everywhere(staff):
    assert TAKEN_BY_STAFF in from_the_form(staff, "STAFF@example.org")
    assert TAKEN_BY_STAFF in from_the_invitation(staff, "STAFF@example.org")
    assert TAKEN_BY_STAFF in from_the_invitation_file(staff, "staff@example.org")
    assert from_the_import(staff, "staff@example.org") == [TAKEN_BY_STAFF]
    assert User.objects.filter(role=Role.MENTOR).count() == 0


def test_an_email_of_an_enrolled_mentor_gets_the_same_message_from_the_form_and_invitations(
    staff, mentor_a
):
    assert people.ENROLLED in from_the_form(staff, "mentor-a@example.org")
    assert people.ENROLLED in from_the_invitation(staff, "mentor-a@example.org")
    assert people.ENROLLED in from_the_invitation_file(staff, "mentor-a@example.org")
    # An import can be repeated: a mentor already in the portal is skipped, not refused.
    assert from_the_import(staff, "mentor-a@example.org") == []
    assert Mentor.objects.count() == 1


def test_a_mentor_made_at_the_same_moment_elsewhere_gets_the_rule_s_message(staff_user):
    people.mentor_create(email="pat@example.org", full_name="Pat Lee")
    with pytest.raises(ValidationError) as refused:
        people.mentor_create(email="PAT@example.org", full_name="Pat Again")
    assert refused.value.message_dict["email"] == [people.NOT_ENROLLED.format(name="Pat Lee")]
