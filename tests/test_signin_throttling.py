"""Failed sign-ins and reset requests are limited per account and client, per client
address and per account, in a table shared by every worker, on the portal's form and the
admin's alike (tests/test_signin_limits.py: the limits hold against culls, abuse and
parallel guesses)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from portal.accounts.models import Role
from portal.security.client_ip import client_ip
from portal.security.models import LimitCount
from tests.conftest import PASSWORD, frozen_at, make_user
from tests.paths import SIGN_IN

ADMIN_SIGN_IN = "/admin/login/"
RESET = "/accounts/password/reset/"


pytestmark = pytest.mark.django_db


def from_ip(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def sign_in(client: Client, email: str, password: str, url: str = SIGN_IN):
    return client.post(url, {"username": email, "password": password})


def fail(client: Client, email: str, times: int, url: str = SIGN_IN) -> None:
    for _ in range(times):
        response = sign_in(client, email, "wrong password", url)
        assert response.status_code == 200


def test_five_wrong_passwords_pause_the_account_with_a_clear_message(mentor_a):
    client = from_ip("203.0.113.5")
    fail(client, mentor_a.email, 5)
    response = sign_in(client, mentor_a.email, PASSWORD)
    assert response.status_code == 200
    assert "Too many attempts from this device" in response.content.decode()
    assert "try again in 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_pause_ends_after_its_time(mentor_a):
    # Until issue 13 the pause held the account from every address; now it holds only the
    # client that failed (the owner elsewhere is not paused: tests/test_signin_limits.py).
    client = from_ip("203.0.113.5")
    fail(client, mentor_a.email, 5)
    assert "Too many attempts" in sign_in(client, mentor_a.email, PASSWORD).content.decode()
    with frozen_at(timezone.now() + dt.timedelta(minutes=16)):
        assert sign_in(client, mentor_a.email, PASSWORD).status_code == 302


def test_another_account_from_another_address_still_signs_in(mentor_a, mentor_b):
    attacker = from_ip("203.0.113.5")
    fail(attacker, mentor_a.email, 30)
    assert sign_in(from_ip("198.51.100.7"), mentor_b.email, PASSWORD).status_code == 302


def test_many_accounts_from_one_address_pause_that_address_only(db):
    users = [make_user(f"m{i}@example.org", Role.MENTOR) for i in range(5)]
    attacker = from_ip("203.0.113.5")
    for user in users:
        fail(attacker, user.email, 4)  # under each account's limit: 20 from one address
    answer = sign_in(attacker, users[0].email, PASSWORD).content.decode()
    assert "too many failed sign-ins from your network" in answer
    # The accounts themselves are not locked: their owners elsewhere sign in.
    assert sign_in(from_ip("198.51.100.7"), users[0].email, PASSWORD).status_code == 302


def test_a_good_sign_in_clears_the_account_count(mentor_a):
    client = from_ip("203.0.113.5")
    fail(client, mentor_a.email, 4)
    assert sign_in(client, mentor_a.email, PASSWORD).status_code == 302
    client.post("/accounts/sign-out/")
    fail(client, mentor_a.email, 4)
    assert sign_in(client, mentor_a.email, PASSWORD).status_code == 302


def test_unknown_emails_are_counted_like_known_ones(db):
    client = from_ip("203.0.113.5")
    fail(client, "nobody@example.org", 5)
    assert "Too many attempts" in sign_in(client, "nobody@example.org", "x").content.decode()


def test_the_admin_sign_in_is_limited_too(staff_user):
    client = from_ip("203.0.113.9")
    fail(client, staff_user.email, 5, ADMIN_SIGN_IN)
    response = sign_in(client, staff_user.email, PASSWORD, ADMIN_SIGN_IN)
    assert response.status_code == 200
    assert "Too many attempts from this device" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_counts_live_in_their_table_hashed_not_in_process_memory(mentor_a):
    fail(from_ip("203.0.113.5"), mentor_a.email, 1)
    rows = list(LimitCount.objects.values_list("name", "subject", "count"))
    assert sorted(name for name, _, _ in rows) == ["signin-account", "signin-ip", "signin-pair"]
    assert all(count == 1 for _, _, count in rows)
    # Neither the email nor the address is stored in clear.
    assert not any("example.org" in subject or "203.0" in subject for _, subject, _ in rows)


# --- The real client address ---------------------------------------------------------------


def _request(rf, remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **extra)


def test_forwarded_for_is_ignored_from_an_untrusted_peer(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert client_ip(_request(rf, "203.0.113.5", "1.2.3.4")) == "203.0.113.5"


def test_forwarded_for_names_the_client_behind_a_trusted_proxy(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client wrote "1.2.3.4" itself; the proxy appended the real address.
    assert client_ip(_request(rf, "10.0.0.1", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request(rf, "10.0.0.1", "198.51.100.7, 10.0.0.2")) == "198.51.100.7"
    assert client_ip(_request(rf, "10.0.0.1")) == "10.0.0.1"


def test_spoofed_addresses_do_not_escape_the_address_limit(settings, mentor_a, mentor_b):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    users = [make_user(f"m{i}@example.org", Role.MENTOR) for i in range(5)]
    for i, user in enumerate(users):
        # A client talking to us directly cannot choose its address with the header.
        client = Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
        fail(client, user.email, 4)
    client = Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert "from your network" in sign_in(client, mentor_a.email, PASSWORD).content.decode()
    # Behind the trusted proxy, each real client has its own count.
    behind = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert sign_in(behind, mentor_b.email, PASSWORD).status_code == 302


# --- Password reset requests -----------------------------------------------------------------


def test_reset_requests_are_limited_per_email(mentor_a, django_capture_on_commit_callbacks):
    client = from_ip("203.0.113.5")
    for _ in range(3):
        assert client.post(RESET, {"email": mentor_a.email}).status_code == 302
    response = client.post(RESET, {"email": mentor_a.email})
    assert response.status_code == 200
    assert "Too many password reset requests" in response.content.decode()
    # Another address asking for another person is not held up.
    other = from_ip("198.51.100.7")
    assert other.post(RESET, {"email": "someone@example.org"}).status_code == 302


def test_reset_requests_are_limited_per_address(db):
    client = from_ip("203.0.113.5")
    for i in range(10):
        assert client.post(RESET, {"email": f"p{i}@example.org"}).status_code == 302
    response = client.post(RESET, {"email": "p99@example.org"})
    assert "Too many password reset requests" in response.content.decode()
