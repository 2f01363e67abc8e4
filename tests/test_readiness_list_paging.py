"""The staff readiness list is filtered and paged by the database: each filter keeps exactly
the mentors the Python rules (rules.status) say, on days around every edge (expired
yesterday, valid until today, the last day of a short month), and a page works out the
readiness of its own mentors only, in the same number of queries however many mentors."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.models import Role
from portal.mentoring.models import Mentor, MentorStatus
from portal.readiness import rules, selectors
from portal.readiness.models import ReadinessItem, ReadinessRecord
from portal.readiness.rules import Status
from tests.conftest import make_user

TODAY = dt.date(2026, 3, 31)  # a month end: one month before is 28 February
NOW = dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)


@pytest.fixture
def program_items(db) -> list[ReadinessItem]:
    ReadinessItem.objects.all().delete()
    return [
        ReadinessItem.objects.create(name="Background check", required=True, valid_months=24),
        ReadinessItem.objects.create(name="First aid", required=True, valid_months=1),
        ReadinessItem.objects.create(name="Orientation", required=True, valid_months=None),
        ReadinessItem.objects.create(name="Newsletter", required=False, valid_months=12),
    ]


def edge_days(item: ReadinessItem) -> list[dt.date | None]:
    """No record, and days on both sides of 'expired' and 'expiring' for the item."""
    days: list[dt.date | None] = [None, TODAY, TODAY - dt.timedelta(days=400)]
    if item.valid_months:
        for moment in (TODAY, TODAY + dt.timedelta(days=rules.EXPIRING_DAYS)):
            first = selectors.first_valid_day(moment, item.valid_months)
            days += [first - dt.timedelta(days=1), first, first + dt.timedelta(days=1)]
    return days


@pytest.fixture
def mentors(program_items, staff_user) -> list[Mentor]:
    chooser = random.Random(17)  # noqa: S311  (test data, not secrets)
    made = []
    for number in range(60):
        user = make_user(f"m{number:02d}@example.org", Role.MENTOR, f"Mentor {number:02d}")
        mentor = Mentor.objects.create(user=user, status=MentorStatus.ACTIVE)
        for item in program_items:
            done_on = chooser.choice(edge_days(item))
            if done_on is not None:
                ReadinessRecord.objects.create(
                    mentor=mentor,
                    item=item,
                    done_on=done_on,
                    recorded_at=NOW,
                    recorded_by=staff_user,
                )
                # An older record of the same item never counts over the latest.
                ReadinessRecord.objects.create(
                    mentor=mentor,
                    item=item,
                    done_on=done_on - dt.timedelta(days=900),
                    recorded_at=NOW,
                    recorded_by=staff_user,
                )
        made.append(mentor)
    return made


def kept_by_rules(which: str, program_items, today: dt.date = TODAY) -> set[int]:
    everyone = Mentor.objects.exclude(status=MentorStatus.INACTIVE)
    rows = selectors.readiness_of_mentors(everyone, today=today, program_items=program_items)
    keep = {
        "": lambda r: True,
        "not_ready": lambda r: not r.ready,
        "missing": lambda r: r.has(Status.MISSING),
        "expired": lambda r: r.has(Status.EXPIRED),
        "expiring": lambda r: r.has(Status.EXPIRING, required_only=False),
    }[which]
    return {r.mentor.pk for r in rows if keep(r)}


@pytest.mark.parametrize("which", list(selectors.FILTERS))
def test_each_filter_keeps_what_the_rules_say(mentors, program_items, which):
    rows = selectors.readiness_list(which=which, today=TODAY)
    kept = {r.mentor.pk for r in rows}
    assert kept == kept_by_rules(which, program_items)
    assert rows.count() == len(kept)
    if which:  # the data reaches every filter: none is trivially empty or everyone
        assert 0 < len(kept) < len(mentors)


def test_the_first_valid_day_is_the_edge_of_expired(program_items):
    for months in (1, 12, 24, 36):
        first = selectors.first_valid_day(TODAY, months)
        assert rules.status(done_on=first, valid_months=months, today=TODAY) != Status.EXPIRED
        before = first - dt.timedelta(days=1)
        assert rules.status(done_on=before, valid_months=months, today=TODAY) == Status.EXPIRED


def test_a_page_is_in_name_order_and_costs_the_same_queries(mentors, program_items):
    rows = selectors.readiness_list(which="not_ready", today=TODAY)
    names = [r.mentor.user.full_name for r in rows]
    assert names == sorted(names)
    with CaptureQueriesContext(connection) as small:
        list(rows[0:5])
    with CaptureQueriesContext(connection) as large:
        list(rows[0:50])
    assert len(small) == len(large) == 2  # the page's mentors, then their records


def test_staff_page_shows_one_page(staff_client, mentors, program_items):
    page = staff_client.get("/staff/readiness/?show=not_ready").content.decode()
    shown = {m.user.full_name for m in mentors if m.user.full_name in page}
    assert shown and shown <= {
        m.user.full_name
        for m in mentors
        if m.pk in kept_by_rules("not_ready", program_items, selectors.program_today())
    }
