"""Security changes need a fresh password or passkey check: each one is sent to the one
confirm page when the last check is older than FRESH_AUTH_SECONDS, carried out when it is
fresh, and comes back after the check. Also: changing one's own email."""

import datetime as dt

import pyotp
import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.notifications.emails import render_email
from portal.notifications.models import Notification
from portal.security import fresh, totp
from portal.security.models import Passkey, RecoveryCode, TOTPDevice
from tests.conftest import PASSWORD, frozen_at, sign_in_with_password
from tests.soft_authenticator import SoftAuthenticator

CONFIRM = "/accounts/two-step/confirm/"
ACCOUNT = "/accounts/two-step/"
SETUP = "/accounts/two-step/set-up/"
RECOVERY = "/accounts/two-step/recovery-codes/"
PASSKEYS = "/accounts/two-step/passkeys/"
REGISTER_OPTIONS = "/accounts/two-step/passkeys/options/"
ADD = "/accounts/two-step/passkeys/add/"
CHECK_OPTIONS = "/accounts/two-step/passkey/check-options/"
EMAIL = "/accounts/email/change/"
RP_ID, ORIGIN = "portal.example.org", "https://portal.example.org"


@pytest.fixture(autouse=True)
def _site(settings, db):
    settings.WEBAUTHN_RP_ID = RP_ID
    settings.WEBAUTHN_ORIGIN = ORIGIN
    cache.clear()
    yield
    cache.clear()


def go_stale(client: Client, minutes: int = 11) -> None:
    """The last password check was ``minutes`` ago."""
    session = client.session
    session[fresh.CHECKED_AT] = (timezone.now() - dt.timedelta(minutes=minutes)).timestamp()
    session.save()


def with_app(user) -> TOTPDevice:
    from portal.security import recovery

    device = TOTPDevice.objects.create(
        user=user, secret=pyotp.random_base32(), confirmed_at=timezone.now()
    )
    recovery.make_set(device=device)
    return device


def signed_in_with_app(user) -> tuple[Client, TOTPDevice]:
    device = with_app(user)
    client = sign_in_with_password(user)
    client.post("/accounts/two-step/code/", {"code": totp.current_code(device.secret)})
    TOTPDevice.objects.filter(pk=device.pk).update(last_step=0)  # let the next code work
    return client, device


def goes_to_confirm(response, back: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        f"{CONFIRM}?next={back.replace('/', '%2F')}"
    )


def test_signing_in_with_a_password_is_a_fresh_check(mentor_a):
    client = sign_in_with_password(mentor_a)
    assert client.get(SETUP).status_code == 200
    assert client.get(EMAIL).status_code == 200


def test_turning_two_step_on_needs_a_fresh_check(mentor_a):
    client = sign_in_with_password(mentor_a)
    go_stale(client)
    assert goes_to_confirm(client.get(SETUP), SETUP)
    assert goes_to_confirm(client.post(SETUP, {"code": "123456"}), SETUP)
    assert not TOTPDevice.objects.exists()


def test_turning_two_step_off_needs_a_fresh_check(mentor_a):
    client, device = signed_in_with_app(mentor_a)
    go_stale(client)
    assert client.get(ACCOUNT).status_code == 200  # the page itself only shows things
    response = client.post(ACCOUNT, {"code": totp.current_code(device.secret)})
    assert goes_to_confirm(response, ACCOUNT)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    # After the password, the same change goes through.
    assert client.post(CONFIRM, {"password": PASSWORD, "next": ACCOUNT})["Location"] == ACCOUNT
    client.post(ACCOUNT, {"code": totp.current_code(device.secret)})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(actor=mentor_a, action="two_step.turned_off").exists()


def test_new_recovery_codes_need_a_fresh_check(mentor_a):
    client, device = signed_in_with_app(mentor_a)
    before = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    go_stale(client)
    response = client.post(RECOVERY, {"code": totp.current_code(device.secret)})
    assert goes_to_confirm(response, RECOVERY)
    assert set(RecoveryCode.objects.values_list("code_hash", flat=True)) == before
    fresh_client = client
    fresh_client.post(CONFIRM, {"password": PASSWORD, "next": RECOVERY})
    response = fresh_client.post(RECOVERY, {"code": totp.current_code(device.secret)})
    assert response.status_code == 200
    assert set(RecoveryCode.objects.values_list("code_hash", flat=True)) != before


def test_adding_and_removing_passkeys_need_a_fresh_check(staff_user):
    client = sign_in_with_password(staff_user)
    device = SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN)
    options = client.post(REGISTER_OPTIONS).json()
    added = client.post(ADD, {"name": "Laptop", "passkey": device.register(options)})
    assert added.status_code == 200  # the first: recovery codes shown
    key = Passkey.objects.get()
    go_stale(client)
    assert goes_to_confirm(client.get(PASSKEYS), PASSKEYS)
    # passkeys.js names the page it is on, to come back to after the check.
    assert goes_to_confirm(client.post(REGISTER_OPTIONS, {"back": PASSKEYS}), PASSKEYS)
    response = client.post(ADD, {"name": "Phone", "passkey": "{}", "back": PASSKEYS})
    assert goes_to_confirm(response, PASSKEYS)
    response = client.post(f"{PASSKEYS}{key.pk}/remove/", {"back": PASSKEYS})
    assert goes_to_confirm(response, PASSKEYS)
    assert Passkey.objects.filter(pk=key.pk).exists()
    # A passkey is a fresh check too.
    options = client.post(CHECK_OPTIONS).json()
    response = client.post(CONFIRM, {"passkey": device.sign_in(options), "next": PASSKEYS})
    assert response["Location"] == PASSKEYS
    client.post(f"{PASSKEYS}{key.pk}/remove/")
    assert not Passkey.objects.filter(pk=key.pk).exists()


def test_changing_the_email_needs_a_fresh_check(mentor_a):
    client = sign_in_with_password(mentor_a)
    go_stale(client)
    assert goes_to_confirm(client.get(EMAIL), EMAIL)
    assert goes_to_confirm(client.post(EMAIL, {"email": "new@example.org"}), EMAIL)
    mentor_a.refresh_from_db()
    assert mentor_a.email != "new@example.org"


def test_the_check_expires(mentor_a):
    client = sign_in_with_password(mentor_a)
    with frozen_at(timezone.now() + dt.timedelta(minutes=9)):
        assert client.get(EMAIL).status_code == 200
    with frozen_at(timezone.now() + dt.timedelta(minutes=11)):
        assert goes_to_confirm(client.get(EMAIL), EMAIL)


def test_the_confirm_page_wants_the_right_password_and_counts_wrong_ones(mentor_a):
    client = sign_in_with_password(mentor_a)
    go_stale(client)
    response = client.post(CONFIRM, {"password": "not-it", "next": EMAIL})
    assert response.status_code == 200
    assert "That password is not right" in response.content.decode()
    assert not fresh.is_fresh(response.wsgi_request)
    for _ in range(5):
        client.post(CONFIRM, {"password": "not-it", "next": EMAIL})
    response = client.post(CONFIRM, {"password": PASSWORD, "next": EMAIL})
    assert "Too many wrong passwords" in response.content.decode()
    assert goes_to_confirm(client.get(EMAIL), EMAIL)


def test_the_confirm_page_goes_back_only_to_this_site(mentor_a):
    client = sign_in_with_password(mentor_a)
    go_stale(client)
    response = client.post(CONFIRM, {"password": PASSWORD, "next": "https://evil.example.net/"})
    assert response["Location"] == "/"
    assert client.get(CONFIRM).status_code == 200


def test_a_person_changes_their_email(mentor_a):
    old = mentor_a.email
    client = sign_in_with_password(mentor_a)
    response = client.post(EMAIL, {"email": "  Jo.New@Example.ORG "}, follow=True)
    assert "Your email is now jo.new@example.org" in response.content.decode()
    mentor_a.refresh_from_db()
    assert mentor_a.email == "jo.new@example.org"
    notice = Notification.objects.get(template="email-changed")
    assert notice.to == old and notice.context["new_email"] == "j•••@example.org"
    event = AuditEvent.objects.get(action="email.changed")
    assert event.old_values == {"email": old} and event.new_values == {"email": mentor_a.email}
    # The new email signs in; the old one no longer does.
    assert Client().login(username="jo.new@example.org", password=PASSWORD)
    assert not Client().login(username=old, password=PASSWORD)
    assert not mail.outbox  # the notice goes through the outbox, sent by the worker
    subject, text, html = render_email(notice.template, notice.context)
    assert subject == "Your sign-in email was changed"
    assert "j•••@example.org" in text and "j•••@example.org" in html
    assert "jo.new@example.org" not in text + html


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("not an email", "Enter an email address like name@example.org."),
        ("", "Enter your new email address."),
        ("MENTOR-B@example.org", "Another account already uses this email."),
        ("STAFF@example.org", "Another account already uses this email."),
    ],
)
def test_an_email_that_cannot_be_used_is_refused_plainly(
    mentor_a, mentor_b, staff_user, typed, message
):
    client = sign_in_with_password(mentor_a)
    response = client.post(EMAIL, {"email": typed})
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert staff_user.full_name not in page and mentor_b.full_name not in page
    assert not Notification.objects.filter(template="email-changed").exists()
    assert User.objects.filter(email=mentor_a.email).exists()


def test_ones_own_email_is_no_change(mentor_a):
    client = sign_in_with_password(mentor_a)
    response = client.post(EMAIL, {"email": mentor_a.email.upper()})
    assert "That is already your email." in response.content.decode()


def test_a_school_contact_asks_staff(site_contact_a):
    client = sign_in_with_password(site_contact_a)
    response = client.post(EMAIL, {"email": "other@example.org"})
    assert "ask program staff" in response.content.decode()
    site_contact_a.refresh_from_db()
    assert site_contact_a.email == "contact-a@example.org"
