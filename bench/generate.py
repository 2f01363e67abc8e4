"""The rows of a real-size program, as plain tuples: no ORM, no database. Here the
people, schools and matches; their sessions and what follows from them in sessions.py.

Everything here is a pure function of the parameters and the seed, so two runs with the
same seed on the same day make the same rows. The writers (``writers.py``) send the tuples
to PostgreSQL with COPY or to SQLite with executemany; building model instances for a
million sessions would cost more than writing them.

Datetimes are aware and in UTC; dates are ``datetime.date``; JSON columns are already
JSON text. Ids are explicit (counted up from the ``ids`` the caller passes) so that rows
can point at each other before any of them is written.
"""

# ruff: noqa: S311 (random numbers for test data, from a seed on purpose: not secrets)

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bench.words import (
    CLOSURE_REASONS,
    CONTACT_ROLES,
    FIRST_NAMES,
    GRADES,
    INITIALS,
    LAST_NAMES,
    MENTEE_NAMES,
    SITE_KINDS,
    SITE_NAMES,
    STREETS,
)
from portal.mentoring import rules

UTC = dt.UTC

# --- Columns of each table, in the order the row tuples use --------------------------
# Only the columns a generated row sets: the nullable ones left out stay NULL.

USER_COLUMNS = (
    "id",
    "password",
    "is_superuser",
    "email",
    "full_name",
    "phone",
    "role",
    "is_active",
    "is_staff",
    "date_joined",
    "last_login",
)
SITE_COLUMNS = ("id", "name", "address")
CONTACT_COLUMNS = ("id", "site_id", "name", "role", "email", "phone", "user_id", "position")
MENTOR_COLUMNS = (
    "id",
    "user_id",
    "status",
    "enrolled_on",
    "agreement_accepted_at",
    "agreement_version",
    "weekly_reminders",
)
MENTEE_COLUMNS = ("id", "first_name", "last_initial", "site_id", "grade", "status")
MATCH_COLUMNS = (
    "id",
    "mentor_id",
    "mentee_id",
    "site_id",
    "start_date",
    "end_date",
    "closure_reason",
    "status",
)
SESSION_COLUMNS = (
    "id",
    "match_id",
    "starts_at",
    "quarter_hours",
    "type_of_mentoring_id",
    "interaction_id",
    "activity",
    "attendance",
    "notes",
    "safety_concern",
    "safety_concern_details",
    "resource_needs",
    "resource_needs_details",
    "entered_by_id",
    "entered_at",
    "updated_at",
    "is_late",
)
CONCERN_COLUMNS = (
    "id",
    "match_id",
    "site_id",
    "session_id",
    "description",
    "raised_by_id",
    "raised_at",
    "status",
    "acknowledged_by_id",
    "acknowledged_at",
    "acknowledgement_note",
    "closed_by_id",
    "closed_at",
    "outcome",
    "escalated_at",
)
NEED_COLUMNS = (
    "id",
    "session_id",
    "match_id",
    "kind",
    "details",
    "status",
    "raised_at",
    "updated_at",
)
NO_SESSION_COLUMNS = (
    "id",
    "mentor_id",
    "year",
    "month",
    "reason",
    "details",
    "declared_by_id",
    "declared_at",
)

# --- Known accounts the benchmark signs in with --------------------------------------

BENCH_PASSWORD = "bench-pass-2026"  # noqa: S105 (published: a benchmark database only)
STAFF_EMAIL = "bench-staff@example.org"
ADMIN_EMAIL = "bench-admin@example.org"


def mentor_email(number: int) -> str:
    """mentor00001@bench.example.org for the first mentor: the load generator counts."""
    return f"mentor{number:05d}@bench.example.org"


# Attendance: about 12% of sessions did not happen (RULES 4.10: an absence still has a note).
# Attendance from one random number: met below 0.88, then mentee absent, mentor absent,
# and cancelled above 0.965.
MET_BELOW, MENTEE_ABSENT_BELOW, MENTOR_ABSENT_BELOW = 0.88, 0.93, 0.965
MET_QUARTERS = (2, 2, 3, 4, 4, 4, 4, 5, 6, 8)
CONCERN_NOTE = "I reported a safety concern to the school site contact (see the concern box)."
CONCERN_RATE = 0.0023  # of met sessions: about 0.2% of all sessions
NEED_RATE = 0.0114  # of met sessions: about 1% of all sessions
LATE_RATE = 0.08


@dataclass(frozen=True)
class Params:
    """What to generate. ``ids`` holds, per table, the largest id already used (0 if the
    table is empty), so generated ids never collide with rows already there."""

    mentors: int = 20_000
    mentees: int = 25_000
    sites: int = 40
    sessions: int = 1_000_000
    seed: int = 2026
    today: dt.date = dt.date(2026, 11, 28)
    now: dt.datetime = dt.datetime(2026, 11, 28, 18, 0, tzinfo=UTC)
    tz: ZoneInfo = ZoneInfo("America/Chicago")
    policy: rules.DeadlinePolicy = rules.DeadlinePolicy()
    password_hash: str = "!"  # noqa: S105 (an unusable hash)
    agreement_version: str = ""
    type_choices: tuple[int, ...] = (1, 2, 3)  # default first
    interaction_choices: tuple[int, ...] = (4, 5, 6)  # default first
    ids: dict = field(default_factory=dict)

    def first_id(self, table: str) -> int:
        return self.ids.get(table, 0) + 1


@dataclass
class MatchPlan:
    """A match with what its sessions need, kept out of the row tuple."""

    id: int
    mentor_id: int
    mentor_user_id: int
    mentee_name: str
    site_id: int
    start: dt.date
    end: dt.date | None
    weekday: int  # the day of the week the pair meets
    minutes: int  # local time of the meeting, minutes after midnight


@dataclass
class Program:
    """Every generated row; sessions come later, from ``session_rows``."""

    users: list = field(default_factory=list)
    sites: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    mentors: list = field(default_factory=list)
    mentees: list = field(default_factory=list)
    matches: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    staff_user_id: int = 0
    admin_user_id: int = 0
    site_responders: dict = field(default_factory=dict)  # site id -> contact user id


def local_moment(day: dt.date, minutes: int, tz: ZoneInfo) -> dt.datetime:
    """A local wall-clock time on ``day`` as an aware UTC datetime."""
    local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=tz)
    return local.astimezone(UTC)


def build_program(p: Params) -> Program:
    """Accounts, schools, mentors, mentees and matches: everything but the sessions."""
    rng = random.Random(f"{p.seed}-people")
    program = Program()
    next_user = p.first_id("user")
    window_start = p.today - dt.timedelta(days=730)
    joined = local_moment(window_start - dt.timedelta(days=30), 9 * 60, p.tz)

    def add_user(email, name, role, phone="", last_login=None):
        nonlocal next_user
        uid = next_user
        next_user += 1
        is_admin = role == "admin"
        program.users.append(
            (
                uid,
                p.password_hash,
                is_admin,
                email,
                name,
                phone,
                role,
                True,
                role in ("staff", "admin"),
                joined,
                last_login,
            )
        )
        return uid

    recent = p.now - dt.timedelta(days=2)
    program.staff_user_id = add_user(STAFF_EMAIL, "Bench Staff", "staff", "(312) 555-0101", recent)
    program.admin_user_id = add_user(ADMIN_EMAIL, "Bench Admin", "admin", "(312) 555-0102", recent)

    # Schools, each with one contact; every other contact has a sign-in (RULES 2).
    site_ids = []
    for index in range(p.sites):
        sid = p.first_id("site") + index
        base = SITE_NAMES[index % len(SITE_NAMES)]
        kind = SITE_KINDS[index % len(SITE_KINDS)]
        name = f"{base} {kind}"
        if index >= len(SITE_NAMES):
            name += f" {index // len(SITE_NAMES) + 1}"
        address = f"{100 + index * 7} {STREETS[index % len(STREETS)]}"
        program.sites.append((sid, name, address))
        site_ids.append(sid)
        contact_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        email = f"contact{index + 1:03d}@bench.example.org"
        phone = f"(312) 555-{1000 + index:04d}"
        user_id = None
        if index % 2 == 0:
            signed_in = recent if index % 4 == 0 else None
            user_id = add_user(email, contact_name, "site_contact", phone, signed_in)
            program.site_responders[sid] = user_id
        role = CONTACT_ROLES[index % len(CONTACT_ROLES)]
        program.contacts.append(
            (p.first_id("contact") + index, sid, contact_name, role, email, phone, user_id, 0)
        )

    # Which mentors have two matches over time: one per mentee beyond one each.
    with_match = min(p.mentors, p.mentees)
    doubles = set(rng.sample(range(with_match), min(with_match, max(0, p.mentees - p.mentors))))

    next_mentee = p.first_id("mentee")
    next_match = p.first_id("match")
    for index in range(p.mentors):
        number = index + 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        user_id = add_user(
            mentor_email(number), f"{first} {last}", "mentor", f"(773) 555-{number % 10000:04d}"
        )
        mentor_id = p.first_id("mentor") + index
        spans = []  # (start, end, reason) of this mentor's matches
        if index < with_match:
            if index in doubles:
                # An earlier match that ended, then the current one.
                start = p.today - dt.timedelta(days=rng.randint(420, 730))
                end = start + dt.timedelta(days=rng.randint(150, 300))
                spans.append((start, end, rng.choice(CLOSURE_REASONS)))
                second = end + dt.timedelta(days=rng.randint(14, 60))
                spans.append((min(second, p.today - dt.timedelta(days=30)), None, ""))
            else:
                start = p.today - dt.timedelta(days=rng.randint(90, 730))
                # The first mentors always have an active match: the benchmark signs in as
                # them. Past those, about one match in eight has ended.
                if index >= 100 and rng.random() < 0.12:
                    length = (p.today - start).days
                    end = start + dt.timedelta(days=rng.randint(45, max(45, length - 7)))
                    spans.append((start, min(end, p.today - dt.timedelta(days=1)), None))
                else:
                    spans.append((start, None, ""))
        # Status: inactive once the only match ended (half of them); invited when never
        # matched (only when there are more mentors than mentees).
        if not spans:
            status, enrolled = "invited", None
        elif spans[-1][1] is not None and rng.random() < 0.5:
            status, enrolled = "inactive", spans[0][0] - dt.timedelta(days=14)
        else:
            status, enrolled = "active", spans[0][0] - dt.timedelta(days=14)
        accepted = local_moment(enrolled, 18 * 60, p.tz) if enrolled else None
        program.mentors.append(
            (
                mentor_id,
                user_id,
                status,
                enrolled,
                accepted,
                p.agreement_version if enrolled else "",
                rng.random() > 0.1,
            )
        )
        # The pair's meeting: a school day, at a time on the quarter hour (the benchmark's
        # own posts use other minutes, so they never collide with a generated session).
        weekday = rng.randint(0, 4)
        minutes = rng.choice((8 * 60 + 30, 10 * 60, 11 * 60 + 30, 12 * 60 + 15, 14 * 60, 15 * 60))
        for start, end, reason in spans:
            if end is not None and reason is None:
                reason = rng.choice(CLOSURE_REASONS)
            site_id = rng.choice(site_ids)
            name = rng.choice(MENTEE_NAMES)
            program.mentees.append(
                (
                    next_mentee,
                    name,
                    rng.choice(INITIALS),
                    site_id,
                    rng.choice(GRADES),
                    "active" if end is None else "inactive",
                )
            )
            program.matches.append(
                (
                    next_match,
                    mentor_id,
                    next_mentee,
                    site_id,
                    start,
                    end,
                    reason or "",
                    "active" if end is None else "closed",
                )
            )
            program.plans.append(
                MatchPlan(
                    next_match, mentor_id, user_id, name, site_id, start, end, weekday, minutes
                )
            )
            next_mentee += 1
            next_match += 1
    # Mentees beyond what the mentors take (fewer mentors than mentees): unmatched, waiting.
    while len(program.mentees) < p.mentees:
        program.mentees.append(
            (
                next_mentee,
                rng.choice(MENTEE_NAMES),
                rng.choice(INITIALS),
                rng.choice(site_ids),
                rng.choice(GRADES),
                "active",
            )
        )
        next_mentee += 1
    return program
