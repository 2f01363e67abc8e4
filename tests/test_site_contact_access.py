"""School site contacts get in (issue 11.1): adding a contact sends an invitation like a
mentor's (hashed, single use, expiring, resend retires old links); the contact sets a
password and lands on their school's page; a reset email works; the school page says who
can sign in; removing or moving a contact ends their access at once; a concern at a school
whose contacts cannot sign in is flagged to staff."""

import datetime as dt
import io
import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from portal.accounts import site_contacts
from portal.accounts.models import Role, User
from portal.audit.models import AuditEvent
from portal.enrollment import services as enrollment
from portal.enrollment.models import Invitation, InvitationState
from portal.mentoring.models import ProgramSettings, SchoolSite, SiteContact
from portal.notifications.models import Notification
from portal.safeguarding import selectors
from portal.safeguarding.access import concerns_visible_to
from portal.safeguarding.models import SafetyConcern
from portal.safeguarding.services import concern_raise
from tests.conftest import PASSWORD, chicago
from tests.page import read_page

NEW_PASSWORD = "lantern-meadow-copper-58"


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


def deliver() -> list:
    """Send the outbox as the worker would, and return every email sent so far."""
    call_command("send_notifications", stdout=io.StringIO(), stderr=io.StringIO())
    return mail.outbox


def invitation_link(email: str) -> str:
    """The path in the newest invitation email sent to ``email`` (read from the email)."""
    deliver()
    [message] = [m for m in mail.outbox if m.to == [email]][-1:]
    return re.search(r"https?://[^/\s]+(/enroll/[^\s]+/)", message.body).group(1)


def add_contact(staff_client, site: SchoolSite, **fields):
    data = {
        "name": "Kim Park",
        "role": "Nurse",
        "email": "kim.park@example.org",
        "phone": "(312) 555-0150",
        "position": "0",
        **fields,
    }
    return staff_client.post(f"/staff/schools/{site.pk}/people/new/", data)


def contact_form(contact: SiteContact, **changes) -> dict:
    data = {
        "site": contact.site_id,
        "name": contact.name,
        "role": contact.role,
        "email": contact.email,
        "phone": contact.phone,
        "position": contact.position,
    }
    data.update(changes)
    return data


@pytest.fixture
def concern_a(match_a, staff_user) -> SafetyConcern:
    return concern_raise(
        match=match_a, description="She said nobody was home for two days.", raised_by=staff_user
    )


@pytest.fixture
def concern_b(match_b, staff_user) -> SafetyConcern:
    return concern_raise(
        match=match_b, description="He has bruises he would not explain.", raised_by=staff_user
    )


def signed_in_client(user: User) -> Client:
    """A client signed in through the sign-in page, so its session is on record."""
    client = Client()
    response = client.post("/accounts/sign-in/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, "the persona could not sign in"
    return client


# --- From "added" to "signed in" ----------------------------------------------------------


def test_a_contact_added_by_staff_opens_the_invitation_sets_a_password_and_sees_their_concern(
    staff_client, school_a, concern_a
):
    response = add_contact(staff_client, school_a)
    assert response.status_code == 302

    contact = SiteContact.objects.get(email="kim.park@example.org")
    assert contact.user.role == Role.SITE_CONTACT
    assert not contact.user.has_usable_password()
    link = invitation_link("kim.park@example.org")

    visitor = Client()
    page = read_page(visitor.get(link))
    assert "Lincoln Elementary" in page.text
    assert "mentor agreement" not in page.text.lower()
    response = visitor.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/site/"
    home = read_page(visitor.get("/accounts/site/"))
    assert "Lincoln Elementary" in home.text
    assert "1 open concern" in home.text
    assert visitor.get(f"/concerns/{concern_a.pk}/").status_code == 200

    # The link works once; the password works from the sign-in page.
    assert Client().get(link).status_code == 410
    again = Client()
    assert again.login(email="kim.park@example.org", password=NEW_PASSWORD)


def test_the_invitation_email_speaks_to_a_school_contact(staff_client, school_a):
    add_contact(staff_client, school_a)
    [email] = deliver()
    text = email.body.lower()
    assert "lincoln elementary" in text
    assert "safety concern" in text
    assert "mentor agreement" not in text and "log your mentoring sessions" not in text
    assert "mentor" not in email.subject.lower()
    assert "/enroll/" in email.alternatives[0][0]


def test_only_a_hash_of_the_contacts_token_is_stored_and_the_link_expires_with_the_setting(
    staff_client, school_a
):
    program = ProgramSettings.load()
    program.invitation_valid_days = 3
    program.save()
    add_contact(staff_client, school_a)
    invitation = Invitation.objects.get(user__email="kim.park@example.org")
    token = invitation_link("kim.park@example.org").rstrip("/").rsplit("/", 1)[-1]
    assert token not in invitation.token_hash
    assert invitation.token_hash == enrollment.hash_token(token)
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=3)
    with pytest.raises(enrollment.InvitationUnusable) as unusable:
        enrollment.invitation_for_token(token, now=invitation.expires_at)
    assert unusable.value.reason == InvitationState.EXPIRED


def test_resending_from_the_school_page_retires_the_old_link(staff_client, school_a):
    add_contact(staff_client, school_a)
    old_link = invitation_link("kim.park@example.org")
    contact = SiteContact.objects.get(email="kim.park@example.org")

    response = staff_client.post(f"/staff/schools/{school_a.pk}/people/{contact.pk}/invite/")
    assert response["Location"] == f"/staff/schools/{school_a.pk}/"
    new_link = invitation_link("kim.park@example.org")
    assert new_link != old_link
    assert Client().get(old_link).status_code == 410
    assert Client().get(new_link).status_code == 200
    assert AuditEvent.objects.filter(action="invitation.resent").count() == 1


def test_a_contact_who_can_sign_in_is_not_sent_an_invitation(staff_client, site_contact_a):
    contact = SiteContact.objects.get(user=site_contact_a)
    response = staff_client.post(
        f"/staff/schools/{contact.site_id}/people/{contact.pk}/invite/", follow=True
    )
    assert "can already sign in" in read_page(response).text
    assert not Invitation.objects.filter(user=site_contact_a).exists()


def test_a_contact_added_at_a_second_school_keeps_one_account(
    staff_client, school_b, site_contact_a
):
    add_contact(staff_client, school_b, name="Dana Whitfield", email="CONTACT-A@example.org")
    contact = SiteContact.objects.get(site=school_b)
    assert contact.user == site_contact_a
    assert contact.email == "contact-a@example.org"
    assert User.objects.filter(email="contact-a@example.org").count() == 1
    # They can sign in already: no invitation for them.
    assert not Invitation.objects.filter(user=site_contact_a).exists()
    assert SiteContact.objects.filter(user=site_contact_a).count() == 2


def test_an_email_that_belongs_to_a_mentor_is_refused_and_nothing_changes(
    staff_client, school_a, mentor_a
):
    response = add_contact(staff_client, school_a, email="mentor-a@example.org")
    assert response.status_code == 200
    page = read_page(response)
    assert "There is a problem" in page.text
    assert "already signs in to the portal as a mentor" in page.text
    assert not SiteContact.objects.filter(email="mentor-a@example.org").exists()
    mentor_a.refresh_from_db()
    assert mentor_a.role == Role.MENTOR and mentor_a.check_password(PASSWORD)
    assert not Invitation.objects.exists()


def test_a_reset_email_brings_a_contact_back_to_their_school(client, site_contact_a, concern_a):
    response = client.post("/accounts/password/reset/", {"email": "Contact-A@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    [email] = [m for m in deliver() if "password" in m.subject.lower()]
    assert email.to == ["contact-a@example.org"]
    link = re.search(r"https?://\S+?(/accounts/password/reset/\S+/)", email.body).group(1)
    form_url = client.get(link)["Location"]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/accounts/password/reset/done/"

    response = client.post(
        "/accounts/sign-in/",
        {"username": "contact-a@example.org", "password": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/accounts/site/"
    assert "Lincoln Elementary" in read_page(response).text
    assert client.get(f"/concerns/{concern_a.pk}/").status_code == 200


def test_a_contact_that_was_never_given_a_sign_in_gets_one_when_changed_by_staff(
    staff_client, school_a
):
    # Contacts saved before sign-ins existed have no account; saving them invites them.
    contact = SiteContact.objects.create(
        site=school_a, name="Old Entry", email="old.entry@example.org", phone="555"
    )
    staff_client.post(
        f"/staff/schools/{school_a.pk}/people/{contact.pk}/", contact_form(contact, role="Nurse")
    )
    contact.refresh_from_db()
    assert contact.user is not None and contact.user.is_site_contact
    assert invitation_link("old.entry@example.org").startswith("/enroll/")


# --- The school page ----------------------------------------------------------------------


def test_the_school_page_says_who_can_sign_in_who_is_invited_and_who_never_was(
    staff_client, school_a, site_contact_a
):
    site_contact_a.last_login = chicago(2026, 11, 30, 9, 15)
    site_contact_a.save(update_fields=["last_login"])
    add_contact(staff_client, school_a)
    SiteContact.objects.create(
        site=school_a, name="Never Asked", email="never@example.org", phone="555"
    )

    page = read_page(staff_client.get(f"/staff/schools/{school_a.pk}/")).text
    people = page.split("People to tell about safety concerns", 1)[1].split("Add a person")[0]
    dana = people[people.index("Dana Whitfield") : people.index("Kim Park")]
    kim = people[people.index("Kim Park") : people.index("Never Asked")]
    never = people[people.index("Never Asked") :]
    assert "Can sign in" in dana and "Last signed in 30 Nov 2026" in dana
    assert "invitation" not in dana.lower()  # nothing to send to someone who can sign in
    assert "Invited, waiting" in kim and "Never signed in" in kim
    assert "Resend the invitation" in kim
    assert "Never invited" in never and "Never signed in" in never
    assert "Send an invitation" in never


def test_the_school_page_buttons_refuse_another_schools_contact_and_non_staff(
    staff_client, school_a, site_contact_b
):
    contact_b = SiteContact.objects.get(user=site_contact_b)
    url = f"/staff/schools/{school_a.pk}/people/{contact_b.pk}/invite/"
    assert staff_client.post(url).status_code == 404
    assert (
        staff_client.post(f"/staff/schools/{school_a.pk}/people/{contact_b.pk}/remove/").status_code
        == 404
    )
    outsider = signed_in_client(site_contact_b)
    assert (
        outsider.post(
            f"/staff/schools/{contact_b.site_id}/people/{contact_b.pk}/invite/"
        ).status_code
        == 403
    )
    assert SiteContact.objects.filter(pk=contact_b.pk).exists()


# --- Outsiders ----------------------------------------------------------------------------


def test_a_contact_of_school_b_cannot_open_or_acknowledge_school_as_concerns(
    site_contact_b, concern_a, concern_b
):
    client = signed_in_client(site_contact_b)
    assert client.get(f"/concerns/{concern_a.pk}/").status_code == 404
    assert client.post(f"/concerns/{concern_a.pk}/acknowledge/", {"note": ""}).status_code == 404
    assert client.get(f"/concerns/{concern_b.pk}/").status_code == 200
    listing = read_page(client.get("/concerns/?show=all")).text
    assert "Roosevelt Middle" in listing and "Lincoln Elementary" not in listing


def test_a_contact_of_school_b_cannot_use_school_as_invitation_once_it_is_used(
    staff_client, school_a, site_contact_b
):
    add_contact(staff_client, school_a)
    link = invitation_link("kim.park@example.org")
    Client().post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    outsider = signed_in_client(site_contact_b)
    assert outsider.post(link, {"password1": "x" * 12, "password2": "x" * 12}).status_code == 410
    assert User.objects.get(email="kim.park@example.org").check_password(NEW_PASSWORD)


# --- Removing and moving end access at once -----------------------------------------------


def test_removing_a_contact_ends_their_session_and_their_access_at_once(
    staff_client, site_contact_a, concern_a
):
    contact = SiteContact.objects.get(user=site_contact_a)
    client = signed_in_client(site_contact_a)
    assert client.get(f"/concerns/{concern_a.pk}/").status_code == 200

    response = staff_client.post(f"/staff/schools/{contact.site_id}/people/{contact.pk}/remove/")
    assert response["Location"] == f"/staff/schools/{contact.site_id}/"
    assert not SiteContact.objects.filter(pk=contact.pk).exists()

    # The open session is over.
    assert "/accounts/sign-in/" in client.get(f"/concerns/{concern_a.pk}/")["Location"]
    assert not Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()
    # Signing in again shows nothing of the old school.
    again = signed_in_client(site_contact_a)
    assert again.get(f"/concerns/{concern_a.pk}/").status_code == 404
    assert "0 open concerns" in read_page(again.get("/accounts/site/")).text
    assert concerns_visible_to(site_contact_a).count() == 0
    event = AuditEvent.objects.get(action="sitecontact.removed")
    assert event.old_values["email"] == "contact-a@example.org"
    assert event.old_values["site"] == "Lincoln Elementary"


def test_a_removed_contacts_waiting_invitation_stops_working(staff_client, school_a):
    add_contact(staff_client, school_a)
    link = invitation_link("kim.park@example.org")
    contact = SiteContact.objects.get(email="kim.park@example.org")
    staff_client.post(f"/staff/schools/{school_a.pk}/people/{contact.pk}/remove/")
    assert Client().get(link).status_code == 410


def test_moving_a_contact_to_another_school_ends_their_session_and_old_access(
    staff_client, site_contact_a, school_b, concern_a, concern_b
):
    contact = SiteContact.objects.get(user=site_contact_a)
    client = signed_in_client(site_contact_a)

    response = staff_client.post(
        f"/staff/schools/{contact.site_id}/people/{contact.pk}/",
        contact_form(contact, site=school_b.pk),
    )
    assert response["Location"] == f"/staff/schools/{school_b.pk}/"
    assert "/accounts/sign-in/" in client.get(f"/concerns/{concern_a.pk}/")["Location"]
    again = signed_in_client(site_contact_a)
    assert again.get(f"/concerns/{concern_a.pk}/").status_code == 404
    assert again.get(f"/concerns/{concern_b.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="sitecontact.changed")
    assert event.old_values == {"site": "Lincoln Elementary"}
    assert event.new_values == {"site": "Roosevelt Middle"}


def test_a_new_email_for_a_contact_moves_the_access_to_the_new_address(
    staff_client, site_contact_a, concern_a
):
    contact = SiteContact.objects.get(user=site_contact_a)
    client = signed_in_client(site_contact_a)
    staff_client.post(
        f"/staff/schools/{contact.site_id}/people/{contact.pk}/",
        contact_form(contact, email="dana.new@example.org"),
    )
    contact.refresh_from_db()
    assert contact.user.email == "dana.new@example.org"
    assert "/accounts/sign-in/" in client.get("/accounts/site/")["Location"]
    assert concerns_visible_to(site_contact_a).count() == 0
    assert invitation_link("dana.new@example.org").startswith("/enroll/")


def test_a_contact_at_two_schools_removed_from_one_keeps_the_other(
    staff_client, site_contact_a, school_b, concern_a, concern_b
):
    add_contact(staff_client, school_b, name="Dana Whitfield", email="contact-a@example.org")
    contact_a = SiteContact.objects.get(user=site_contact_a, site__name="Lincoln Elementary")
    staff_client.post(f"/staff/schools/{contact_a.site_id}/people/{contact_a.pk}/remove/")
    assert list(concerns_visible_to(site_contact_a)) == [concern_b]


# --- Django admin and CSV ------------------------------------------------------------------


def test_a_contact_added_in_the_admin_gets_an_account_and_an_invitation(admin_user, school_a):
    client = Client()
    client.force_login(admin_user)
    prefix = "contacts"
    response = client.post(
        f"/admin/mentoring/schoolsite/{school_a.pk}/change/",
        {
            "name": school_a.name,
            "address": school_a.address,
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-name": "Lee Admin",
            f"{prefix}-0-role": "Principal",
            f"{prefix}-0-email": "Lee.Admin@example.org",
            f"{prefix}-0-phone": "555",
            f"{prefix}-0-position": "0",
        },
    )
    assert response.status_code == 302, read_page(response).text
    contact = SiteContact.objects.get(email="lee.admin@example.org")
    assert contact.user.is_site_contact
    assert invitation_link("lee.admin@example.org").startswith("/enroll/")


def test_the_admin_refuses_a_contact_email_that_belongs_to_staff(admin_user, school_a):
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        f"/admin/mentoring/schoolsite/{school_a.pk}/change/",
        {
            "name": school_a.name,
            "address": school_a.address,
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "Alex Morgan",
            "contacts-0-email": "admin@example.org",
            "contacts-0-phone": "555",
            "contacts-0-position": "0",
        },
    )
    assert response.status_code == 200
    assert "already signs in to the portal as an administrator" in response.content.decode()
    assert not SiteContact.objects.exists()


def test_removing_a_contact_in_the_admin_ends_their_session(admin_user, site_contact_a):
    contact = SiteContact.objects.get(user=site_contact_a)
    contact_client = signed_in_client(site_contact_a)
    client = Client()
    client.force_login(admin_user)
    site = contact.site
    response = client.post(
        f"/admin/mentoring/schoolsite/{site.pk}/change/",
        {
            "name": site.name,
            "address": site.address,
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": contact.pk,
            "contacts-0-site": site.pk,
            "contacts-0-name": contact.name,
            "contacts-0-role": contact.role,
            "contacts-0-email": contact.email,
            "contacts-0-phone": contact.phone,
            "contacts-0-position": "0",
            "contacts-0-DELETE": "on",
        },
    )
    assert response.status_code == 302, read_page(response).text
    assert not SiteContact.objects.exists()
    assert "/accounts/sign-in/" in contact_client.get("/accounts/site/")["Location"]
    assert AuditEvent.objects.filter(action="sitecontact.removed").count() == 1


def upload(client, text: str):
    file = SimpleUploadedFile("contacts.csv", text.encode(), content_type="text/csv")
    return client.post("/staff/import/contacts/", {"file": file})


def test_a_contacts_file_lists_every_problem_before_anything_is_saved(
    staff_client, school_a, mentor_a, site_contact_a
):
    text = (
        "school,name,role,email,phone\n"
        "Lincoln Elementary,Kim Park,Nurse,kim.park@example.org,555\n"
        "Hayes High,Lou Reed,,lou@example.org,555\n"
        "Lincoln Elementary,Mentor Too,,mentor-a@example.org,555\n"
        "Lincoln Elementary,Dana Again,,contact-a@example.org,555\n"
        "Lincoln Elementary,Kim Twice,,kim.park@example.org,555\n"
        "Lincoln Elementary,,,not-an-email,\n"
    )
    response = upload(staff_client, text)
    problems = [(p.row, p.column) for p in response.context["result"].problems]
    assert problems == [
        (3, "school"),
        (4, "email"),
        (7, "name"),
        (7, "phone"),
        (7, "email"),
    ]
    # Someone already a contact there, or repeated in the file, is skipped, not a problem:
    # the same file can be uploaded again.
    assert response.context["result"].skipped == {
        5: "Already in the portal: will be skipped",
        6: "Same as row 2: will be skipped",
    }
    page = read_page(response).text
    assert "already signs in to the portal as a mentor" in page
    assert "Nothing was saved" in page
    assert SiteContact.objects.count() == 1
    assert staff_client.post("/staff/import/contacts/save/").status_code == 302
    assert SiteContact.objects.count() == 1


def test_a_clean_contacts_file_is_previewed_then_saved_and_everyone_is_invited(
    staff_client, school_a, school_b, site_contact_a
):
    text = (
        "School,Name,Role,Email,Phone\n"
        "Lincoln Elementary,Kim Park,Nurse,kim.park@example.org,555\n"
        "roosevelt middle,Dana Whitfield,Counselor,contact-a@example.org,556\n"
    )
    response = upload(staff_client, text)
    assert response.context["result"].ok
    assert "Kim Park" in read_page(response).text
    assert SiteContact.objects.count() == 1

    response = staff_client.post("/staff/import/contacts/save/")
    assert response["Location"] == "/staff/schools/"
    assert SiteContact.objects.get(email="kim.park@example.org").site == school_a
    assert SiteContact.objects.get(site=school_b).user == site_contact_a
    assert invitation_link("kim.park@example.org").startswith("/enroll/")
    # The contact who can already sign in is not sent a link.
    assert not Invitation.objects.filter(user=site_contact_a).exists()


# --- The dashboard flag -------------------------------------------------------------------


def test_a_concern_at_a_school_whose_contacts_cannot_sign_in_is_flagged_on_the_dashboard(
    staff_client, school_a, match_b, concern_a, concern_b
):
    contact_b = SiteContact.objects.get(site=match_b.site)
    contact_b.user.set_unusable_password()
    contact_b.user.save()

    flagged = selectors.open_concerns_nobody_at_school_can_see()
    assert list(flagged) == [concern_b]
    page = read_page(staff_client.get("/staff/"))
    assert "1 open concern at a school whose contacts cannot sign in" in page.text
    assert "Roosevelt Middle" in page.text.split("cannot sign in", 1)[1]


def test_a_school_with_no_contacts_at_all_is_flagged_and_one_who_can_sign_in_clears_it(
    staff_client, match_a, concern_a
):
    contact = SiteContact.objects.get(site=match_a.site)
    staff_client.post(f"/staff/schools/{contact.site_id}/people/{contact.pk}/remove/")
    assert list(selectors.open_concerns_nobody_at_school_can_see()) == [concern_a]

    add_contact(staff_client, match_a.site)
    # Invited is not enough: the concern is flagged until someone can sign in.
    assert list(selectors.open_concerns_nobody_at_school_can_see()) == [concern_a]
    link = invitation_link("kim.park@example.org")
    Client().post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert list(selectors.open_concerns_nobody_at_school_can_see()) == []
    assert "cannot sign in" not in read_page(staff_client.get("/staff/")).text


def test_a_deactivated_contact_does_not_count_as_able_to_sign_in(match_a, concern_a):
    contact = SiteContact.objects.get(site=match_a.site)
    contact.user.is_active = False
    contact.user.save()
    assert list(selectors.open_concerns_nobody_at_school_can_see()) == [concern_a]


# --- Programmatic rules -------------------------------------------------------------------


def test_a_staff_account_cannot_be_linked_as_a_contact_by_the_service(staff_user, school_a):
    contact = SiteContact(site=school_a, name="Robin", email="STAFF@example.org", phone="555")
    with pytest.raises(ValidationError) as refused:
        site_contacts.site_contact_save(contact=contact, actor=staff_user)
    assert (
        "already signs in to the portal as program staff" in refused.value.message_dict["email"][0]
    )
    assert not SiteContact.objects.exists()
    staff_user.refresh_from_db()
    assert staff_user.role == Role.STAFF


def test_a_mentor_invitation_still_asks_for_the_agreement(client, staff_user):
    invitation = enrollment.invitation_create(
        email="nia@example.org", full_name="Nia Okafor", created_by=staff_user
    )
    link = Notification.objects.get(template="invitation", subject_id=invitation.pk).context["path"]
    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 200
    assert "Tick the box to accept the mentor agreement." in read_page(response).text


def test_send_an_invitation_gives_a_contact_saved_before_sign_ins_an_account_and_a_link(
    staff_client, school_a
):
    contact = SiteContact.objects.create(
        site=school_a, name="Old Entry", email="Old.Entry@example.org", phone="555"
    )
    response = staff_client.post(f"/staff/schools/{school_a.pk}/people/{contact.pk}/invite/")
    assert response["Location"] == f"/staff/schools/{school_a.pk}/"
    contact.refresh_from_db()
    assert contact.user.email == "old.entry@example.org" and contact.user.is_site_contact
    assert Invitation.objects.filter(user=contact.user).count() == 1
    assert invitation_link("old.entry@example.org").startswith("/enroll/")


def test_an_expired_contact_invitation_is_shown_and_can_be_sent_again(staff_client, school_a):
    contact = SiteContact(site=school_a, name="Kim Park", email="kim.park@example.org", phone="5")
    site_contacts.site_contact_save(contact=contact, actor=None, now=chicago(2026, 1, 5, 9))
    page = read_page(staff_client.get(f"/staff/schools/{school_a.pk}/")).text
    assert "Invitation expired" in page and "Resend the invitation" in page

    staff_client.post(f"/staff/schools/{school_a.pk}/people/{contact.pk}/invite/")
    assert "Invited, waiting" in read_page(staff_client.get(f"/staff/schools/{school_a.pk}/")).text


def test_a_corrected_name_follows_to_the_contacts_account(staff_client, site_contact_a):
    contact = SiteContact.objects.get(user=site_contact_a)
    staff_client.post(
        f"/staff/schools/{contact.site_id}/people/{contact.pk}/",
        contact_form(contact, name="Dana Whitfield-Ross"),
    )
    site_contact_a.refresh_from_db()
    assert site_contact_a.full_name == "Dana Whitfield-Ross"
    assert site_contact_a.check_password(PASSWORD)


def test_a_weak_password_on_the_contacts_accept_page_is_explained(staff_client, school_a):
    add_contact(staff_client, school_a)
    link = invitation_link("kim.park@example.org")
    response = Client().post(link, {"password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert "There is a problem" in read_page(response).text
    assert not User.objects.get(email="kim.park@example.org").has_usable_password()


def test_the_mentor_invitation_list_leaves_contacts_to_their_school_pages(staff_client, school_a):
    add_contact(staff_client, school_a)
    staff_client.get(f"/staff/schools/{school_a.pk}/")  # shows the "invitation sent" message
    page = read_page(staff_client.get("/staff/invitations/")).text
    assert "kim.park@example.org" not in page
    assert "No invitations" in page


def test_checking_a_contacts_file_looks_up_its_accounts_once_not_once_per_row(school_a, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.staff.imports import import_check

    def queries_for(rows: int) -> int:
        text = "school,name,email,phone\n" + "".join(
            f"Lincoln Elementary,Person {n},person{n}@example.org,555\n" for n in range(rows)
        )
        with CaptureQueriesContext(connection) as captured:
            result = import_check(kind_name="contacts", text=text)
        assert result.ok
        return len(captured)

    assert queries_for(2) == queries_for(40)
