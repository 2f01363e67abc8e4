"""Passkeys in Chromium, with its virtual authenticator (DevTools' WebAuthn domain): a
staff member who must use two-step sign-in makes a passkey their second step, signs out,
signs in with the password and the passkey, and reaches the staff workspace."""

import pytest
from playwright.sync_api import expect

from portal.audit.models import AuditEvent
from portal.security.models import Passkey
from tests.browser.helpers import DESKTOP, PHONE, describe, serious_violations, shot, sign_in


@pytest.fixture
def passkey_site(settings, live_server):
    """WebAuthn needs a domain (never an IP address) and a secure context: the live server
    on http://localhost is both."""
    assert live_server.url.startswith("http://localhost:"), live_server.url
    settings.SITE_URL = live_server.url
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGIN = live_server.url
    settings.REQUIRE_STAFF_TOTP = True
    return live_server


def add_virtual_authenticator(page) -> tuple[object, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_staff_member_adds_a_passkey_and_signs_in_with_it(page, passkey_site, staff_user):
    cdp, authenticator = add_virtual_authenticator(page)
    sign_in(page, passkey_site, staff_user.email)
    # No second step yet: the set-up page, which offers a passkey instead of an app.
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    page.get_by_role("link", name="Set up a passkey instead").click()
    expect(page.get_by_role("heading", name="Passkeys", exact=True)).to_be_visible()
    page.get_by_label("Name of this passkey").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    # The first second step: recovery codes, shown once.
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.get_by_text("Passkey “Work laptop” added.")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name="I have kept my codes: continue").click()
    expect(page.get_by_text("Added ")).to_be_visible()
    assert Passkey.objects.filter(user=staff_user, name="Work laptop").count() == 1
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1

    for viewport in (PHONE, DESKTOP):  # PORTAL_BROWSER_SHOTS=/tmp/shots to look at them
        page.set_viewport_size(viewport)
        shot(page, "passkeys")
        violations = serious_violations(page)
        assert not violations, describe(violations)
    page.set_viewport_size(PHONE)

    # The passkey is the second step: the staff workspace opens.
    page.goto(f"{passkey_site.url}/accounts/staff/")
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, passkey_site, staff_user.email)
    expect(page.get_by_role("heading", name="Use your passkey")).to_be_visible()
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    assert "/staff/" in page.url
    key = Passkey.objects.get(user=staff_user)
    assert key.last_used_at is not None
    assert key.sign_count > 0
    actions = set(AuditEvent.objects.filter(actor=staff_user).values_list("action", flat=True))
    assert {"passkey.added", "passkey.used"} <= actions


def test_without_a_passkey_on_the_device_the_page_says_so_and_codes_stay(
    page, passkey_site, staff_user
):
    """The authenticator has no credential for this site (another device): the browser
    refuses, the page says so in plain words, and the person is still on the second step."""
    from webauthn.helpers import bytes_to_base64url

    Passkey.objects.create(
        user=staff_user,
        name="Old phone",
        credential_id=bytes_to_base64url(b"not-on-this-device"),
        public_key=b"\x00",
        user_handle="abc",
    )
    add_virtual_authenticator(page)
    sign_in(page, passkey_site, staff_user.email)
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("alert")).to_contain_text("The passkey was not used")
    expect(page.get_by_role("heading", name="Use your passkey")).to_be_visible()


def test_a_passkey_confirms_it_is_you_before_a_change(page, passkey_site, staff_user):
    """Ten minutes after signing in, the passkeys page asks again; the passkey answers."""
    import datetime as dt

    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from portal.security import fresh

    add_virtual_authenticator(page)
    sign_in(page, passkey_site, staff_user.email)
    page.get_by_role("link", name="Set up a passkey instead").click()
    page.get_by_label("Name of this passkey").fill("Phone")
    page.get_by_role("button", name="Add a passkey").click()
    page.get_by_role("link", name="I have kept my codes: continue").click()

    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    session[fresh.CHECKED_AT] = (timezone.now() - dt.timedelta(minutes=11)).timestamp()
    session.save()

    page.goto(f"{passkey_site.url}/accounts/two-step/passkeys/")
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    violations = serious_violations(page)
    assert not violations, describe(violations)
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("heading", name="Passkeys", exact=True)).to_be_visible()
    assert page.url.endswith("/accounts/two-step/passkeys/")


def test_without_javascript_there_is_no_passkey_button_and_codes_work(
    browser, passkey_site, staff_user
):
    import pyotp
    from django.utils import timezone
    from webauthn.helpers import bytes_to_base64url

    from portal.security import totp
    from portal.security.models import TOTPDevice

    device = TOTPDevice.objects.create(
        user=staff_user, secret=pyotp.random_base32(), confirmed_at=timezone.now()
    )
    Passkey.objects.create(
        user=staff_user,
        name="Laptop",
        credential_id=bytes_to_base64url(b"some-credential"),
        public_key=b"\x00",
        user_handle="abc",
    )
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, passkey_site, staff_user.email)
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        expect(page.get_by_role("button", name="Use a passkey")).to_be_hidden()
        page.get_by_label("Code from your authenticator app").fill(totp.current_code(device.secret))
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    finally:
        context.close()
