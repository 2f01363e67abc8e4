"""Passkeys on the server: answers made and signed by a software authenticator
(tests/soft_authenticator.py) are accepted for this site, its person and a counter that
goes up, and refused otherwise; a passkey is a second step that counts for staff."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from portal.audit.models import AuditEvent
from portal.security import passkeys, recovery, sessions, throttle
from portal.security.models import Passkey, TOTPDevice
from tests.conftest import sign_in_with_password
from tests.paths import STAFF_HOME
from tests.soft_authenticator import SoftAuthenticator, allowed_ids

RP_ID = "portal.example.org"
ORIGIN = "https://portal.example.org"
VERIFY = "/accounts/two-step/code/"
SETUP = "/accounts/two-step/set-up/"
PASSKEYS = "/accounts/two-step/passkeys/"
REGISTER_OPTIONS = "/accounts/two-step/passkeys/options/"
ADD = "/accounts/two-step/passkeys/add/"
CHECK_OPTIONS = "/accounts/two-step/passkey/check-options/"


@pytest.fixture(autouse=True)
def passkey_site(settings, db):
    settings.WEBAUTHN_RP_ID = RP_ID
    settings.WEBAUTHN_ORIGIN = ORIGIN
    settings.REQUIRE_STAFF_TOTP = True
    cache.clear()
    yield settings
    cache.clear()


def authenticator() -> SoftAuthenticator:
    return SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN)


def add_passkey(client: Client, device: SoftAuthenticator, name: str = "Laptop", **wrong):
    options = client.post(REGISTER_OPTIONS).json()
    return client.post(ADD, {"name": name, "passkey": device.register(options, **wrong)})


def with_passkey(user, name: str = "Laptop") -> tuple[Client, SoftAuthenticator]:
    """``user`` signed in with a password and one passkey made through the pages."""
    client = sign_in_with_password(user)
    device = authenticator()
    response = add_passkey(client, device, name)
    # The first second step: the recovery codes are shown once, as with an app.
    assert response.status_code == 200, response.content.decode()[:800]
    assert len(codes_on(response)) == recovery.COUNT
    return client, device


def codes_on(response) -> list[str]:
    return re.findall(r"<li><code>([0-9 ]+)</code></li>", response.content.decode())


def second_step(client: Client, device: SoftAuthenticator, **wrong):
    options = client.post(CHECK_OPTIONS).json()
    return client.post(VERIFY, {"passkey": device.sign_in(options, **wrong), "next": STAFF_HOME})


def signed_in_again(user) -> Client:
    return sign_in_with_password(user)


def test_registration_keeps_the_passkey_with_its_name_and_audits_it(staff_user):
    client, device = with_passkey(staff_user, "Work laptop")
    key = Passkey.objects.get(user=staff_user)
    assert key.name == "Work laptop"
    assert bytes(key.public_key)
    assert key.last_used_at is None
    assert AuditEvent.objects.filter(actor=staff_user, action="passkey.added").exists()
    page = client.get(PASSKEYS).content.decode()
    assert "Work laptop" in page and "not used yet" in page


def test_staff_with_a_passkey_and_no_app_signs_in_with_it(staff_user):
    _, device = with_passkey(staff_user)
    assert not TOTPDevice.objects.filter(user=staff_user).exists()
    client = signed_in_again(staff_user)
    # The second step is asked for, not the app's set-up.
    assert client.get(STAFF_HOME)["Location"].startswith(VERIFY)
    page = client.get(VERIFY).content.decode()
    assert "Use a passkey" in page and "data-passkey-box hidden" in page  # shown by JS only
    options = client.post(CHECK_OPTIONS).json()
    assert allowed_ids(options) == [device.credential_id]
    assert options["userVerification"] == "preferred"
    response = client.post(VERIFY, {"passkey": device.sign_in(options), "next": STAFF_HOME})
    assert response.status_code == 302 and response["Location"] == STAFF_HOME
    assert client.session[sessions.CODE_OK] == staff_user.pk
    assert client.get(STAFF_HOME, follow=True).status_code == 200
    key = Passkey.objects.get(user=staff_user)
    assert key.sign_count == 1 and key.last_used_at is not None
    assert AuditEvent.objects.filter(actor=staff_user, action="passkey.used").exists()


def test_a_challenge_is_answered_once(staff_user):
    _, device = with_passkey(staff_user)
    client = signed_in_again(staff_user)
    options = client.post(CHECK_OPTIONS).json()
    answer = device.sign_in(options)
    assert client.post(VERIFY, {"passkey": answer})["Location"].startswith("/")
    other = signed_in_again(staff_user)
    other.post(CHECK_OPTIONS)  # a new challenge in that session, not the one answered
    response = other.post(VERIFY, {"passkey": answer})
    assert response.status_code == 200
    assert other.session.get(sessions.CODE_OK) is None
    # The same session cannot answer its own challenge twice, even after a refusal.
    third = signed_in_again(staff_user)
    options = third.post(CHECK_OPTIONS).json()
    bad = device.sign_in(options, origin="https://evil.example.net")
    assert "not accepted" in third.post(VERIFY, {"passkey": bad}).content.decode()
    response = third.post(VERIFY, {"passkey": device.sign_in(options)})
    assert "expired" in response.content.decode()
    assert third.session.get(sessions.CODE_OK) is None


@pytest.mark.parametrize(
    "wrong", [{"origin": "https://evil.example.net"}, {"rp_id": "evil.example.net"}]
)
def test_an_answer_for_another_site_is_refused(staff_user, wrong):
    _, device = with_passkey(staff_user)
    client = signed_in_again(staff_user)
    response = second_step(client, device, **wrong)
    assert response.status_code == 200
    assert "That passkey was not accepted" in response.content.decode()
    assert client.session.get(sessions.CODE_OK) is None


@pytest.mark.parametrize(
    "wrong", [{"origin": "https://evil.example.net"}, {"rp_id": "evil.example.net"}]
)
def test_a_passkey_made_for_another_site_is_not_kept(staff_user, wrong):
    client = sign_in_with_password(staff_user)
    response = add_passkey(client, authenticator(), **wrong)
    assert "could not be added" in response.content.decode()
    assert not Passkey.objects.exists()


def test_a_counter_that_does_not_go_up_is_refused(staff_user):
    _, device = with_passkey(staff_user)
    client = signed_in_again(staff_user)
    assert second_step(client, device)["Location"] == STAFF_HOME  # counter 1
    copy = signed_in_again(staff_user)
    response = second_step(copy, device, count_up=False)  # counter 1 again: a copied key
    assert "That passkey was not accepted" in response.content.decode()
    assert copy.session.get(sessions.CODE_OK) is None
    device.sign_count = 0  # and going back is no better
    assert "not accepted" in second_step(copy, device).content.decode()


def test_another_persons_passkey_is_refused(staff_user, admin_user):
    _, staff_device = with_passkey(staff_user)
    with_passkey(admin_user)
    client = signed_in_again(admin_user)
    response = second_step(client, staff_device)
    assert "That passkey was not accepted" in response.content.decode()
    assert client.session.get(sessions.CODE_OK) is None
    assert Passkey.objects.get(user=staff_user).sign_count == 0


def test_the_same_passkey_cannot_be_registered_twice(staff_user, admin_user):
    _, device = with_passkey(staff_user)
    client = sign_in_with_password(admin_user)
    response = add_passkey(client, device)
    assert "already registered" in response.content.decode()
    assert Passkey.objects.count() == 1


def test_a_registration_challenge_is_answered_once(staff_user):
    client = sign_in_with_password(staff_user)
    device = authenticator()
    options = client.post(REGISTER_OPTIONS).json()
    answer = device.register(options)
    assert client.post(ADD, {"name": "Laptop", "passkey": answer}).status_code == 200
    again = client.post(ADD, {"name": "Again", "passkey": answer})
    assert "expired" in again.content.decode()
    assert Passkey.objects.count() == 1


def test_wrong_passkeys_count_toward_the_code_limit(staff_user):
    _, device = with_passkey(staff_user)
    client = signed_in_again(staff_user)
    for _ in range(throttle.limit("code-account").attempts):
        second_step(client, device, origin="https://evil.example.net")
    response = second_step(client, device)  # a good answer, but the account waits
    assert "Too many wrong codes or passkeys" in response.content.decode()
    assert client.session.get(sessions.CODE_OK) is None


def test_garbage_answers_get_a_message_not_an_error(staff_user):
    _, _device = with_passkey(staff_user)
    client = signed_in_again(staff_user)
    for answer in ("not json", "[]", '{"id": 5}', "x" * 30_000, '{"id": "abc", "response": 1}'):
        client.post(CHECK_OPTIONS)
        response = client.post(VERIFY, {"passkey": answer})
        assert response.status_code == 200
        assert "passkey" in response.content.decode().lower()
        cache.clear()


def test_a_passkey_person_cannot_add_an_app_or_passkey_before_the_second_step(staff_user):
    with_passkey(staff_user)
    client = signed_in_again(staff_user)
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    assert client.get(PASSKEYS)["Location"].startswith(VERIFY)
    assert client.post(REGISTER_OPTIONS).status_code == 403
    assert Passkey.objects.count() == 1


def test_removing_a_passkey(staff_user, admin_user):
    client, device = with_passkey(staff_user)
    assert add_passkey(client, authenticator(), "Phone").status_code == 302  # no new codes
    phone = Passkey.objects.get(name="Phone")
    admin_client, _ = with_passkey(admin_user, "Admin key")
    admin_key = Passkey.objects.get(user=admin_user)
    # Another person's passkey: nothing happens.
    client.post(f"/accounts/two-step/passkeys/{admin_key.pk}/remove/")
    assert Passkey.objects.filter(pk=admin_key.pk).exists()
    client.post(f"/accounts/two-step/passkeys/{phone.pk}/remove/")
    assert not Passkey.objects.filter(pk=phone.pk).exists()
    assert AuditEvent.objects.filter(actor=staff_user, action="passkey.removed").exists()
    # Staff without an app keep their last passkey.
    laptop = Passkey.objects.get(user=staff_user)
    response = client.post(f"/accounts/two-step/passkeys/{laptop.pk}/remove/", follow=True)
    assert "Staff must keep a second step" in response.content.decode()
    assert Passkey.objects.filter(pk=laptop.pk).exists()


def test_passkeys_are_hidden_on_an_ip_address_site(settings, staff_user):
    _, _device = with_passkey(staff_user)
    settings.WEBAUTHN_RP_ID = "127.0.0.1"
    assert not passkeys.available()
    client = signed_in_again(staff_user)
    assert "Use a passkey" not in client.get(VERIFY).content.decode()
    assert client.post(CHECK_OPTIONS).status_code == 403


def test_without_an_app_a_recovery_code_is_the_way_back_in(mentor_a):
    client = sign_in_with_password(mentor_a)
    response = add_passkey(client, authenticator())
    codes = codes_on(response)
    again = signed_in_again(mentor_a)
    page = again.get(VERIFY).content.decode()
    assert "Recovery code" in page and "Lost your passkey?" in page
    response = again.post(VERIFY, {"code": codes[0], "next": "/mentor/"})
    assert response["Location"] == "/mentor/"
    assert recovery.remaining(mentor_a) == recovery.COUNT - 1
    # A code from an app is no good without an app.
    third = signed_in_again(mentor_a)
    assert third.post(VERIFY, {"code": "123456"}).status_code == 200
    assert third.session.get(sessions.CODE_OK) is None


def test_removing_the_app_keeps_the_codes_while_a_passkey_stays(staff_user):
    import pyotp
    from django.utils import timezone

    from portal.security import totp

    device = TOTPDevice.objects.create(
        user=staff_user, secret=pyotp.random_base32(), confirmed_at=timezone.now()
    )
    codes = recovery.make_set(device=device)
    client = sign_in_with_password(staff_user)
    client.post(VERIFY, {"code": totp.current_code(device.secret)})
    TOTPDevice.objects.filter(pk=device.pk).update(last_step=0)
    assert add_passkey(client, authenticator()).status_code == 302  # codes exist already
    response = client.post("/accounts/two-step/", {"code": totp.current_code(device.secret)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff_user).exists()
    assert recovery.remaining(staff_user) == recovery.COUNT
    assert AuditEvent.objects.filter(action="two_step.app_removed").exists()
    again = signed_in_again(staff_user)
    assert again.post(VERIFY, {"code": codes[0]})["Location"] == "/"


def test_removing_the_last_passkey_turns_two_step_off(mentor_a):
    client = sign_in_with_password(mentor_a)
    add_passkey(client, authenticator())
    key = Passkey.objects.get(user=mentor_a)
    client.post(f"/accounts/two-step/passkeys/{key.pk}/remove/")
    assert not Passkey.objects.exists()
    assert recovery.remaining(mentor_a) == 0
    events = AuditEvent.objects.filter(actor=mentor_a).order_by("pk")
    actions = list(events.values_list("action", flat=True))
    assert actions.count("two_step.turned_on") == 1 and actions[-1] == "two_step.turned_off"
    assert signed_in_again(mentor_a).get("/mentor/").status_code == 200  # password only


def test_with_passkeys_only_a_new_set_of_codes_needs_the_fresh_check_only(mentor_a):
    client = sign_in_with_password(mentor_a)
    first = codes_on(add_passkey(client, authenticator()))
    page = client.get("/accounts/two-step/recovery-codes/").content.decode()
    assert "or passkey" in page and 'name="code"' not in page
    response = client.post("/accounts/two-step/recovery-codes/")
    new = codes_on(response)
    assert len(new) == recovery.COUNT and not set(new) & set(first)
    assert recovery.remaining(mentor_a) == recovery.COUNT


def test_an_administrator_removes_a_lost_passkey_and_it_is_audited(
    settings, admin_client, staff_user
):
    settings.REQUIRE_STAFF_TOTP = False  # the administrator's own second step is not the point
    with_passkey(staff_user)
    key = Passkey.objects.get(user=staff_user)
    assert admin_client.get("/admin/security/passkey/").status_code == 200
    response = admin_client.post(f"/admin/security/passkey/{key.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Passkey.objects.exists()
    assert AuditEvent.objects.filter(action="passkey.deleted", object_id=key.pk).exists()


def test_staff_cannot_remove_a_passkey_in_the_admin(settings, client, staff_user, admin_user):
    settings.REQUIRE_STAFF_TOTP = False
    with_passkey(admin_user)
    key = Passkey.objects.get(user=admin_user)
    client.force_login(staff_user)
    client.post(f"/admin/security/passkey/{key.pk}/delete/", {"post": "yes"})
    assert Passkey.objects.filter(pk=key.pk).exists()


def test_a_passkey_name_is_plain_short_text(staff_user):
    client = sign_in_with_password(staff_user)
    add_passkey(client, authenticator(), "  My\x00 phone\n" + "x" * 100)
    key = Passkey.objects.get()
    assert "\x00" not in key.name and "\n" not in key.name
    assert key.name.startswith("My") and len(key.name) == passkeys.NAME_MAX
    add_passkey(client, authenticator(), "   ")
    assert Passkey.objects.filter(name="Passkey").exists()
