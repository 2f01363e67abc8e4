"""The sessions of a generated program, and the rows that follow from them (concerns,
needs, months declared without sessions), as plain tuples: see generate.py, which plans
the people and matches they belong to.
"""

# ruff: noqa: S311 (random numbers for test data, from a seed on purpose: not secrets)

import datetime as dt
import json
import random
from dataclasses import dataclass, field

from bench.generate import (
    CONCERN_NOTE,
    CONCERN_RATE,
    LATE_RATE,
    MENTEE_ABSENT_BELOW,
    MENTOR_ABSENT_BELOW,
    MET_BELOW,
    MET_QUARTERS,
    NEED_RATE,
    UTC,
    MatchPlan,
    Params,
    Program,
    local_moment,
)
from bench.words import (
    ABSENT_NOTES,
    ACK_NOTES,
    ACTIVITIES,
    CONCERNS,
    MOODS,
    NEED_DETAILS,
    NEED_KINDS,
    NO_SESSION_DETAILS,
    OUTCOMES,
)
from portal.mentoring import rules


def school_weight(day: dt.date) -> float:
    """How likely a pair meets in the week of ``day``: weekly in school months, rarely in
    summer, never over the winter break."""
    month, dom = day.month, day.day
    if (month == 12 and dom >= 21) or (month == 1 and dom <= 3):
        return 0.0
    if (month == 6 and dom >= 10) or month == 7 or (month == 8 and dom <= 20):
        return 0.2
    return 1.0


@dataclass
class SessionExtras:
    """Rows that follow from the sessions: written after them."""

    concerns: list = field(default_factory=list)
    needs: list = field(default_factory=list)
    no_session_months: list = field(default_factory=list)
    count: int = 0


def plan_session_days(p: Params, plans: list[MatchPlan]) -> list[list[int]]:
    """For each match, the days (as ordinals) of its sessions: ``p.sessions`` in all.

    Each match has candidate days (its weekday, each school week from its start to its end
    or today); the total is shared out in proportion to the candidates, and each match
    takes its share of them at random (the weeks left out are the weeks nobody logged).
    When the candidates are too few, a second day in the week is added.
    """
    rng = random.Random(f"{p.seed}-days")
    last_ord = (p.today - dt.timedelta(days=1)).toordinal()
    weights = {}
    first_day = min((plan.start for plan in plans), default=p.today)
    for ordinal in range(first_day.toordinal(), last_ord + 1):
        weights[ordinal] = school_weight(dt.date.fromordinal(ordinal))

    def candidates(plan: MatchPlan, shift: int) -> list[int]:
        start = plan.start.toordinal()
        first = start + (plan.weekday + shift - plan.start.weekday()) % 7
        last = min(last_ord, plan.end.toordinal() - 1) if plan.end else last_ord
        days = []
        for ordinal in range(first, last + 1, 7):
            weight = weights[ordinal]
            if weight == 1.0 or (weight and rng.random() < weight):
                days.append(ordinal)
        return days

    primary = [candidates(plan, 0) for plan in plans]
    pools = primary
    total = sum(map(len, primary))
    if total < p.sessions:
        # Twice a week: the second meeting two days later.
        pools = [
            sorted(days + candidates(plan, 2)) for days, plan in zip(primary, plans, strict=True)
        ]
        total = sum(map(len, pools))
    if total < p.sessions:
        raise ValueError(
            f"{p.sessions:,} sessions do not fit in {len(plans):,} matches "
            f"(at most {total:,}): ask for fewer sessions or more mentees."
        )
    if not p.sessions:
        return [[] for _ in plans]
    # Largest remainder: the shares add up to exactly p.sessions.
    exact = [len(pool) * p.sessions / total for pool in pools]
    shares = [int(x) for x in exact]
    short = p.sessions - sum(shares)
    by_remainder = sorted(range(len(pools)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in by_remainder[:short]:
        shares[i] += 1
    return [
        sorted(rng.sample(pool, share)) if share < len(pool) else pool
        for pool, share in zip(pools, shares, strict=True)
    ]


def session_rows(p: Params, program: Program, extras: SessionExtras):
    """Yield the session rows, match by match; fill ``extras`` with the concern, need and
    no-session-month rows as it goes. A generator, so COPY streams it without holding a
    million tuples in memory.

    This loop runs a million times: it keeps to local names, precomputed tables and a few
    random numbers per row.
    """
    rng = random.Random(f"{p.seed}-sessions")
    days_per_match = plan_session_days(p, program.plans)
    random_ = rng.random
    choice = rng.choice
    randint = rng.randint
    hour = dt.timedelta(hours=1)
    day_delta = dt.timedelta(days=1)
    now = p.now
    tz = p.tz
    type_default, *type_others = p.type_choices
    interaction_default, *interaction_others = p.interaction_choices

    # Local midnight of each day in UTC (with that day's noon offset: no school meets
    # across a DST change at 2 a.m.), and each day's deadline moment.
    midnight_utc: dict[int, dt.datetime] = {}
    due_by: dict[int, dt.datetime] = {}
    month_due: dict[tuple[int, int], dt.datetime] = {}
    first_ord = min((plan.start.toordinal() for plan in program.plans), default=p.today.toordinal())
    for ordinal in range(first_ord, p.today.toordinal() + 1):
        day = dt.date.fromordinal(ordinal)
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=tz)
        midnight_utc[ordinal] = dt.datetime.combine(day, dt.time(0), tzinfo=UTC) - noon.utcoffset()
        key = (day.year, day.month)
        if key not in month_due:
            month_due[key] = rules.Month(*key).deadline(p.policy).due_by.astimezone(UTC)
        due_by[ordinal] = month_due[key]

    met_notes = [f"{a} {m}" for a in ACTIVITIES for m in MOODS]
    absent_notes = {k: list(v) for k, v in ABSENT_NOTES.items()}
    next_id = p.first_id("session")
    next_concern = p.first_id("concern")
    next_need = p.first_id("need")
    next_nsm = p.first_id("no_session_month")
    responders = program.site_responders
    staff = program.staff_user_id
    declared = set()

    for plan, days in zip(program.plans, days_per_match, strict=True):
        name = plan.mentee_name
        match_id = plan.id
        user_id = plan.mentor_user_id
        offset = dt.timedelta(minutes=plan.minutes)
        for ordinal in days:
            starts_at = midnight_utc[ordinal] + offset
            if starts_at > now - 2 * hour:
                continue  # later today: not held yet
            roll = random_()
            concern = False
            concern_details = needs_details = ""
            needs = "[]"
            if roll < MET_BELOW:
                attendance = "met"
                quarters = choice(MET_QUARTERS)
                notes = choice(met_notes).format(name=name)
                if random_() < CONCERN_RATE:
                    concern = True
                    concern_details = choice(CONCERNS).format(name=name)
                    notes = f"{notes} {CONCERN_NOTE}"
                if random_() < NEED_RATE:
                    kinds = [choice(NEED_KINDS)]
                    if random_() < 0.15:
                        other = choice(NEED_KINDS)
                        if other != kinds[0]:
                            kinds.append(other)
                    needs = json.dumps(kinds)
                    needs_details = " ".join(NEED_DETAILS[k].format(name=name) for k in kinds)
                    notes = f"{notes} {needs_details}"
                else:
                    kinds = ()
                type_id = type_default if random_() < 0.92 else choice(type_others)
                interaction_id = (
                    interaction_default if random_() < 0.93 else choice(interaction_others)
                )
            else:
                if roll < MENTEE_ABSENT_BELOW:
                    attendance = "mentee_absent"
                elif roll < MENTOR_ABSENT_BELOW:
                    attendance = "mentor_absent"
                else:
                    attendance = "cancelled"
                quarters = 0
                notes = choice(absent_notes[attendance]).format(name=name)
                kinds = ()
                type_id, interaction_id = type_default, interaction_default
            deadline = due_by[ordinal]
            entered_at = None
            if random_() < LATE_RATE:
                # Entered days after the month's deadline (RULES 4.7: accepted, marked late);
                # for this month, whose deadline is still ahead, an entry on time instead.
                entered_at = deadline + day_delta * randint(1, 20) + hour * randint(0, 12)
                if entered_at > now:
                    entered_at = None
            if entered_at is None:
                entered_at = starts_at + hour * randint(1, 72)
                if entered_at > now:  # held in the last three days: entered since
                    entered_at = starts_at + hour + (now - starts_at - hour) * random_()
            session_id = next_id
            next_id += 1
            yield (
                session_id,
                match_id,
                starts_at,
                quarters,
                type_id,
                interaction_id,
                "",
                attendance,
                notes,
                concern,
                concern_details,
                needs,
                needs_details,
                user_id,
                entered_at,
                entered_at,
                entered_at >= deadline,
            )
            if concern:
                extras.concerns.append(
                    concern_row(
                        next_concern,
                        plan,
                        session_id,
                        concern_details,
                        entered_at,
                        now,
                        responders.get(plan.site_id, staff),
                        staff,
                        rng,
                    )
                )
                next_concern += 1
            for kind in kinds:
                extras.needs.append(
                    need_row(next_need, session_id, match_id, kind, name, entered_at, now, rng)
                )
                next_need += 1
        # A few mentors say "we did not meet at all this month" (RULES 4.15) for a past
        # month of the match with no session logged.
        if random_() < 0.02:
            row = no_session_month(next_nsm, plan, days, p, rng, declared)
            if row:
                extras.no_session_months.append(row)
                next_nsm += 1
    extras.count = next_id - p.first_id("session")


def concern_row(cid, plan, session_id, details, raised_at, now, responder, staff, rng):
    """A concern in a realistic state for its age: most old ones closed, recent ones new."""
    age_days = (now - raised_at).days
    roll = rng.random()
    if age_days > 30:
        status = "closed" if roll < 0.85 else "acknowledged" if roll < 0.97 else "new"
    elif age_days > 5:
        status = "closed" if roll < 0.2 else "acknowledged" if roll < 0.85 else "new"
    else:
        status = "acknowledged" if roll < 0.4 else "new"
    ack_by = ack_at = closed_by = closed_at = escalated_at = None
    ack_note = outcome = ""
    if status != "new":
        ack_at = raised_at + dt.timedelta(hours=rng.randint(1, 30))
        if ack_at > now:
            status, ack_at = "new", None
        else:
            ack_by, ack_note = responder, rng.choice(ACK_NOTES)
    if status == "closed":
        closed_at = ack_at + dt.timedelta(days=rng.randint(1, 10))
        if closed_at > now:
            status, closed_at = "acknowledged", None
        else:
            closed_by, outcome = staff, rng.choice(OUTCOMES)
    if status == "new" and now - raised_at > dt.timedelta(hours=24):
        escalated_at = raised_at + dt.timedelta(hours=24)
    return (
        cid,
        plan.id,
        plan.site_id,
        session_id,
        details,
        plan.mentor_user_id,
        raised_at,
        status,
        ack_by,
        ack_at,
        ack_note,
        closed_by,
        closed_at,
        outcome,
        escalated_at,
    )


def need_row(nid, session_id, match_id, kind, name, raised_at, now, rng):
    age_days = (now - raised_at).days
    roll = rng.random()
    if age_days > 45:
        status = "closed" if roll < 0.8 else "referred" if roll < 0.95 else "open"
    elif age_days > 10:
        status = "referred" if roll < 0.6 else "closed" if roll < 0.8 else "open"
    else:
        status = "open" if roll < 0.8 else "referred"
    updated = raised_at if status == "open" else min(now, raised_at + dt.timedelta(days=7))
    details = NEED_DETAILS[kind].format(name=name)
    return (nid, session_id, match_id, kind, details, status, raised_at, updated)


def no_session_month(nid, plan, days, p, rng, declared):
    """A past month inside the match with no session, declared early the next month."""
    this_month = (p.today.year, p.today.month)
    held = {(d.year, d.month) for d in map(dt.date.fromordinal, days)}
    months = []
    year, month = plan.start.year, plan.start.month
    end = plan.end or p.today
    while (year, month) < this_month and (year, month) <= (end.year, end.month):
        if (year, month) not in held and (plan.mentor_id, year, month) not in declared:
            months.append((year, month))
        year, month = rules.Month(year, month).next().as_tuple()
    if not months:
        return None
    year, month = rng.choice(months)
    declared.add((plan.mentor_id, year, month))
    if month in (6, 7, 8, 12):
        reason, details = "school_break", ""
    else:
        reason = rng.choice(("mentee_unavailable", "mentor_unavailable", "other"))
        details = NO_SESSION_DETAILS if reason == "other" else ""
    declared_at = local_moment(rules.Month(year, month).next().first_day(), 10 * 60, p.tz)
    declared_at = min(declared_at, p.now)
    return (nid, plan.mentor_id, year, month, reason, details, plan.mentor_user_id, declared_at)
