"""Each match's latest activity, kept on the match (portal/mentoring/activity.py).

"Matches needing support" reads three columns of the match instead of its sessions; these
tests change sessions every way the portal can (log, change, move to another match,
delete) in random orders and check after every step that the columns say what the
sessions say, and that the list of matches needing support is what the sessions give.
"""

import datetime as dt
import random

import pytest

from portal.mentoring import services
from portal.mentoring.activity import refresh_all_match_activity
from portal.mentoring.models import Attendance, Match, SessionLog
from portal.safeguarding.selectors import ABSENCES, QUIET_DAYS, matches_needing_support
from tests.conftest import chicago, frozen_at, log_session, make_match, session_input

NOW = chicago(2026, 11, 20, 15, 0)


def from_sessions(match: Match) -> tuple:
    """What the columns must hold, read from the sessions themselves."""
    latest = list(
        SessionLog.objects.live()
        .filter(match=match)
        .order_by("-starts_at", "-pk")
        .values_list("starts_at", "attendance")[:2]
    )
    return (
        latest[0][0] if latest else None,
        latest[0][1] if latest else "",
        latest[1][1] if len(latest) > 1 else "",
    )


def stored(match: Match) -> tuple:
    match.refresh_from_db()
    return (match.last_session_at, match.last_attendance, match.previous_attendance)


def needing_support_from_sessions(now: dt.datetime) -> set[int]:
    """RULES 4.16 straight from the sessions: the reference for the list."""
    found = set()
    for match in Match.objects.filter(status="active"):
        last_at, last, previous = from_sessions(match)
        quiet = (last_at is not None and last_at < now - dt.timedelta(days=QUIET_DAYS)) or (
            last_at is None and match.start_date <= now.date() - dt.timedelta(days=QUIET_DAYS)
        )
        if quiet or (last in ABSENCES and previous in ABSENCES):
            found.add(match.pk)
    return found


def random_input(match, starts_at, attendance):
    quarter_hours = 4 if attendance == Attendance.MET else 0
    return session_input(
        match,
        starts_at,
        quarter_hours=quarter_hours,
        attendance=attendance,
        notes="We talked about school.",
    )


@pytest.mark.parametrize("seed", range(6))
def test_columns_follow_every_change_to_sessions(seed, match_a, school_a, staff_user):
    rng = random.Random(seed)
    other = make_match("second@example.org", school_a, "Sam", match_a.start_date)
    matches = [match_a, other]
    attendances = [a.value for a in Attendance]
    with frozen_at(NOW):
        for step in range(30):
            live = list(SessionLog.objects.live().filter(match__in=matches))
            action = rng.choice(["log", "log", "change", "delete"] if live else ["log"])
            when = NOW - dt.timedelta(days=rng.randint(1, 19), minutes=15 * rng.randint(0, 40))
            when = when.replace(second=0, microsecond=0)
            match = rng.choice(matches)
            try:
                if action == "log":
                    log_session(
                        match,
                        when,
                        attendance=(attendance := rng.choice(attendances)),
                        quarter_hours=4 if attendance == "met" else 0,
                    )
                elif action == "change":
                    session = rng.choice(live)
                    services.session_log_update(
                        session=session,
                        user=staff_user,
                        data=random_input(match, when, rng.choice(attendances)),
                        reason=f"Step {step}: corrected",
                    )
                else:
                    services.session_log_delete(session=rng.choice(live), user=staff_user)
            except services.DuplicateSession:
                continue  # the same match and time twice: refused, nothing changed
            for each in matches:
                assert stored(each) == from_sessions(each), (seed, step, action)
            assert {m.match.pk for m in matches_needing_support()} == (
                needing_support_from_sessions(NOW)
            )


def test_a_match_without_sessions_has_empty_columns(match_a):
    assert stored(match_a) == (None, "", "")


def test_refresh_all_after_a_bulk_load(match_a, staff_user):
    """Sessions written without the services (imports, the demo, bench_data) are picked
    up by one refresh of every match."""
    with frozen_at(NOW):
        log_session(match_a, NOW - dt.timedelta(days=3), attendance="met")
    template = SessionLog.objects.get(match=match_a)
    for days, attendance in ((2, "mentee_absent"), (1, "mentor_absent")):
        template.pk = None
        template.starts_at = NOW - dt.timedelta(days=days)
        template.attendance, template.quarter_hours = attendance, 0
        template.submission_token = None
        SessionLog.objects.bulk_create([template])
    assert stored(match_a)[1] == "met"  # not refreshed yet
    refresh_all_match_activity()
    assert stored(match_a) == (NOW - dt.timedelta(days=1), "mentor_absent", "mentee_absent")
    with frozen_at(NOW):
        assert [m.match.pk for m in matches_needing_support()] == [match_a.pk]


def test_a_new_latest_entry_moves_the_columns_without_reading_the_sessions(match_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with frozen_at(NOW):
        log_session(
            match_a,
            NOW - dt.timedelta(days=3),
            attendance=Attendance.MENTEE_ABSENT,
            quarter_hours=0,
        )
        with CaptureQueriesContext(connection) as captured:
            log_session(match_a, NOW - dt.timedelta(days=1))
    updates = [q["sql"] for q in captured.captured_queries if "UPDATE" in q["sql"]]
    match_updates = [sql for sql in updates if '"mentoring_match"' in sql]
    assert len(match_updates) == 1 and "mentoring_sessionlog" not in match_updates[0]
    assert stored(match_a) == from_sessions(match_a)
    assert stored(match_a)[1:] == (Attendance.MET, Attendance.MENTEE_ABSENT)
