"""What a program's staff workspace holds besides sessions, added to the generated program
so that every staff list has rows at real size (an empty list skips its page query and
measures nothing): readiness items with each mentor's records (some expired, some
expiring), a caseload for the benchmark's staff member, check-ins, support requests and
follow-up questions. Deterministic, bulk inserted; a few seconds at 20,000 mentors.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

STAFF_SHARE = 4  # the benchmark's staff member coordinates one active match in four
SUPPORT_REQUESTS = 200
FOLLOW_UPS = 300


@transaction.atomic
def add(*, staff_email: str, seed: int = 2026) -> dict:
    from portal.accounts.models import User
    from portal.checkins.models import CheckIn
    from portal.followups.models import FollowUp
    from portal.mentoring.models import Match, MatchStatus, Mentor, SessionLog
    from portal.readiness.models import ReadinessItem, ReadinessRecord
    from portal.support.models import SupportRequest

    chooser = random.Random(seed)  # noqa: S311  (benchmark data, not secrets)
    staff = User.objects.get(email=staff_email)
    now = timezone.now()
    today = timezone.localdate()
    counts = {}

    items = [
        ReadinessItem.objects.get_or_create(name=name, defaults=values)[0]
        for name, values in (
            ("Background check", {"required": True, "valid_months": 24, "position": 1}),
            ("Orientation", {"required": True, "valid_months": None, "position": 2}),
            ("Two references", {"required": True, "valid_months": None, "position": 3}),
            ("First aid", {"required": False, "valid_months": 12, "position": 4}),
        )
    ]
    # Done within the last 30 months: about one background check in five has expired and
    # a few are expiring; one mentor in ten lacks orientation, one in seven references.
    shares = (1.0, 0.9, 0.85, 0.5)
    records = []
    for mentor_id in Mentor.objects.values_list("pk", flat=True).iterator():
        for item, share in zip(items, shares, strict=True):
            if chooser.random() < share:
                records.append(
                    ReadinessRecord(
                        mentor_id=mentor_id,
                        item=item,
                        done_on=today - dt.timedelta(days=chooser.randrange(1, 900)),
                        recorded_at=now,
                        recorded_by=staff,
                    )
                )
    ReadinessRecord.objects.bulk_create(records, batch_size=5000)
    counts["readiness_records"] = len(records)

    active = list(
        Match.objects.filter(status=MatchStatus.ACTIVE).order_by("pk").values_list("pk", flat=True)
    )
    mine = active[::STAFF_SHARE]
    counts["staff_caseload"] = Match.objects.filter(pk__in=mine).update(coordinator=staff)
    checkins = []
    for match_id in active:
        for kind, share, days in (("mentor", 0.5, 60), ("guardian", 0.25, 150)):
            if chooser.random() < share:
                checkins.append(
                    CheckIn(
                        match_id=match_id,
                        recorded_by=staff,
                        recorded_at=now,
                        with_whom=kind,
                        how="call",
                        on_date=today - dt.timedelta(days=chooser.randrange(1, days)),
                    )
                )
    CheckIn.objects.bulk_create(checkins, batch_size=5000)
    counts["checkins"] = len(checkins)

    SupportRequest.objects.bulk_create(
        SupportRequest(
            name=f"Visitor {number}",
            email=f"visitor{number}@bench.example.org",
            topic="sign_in" if number % 2 else "other",
            message="I cannot sign in with the link I was sent.",
            status="new" if number % 3 else "closed",
            created_at=now - dt.timedelta(hours=number),
        )
        for number in range(SUPPORT_REQUESTS)
    )
    counts["support_requests"] = SUPPORT_REQUESTS

    recent = SessionLog.objects.live().order_by("-starts_at").values_list("pk", flat=True)
    FollowUp.objects.bulk_create(
        FollowUp(
            session_id=session_id,
            asked_by=staff,
            asked_at=now,
            question="Which chapter did you read together?",
        )
        for session_id in recent[:FOLLOW_UPS]
    )
    counts["follow_ups"] = FOLLOW_UPS
    return counts
