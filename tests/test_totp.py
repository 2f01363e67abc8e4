"""One-time codes: required for staff and administrators when REQUIRE_STAFF_TOTP is on,
offered to everyone, wrong or reused codes refused."""

import datetime as dt

import pyotp
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from portal.security import totp
from portal.security.models import TOTPDevice
from tests.conftest import PASSWORD, frozen_at

SIGN_IN = "/accounts/sign-in/"
VERIFY = "/accounts/two-step/code/"
SETUP = "/accounts/two-step/set-up/"
ACCOUNT = "/accounts/two-step/"
STAFF_HOME = "/accounts/staff/"


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


def sign_in(client: Client, user) -> None:
    response = client.post(SIGN_IN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


# --- Staff, with REQUIRE_STAFF_TOTP on -------------------------------------------------------


def test_staff_without_codes_must_set_them_up_before_any_staff_page(codes_required, staff_user):
    client = Client()
    sign_in(client, staff_user)
    for url in [STAFF_HOME, "/admin/", "/concerns/", ACCOUNT]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP), url
    page = client.get(SETUP)
    assert page.status_code == 200
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=staff_user)
    assert device.confirmed_at is None
    response = client.post(SETUP, {"code": totp.current_code(device.secret), "next": STAFF_HOME})
    assert response["Location"] == STAFF_HOME
    assert reaches(client, STAFF_HOME)
    assert reaches(client, "/admin/")
    device.refresh_from_db()
    assert device.is_confirmed


def test_staff_with_codes_must_type_one_after_the_password(codes_required, staff_user):
    device = enable_codes(staff_user)
    client = Client()
    sign_in(client, staff_user)
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
    sign_in(client, staff_user)
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
        sign_in(first, staff_user)
        assert first.post(VERIFY, {"code": code}).status_code == 302
        second = Client()
        sign_in(second, staff_user)
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
    sign_in(client, staff_user)
    for _ in range(5):
        client.post(VERIFY, {"code": "000000"})
    response = client.post(VERIFY, {"code": totp.current_code(device.secret)})
    assert "Too many wrong codes" in response.content.decode()


def test_staff_cannot_turn_codes_off_while_they_are_required(codes_required, staff_user):
    device = enable_codes(staff_user)
    client = Client()
    sign_in(client, staff_user)
    client.post(VERIFY, {"code": totp.current_code(device.secret)})
    later = timezone.now() + dt.timedelta(seconds=60)
    with frozen_at(later):
        client.post(ACCOUNT, {"code": code_at(device, later)})
    assert TOTPDevice.objects.filter(user=staff_user).exists()


def test_signing_in_again_asks_for_a_code_again(codes_required, staff_user):
    device = enable_codes(staff_user)
    client = Client()
    sign_in(client, staff_user)
    client.post(VERIFY, {"code": totp.current_code(device.secret)})
    client.post("/accounts/sign-out/")
    sign_in(client, staff_user)
    assert client.get(STAFF_HOME)["Location"].startswith(VERIFY)


def test_the_code_page_gives_a_new_session_key(codes_required, staff_user):
    device = enable_codes(staff_user)
    client = Client()
    sign_in(client, staff_user)
    before = client.session.session_key
    client.post(VERIFY, {"code": totp.current_code(device.secret)})
    assert client.session.session_key != before


def test_next_cannot_send_anyone_to_another_site(codes_required, staff_user):
    device = enable_codes(staff_user)
    client = Client()
    sign_in(client, staff_user)
    response = client.post(
        VERIFY, {"code": totp.current_code(device.secret), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


# --- With REQUIRE_STAFF_TOTP off (the demo) ------------------------------------------------


def test_with_the_setting_off_staff_reach_their_home_with_the_password(settings, staff_user):
    settings.REQUIRE_STAFF_TOTP = False
    client = Client()
    sign_in(client, staff_user)
    assert reaches(client, STAFF_HOME)
    assert reaches(client, "/admin/")


def test_the_setting_is_on_in_production_and_off_in_the_demo():
    import subprocess
    import sys

    def value(env: dict[str, str]) -> str:
        code = "import django;django.setup();from django.conf import settings;"
        code += "print(settings.REQUIRE_STAFF_TOTP)"
        base = {"DJANGO_SETTINGS_MODULE": "portal.settings", "PATH": "/usr/bin:/bin"}
        out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True
        )
        return out.stdout.strip()

    assert value({"HTTPS": "on", "SECRET_KEY": "x" * 60}) == "True"
    assert value({}) == "False"
    assert value({"REQUIRE_STAFF_TOTP": "on"}) == "True"


# --- Offered to everyone ---------------------------------------------------------------------


def test_a_mentor_can_turn_codes_on_and_is_then_asked_for_them(mentor_a):
    client = Client()
    sign_in(client, mentor_a)
    assert client.get("/mentor/").status_code == 200
    page = client.get(ACCOUNT).content.decode()
    assert "Two-step sign-in is <strong>off</strong>" in page
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=mentor_a)
    client.post(SETUP, {"code": "123"})  # a typo: nothing changes
    device.refresh_from_db()
    assert not device.is_confirmed
    client.post(SETUP, {"code": totp.current_code(device.secret)})
    device.refresh_from_db()
    assert device.is_confirmed
    client.post("/accounts/sign-out/")
    sign_in(client, mentor_a)
    assert client.get("/mentor/")["Location"].startswith(VERIFY)


def test_a_mentor_without_codes_is_never_asked(codes_required, mentor_a):
    client = Client()
    sign_in(client, mentor_a)
    assert client.get("/mentor/").status_code == 200


def test_a_mentor_can_turn_codes_off_with_a_code(mentor_a):
    device = enable_codes(mentor_a)
    client = Client()
    sign_in(client, mentor_a)
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
