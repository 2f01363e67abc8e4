"""One-time codes: required for staff and administrators when REQUIRE_STAFF_TOTP is on,
offered to everyone, wrong or reused codes refused."""

import datetime as dt
import logging
import re
from io import StringIO

import pyotp
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.security import recovery, sessions, totp
from portal.security.models import RecoveryCode, TOTPDevice
from tests.conftest import PASSWORD, frozen_at, sign_in_with_password
from tests.paths import SIGN_IN, STAFF_HOME

VERIFY = "/accounts/two-step/code/"
SETUP = "/accounts/two-step/set-up/"
ACCOUNT = "/accounts/two-step/"
RECOVERY = "/accounts/two-step/recovery-codes/"


@pytest.fixture(autouse=True)
def _empty_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def codes_required(settings):
    settings.REQUIRE_STAFF_TOTP = True
    return settings


def enable_codes(user) -> TOTPDevice:
    return TOTPDevice.objects.create(
        user=user, secret=pyotp.random_base32(), confirmed_at=timezone.now()
    )


def code_at(device: TOTPDevice, moment: dt.datetime) -> str:
    return totp.current_code(device.secret, moment)


def reaches(client: Client, url: str) -> bool:
    """The page (or where it sends a person of this role) opens, with no code asked."""
    response = client.get(url, follow=True)
    final = response.redirect_chain[-1][0] if response.redirect_chain else url
    return response.status_code == 200 and not final.startswith((SETUP, VERIFY, SIGN_IN))


def pending_secret(client: Client) -> str:
    """The secret the set-up page shows, kept in the (server-side) session."""
    return client.session[sessions.PENDING_SETUP]["secret"]


def codes_on(response) -> list[str]:
    """The recovery codes shown on a page."""
    return re.findall(r"<li><code>([0-9 ]+)</code></li>", response.content.decode())


def turn_on(client: Client, moment: dt.datetime | None = None) -> tuple[TOTPDevice, list[str]]:
    """Set codes up through the pages; the device and the recovery codes shown."""
    moment = moment or timezone.now()
    with frozen_at(moment):
        client.get(SETUP)
        response = client.post(SETUP, {"code": code_for(pending_secret(client), moment)})
    assert response.status_code == 200, response.content.decode()[:500]
    codes = codes_on(response)
    assert len(codes) == 10
    return TOTPDevice.objects.get(user=response.wsgi_request.user), codes


def code_for(secret: str, moment: dt.datetime) -> str:
    return totp.current_code(secret, moment)


# --- Staff, with REQUIRE_STAFF_TOTP on -------------------------------------------------------


def test_staff_without_codes_must_set_them_up_before_any_staff_page(codes_required, staff_user):
    client = Client()
    sign_in_with_password(staff_user, client)
    for url in [STAFF_HOME, "/admin/", "/concerns/", ACCOUNT]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP), url
    page = client.get(SETUP)
    assert page.status_code == 200
    assert b"<svg" in page.content
    assert not TOTPDevice.objects.filter(user=staff_user).exists()  # a GET writes nothing
    secret = pending_secret(client)
    response = client.post(SETUP, {"code": totp.current_code(secret), "next": STAFF_HOME})
    assert response.status_code == 200
    assert len(codes_on(response)) == 10
    assert f'href="{STAFF_HOME}"' in response.content.decode()
    assert reaches(client, STAFF_HOME)
    assert reaches(client, "/admin/")
    device = TOTPDevice.objects.get(user=staff_user)
    assert device.is_confirmed and device.secret == secret


def test_staff_with_codes_must_type_one_after_the_password(codes_required, staff_user):
    device = enable_codes(staff_user)
    client = Client()
    sign_in_with_password(staff_user, client)
    response = client.get(STAFF_HOME)
    assert response["Location"].startswith(VERIFY)
    response = client.post(VERIFY, {"code": totp.current_code(device.secret)})
    assert response.status_code == 302
    assert reaches(client, STAFF_HOME)


def test_the_admin_sign_in_also_asks_for_the_code(codes_required, admin_user):
    enable_codes(admin_user)
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin_user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    response = client.get("/admin/")
    assert response["Location"].startswith(VERIFY)


def test_a_wrong_code_is_refused_with_a_message(codes_required, staff_user):
    enable_codes(staff_user)
    client = Client()
    sign_in_with_password(staff_user, client)
    response = client.post(VERIFY, {"code": "000000"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not reaches(client, STAFF_HOME)


def test_a_code_cannot_be_used_twice_within_its_window(codes_required, staff_user):
    device = enable_codes(staff_user)
    moment = timezone.now()
    code = code_at(device, moment)
    with frozen_at(moment):
        first = Client()
        sign_in_with_password(staff_user, first)
        assert first.post(VERIFY, {"code": code}).status_code == 302
        second = Client()
        sign_in_with_password(staff_user, second)
        response = second.post(VERIFY, {"code": code})
        assert response.status_code == 200
        assert "already used" in response.content.decode()
    # The previous step's code is refused too once a later one was used.
    assert not totp.totp_verify(
        user=staff_user, code=code_at(device, moment - dt.timedelta(seconds=30)), now=moment
    )


def test_codes_from_the_next_and_previous_step_are_accepted_for_clock_drift(staff_user):
    device = enable_codes(staff_user)
    moment = timezone.now()
    assert totp.totp_verify(
        user=staff_user, code=code_at(device, moment - dt.timedelta(seconds=30)), now=moment
    )
    assert totp.totp_verify(
        user=staff_user, code=code_at(device, moment + dt.timedelta(seconds=30)), now=moment
    )
    assert not totp.totp_verify(
        user=staff_user, code=code_at(device, moment + dt.timedelta(seconds=120)), now=moment
    )


def test_wrong_codes_are_limited(codes_required, staff_user):
    device = enable_codes(staff_user)
    client = Client()
    sign_in_with_password(staff_user, client)
    for _ in range(5):
        client.post(VERIFY, {"code": "000000"})
    response = client.post(VERIFY, {"code": totp.current_code(device.secret)})
    assert "Too many wrong codes" in response.content.decode()


def test_staff_cannot_turn_codes_off_while_they_are_required(codes_required, staff_user):
    device = enable_codes(staff_user)
    client = Client()
    sign_in_with_password(staff_user, client)
    client.post(VERIFY, {"code": totp.current_code(device.secret)})
    later = timezone.now() + dt.timedelta(seconds=60)
    with frozen_at(later):
        client.post(ACCOUNT, {"code": code_at(device, later)})
    assert TOTPDevice.objects.filter(user=staff_user).exists()


def test_signing_in_again_asks_for_a_code_again(codes_required, staff_user):
    device = enable_codes(staff_user)
    client = Client()
    sign_in_with_password(staff_user, client)
    client.post(VERIFY, {"code": totp.current_code(device.secret)})
    client.post("/accounts/sign-out/")
    sign_in_with_password(staff_user, client)
    assert client.get(STAFF_HOME)["Location"].startswith(VERIFY)


def test_the_code_page_gives_a_new_session_key(codes_required, staff_user):
    device = enable_codes(staff_user)
    client = Client()
    sign_in_with_password(staff_user, client)
    before = client.session.session_key
    client.post(VERIFY, {"code": totp.current_code(device.secret)})
    assert client.session.session_key != before


def test_next_cannot_send_anyone_to_another_site(codes_required, staff_user):
    device = enable_codes(staff_user)
    client = Client()
    sign_in_with_password(staff_user, client)
    response = client.post(
        VERIFY, {"code": totp.current_code(device.secret), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


# --- With REQUIRE_STAFF_TOTP off (the demo) ------------------------------------------------


def test_with_the_setting_off_staff_reach_their_home_with_the_password(settings, staff_user):
    settings.REQUIRE_STAFF_TOTP = False
    client = Client()
    sign_in_with_password(staff_user, client)
    assert reaches(client, STAFF_HOME)
    assert reaches(client, "/admin/")


def test_the_setting_is_on_in_production_and_off_in_the_demo():
    import subprocess
    import sys

    from tests.production_env import PRODUCTION_ENV

    def value(env: dict[str, str]) -> str:
        code = "import django;django.setup();from django.conf import settings;"
        code += "print(settings.REQUIRE_STAFF_TOTP)"
        base = {"DJANGO_SETTINGS_MODULE": "portal.settings", "PATH": "/usr/bin:/bin"}
        out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True
        )
        return out.stdout.strip()

    assert value(PRODUCTION_ENV) == "True"
    assert value({}) == "False"
    assert value({"REQUIRE_STAFF_TOTP": "on"}) == "True"


# --- Offered to everyone ---------------------------------------------------------------------


def test_a_mentor_can_turn_codes_on_and_is_then_asked_for_them(mentor_a):
    client = Client()
    sign_in_with_password(mentor_a, client)
    assert client.get("/mentor/").status_code == 200
    page = client.get(ACCOUNT).content.decode()
    assert "Two-step sign-in is <strong>off</strong>" in page
    client.get(SETUP)
    assert not TOTPDevice.objects.filter(user=mentor_a).exists()
    secret = pending_secret(client)
    client.post(SETUP, {"code": "123"})  # a typo: nothing changes
    assert not TOTPDevice.objects.filter(user=mentor_a).exists()
    client.post(SETUP, {"code": totp.current_code(secret)})
    assert TOTPDevice.objects.get(user=mentor_a).is_confirmed
    client.post("/accounts/sign-out/")
    sign_in_with_password(mentor_a, client)
    assert client.get("/mentor/")["Location"].startswith(VERIFY)


def test_a_mentor_without_codes_is_never_asked(codes_required, mentor_a):
    client = Client()
    sign_in_with_password(mentor_a, client)
    assert client.get("/mentor/").status_code == 200


def test_a_mentor_can_turn_codes_off_with_a_code(mentor_a):
    device = enable_codes(mentor_a)
    client = Client()
    sign_in_with_password(mentor_a, client)
    moment = timezone.now()
    client.post(VERIFY, {"code": code_at(device, moment)})
    later = moment + dt.timedelta(seconds=60)
    with frozen_at(later):
        client.post(ACCOUNT, {"code": "999999"})
        assert TOTPDevice.objects.filter(user=mentor_a).exists()
        client.post(ACCOUNT, {"code": code_at(device, later)})
    assert not TOTPDevice.objects.filter(user=mentor_a).exists()


def test_the_code_page_is_for_signed_in_people_only(client, db):
    assert client.get(VERIFY)["Location"].startswith(SIGN_IN)
    assert client.get(SETUP)["Location"].startswith(SIGN_IN)


# --- The demo ---------------------------------------------------------------------------------


def test_demo_totp_prints_the_code_of_a_demo_account_only(staff_user, mentor_a, capsys):
    from portal.security.demo import prepare_demo_codes

    prepare_demo_codes()
    prepare_demo_codes()  # running it again changes nothing
    device = TOTPDevice.objects.get(user=staff_user)
    assert device.secret == totp.DEMO_SECRET and not device.is_confirmed
    call_command("demo_totp", staff_user.email)
    assert capsys.readouterr().out.strip() == totp.current_code(totp.DEMO_SECRET)
    enable_codes(mentor_a)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("demo_totp", mentor_a.email)


def test_the_demo_set_up_page_shows_the_prepared_secret_and_confirms_that_device(
    codes_required, staff_user
):
    from portal.security.demo import prepare_demo_codes

    prepare_demo_codes()
    client = Client()
    sign_in_with_password(staff_user, client)
    page = client.get(SETUP).content.decode()
    assert totp.grouped(totp.DEMO_SECRET) in page
    client.post(SETUP, {"code": totp.current_code(totp.DEMO_SECRET)})
    device = TOTPDevice.objects.get(user=staff_user)
    assert device.is_confirmed and device.secret == totp.DEMO_SECRET


# --- Setting up writes nothing until the first good code (ASVS V3.5: no GET writes) ----------


def test_the_set_up_page_writes_nothing_and_shows_the_same_secret_on_reload(mentor_a):
    client = Client()
    sign_in_with_password(mentor_a, client)
    first = client.get(SETUP).content.decode()
    secret = pending_secret(client)
    again = client.get(SETUP).content.decode()
    assert totp.grouped(secret) in first and totp.grouped(secret) in again
    assert not TOTPDevice.objects.exists()
    assert not RecoveryCode.objects.exists()
    # Signing out and in again (a new session) starts with a new secret.
    client.post("/accounts/sign-out/")
    sign_in_with_password(mentor_a, client)
    client.get(SETUP)
    assert pending_secret(client) != secret


def test_a_wrong_or_old_code_at_set_up_writes_nothing(mentor_a):
    client = Client()
    sign_in_with_password(mentor_a, client)
    client.get(SETUP)
    secret = pending_secret(client)
    old = code_for(secret, timezone.now() - dt.timedelta(minutes=5))
    for code in ["000000", old, "", "1234567890123"]:
        response = client.post(SETUP, {"code": code})
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
    assert not TOTPDevice.objects.exists()
    assert not RecoveryCode.objects.exists()


def test_the_first_code_cannot_be_used_again_at_sign_in(mentor_a):
    moment = timezone.now()
    client = Client()
    sign_in_with_password(mentor_a, client)
    device, _ = turn_on(client, moment)
    with frozen_at(moment):
        other = Client()
        sign_in_with_password(mentor_a, other)
        response = other.post(VERIFY, {"code": code_at(device, moment)})
    assert "already used" in response.content.decode()


def test_with_codes_on_the_set_up_page_sends_people_to_sign_in_security(mentor_a):
    client = Client()
    sign_in_with_password(mentor_a, client)
    device, _ = turn_on(client)
    response = client.get(SETUP)
    assert response["Location"] == ACCOUNT
    assert TOTPDevice.objects.get(user=mentor_a).secret == device.secret


def test_starting_over_after_turning_codes_off_gives_a_new_secret(mentor_a):
    moment = timezone.now()
    client = Client()
    sign_in_with_password(mentor_a, client)
    device, _ = turn_on(client, moment)
    later = moment + dt.timedelta(seconds=60)
    with frozen_at(later):
        client.post(ACCOUNT, {"code": code_at(device, later)})
    assert not TOTPDevice.objects.exists()
    client.get(SETUP)
    assert pending_secret(client) != device.secret
    turn_on(client, later + dt.timedelta(seconds=60))
    assert TOTPDevice.objects.get(user=mentor_a).is_confirmed


# --- Recovery codes (ASVS V6.5: single-use look-up secrets, stored hashed) --------------------


def signed_in_with_codes(user) -> tuple[Client, TOTPDevice, list[str]]:
    """A person who turned codes on (through the pages) and then signed out."""
    client = Client()
    sign_in_with_password(user, client)
    device, codes = turn_on(client)
    client.post("/accounts/sign-out/")
    return client, device, codes


def test_turning_codes_on_shows_ten_recovery_codes_once_in_plain_words(mentor_a):
    client = Client()
    sign_in_with_password(mentor_a, client)
    client.get(SETUP)
    response = client.post(SETUP, {"code": totp.current_code(pending_secret(client))})
    page = response.content.decode()
    codes = codes_on(response)
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"\d{4} \d{4} \d{4}", code) for code in codes)
    assert "Keep these somewhere safe; each works once." in page
    assert "Two-step sign-in is on" in page
    assert "no-store" in response["Cache-Control"]
    # Shown once: the recovery codes page says how many are left, never the codes.
    again = client.get(RECOVERY).content.decode()
    assert "<strong>10</strong> of 10" in again
    assert not any(code in again for code in codes)
    assert "<strong>10</strong> unused recovery codes" in client.get(ACCOUNT).content.decode()


def test_a_recovery_code_signs_in_once(mentor_a):
    client, _, codes = signed_in_with_codes(mentor_a)
    sign_in_with_password(mentor_a, client)
    response = client.post(VERIFY, {"code": codes[0], "next": "/mentor/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/mentor/"
    assert "You signed in with a recovery code. You have 9 left." in response.content.decode()
    assert RecoveryCode.objects.filter(used_at__isnull=True).count() == 9
    client.post("/accounts/sign-out/")
    sign_in_with_password(mentor_a, client)
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200
    assert "already used" in response.content.decode()
    assert not reaches(client, "/mentor/")
    # Typed without spaces, or with dashes, another code works.
    response = client.post(VERIFY, {"code": codes[1].replace(" ", "-")})
    assert response.status_code == 302
    assert RecoveryCode.objects.filter(used_at__isnull=True).count() == 8


def test_a_recovery_code_claimed_by_another_request_meanwhile_is_refused(mentor_a, monkeypatch):
    """The check and the claim are apart: the claim is a conditional update, so a request
    that checked the code while another one used it gets nothing."""
    _, device, codes = signed_in_with_codes(mentor_a)
    real_verify = recovery.HASHER.verify

    def verify_while_another_request_claims(code, encoded):
        matched = real_verify(code, encoded)
        if matched:
            RecoveryCode.objects.filter(code_hash=encoded).update(used_at=timezone.now())
        return matched

    with monkeypatch.context() as patch:
        patch.setattr(recovery.HASHER, "verify", verify_while_another_request_claims)
        assert not recovery.use(user=mentor_a, device=device, code=codes[2])
    assert not recovery.use(user=mentor_a, device=device, code=codes[2])
    assert recovery.use(user=mentor_a, device=device, code=codes[3])


def test_a_wrong_recovery_code_is_refused_and_counted_like_wrong_codes(mentor_a):
    client, _, codes = signed_in_with_codes(mentor_a)
    sign_in_with_password(mentor_a, client)
    wrong = "0000 0000 0000" if "0000 0000 0000" not in codes else "1111 1111 1111"
    response = client.post(VERIFY, {"code": wrong})
    assert "That code is not right" in response.content.decode()
    assert not reaches(client, "/mentor/")
    for _ in range(4):
        client.post(VERIFY, {"code": wrong})
    response = client.post(VERIFY, {"code": codes[0]})
    assert "Too many wrong codes" in response.content.decode()
    assert RecoveryCode.objects.filter(used_at__isnull=True).count() == 10


def test_staff_who_must_use_codes_can_sign_in_with_a_recovery_code(codes_required, staff_user):
    client, _, codes = signed_in_with_codes(staff_user)
    sign_in_with_password(staff_user, client)
    assert client.get(STAFF_HOME)["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": codes[3]})
    assert reaches(client, STAFF_HOME)


def test_a_new_set_replaces_the_old_one(mentor_a):
    moment = timezone.now()
    client = Client()
    sign_in_with_password(mentor_a, client)
    device, old_codes = turn_on(client, moment)
    hashes_before = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    response = client.post(RECOVERY, {"code": "000000"})  # a wrong code: nothing new
    assert "That code is not right" in response.content.decode()
    assert set(RecoveryCode.objects.values_list("code_hash", flat=True)) == hashes_before
    later = moment + dt.timedelta(seconds=60)
    with frozen_at(later):
        response = client.post(RECOVERY, {"code": code_at(device, later)})
    new_codes = codes_on(response)
    page = response.content.decode()
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert "Your old recovery codes no longer work" in page
    assert f'href="{ACCOUNT}"' in page
    assert not hashes_before & set(RecoveryCode.objects.values_list("code_hash", flat=True))
    client.post("/accounts/sign-out/")
    sign_in_with_password(mentor_a, client)
    assert "That code is not right" in client.post(VERIFY, {"code": old_codes[0]}).content.decode()
    assert client.post(VERIFY, {"code": new_codes[0]}).status_code == 302


def test_a_recovery_code_can_make_a_new_set_and_turn_codes_off(mentor_a):
    client, _, codes = signed_in_with_codes(mentor_a)
    sign_in_with_password(mentor_a, client)
    client.post(VERIFY, {"code": codes[0]})
    response = client.post(RECOVERY, {"code": codes[1]})
    new_codes = codes_on(response)
    assert len(new_codes) == 10
    client.post(ACCOUNT, {"code": new_codes[0]})
    assert not TOTPDevice.objects.exists()


def test_turning_codes_off_deletes_the_recovery_codes(mentor_a):
    moment = timezone.now()
    client = Client()
    sign_in_with_password(mentor_a, client)
    device, _ = turn_on(client, moment)
    assert RecoveryCode.objects.count() == 10
    later = moment + dt.timedelta(seconds=60)
    with frozen_at(later):
        client.post(ACCOUNT, {"code": code_at(device, later)})
    assert not RecoveryCode.objects.exists()
    assert client.get(RECOVERY)["Location"] == ACCOUNT


def test_an_administrators_reset_deletes_the_recovery_codes_too(mentor_a):
    _, device, _ = signed_in_with_codes(mentor_a)
    device.delete()
    assert not RecoveryCode.objects.exists()


def test_recovery_codes_are_stored_hashed_never_in_plain_text(mentor_a):
    from django.contrib.sessions.models import Session

    client = Client()
    sign_in_with_password(mentor_a, client)
    _, codes = turn_on(client)
    digits = [code.replace(" ", "") for code in codes]
    stored = list(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert all(value.startswith("recovery_pbkdf2_sha256$50000$") for value in stored)
    assert len({value.split("$")[2] for value in stored}) == 10  # a salt of its own each
    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    sessions_text = str([s.get_decoded() for s in Session.objects.all()])
    for code, plain in zip(codes, digits, strict=True):
        for text in (dump.getvalue(), sessions_text):
            assert code not in text and plain not in text


def test_recovery_codes_are_never_logged(mentor_a, caplog):
    caplog.set_level(logging.DEBUG)
    moment = timezone.now()
    client = Client()
    sign_in_with_password(mentor_a, client)
    device, codes = turn_on(client, moment)
    client.post("/accounts/sign-out/")
    sign_in_with_password(mentor_a, client)
    client.post(VERIFY, {"code": codes[0]})
    client.post(VERIFY, {"code": codes[0]})
    later = moment + dt.timedelta(seconds=60)
    with frozen_at(later):
        response = client.post(RECOVERY, {"code": code_at(device, later)})
    new_codes = codes_on(response)
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    for code in codes + new_codes:
        assert code not in logged and code.replace(" ", "") not in logged


def test_two_step_changes_are_on_the_audit_trail_without_any_code(mentor_a):
    moment = timezone.now()
    client = Client()
    sign_in_with_password(mentor_a, client)
    device, codes = turn_on(client, moment)
    client.post("/accounts/sign-out/")
    sign_in_with_password(mentor_a, client)
    client.post(VERIFY, {"code": codes[0]})
    later = moment + dt.timedelta(seconds=60)
    with frozen_at(later):
        client.post(RECOVERY, {"code": code_at(device, later)})
    with frozen_at(later + dt.timedelta(seconds=60)):
        client.post(ACCOUNT, {"code": code_at(device, later + dt.timedelta(seconds=60))})
    events = AuditEvent.objects.filter(object_type="accounts.user", object_id=mentor_a.pk)
    assert list(events.values_list("action", flat=True)) == [
        "two_step.turned_on",
        "two_step.recovery_code_used",
        "two_step.recovery_codes_made",
        "two_step.turned_off",
    ]
    assert all(event.actor_id == mentor_a.pk for event in events)
    text = str(list(events.values("note", "old_values", "new_values")))
    assert not any(code.replace(" ", "") in text or code in text for code in codes)


def test_the_recovery_codes_form_needs_its_csrf_token(mentor_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentor_a)
    device = enable_codes(mentor_a)
    recovery.make_set(device=device)
    session = client.session
    session[sessions.CODE_OK] = mentor_a.pk
    session.save()
    before = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    response = client.post(RECOVERY, {"code": totp.current_code(device.secret)})
    assert response.status_code == 403
    assert set(RecoveryCode.objects.values_list("code_hash", flat=True)) == before
    page = client.get(RECOVERY)
    assert page.status_code == 200
    token = page.cookies["csrftoken"].value
    response = client.post(
        RECOVERY, {"code": totp.current_code(device.secret), "csrfmiddlewaretoken": token}
    )
    assert len(codes_on(response)) == 10


def test_the_recovery_codes_page_is_for_people_with_codes_on(client, mentor_a):
    assert client.get(RECOVERY)["Location"].startswith(SIGN_IN)
    client.force_login(mentor_a)
    assert client.get(RECOVERY)["Location"] == ACCOUNT
    assert client.post(RECOVERY, {"code": "123456"})["Location"] == ACCOUNT
    assert not RecoveryCode.objects.exists()


def test_an_error_report_while_making_codes_hides_them(mentor_a, monkeypatch):
    """Django's error report lists each frame's variables (the 500 email's HTML, a debug
    page): the portal's frames show no code."""
    import sys

    from django.views.debug import ExceptionReporter

    device = enable_codes(mentor_a)
    made = iter(f"{n}{n}{n}{n}98765432" for n in range(10))
    monkeypatch.setattr(recovery, "_new_code", lambda: next(made))

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(RecoveryCode.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        try:
            recovery.make_new_set(user=mentor_a, device=device)
        except RuntimeError:
            frames = ExceptionReporter(None, *sys.exc_info()).get_traceback_frames()
            raise
    ours = {f["function"]: str(f["vars"]) for f in frames if "/portal/" in f["filename"]}
    assert {"make_new_set", "make_set"} <= set(ours)
    for variables in ours.values():
        assert "98765432" not in variables and "9876 5432" not in variables
