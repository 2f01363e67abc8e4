"""Sign-in limits that hold: a full cache cannot unpause anyone, an attacker cannot lock a
staff member out from the staff member's own address, an IPv6 client is one /64, and
parallel failures are all counted (on PostgreSQL too: run with DATABASE_URL)."""

import datetime as dt
import ipaddress
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st

from portal.security import throttle, totp
from portal.security.client_ip import client_group, client_ip
from portal.security.models import LimitCount
from tests.conftest import PASSWORD, frozen_at, sign_in_with_password
from tests.test_totp import VERIFY, enable_codes

ATTACKER = "203.0.113.5"
OWNER = "198.51.100.7"
ADMIN_SIGN_IN = "/admin/login/"
PAIR_PAUSED = "Too many attempts from this device"
ACCOUNT_PAUSED = "Sign-in with this email address is paused"


def sign_in(address: str, email: str, password: str, url: str = "/accounts/sign-in/"):
    client = Client(REMOTE_ADDR=address)
    return client, client.post(url, {"username": email, "password": password})


def fail(address: str, email: str, times: int, url: str = "/accounts/sign-in/") -> None:
    client = Client(REMOTE_ADDR=address)
    for _ in range(times):
        assert client.post(url, {"username": email, "password": "wrong"}).status_code == 200


def signed_in(response, client: Client) -> bool:
    return response.status_code == 302 and "_auth_user_id" in client.session


# --- A full cache does not unpause anyone ------------------------------------------------


def test_a_full_cache_and_failures_elsewhere_do_not_unpause_anyone(db, settings, staff_user):
    # Django's default database cache: 300 entries, a third culled when full. The pauses
    # used to live there, and 150 failures from other addresses unpaused them.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }
    fail(ATTACKER, staff_user.email, 5)  # pauses the attacker for this account
    for i in range(9):  # 50 in all: the account's cap
        fail(f"198.18.0.{i}", staff_user.email, 5)
    for i in range(160):
        fail(f"192.0.2.{i}", f"other{i}@example.org", 1)
    for i in range(1000):
        cache.set(f"unrelated:{i}", i)
    assert cache.get("unrelated:0") is None  # the cache did cull ...
    _, response = sign_in(ATTACKER, staff_user.email, PASSWORD)
    assert PAIR_PAUSED in response.content.decode()  # ... and the pauses held
    _, response = sign_in(OWNER, staff_user.email, PASSWORD)
    assert ACCOUNT_PAUSED in response.content.decode()


def test_counts_are_forgotten_by_time_not_by_number(db, mentor_a):
    fail(ATTACKER, mentor_a.email, 5)
    with frozen_at(timezone.now() + dt.timedelta(minutes=16)):
        throttle.record_failure("signin-ip", "192.0.2.1")
    # The pair's and the attacker's windows and pauses are over: their rows went. The
    # account's hour is not, and the new count is kept.
    rows = sorted(LimitCount.objects.values_list("name", "count"))
    assert rows == [("signin-account", 5), ("signin-ip", 1)]


# --- An attacker cannot lock a staff member out ------------------------------------------


@pytest.mark.parametrize("wrong_passwords", [5, 20, 49])
def test_an_attackers_wrong_passwords_do_not_stop_the_owner(db, staff_user, wrong_passwords):
    fail(ATTACKER, staff_user.email, wrong_passwords)
    _, response = sign_in(ATTACKER, staff_user.email, PASSWORD)
    assert PAIR_PAUSED in response.content.decode()  # the attacker is stopped
    client, response = sign_in(OWNER, staff_user.email, PASSWORD)
    assert signed_in(response, client)  # the owner is not


def test_the_admin_sign_in_pauses_the_attacker_not_the_owner(db, staff_user):
    fail(ATTACKER, staff_user.email, 30, ADMIN_SIGN_IN)
    _, response = sign_in(ATTACKER, staff_user.email, PASSWORD, ADMIN_SIGN_IN)
    assert PAIR_PAUSED in response.content.decode()
    client, response = sign_in(OWNER, staff_user.email, PASSWORD, ADMIN_SIGN_IN)
    assert "_auth_user_id" in client.session


def test_only_the_attackers_failures_count_not_refused_attempts(db, staff_user):
    fail(ATTACKER, staff_user.email, 49)
    counts = dict(LimitCount.objects.values_list("name", "count"))
    assert counts == {"signin-pair": 5, "signin-ip": 5, "signin-account": 5}


def test_a_guess_spread_over_many_addresses_is_still_stopped_by_the_account_cap(db, staff_user):
    for i in range(9):  # 45 failures, 5 from each address: no pair or address pause
        fail(f"192.0.2.{i}", staff_user.email, 5)
    fail("192.0.2.100", staff_user.email, 4)  # 49
    client, response = sign_in(OWNER, staff_user.email, PASSWORD)
    assert signed_in(response, client)
    client.post("/accounts/sign-out/")
    fail("192.0.2.101", staff_user.email, 1)  # the 50th in the hour
    _, response = sign_in("192.0.2.102", staff_user.email, PASSWORD)
    assert ACCOUNT_PAUSED in response.content.decode()
    assert "15 minutes" in response.content.decode()
    _, response = sign_in(OWNER, staff_user.email, PASSWORD)
    assert ACCOUNT_PAUSED in response.content.decode()  # a cap: it slows everyone
    with frozen_at(timezone.now() + dt.timedelta(minutes=16)):
        client, response = sign_in(OWNER, staff_user.email, PASSWORD)
        assert signed_in(response, client)


def test_the_account_cap_says_the_same_for_an_unknown_email(db, staff_user):
    for email in (staff_user.email, "nobody@example.org"):
        for i in range(10):
            fail(f"192.0.2.{i}", email, 5)
    _, known = sign_in(OWNER, staff_user.email, PASSWORD)
    _, unknown = sign_in(OWNER, "nobody@example.org", PASSWORD)
    assert ACCOUNT_PAUSED in known.content.decode()
    assert _messages(known) == _messages(unknown)


def _messages(response) -> list[str]:
    return [str(error) for error in response.context["form"].non_field_errors()]


def test_a_good_sign_in_clears_only_its_own_pair(db, mentor_a, mentor_b):
    fail(ATTACKER, mentor_a.email, 4)
    fail(ATTACKER, mentor_b.email, 4)
    client, response = sign_in(ATTACKER, mentor_a.email, PASSWORD)
    assert signed_in(response, client)
    fail(ATTACKER, mentor_b.email, 1)  # mentor_b's count from here is not cleared: 5
    _, response = sign_in(ATTACKER, mentor_b.email, PASSWORD)
    assert PAIR_PAUSED in response.content.decode()
    # Nor the client's: 9 of its 20 remain counted (signing in to one's own account
    # between guesses must not reset them).
    assert throttle.locked_for("signin-ip", ATTACKER) == 0
    assert LimitCount.objects.get(name="signin-ip").count == 9


# --- One-time codes: the same three limits -----------------------------------------------


def test_wrong_codes_pause_that_device_not_the_owners_other_one(db, staff_user):
    device = enable_codes(staff_user)
    phone = sign_in_with_password(staff_user, Client(REMOTE_ADDR=ATTACKER))
    for _ in range(5):
        phone.post(VERIFY, {"code": "000000"})
    good = {"code": totp.current_code(device.secret)}
    assert "Too many wrong codes" in phone.post(VERIFY, good).content.decode()
    laptop = sign_in_with_password(staff_user, Client(REMOTE_ADDR=OWNER))
    assert laptop.post(VERIFY, good).status_code == 302


def test_wrong_codes_from_many_devices_reach_the_account_cap(db, staff_user):
    device = enable_codes(staff_user)
    for i in range(4):  # 20 wrong codes, 5 from each address
        client = sign_in_with_password(staff_user, Client(REMOTE_ADDR=f"192.0.2.{i}"))
        for _ in range(5):
            client.post(VERIFY, {"code": "000000"})
    laptop = sign_in_with_password(staff_user, Client(REMOTE_ADDR=OWNER))
    response = laptop.post(VERIFY, {"code": totp.current_code(device.secret)})
    assert "Too many wrong codes" in response.content.decode()


# --- An IPv6 client is its /64 -------------------------------------------------------------


ipv6 = st.integers(min_value=0, max_value=2**128 - 1).map(ipaddress.IPv6Address)


@given(address=ipv6, other_half=st.integers(min_value=0, max_value=2**64 - 1))
def test_addresses_in_one_slash_64_are_one_client(address, other_half):
    assume(not address.ipv4_mapped)  # an IPv4 client, below
    neighbour = ipaddress.IPv6Address((int(address) >> 64 << 64) | other_half)
    assert client_group(str(address)) == client_group(str(neighbour))
    group = ipaddress.IPv6Network(client_group(str(address)))
    assert group.prefixlen == 64 and address in group


@given(first=ipv6, second=ipv6)
def test_addresses_in_different_slash_64s_are_different_clients(first, second):
    assume(not first.ipv4_mapped and not second.ipv4_mapped)
    same_network = int(first) >> 64 == int(second) >> 64
    assert (client_group(str(first)) == client_group(str(second))) == same_network


@given(address=st.integers(min_value=0, max_value=2**32 - 1).map(ipaddress.IPv4Address))
def test_an_ipv4_client_is_its_address_however_it_is_written(address):
    assert client_group(str(address)) == str(address)
    assert client_group(f"::ffff:{address}") == str(address)


def test_an_unreadable_address_is_one_client():
    assert client_group("") == client_group("not an address") == "unknown"


def test_guesses_from_one_slash_64_are_counted_together(db, mentor_a):
    for i in range(5):
        fail(f"2001:db8:1:2::{i + 1:x}", mentor_a.email, 1)
    _, response = sign_in("2001:db8:1:2:ffff:ffff:ffff:ffff", mentor_a.email, PASSWORD)
    assert PAIR_PAUSED in response.content.decode()
    client, response = sign_in("2001:db8:1:3::1", mentor_a.email, PASSWORD)
    assert signed_in(response, client)


def test_an_ipv4_proxy_on_a_dual_stack_socket_is_still_trusted(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    request = rf.get("/", REMOTE_ADDR="::ffff:10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.9")
    assert client_ip(request) == "192.0.2.9"


# --- Parallel failures are all counted ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_parallel_failures_are_each_counted_once(settings):
    # Threads with their own database connections, all released at once. A count read
    # and then written loses some; the upsert counts every one (SQLite and PostgreSQL).
    parallel = 12
    settings.SIGNIN_LIMITS = {"signin-account": (parallel, 3600, 900)}
    start = threading.Barrier(parallel)

    def one_failure(_):
        start.wait()
        try:
            return throttle.record_failure("signin-account", "staff@example.org")
        finally:
            connection.close()

    with ThreadPoolExecutor(parallel) as pool:
        counts = list(pool.map(one_failure, range(parallel)))
    assert sorted(counts) == list(range(1, parallel + 1))
    assert LimitCount.objects.get().count == parallel
    assert throttle.locked_for("signin-account", "staff@example.org") > 0


def test_a_kind_without_limits_is_refused(rf):
    with pytest.raises(ValueError, match="No sign-in limits"):
        throttle.lock_of("passwords", rf.get("/"), "staff@example.org")
