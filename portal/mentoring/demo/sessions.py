"""The demo's sessions: a weekly meeting per match, from its start until today.

Written in bulk with their history rows rather than through ``session_log_create``: they
are entered in the past (some after their deadline, on purpose), which the service would
record as entered now, and a few hundred entries one by one would make ``make demo`` slow.
"""

import datetime as dt
import random

from portal.mentoring import rules
from portal.mentoring.activity import refresh_all_match_activity
from portal.mentoring.demo import Demo
from portal.mentoring.demo.data import (
    ABSENT_NOTES,
    CONCERN,
    MET_NOTES,
    NEED_NOTES,
    SPANISH_ABSENT_NOTES,
    SPANISH_MET_NOTES,
)
from portal.mentoring.models import (
    Attendance,
    Choice,
    ChoiceList,
    Match,
    RevisionAction,
    SessionLog,
    SessionLogRevision,
)


def create_all_sessions(demo: Demo, plans: list[tuple[Match, str]]) -> int:
    """The sessions of each match that has none yet; how many were created."""
    created = 0
    for match, style in plans:
        if not SessionLog.objects.filter(match=match).exists():
            created += create_sessions(demo, match, style, random.Random(match.pk))
    return created


def _meeting_days(
    demo: Demo, match: Match, style: str, weekday: int, rng: random.Random
) -> list[dt.date]:
    first = match.start_date + dt.timedelta(days=(weekday - match.start_date.weekday()) % 7)
    last_day = match.end_date or demo.today
    if style == "silent":
        last_day = min(last_day, demo.today - dt.timedelta(days=rng.randint(35, 60)))
    days = []
    day = first
    while day <= last_day - dt.timedelta(days=1):
        days.append(day)
        day += dt.timedelta(days=7)
    return days


def create_sessions(demo: Demo, match: Match, style: str, rng: random.Random) -> int:
    choices = {(c.list, c.label): c for c in Choice.objects.all()}
    mentoring = choices[(ChoiceList.TYPE_OF_MENTORING, "Mentoring Hours")]
    group = choices[(ChoiceList.TYPE_OF_MENTORING, "Group Activity")]
    in_person = choices[(ChoiceList.INTERACTION, "In-Person")]
    virtual = choices[(ChoiceList.INTERACTION, "Virtual")]
    policy = demo.program.deadline_policy
    name = match.mentee.first_name
    weekday = rng.randint(0, 4)
    hour = rng.choice([11, 12, 14, 15])
    days = _meeting_days(demo, match, style, weekday, rng)
    mentor_user = match.mentor.user
    spanish = mentor_user.language == "es"  # a Spanish-speaking mentor writes in Spanish
    met_notes = SPANISH_MET_NOTES if spanish else MET_NOTES
    absent_notes = SPANISH_ABSENT_NOTES if spanish else ABSENT_NOTES
    sessions = []
    for number, day in enumerate(days):
        starts_at = dt.datetime.combine(day, dt.time(hour, 30), tzinfo=demo.tz)
        if starts_at > demo.now:
            continue
        attendance = Attendance.MET
        roll = rng.random()
        if (style == "absent" and number >= len(days) - 2) or roll < 0.06:
            attendance = Attendance.MENTEE_ABSENT
        elif roll < 0.09:
            attendance = Attendance.MENTOR_ABSENT
        elif roll < 0.11:
            attendance = Attendance.CANCELLED
        elif style == "regular" and roll > 0.93 and number < len(days) - 1:
            continue  # a forgotten week
        met = attendance == Attendance.MET
        notes = (rng.choice(met_notes) if met else absent_notes[attendance]).format(name=name)
        concern = met and not spanish and rng.random() < 0.025
        needs = []
        if met and not spanish and rng.random() < 0.05:
            kind = rng.choice(list(NEED_NOTES))
            needs = [kind]
            notes += " " + NEED_NOTES[kind].format(name=name)
        delay = dt.timedelta(hours=rng.randint(2, 96))
        if style == "late" or rng.random() < 0.04:
            deadline = rules.deadline_for_session(starts_at, policy)
            delay = deadline.due_by - starts_at + dt.timedelta(hours=rng.randint(5, 80))
        entered_at = min(starts_at + delay, demo.now)
        sessions.append(
            SessionLog(
                match=match,
                starts_at=starts_at,
                quarter_hours=rng.choice([2, 3, 4, 4, 4, 5, 6]) if met else 0,
                type_of_mentoring=group if met and rng.random() < 0.08 else mentoring,
                interaction=virtual if met and rng.random() < 0.05 else in_person,
                attendance=attendance,
                notes=notes,
                safety_concern=concern,
                safety_concern_details=CONCERN.format(name=name) if concern else "",
                resource_needs=needs,
                resource_needs_details=NEED_NOTES[needs[0]].format(name=name) if needs else "",
                entered_by=mentor_user,
                entered_at=entered_at,
                is_late=rules.is_late(starts_at=starts_at, entered_at=entered_at, policy=policy),
            )
        )
    SessionLog.objects.bulk_create(sessions)
    refresh_all_match_activity()
    SessionLogRevision.objects.bulk_create(
        SessionLogRevision(
            session=session,
            action=RevisionAction.CREATED,
            changed_by=mentor_user,
            changed_at=session.entered_at,
            new_values=session.snapshot(),
        )
        for session in SessionLog.objects.filter(match=match).select_related(
            "type_of_mentoring", "interaction"
        )
    )
    return len(sessions)
