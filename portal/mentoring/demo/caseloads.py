"""The demo's caseloads and closures (SPEC 8): staff@example.org supports most active
matches, a second coordinator some, a few have nobody yet; the closed matches say who
asked, why, when the pair last met and whether the closure conversations happened."""

import datetime as dt

from django.db.models import Max
from django.utils import timezone

from portal.accounts.models import Role, User
from portal.mentoring import caseloads
from portal.mentoring.demo import Demo
from portal.mentoring.demo.data import STAFF_EMAIL
from portal.mentoring.demo.people import account
from portal.mentoring.models import Choice, ChoiceList, ClosureInitiator, Match, MatchStatus

SECOND_COORDINATOR_EMAIL = "staff2@example.org"
UNASSIGNED = 3  # active matches left for an administrator to assign


def create_caseloads(demo: Demo) -> None:
    staff = User.objects.get(email=STAFF_EMAIL)
    second = account(demo, SECOND_COORDINATOR_EMAIL, "Maria Lopez", Role.STAFF, "(312) 555-0103")
    admin = User.objects.get(email="admin@example.org")
    if not Match.objects.filter(coordinator__isnull=False).exists():
        active = list(
            Match.objects.filter(status=MatchStatus.ACTIVE)
            .order_by("start_date", "pk")
            .values_list("pk", flat=True)
        )
        assigned = active[:-UNASSIGNED]
        to_second = assigned[1::4]  # every fourth match
        to_staff = [pk for pk in assigned if pk not in set(to_second)]
        for coordinator, pks in ((staff, to_staff), (second, to_second)):
            caseloads.assign_coordinator(
                matches=Match.objects.filter(pk__in=pks), coordinator=coordinator, actor=admin
            )
    _answer_closures(demo, staff)


def _answer_closures(demo: Demo, staff: User) -> None:
    reasons = {c.label: c for c in Choice.objects.filter(list=ChoiceList.CLOSURE_REASON)}
    answers = [
        (ClosureInitiator.FAMILY, "Family request", True, True),
        (ClosureInitiator.FAMILY, "Mentee changed school", True, False),
        (ClosureInitiator.MENTOR, "Mentor moved or schedule changed", True, True),
    ]
    closed = (
        Match.objects.filter(status=MatchStatus.CLOSED, closure_choice__isnull=True)
        .annotate(last_at=Max("sessions__starts_at"))
        .order_by("pk")
    )
    for match, (who, label, with_mentor, with_family) in zip(closed, answers, strict=False):
        match.closed_by_whom = who
        match.closure_choice = reasons.get(label)
        last = (
            timezone.localtime(match.last_at, demo.tz).date()
            if match.last_at
            else match.end_date - dt.timedelta(days=7)
        )
        match.last_meeting_on = min(last, match.end_date)
        match.closure_talk_with_mentor = with_mentor
        match.closure_talk_with_family = with_family
        match.coordinator = match.coordinator or staff
        match.save(
            update_fields=[
                "closed_by_whom",
                "closure_choice",
                "last_meeting_on",
                "closure_talk_with_mentor",
                "closure_talk_with_family",
                "coordinator",
            ]
        )
