"""Session lifetimes and ending sessions: 30 minutes idle for staff, 12 hours for everyone,
and signing out, deactivation and a password change end the other sessions."""

import datetime as dt

from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from portal.security.models import UserSession
from tests.conftest import PASSWORD, frozen_at, sign_in_with_password
from tests.paths import CONCERNS, MENTOR_HOME, SIGN_IN


def is_signed_in(client: Client, url: str) -> bool:
    response = client.get(url)
    return response.status_code == 200


def test_a_new_session_key_at_sign_in(mentor_a):
    client = Client()
    client.get(SIGN_IN)
    client.cookies["sessionid"] = "anything-an-attacker-planted"
    before = client.session.session_key
    client.post(SIGN_IN, {"username": mentor_a.email, "password": PASSWORD})
    assert client.session.session_key not in (before, "anything-an-attacker-planted")


def test_staff_are_signed_out_after_30_minutes_idle(staff_user):
    start = timezone.now()
    with frozen_at(start):
        client = sign_in_with_password(staff_user)
        assert is_signed_in(client, CONCERNS)
    with frozen_at(start + dt.timedelta(minutes=29)):
        assert is_signed_in(client, CONCERNS)
    # Activity moved the clock: 29 minutes after the last request is still fine.
    with frozen_at(start + dt.timedelta(minutes=58)):
        assert is_signed_in(client, CONCERNS)
    with frozen_at(start + dt.timedelta(minutes=89)):
        response = client.get(CONCERNS)
        assert response.status_code == 302
        assert response["Location"].startswith(SIGN_IN)
        page = client.get(SIGN_IN).content.decode()
        assert "30 minutes without activity" in page


def test_administrators_are_signed_out_after_30_minutes_idle(admin_user):
    start = timezone.now()
    with frozen_at(start):
        client = sign_in_with_password(admin_user)
    with frozen_at(start + dt.timedelta(minutes=31)):
        assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_mentors_are_not_signed_out_for_being_idle(mentor_a):
    start = timezone.now()
    with frozen_at(start):
        client = sign_in_with_password(mentor_a)
    with frozen_at(start + dt.timedelta(hours=3)):
        assert is_signed_in(client, MENTOR_HOME)


def test_every_session_ends_12_hours_after_sign_in_however_active(mentor_a, staff_user):
    start = timezone.now()
    with frozen_at(start):
        mentor, staff = sign_in_with_password(mentor_a), sign_in_with_password(staff_user)
    for minutes in range(20, 12 * 60, 20):
        with frozen_at(start + dt.timedelta(minutes=minutes)):
            assert is_signed_in(mentor, MENTOR_HOME)
            assert is_signed_in(staff, CONCERNS)
    with frozen_at(start + dt.timedelta(hours=12, minutes=1)):
        assert not is_signed_in(mentor, MENTOR_HOME)
        assert not is_signed_in(staff, CONCERNS)


def test_signing_out_ends_the_other_sessions(mentor_a, mentor_b):
    laptop, phone = sign_in_with_password(mentor_a), sign_in_with_password(mentor_a)
    someone_else = sign_in_with_password(mentor_b)
    laptop.post("/accounts/sign-out/")
    assert not is_signed_in(phone, MENTOR_HOME)
    assert is_signed_in(someone_else, MENTOR_HOME)


def test_deactivation_ends_every_session(mentor_a, mentor_b):
    laptop, phone = sign_in_with_password(mentor_a), sign_in_with_password(mentor_a)
    other = sign_in_with_password(mentor_b)
    mentor_a.is_active = False
    mentor_a.save()
    assert not UserSession.objects.filter(user=mentor_a).exists()
    assert Session.objects.count() == 1
    assert not is_signed_in(laptop, MENTOR_HOME)
    assert not is_signed_in(phone, MENTOR_HOME)
    assert is_signed_in(other, MENTOR_HOME)


def test_a_password_change_ends_the_other_sessions_but_keeps_this_one(mentor_a):
    laptop, phone = sign_in_with_password(mentor_a), sign_in_with_password(mentor_a)
    response = laptop.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-and-long-passphrase-7",
            "new_password2": "a-new-and-long-passphrase-7",
        },
    )
    assert response.status_code == 302
    assert is_signed_in(laptop, MENTOR_HOME)
    assert not is_signed_in(phone, MENTOR_HOME)


def test_the_session_cookie_lasts_no_longer_than_12_hours(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    assert settings.STAFF_SESSION_IDLE_SECONDS == 30 * 60


def sessions_in_the_cache(settings):
    """As with REDIS_URL set (portal/settings.py): each session also kept in the cache
    (here one in memory, so what the cache holds is what signs a browser in)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_with_sessions_in_the_cache_signing_out_ends_the_other_sessions(
    settings, mentor_a, mentor_b
):
    sessions_in_the_cache(settings)
    laptop, phone = sign_in_with_password(mentor_a), sign_in_with_password(mentor_a)
    someone_else = sign_in_with_password(mentor_b)
    assert is_signed_in(phone, MENTOR_HOME)  # the phone's session is now in the cache
    laptop.post("/accounts/sign-out/")
    assert not is_signed_in(phone, MENTOR_HOME)
    assert is_signed_in(someone_else, MENTOR_HOME)


def test_with_sessions_in_the_cache_a_page_reads_no_session_row(settings, mentor_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sessions_in_the_cache(settings)
    client = sign_in_with_password(mentor_a)
    assert is_signed_in(client, MENTOR_HOME)
    with CaptureQueriesContext(connection) as captured:
        assert is_signed_in(client, MENTOR_HOME)
    assert not any("django_session" in q["sql"] for q in captured.captured_queries)
