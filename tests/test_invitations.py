"""Enrollment (RULES 4.12): staff invite mentors; a link works once, until it expires; a
resend retires the old link; the mentor sets a password, accepts the agreement, lands home."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.enrollment import services
from portal.enrollment.models import Invitation, InvitationState
from portal.lib.text import has_control_characters
from portal.mentoring.models import Mentor, MentorStatus, ProgramSettings
from portal.notifications.models import Notification
from tests.conftest import chicago
from tests.page import read_page

GOOD_PASSWORD = "purple-otter-kettle-41"
LIST = "/staff/invitations/"


def invite(staff_user, email="new.mentor@example.org", name="Nia Okafor", **kwargs):
    return services.invitation_create(email=email, full_name=name, created_by=staff_user, **kwargs)


def link_of(invitation: Invitation) -> str:
    """The link the mentor received: read from the email in the outbox."""
    email = Notification.objects.get(template="invitation", subject_id=invitation.pk)
    return email.context["path"]


def token_of(invitation: Invitation) -> str:
    return link_of(invitation).rstrip("/").rsplit("/", 1)[-1]


def accept_form(password=GOOD_PASSWORD, again=None, agree=True) -> dict:
    data = {"password1": password, "password2": password if again is None else again}
    if agree:
        data["agree"] = "on"
    return data


# --- The invitation ----------------------------------------------------------------------


def test_inviting_creates_an_account_that_cannot_sign_in_yet_and_queues_the_email(staff_user):
    invitation = invite(staff_user, email="  New.Mentor@Example.org ")

    user = invitation.user
    assert user.email == "new.mentor@example.org"
    assert user.is_mentor and not user.has_usable_password()
    assert user.mentor.status == MentorStatus.INVITED
    email = Notification.objects.get(template="invitation")
    assert email.to == "new.mentor@example.org"
    assert email.context["path"].startswith("/enroll/")
    assert email.context["days"] == 14
    assert AuditEvent.objects.filter(action="invitation.created").count() == 1


def test_only_a_hash_of_the_token_is_stored(staff_user):
    invitation = invite(staff_user)
    token = token_of(invitation)

    assert token not in invitation.token_hash
    assert invitation.token_hash == services.hash_token(token)
    assert len(token) >= 40


def test_the_link_expires_after_the_programs_days(staff_user):
    program = ProgramSettings.load()
    program.invitation_valid_days = 14
    program.save()
    sent = chicago(2026, 11, 2, 9, 0)
    invitation = invite(staff_user, now=sent)

    assert invitation.expires_at == sent + dt.timedelta(days=14)
    assert invitation.state_at(sent + dt.timedelta(days=13, hours=23)) == InvitationState.PENDING
    assert invitation.state_at(sent + dt.timedelta(days=14)) == InvitationState.EXPIRED
    with pytest.raises(services.InvitationUnusable) as refused:
        services.invitation_accept(
            token=token_of(invitation), password=GOOD_PASSWORD, now=sent + dt.timedelta(days=15)
        )
    assert refused.value.reason == "expired"


def test_the_program_can_choose_another_number_of_days(staff_user):
    program = ProgramSettings.load()
    program.invitation_valid_days = 7
    program.save()
    sent = chicago(2026, 11, 2, 9, 0)

    assert invite(staff_user, now=sent).expires_at == sent + dt.timedelta(days=7)


def test_a_link_works_once(staff_user):
    invitation = invite(staff_user)
    token = token_of(invitation)

    user = services.invitation_accept(token=token, password=GOOD_PASSWORD)

    assert user.check_password(GOOD_PASSWORD)
    with pytest.raises(services.InvitationUnusable) as refused:
        services.invitation_accept(token=token, password="another-good-pass-77")
    assert refused.value.reason == "used"
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)


def test_accepting_records_the_agreement_its_version_and_the_time(staff_user):
    program = ProgramSettings.load()
    program.mentor_agreement = "I will meet my mentee weekly."
    program.save()
    invitation = invite(staff_user)
    moment = chicago(2026, 11, 3, 19, 30)

    services.invitation_accept(
        token=token_of(invitation), password=GOOD_PASSWORD, now=invitation.created_at
    )
    mentor = Mentor.objects.get(user=invitation.user)
    assert mentor.status == MentorStatus.ACTIVE
    assert mentor.agreement_accepted_at == invitation.created_at
    assert mentor.agreement_version == program.agreement_version
    assert len(mentor.agreement_version) == 12

    program.mentor_agreement = "I will meet my mentee weekly, and log every session."
    program.save()
    assert ProgramSettings.load().agreement_version != mentor.agreement_version
    assert moment  # the version changes whenever the text does


def test_resending_retires_the_old_link(staff_user):
    first = invite(staff_user)
    old_token = token_of(first)

    second = services.invitation_resend(user=first.user, created_by=staff_user)

    first.refresh_from_db()
    assert first.state == InvitationState.RETIRED
    assert second.state == InvitationState.PENDING
    with pytest.raises(services.InvitationUnusable) as refused:
        services.invitation_accept(token=old_token, password=GOOD_PASSWORD)
    assert refused.value.reason == "retired"
    services.invitation_accept(token=token_of(second), password=GOOD_PASSWORD)
    assert Notification.objects.filter(template="invitation").count() == 2


def test_an_expired_invitation_can_be_resent(staff_user):
    first = invite(staff_user, now=chicago(2026, 1, 5, 9, 0))

    second = services.invitation_resend(user=first.user, created_by=staff_user)

    services.invitation_accept(token=token_of(second), password=GOOD_PASSWORD)
    assert Mentor.objects.get(user=first.user).status == MentorStatus.ACTIVE


def test_an_enrolled_mentor_cannot_be_sent_another_invitation(staff_user, mentor_a):
    with pytest.raises(ValidationError):
        services.invitation_resend(user=mentor_a, created_by=staff_user)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
        lambda t: t[:-4],  # cut short
        lambda t: t + "x",
        lambda t: "not-a-token",
    ],
)
def test_a_tampered_token_fails(client, staff_user, tamper):
    invitation = invite(staff_user)

    response = client.get(f"/enroll/{tamper(token_of(invitation))}/")

    assert response.status_code == 404
    page = read_page(response)
    assert "This link does not work" in page.text
    assert "/contact/?topic=invitation" in page.hrefs()
    with pytest.raises(services.InvitationUnusable):
        services.invitation_accept(token=tamper(token_of(invitation)), password=GOOD_PASSWORD)


def test_an_email_already_in_use_is_refused(staff_user, mentor_a):
    with pytest.raises(ValidationError) as refused:
        invite(staff_user, email="MENTOR-A@example.org")
    assert "already has an account and has enrolled" in str(refused.value)


def test_a_mentor_account_made_by_staff_gets_an_invitation(staff_user):
    user = User.objects.create_user(
        email="made-by-staff@example.org", password=None, full_name="Kai Made"
    )
    Mentor.objects.create(user=user, status=MentorStatus.INVITED)

    first = invite(staff_user, email="made-by-staff@example.org", name="Kai Made")
    second = invite(staff_user, email="made-by-staff@example.org", name="Kai Made")

    assert first.user == second.user == user
    first.refresh_from_db()
    assert first.state == InvitationState.RETIRED
    services.invitation_accept(token=token_of(second), password=GOOD_PASSWORD)
    assert Mentor.objects.get(user=user).status == MentorStatus.ACTIVE


# --- The accept page --------------------------------------------------------------------


def test_the_mentor_sets_a_password_accepts_the_agreement_and_lands_home_signed_in(
    client, staff_user
):
    program = ProgramSettings.load()
    program.mentor_agreement = "I will report any immediate safety concern."
    program.save()
    invitation = invite(staff_user)
    link = link_of(invitation)

    page = read_page(client.get(link))
    assert "I will report any immediate safety concern." in page.text
    assert page.label_for("password1") == "Create a password"
    response = client.post(link, accept_form(), follow=True)

    assert response.redirect_chain[-1][0] == "/mentor/"
    assert response.wsgi_request.user == invitation.user
    assert "You are enrolled and signed in" in read_page(response).text
    assert client.login(email="new.mentor@example.org", password=GOOD_PASSWORD)


def test_the_agreement_must_be_accepted(client, staff_user):
    link = link_of(invite(staff_user))

    response = client.post(link, accept_form(agree=False))

    assert response.status_code == 200
    assert "Tick the box to accept the mentor agreement." in read_page(response).text
    assert not User.objects.get(email="new.mentor@example.org").has_usable_password()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("12345678901234", "entirely numeric"),
        ("riverbend-rocks-2026", "cannot contain “riverbend”"),
        ("RiverbendYouth!!", "cannot contain"),
        ("mentoring-is-great", "cannot contain “mentoring”"),
        ("Nia Okafor 1", "too similar"),
    ],
)
def test_weak_passwords_are_refused_with_a_plain_message(client, staff_user, password, message):
    program = ProgramSettings.load()
    program.name = "Riverbend Youth Mentoring"
    program.save()
    link = link_of(invite(staff_user, email="nia.okafor@example.org"))

    response = client.post(link, accept_form(password))

    assert response.status_code == 200
    assert message in read_page(response).text
    assert not User.objects.get(email="nia.okafor@example.org").has_usable_password()


def test_the_two_passwords_must_match_and_nothing_typed_but_passwords_is_lost(client, staff_user):
    link = link_of(invite(staff_user))

    response = client.post(link, accept_form(again="something-else-99"))

    assert "The two passwords are not the same." in read_page(response).text


@pytest.mark.parametrize(
    ("when", "reason", "title"),
    [
        ("used", "used", "This invitation has already been used"),
        ("expired", "expired", "This invitation has expired"),
        ("retired", "retired", "A newer invitation replaced this one"),
    ],
)
def test_a_link_that_cannot_be_used_says_what_to_do(client, staff_user, when, reason, title):
    invitation = invite(staff_user)
    link = link_of(invitation)
    if when == "used":
        services.invitation_accept(token=token_of(invitation), password=GOOD_PASSWORD)
    elif when == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            created_at=invitation.created_at - dt.timedelta(days=30),
            expires_at=invitation.created_at - dt.timedelta(days=16),
        )
    else:
        services.invitation_resend(user=invitation.user, created_by=staff_user)

    response = client.get(link)

    assert response.status_code == 410
    page = read_page(response)
    assert title in page.text
    if reason == "used":
        assert "/accounts/sign-in/" in page.hrefs()
    else:
        assert "/contact/?topic=invitation" in page.hrefs()


# --- The staff pages ---------------------------------------------------------------------


def test_staff_invite_one_mentor_from_the_form(client, staff_user):
    client.force_login(staff_user)

    response = client.post(
        "/staff/invitations/new/",
        {"full_name": "Jordan Lee", "email": "jordan.lee@example.org", "phone": ""},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == LIST
    assert "Invitation queued for jordan.lee@example.org" in read_page(response).text
    assert Invitation.objects.get().user.full_name == "Jordan Lee"


def test_the_invite_form_explains_its_errors_and_keeps_what_was_typed(client, staff_user, mentor_a):
    client.force_login(staff_user)

    response = client.post(
        "/staff/invitations/new/", {"full_name": "Jordan Lee", "email": "mentor-a@example.org"}
    )

    page = read_page(response)
    assert "There is a problem" in page.text
    assert "already has an account" in page.text
    assert page.input("full_name")["value"] == "Jordan Lee"
    assert not Invitation.objects.exists()


def test_staff_see_each_invitation_state(client, staff_user):
    pending = invite(staff_user, email="pending@example.org", name="Pat Pending")
    expired = invite(
        staff_user, email="expired@example.org", name="Eve Expired", now=chicago(2025, 1, 6, 9)
    )
    accepted = invite(staff_user, email="accepted@example.org", name="Ann Accepted")
    services.invitation_accept(token=token_of(accepted), password=GOOD_PASSWORD)
    client.force_login(staff_user)

    text = read_page(client.get(LIST)).text

    assert "Pat Pending" in text and "Eve Expired" in text and "Ann Accepted" in text
    assert "Waiting for the mentor (1)" in text
    assert "Expired (1)" in text
    assert "Accepted (1)" in text
    only_expired = read_page(client.get(LIST + "?state=expired")).text
    assert "Eve Expired" in only_expired and "Pat Pending" not in only_expired
    assert pending.pk and expired.pk


def test_staff_resend_from_the_list(client, staff_user):
    first = invite(staff_user)
    client.force_login(staff_user)

    response = client.post(f"/staff/invitations/{first.pk}/resend/", follow=True)

    assert "The old link no longer works" in read_page(response).text
    first.refresh_from_db()
    assert first.retired_at is not None
    assert Invitation.objects.pending(first.retired_at).count() == 1


def upload(client, text: str, name="mentors.csv"):
    return client.post(
        "/staff/invitations/import/",
        {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")},
    )


def test_a_csv_is_previewed_with_every_error_and_nothing_is_sent(client, staff_user, mentor_a):
    client.force_login(staff_user)
    text = (
        "Email,Full name,Phone\n"
        "ok@example.org,Olive Ok,(312) 555-0100\n"
        "not-an-email,Bad Address,\n"
        "mentor-a@example.org,Already Here,\n"
        "ok@example.org,Twice Listed,\n"
        "noname@example.org,,\n"
    )

    page = read_page(upload(client, text))

    assert "The file has 4 problems. Nothing was sent." in page.text
    assert "Enter an email address like name@example.org." in page.text
    assert "already has an account" in page.text
    assert "This email is also on row 2." in page.text
    assert "Enter the mentor's full name." in page.text
    assert not Invitation.objects.exists()
    assert not Notification.objects.exists()


def test_a_clean_csv_is_previewed_then_sent_in_one_go(client, staff_user):
    client.force_login(staff_user)
    text = "email,full name\nana@example.org,Ana Diaz\nbo@example.org,Bo Kim\n"

    preview = upload(client, text)
    page = read_page(preview)
    assert "2 mentors ready to invite" in page.text
    assert not Invitation.objects.exists()

    response = client.post("/staff/invitations/import/", {"csv_text": text}, follow=True)

    assert "2 invitations queued" in read_page(response).text
    assert sorted(Invitation.objects.values_list("user__email", flat=True)) == [
        "ana@example.org",
        "bo@example.org",
    ]
    assert Notification.objects.filter(template="invitation").count() == 2


def test_a_csv_without_the_right_header_is_explained(client, staff_user):
    client.force_login(staff_user)

    page = read_page(upload(client, "ana@example.org,Ana Diaz\n"))

    assert "The first row must name the columns" in page.text


def test_a_csv_sent_with_a_problem_added_after_the_preview_sends_nothing(staff_user, mentor_a):
    text = "email,full name\nana@example.org,Ana Diaz\nmentor-a@example.org,Dup\n"

    with pytest.raises(ValidationError):
        services.invitations_create_from_csv(text=text, created_by=staff_user)

    assert not Invitation.objects.exists()
    assert not User.objects.filter(email="ana@example.org").exists()


@pytest.mark.parametrize("persona", ["mentor_a", "site_contact_a"])
def test_mentors_and_site_contacts_cannot_invite(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(LIST).status_code == 403
    assert client.post("/staff/invitations/new/", {"email": "x@example.org"}).status_code == 403
    assert not Invitation.objects.exists()


# --- Text that would break the preview or the database (issue 11, item 5) ------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("pat@example.org,Pat Lee," + "5" * 60, "Phone can be at most 40 characters; it has 60."),
        ("pat@example.org," + "N" * 300 + ",", "Full name can be at most 150 characters"),
        ("pat@example.org," + "N" * 200_000 + ",", "Full name can be at most 150 characters"),
        ("a" * 250 + "@example.org,Pat Lee,", "Email can be at most 254 characters"),
    ],
)
def test_a_value_too_long_for_the_database_is_reported_in_the_preview(
    client, staff_user, row, message
):
    client.force_login(staff_user)

    response = upload(client, "email,full name,phone\n" + row + "\n")

    page = read_page(response)
    assert response.status_code == 200
    assert message in page.text
    assert "Nothing was sent" in page.text
    # And sending the same text anyway (a crafted post) is refused, not a database error.
    with pytest.raises(ValidationError):
        services.invitations_create_from_csv(
            text="email,full name,phone\n" + row + "\n", created_by=staff_user
        )
    assert not User.objects.filter(email__startswith="pat").exists()


@pytest.mark.parametrize(
    ("character", "phone"),
    [("\x00", "5550100"), ("\x1b", "5550100"), ("\x0b", "555 0100"), ("\x0c", "555 0100")],
)
def test_control_characters_in_an_invitation_file_never_reach_the_database(
    client, staff_user, character, phone
):
    """Removed, or a space for a word processor's line or page break, as in every form."""
    client.force_login(staff_user)
    text = f"email,full name,phone\nana@example.org,Ana{character} Diaz,555{character}0100\n"

    page = read_page(upload(client, text))
    assert "1 mentor ready to invite" in page.text
    # The checked file goes back in a hidden field: plain text, whatever its field's rules.
    hidden = page.textareas.get("csv_text") or page.input("csv_text")["value"]
    assert not has_control_characters(hidden)
    response = client.post("/staff/invitations/import/", {"csv_text": hidden}, follow=True)

    assert "1 invitation queued" in read_page(response).text
    user = User.objects.get(email="ana@example.org")
    assert (user.full_name, user.phone) == ("Ana Diaz", phone)


def test_an_invitation_file_saved_as_unicode_text_by_excel_is_read(client, staff_user):
    client.force_login(staff_user)
    text = "email,full name\nana@example.org,Ana Díaz\n"
    response = client.post(
        "/staff/invitations/import/",
        {"file": SimpleUploadedFile("mentors.csv", text.encode("utf-16"))},
    )
    assert "1 mentor ready to invite" in read_page(response).text


@pytest.mark.parametrize("path", [LIST, "/staff/invitations/new/", "/staff/invitations/import/"])
def test_the_staff_navigation_shows_the_invitations_pages_as_current(client, staff_user, path):
    client.force_login(staff_user)

    html = client.get(path).content.decode()

    # "page" on the list itself, "true" on the pages under it
    current = "page" if path == LIST else "true"
    assert f'<a href="{LIST}" aria-current="{current}">Invitations</a>' in html
    assert html.count("aria-current=") == 1
