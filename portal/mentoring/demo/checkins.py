"""The demo's support check-ins (SPEC 8): each coordinator's caseload with check-ins that
are overdue, due soon and recent, with match strengths, and a year of earlier monthly mentor
check-ins behind them, so the match strength report has a year to show.

Written directly rather than through ``checkins.services``: the service dates a check-in
as recorded now and would raise concerns by email; the demo's check-ins are in the past and
raise none. A match that has check-ins already is left as it is, so a second run adds nothing.
"""

import datetime as dt

from django.utils import timezone

from portal.accounts.models import User
from portal.checkins.models import CheckIn
from portal.mentoring.demo import Demo
from portal.mentoring.demo.caseloads import SECOND_COORDINATOR_EMAIL
from portal.mentoring.demo.data import MAIN_MENTOR_EMAIL, STAFF_EMAIL
from portal.mentoring.models import Match, MatchStatus

# The whole caseload: a coordinator who keeps up has a few late check-ins, not dozens.
CASELOAD_SIZE = 200
NOTES = [
    "Going well; they are reading a chapter book together.",
    "Mentor asked for ideas for rainy days. Sent the activity list.",
    "Mum says the visits are the highlight of the week.",
    "Teacher sees better attendance on mentoring days.",
]

# (kind, days ago, how, strength) by the match's place in the caseload, four patterns:
# mostly recent and fine; now and then a mentor check-in overdue, one due within days, and
# one match with nothing since it started.
PATTERNS = [
    [("mentor", 6, "call", 5), ("guardian", 20, "call", None)],
    [("mentor", 41, "text", 3), ("guardian", 50, "call", None)],
    [("mentor", 27, "in_person", 4), ("guardian", 85, "email", None)],
    [("mentor", 12, "in_person", 4), ("guardian", 33, "call", None)],
    [("mentor", 3, "text", 4), ("guardian", 61, "email", None)],
    [("mentor", 18, "call", 3), ("guardian", 9, "in_person", None)],
    [("mentor", 9, "in_person", 5), ("guardian", 44, "call", None)],
    [],
]
# Earlier mentor check-ins, a month apart before the latest, back to the match's start: a
# year that starts shakier and grows stronger (the match's strength minus these steps).
HISTORY_MONTHS = 11
HISTORY_DAYS_APART = 30


def _caseload(demo: Demo, coordinator: User) -> list[Match]:
    """The coordinator's own matches (demo/caseloads.py gives them out first), the main
    demo mentor's first, so that every check-in in the demo is on the right caseload."""
    active = Match.objects.filter(status=MatchStatus.ACTIVE, coordinator=coordinator)
    main = list(active.filter(mentor__user__email=MAIN_MENTOR_EMAIL).order_by("pk"))
    others = active.exclude(pk__in=[m.pk for m in main]).order_by("pk")
    return (main + list(others))[:CASELOAD_SIZE]


def create_checkins(demo: Demo) -> None:
    for email in (STAFF_EMAIL, SECOND_COORDINATOR_EMAIL):
        coordinator = User.objects.get(email=email)
        for index, match in enumerate(_caseload(demo, coordinator)):
            if match.checkins.exists():
                continue
            CheckIn.objects.bulk_create(_checkins(demo, match, coordinator, index))


def _checkins(demo: Demo, match: Match, coordinator: User, index: int) -> list[CheckIn]:
    def checkin(kind: str, day: dt.date, how: str, strength: int | None, note: int) -> CheckIn:
        return CheckIn(
            match=match,
            recorded_by=coordinator,
            recorded_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)), demo.tz),
            with_whom=kind,
            how=how,
            on_date=day,
            at_time=dt.time(10, 30),
            notes=NOTES[note % len(NOTES)],
            strength=strength,
        )

    found = []
    for kind, days_ago, how, strength in PATTERNS[index % len(PATTERNS)]:
        day = max(demo.today - dt.timedelta(days=days_ago), match.start_date)
        found.append(checkin(kind, day, how, strength, index))
        if kind != "mentor":
            continue
        for back in range(1, HISTORY_MONTHS + 1):
            earlier = day - dt.timedelta(days=HISTORY_DAYS_APART * back)
            if earlier < match.start_date:
                break
            weaker = back // 6 + ((index + back) % 4 == 0)
            found.append(checkin(kind, earlier, "call", max(1, strength - weaker), index + back))
    return found
