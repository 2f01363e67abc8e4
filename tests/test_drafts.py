"""Drafts do not pile up (issue 11, item 9): a draft kept for a post whose sign-in expired
holds only the form, has a size limit and a rate limit per address, and leaves with its
sign-in; expired sign-in sessions are cleared once a day by the worker."""

import datetime as dt
import functools

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from portal import schedule
from portal.lib.text import LONG_TEXT_MAX
from portal.lifecycle.services import signin_sessions_clear_expired
from portal.mentoring.signed_out_drafts import DRAFT_KEY, DRAFT_MAX_CHARS
from portal.notifications.management.commands import run_worker
from tests.conftest import PASSWORD
from tests.page import read_page
from tests.paths import NEW_SESSION as NEW
from tests.paths import SIGN_IN

KEPT = "what you typed is kept and will be back in the form"
NOT_KEPT = "What you typed could not be kept here"


@pytest.fixture
def form_data(session_post):
    return functools.partial(
        session_post, starts_at="2026-11-16T15:30", hours="1.50", notes="We read a book together."
    )


def drafts() -> list[dict]:
    return [
        session.get_decoded()[DRAFT_KEY]
        for session in Session.objects.all()
        if DRAFT_KEY in session.get_decoded()
    ]


def post_signed_out(data, address="203.0.113.7"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(NEW, data, follow=True)
    return client, read_page(response).text


def test_a_draft_keeps_only_the_fields_of_the_session_form(db, form_data):
    _client, text = post_signed_out(form_data(junk="x" * 1000, csrfmiddlewaretoken="t"))

    assert KEPT in text
    [draft] = drafts()
    assert "junk" not in draft["data"] and "csrfmiddlewaretoken" not in draft["data"]
    assert draft["data"]["notes"] == "We read a book together."


def test_a_draft_longer_than_the_form_can_hold_is_not_kept(db, form_data):
    too_long = form_data(
        notes="n" * LONG_TEXT_MAX,
        safety_concern_details="c" * LONG_TEXT_MAX,
        resource_needs_details="r" * (DRAFT_MAX_CHARS - 2 * LONG_TEXT_MAX),
    )

    _client, text = post_signed_out(too_long)

    assert NOT_KEPT in text
    assert drafts() == []
    # The longest real form is kept.
    _client, text = post_signed_out(form_data(notes="n" * LONG_TEXT_MAX))
    assert KEPT in text
    assert len(drafts()) == 1


def test_drafts_from_one_address_are_limited_to_twenty_an_hour(db, form_data):
    for _ in range(20):
        _client, text = post_signed_out(form_data())
        assert KEPT in text

    _client, text = post_signed_out(form_data())

    assert NOT_KEPT in text
    assert len(drafts()) == 20
    # Another address is not held back by this one.
    _client, text = post_signed_out(form_data(), address="198.51.100.4")
    assert KEPT in text
    assert len(drafts()) == 21


def test_a_draft_leaves_with_its_sign_in(db, form_data, mentor_a):
    client, _text = post_signed_out(form_data(notes="Jane told me about her home."))
    client.post(SIGN_IN, {"username": mentor_a.email, "password": PASSWORD})
    assert len(drafts()) == 1  # kept across the sign-in, until the form brings it back

    client.post("/accounts/sign-out/")

    assert drafts() == []
    client.post(SIGN_IN, {"username": mentor_a.email, "password": PASSWORD})
    assert read_page(client.get(NEW)).textareas["notes"] == ""


def expired_session() -> str:
    store = SessionStore()
    store[DRAFT_KEY] = {"path": NEW, "data": {"notes": "Typed on a shared computer."}}
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1)
    )
    return store.session_key


def live_session() -> str:
    store = SessionStore()
    store["kept"] = True
    store.create()
    return store.session_key


def session_keys() -> set[str]:
    return set(Session.objects.values_list("session_key", flat=True))


def test_expired_sign_in_sessions_are_cleared_and_live_ones_kept(db, program):
    expired_session()
    live = live_session()

    assert signin_sessions_clear_expired() == 1

    assert session_keys() == {live}
    assert signin_sessions_clear_expired() == 0
    # Once a day: the worker's schedule (tests/test_worker_jobs.py).
    assert str(schedule.SCHEDULED_JOBS["clear_sessions"].cadence).startswith("every day at")


def test_the_worker_clears_expired_sign_in_sessions(db, program):
    expired_session()

    assert schedule.SCHEDULED_JOBS["clear_sessions"].run is signin_sessions_clear_expired
    run_worker.run_scheduled_jobs()

    assert session_keys() == set()
