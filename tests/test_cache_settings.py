"""The shared cache with Redis: socket timeouts, so a Redis that hangs cannot hang a page,
and a key prefix, so several portals can share one Redis. Sign-in limits do not depend on
the cache at all."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
REDIS = "redis://127.0.0.1:6379/0"


def cache_settings(**env: str) -> dict:
    """The default cache as portal/settings.py builds it with these environment values."""
    unset = {"REDIS_URL", "CACHE_KEY_PREFIX"}
    environment = {key: value for key, value in os.environ.items() if key not in unset}
    environment.update(env)
    out = subprocess.run(
        [sys.executable, "-c", "import json, portal.settings as s; print(json.dumps(s.CACHES))"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)["default"]


def redis_cache(config: dict, location: str | None = None) -> RedisCache:
    params = {key: value for key, value in config.items() if key not in {"BACKEND", "LOCATION"}}
    return RedisCache(location or config["LOCATION"], params)


@pytest.fixture(scope="module")
def redis_config() -> dict:
    return cache_settings(REDIS_URL=REDIS)


def test_redis_calls_time_out_within_two_seconds(redis_config):
    options = redis_config["OPTIONS"]
    assert 0 < options["socket_connect_timeout"] <= 2
    assert 0 < options["socket_timeout"] <= 2


def test_keys_are_prefixed_portal_unless_told_otherwise(redis_config):
    assert redis_config["KEY_PREFIX"] == "portal"
    assert cache_settings(REDIS_URL=REDIS, CACHE_KEY_PREFIX="district-7")["KEY_PREFIX"] == (
        "district-7"
    )


def test_without_redis_the_database_cache_keeps_more_than_300_entries():
    config = cache_settings(REDIS_URL="")
    assert config["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert config["OPTIONS"]["MAX_ENTRIES"] >= 5000


@pytest.fixture
def silent_server():
    """A server that accepts connections and never answers: a hung Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def test_a_hung_redis_fails_the_call_quickly_instead_of_hanging_the_page(
    redis_config, silent_server
):
    cache = redis_cache(redis_config, silent_server)
    outcome = []

    def ask():
        try:
            cache.get("anything")
        except Exception as error:  # what a page would turn into an error page
            outcome.append(error)

    # In a thread, so that a missing timeout fails this test instead of hanging it.
    caller = threading.Thread(target=ask, daemon=True)
    caller.start()
    caller.join(timeout=3)
    assert not caller.is_alive(), "the cache call was still waiting after 3 s"
    assert "timeout" in repr(outcome).lower() or "timed out" in repr(outcome).lower()


def test_two_portals_sharing_one_redis_do_not_see_each_others_keys(redis_config):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis at 127.0.0.1:6379 on this machine")
    run = uuid.uuid4().hex[:8]
    first = redis_cache({**redis_config, "KEY_PREFIX": f"test-limits-{run}-a"})
    second = redis_cache({**redis_config, "KEY_PREFIX": f"test-limits-{run}-b"})
    try:
        first.set("program", "first", timeout=60)
        assert first.get("program") == "first"
        assert second.get("program") is None
    finally:
        first.delete("program")


@pytest.mark.django_db
def test_sign_in_limits_hold_while_redis_is_down(settings, mentor_a):
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    settings.CACHES = {"default": {**cache_settings(REDIS_URL=dead)}}
    client = Client(REMOTE_ADDR="203.0.113.5")
    started = time.monotonic()
    for _ in range(5):
        client.post("/accounts/sign-in/", {"username": mentor_a.email, "password": "wrong"})
    response = client.post("/accounts/sign-in/", {"username": mentor_a.email, "password": PASSWORD})
    assert "Too many attempts from this device" in response.content.decode()
    assert time.monotonic() - started < 5
