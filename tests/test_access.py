"""Who may open what (RULES 2 and 6): outsiders get 404, other roles 403, the signed-out the
sign-in page; anyone can read Help and Contact; signing in and passwords work."""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command, get_commands
from django.utils import timezone

from portal.mentoring.models import SessionLog
from tests.conftest import CHICAGO, PASSWORD, log_session
from tests.page import read_page

SIGN_IN = "/accounts/sign-in/"
MENTOR_PAGES = ["/mentor/", "/sessions/", "/sessions/new/"]


@pytest.fixture
def session_a(match_a) -> SessionLog:
    """mentor_a's session of two hours ago, with notes no one else may read. Its mentor
    may still change it."""
    now = timezone.now()
    return log_session(
        match_a, now - dt.timedelta(hours=2), entered_at=now, notes="Jane told me a secret."
    )


def session_urls(session) -> list[str]:
    base = f"/sessions/{session.pk}/"
    return [base, base + "edit/", base + "delete/"]


def signed_in(client, user):
    client.force_login(user)
    return client


# --- Another mentor's session -------------------------------------------------------------


def test_another_mentor_gets_404_for_every_page_of_the_session(client, mentor_b, session_a):
    client.force_login(mentor_b)
    for url in session_urls(session_a):
        assert client.get(url).status_code == 404, url


def test_another_mentor_cannot_change_or_delete_the_session(client, mentor_b, session_a, choices):
    client.force_login(mentor_b)
    before = session_a.snapshot()
    edit = client.post(
        f"/sessions/{session_a.pk}/edit/",
        {
            "match": session_a.match_id,
            "starts_at": "2026-11-16T15:30",
            "attendance": "met",
            "hours": "8.00",
            "type_of_mentoring": choices["mentoring"].pk,
            "interaction": choices["in_person"].pk,
            "notes": "Changed by someone else.",
        },
    )
    delete = client.post(f"/sessions/{session_a.pk}/delete/", {"confirm": "on"})
    assert (edit.status_code, delete.status_code) == (404, 404)
    session_a.refresh_from_db()
    assert session_a.snapshot() == before
    assert session_a.deleted_at is None
    assert session_a.revisions.count() == 1


def test_the_404_page_does_not_show_the_session(client, mentor_b, session_a):
    client.force_login(mentor_b)
    page = client.get(f"/sessions/{session_a.pk}/").content.decode()
    assert "Jane" not in page
    assert "secret" not in page


def test_another_mentors_pages_never_show_the_first_mentors_mentee(client, mentor_b, session_a):
    client.force_login(mentor_b)
    month = f"{timezone.localtime(session_a.starts_at, CHICAGO):%Y-%m}"
    for url in ["/mentor/", "/sessions/", f"/sessions/?month={month}", "/sessions/new/"]:
        page = client.get(url).content.decode()
        assert "Jane" not in page, url
        assert "secret" not in page, url
        assert f"/sessions/{session_a.pk}/" not in page, url


def test_the_mentor_sees_their_own_session(client_a, session_a):
    assert "Jane told me a secret." in client_a.get(f"/sessions/{session_a.pk}/").content.decode()


# --- Signed out and other roles -----------------------------------------------------------


def test_signed_out_visitors_are_sent_to_sign_in_from_every_mentor_page(client, session_a):
    for url in MENTOR_PAGES + session_urls(session_a):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{SIGN_IN}?next={url}", url


def test_a_signed_out_post_to_a_session_changes_nothing(client, session_a):
    client.post(f"/sessions/{session_a.pk}/delete/", {"confirm": "on"})
    session_a.refresh_from_db()
    assert session_a.deleted_at is None


@pytest.mark.parametrize("persona", ["staff_user", "admin_user", "site_contact_a"])
def test_other_roles_get_403_on_mentor_pages(client, persona, request, match_a, choices):
    client.force_login(request.getfixturevalue(persona))
    for url in MENTOR_PAGES:
        assert client.get(url).status_code == 403, url
    response = client.post(
        "/sessions/new/",
        {"match": match_a.pk, "starts_at": "2026-11-16T15:30", "notes": "Not mine to log."},
    )
    assert response.status_code == 403
    assert not SessionLog.objects.exists()


def test_the_403_page_explains_and_links_home(client, staff_user):
    client.force_login(staff_user)
    page = read_page(client.get("/mentor/"))
    assert "This page is not available to you" in page.text
    assert "/" in page.hrefs()


@pytest.mark.parametrize(
    ("persona", "home"),
    [
        ("mentor_a", "/mentor/"),
        ("site_contact_a", "/accounts/site/"),
        ("staff_user", "/staff/"),
        ("admin_user", "/staff/"),
    ],
)
def test_the_front_door_sends_each_role_to_its_home(client, persona, home, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == home
    assert client.get(home).status_code == 200


def test_the_front_door_sends_signed_out_visitors_to_sign_in(client, db):
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, SIGN_IN)


def test_mentor_and_staff_homes_are_for_their_roles(client, mentor_a, site_contact_b):
    client.force_login(mentor_a)
    assert client.get("/accounts/staff/").status_code == 403
    assert client.get("/accounts/site/").status_code == 403
    client.force_login(site_contact_b)
    assert client.get("/accounts/staff/").status_code == 403


# --- Help and Contact ---------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/help/", "/contact/"])
def test_help_and_contact_need_no_sign_in(client, db, url):
    assert client.get(url).status_code == 200


def test_help_shows_the_rules_and_the_example_entry(client, db):
    text = read_page(client.get("/help/")).text
    assert "All sessions of a month must be entered by the first Monday of the following month" in (
        " ".join(text.split())
    )
    assert "I met with Jane today." in text


def test_every_page_links_to_help_and_contact(client, mentor_a, staff_user, session_a):
    signed_out = [SIGN_IN, "/help/", "/contact/", "/accounts/password/reset/", "/no-such-page/"]
    for url in signed_out:
        hrefs = read_page(client.get(url)).hrefs()
        assert {"/help/", "/contact/"} <= hrefs, url
    client.force_login(mentor_a)
    for url in MENTOR_PAGES + session_urls(session_a) + ["/accounts/password/change/"]:
        hrefs = read_page(client.get(url)).hrefs()
        assert {"/help/", "/contact/"} <= hrefs, url
    client.force_login(staff_user)
    for url in ["/staff/", "/mentor/"]:
        hrefs = read_page(client.get(url)).hrefs()
        assert {"/help/", "/contact/"} <= hrefs, url


# --- Signing in ---------------------------------------------------------------------------


def test_the_sign_in_page_has_the_agreed_labels(client, db):
    page = read_page(client.get(SIGN_IN))
    assert page.label_for("username") == "Email"
    assert page.input("username")["type"] == "email"
    assert page.label_for("password") == "Password"
    assert "Sign in" in page.text


def test_a_mentor_signs_in_with_email_and_password_in_any_case(client, mentor_a):
    response = client.post(SIGN_IN, {"username": "Mentor-A@Example.ORG", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/mentor/"
    assert client.get("/mentor/").status_code == 200


def test_sign_in_returns_to_the_page_asked_for(client, mentor_a):
    response = client.post(
        f"{SIGN_IN}?next=/sessions/",
        {"username": mentor_a.email, "password": PASSWORD, "next": "/sessions/"},
    )
    assert response["Location"] == "/sessions/"


def test_sign_in_never_sends_to_another_site(client, mentor_a):
    response = client.post(
        SIGN_IN,
        {"username": mentor_a.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_a_wrong_password_says_so_clearly_and_keeps_the_email(client, mentor_a):
    response = client.post(SIGN_IN, {"username": mentor_a.email, "password": "not-it"})
    assert response.status_code == 200
    page = read_page(response)
    assert "There is a problem" in page.text
    assert "The email or password is not right." in page.text
    assert page.input("username")["value"] == mentor_a.email
    assert "_auth_user_id" not in client.session


def test_an_inactive_account_cannot_sign_in(client, mentor_a):
    mentor_a.is_active = False
    mentor_a.save()
    response = client.post(SIGN_IN, {"username": mentor_a.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session(client_a):
    response = client_a.post("/accounts/sign-out/")
    assert response["Location"] == SIGN_IN
    assert client_a.get("/mentor/").status_code == 302


# --- Passwords ----------------------------------------------------------------------------

NEW_PASSWORD = "a-brand-new-passphrase-42"


def sent_mail() -> list:
    """The emails sent so far, after delivering the outbox as its worker would."""
    if "send_notifications" in get_commands():
        call_command("send_notifications", stdout=io.StringIO(), stderr=io.StringIO())
    return mail.outbox


def test_a_password_reset_email_has_a_link_that_works(client, mentor_a):
    response = client.post("/accounts/password/reset/", {"email": "MENTOR-A@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    emails = sent_mail()
    assert len(emails) == 1
    email = emails[0]
    assert email.to == [mentor_a.email]
    link = re.search(r"https?://\S+?(/accounts/password/reset/\S+/)", email.body).group(1)
    form_url = client.get(link)["Location"]
    assert "Choose a new password" in read_page(client.get(form_url)).text
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/accounts/password/reset/done/"
    mentor_a.refresh_from_db()
    assert mentor_a.check_password(NEW_PASSWORD)
    # The link works once.
    assert "This link no longer works" in read_page(client.get(link, follow=True)).text


def test_a_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert sent_mail() == []


def test_a_mentor_changes_their_password(client_a, mentor_a):
    response = client_a.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response["Location"] == "/accounts/password/change/done/"
    mentor_a.refresh_from_db()
    assert mentor_a.check_password(NEW_PASSWORD)
    assert client_a.get("/mentor/").status_code == 200  # still signed in


def test_a_password_change_needs_the_current_password(client_a, mentor_a):
    response = client_a.post(
        "/accounts/password/change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "There is a problem" in read_page(response).text
    mentor_a.refresh_from_db()
    assert mentor_a.check_password(PASSWORD)


# --- The Django admin ---------------------------------------------------------------------


def test_staff_can_open_the_sessions_list_in_the_admin(client, staff_user, session_a):
    client.force_login(staff_user)
    response = client.get("/admin/mentoring/sessionlog/")
    assert response.status_code == 200
    assert "Jane D." in response.content.decode()


def test_a_mentor_is_sent_to_the_admin_sign_in(client, mentor_a):
    client.force_login(mentor_a)
    for url in ["/admin/", "/admin/mentoring/sessionlog/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_program_settings_are_for_administrators_only(client, staff_user, admin_user):
    client.force_login(staff_user)
    assert client.get("/admin/mentoring/programsettings/").status_code == 403
    assert client.get("/admin/mentoring/programsettings/1/change/").status_code == 403
    assert "/admin/mentoring/programsettings/" not in client.get("/admin/").content.decode()
    client.force_login(admin_user)
    assert client.get("/admin/mentoring/programsettings/").status_code == 200
    assert client.get("/admin/mentoring/programsettings/1/change/").status_code == 200


def test_staff_do_not_see_other_staff_accounts_in_the_admin(client, staff_user, admin_user):
    client.force_login(staff_user)
    page = client.get("/admin/accounts/user/").content.decode()
    assert "admin@example.org" not in page
    client.force_login(admin_user)
    assert "staff@example.org" in client.get("/admin/accounts/user/").content.decode()


def test_nobody_deletes_sessions_in_the_admin(client, admin_user, session_a):
    client.force_login(admin_user)
    assert client.get(f"/admin/mentoring/sessionlog/{session_a.pk}/delete/").status_code == 403
