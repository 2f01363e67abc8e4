"""The demo's follow-ups (issue 14, item 3): staff's questions about entries, in each state.

mentor@example.org has one question waiting on their home page; mentor2@example.org has
answered one that staff have yet to resolve; an older one of mentor@example.org is
resolved. They go through the follow-up services (audit trail and emails included) and
are then dated back to when they would have happened. A question already there is left.
"""

import datetime as dt

from portal.accounts.models import User
from portal.followups import services
from portal.followups.models import FollowUp
from portal.mentoring.demo import Demo
from portal.mentoring.demo.data import MAIN_MENTOR_EMAIL, STAFF_EMAIL
from portal.mentoring.models import Attendance, SessionLog

SECOND_MENTOR_EMAIL = "mentor2@example.org"

# mentor's email, which of their entries with the mentee present (0: the newest), question,
# answer, resolution note, days ago it was asked.
FOLLOWUPS = [
    (MAIN_MENTOR_EMAIL, 0, "Can you tell me more about the washing machine?", "", "", 2),
    (
        SECOND_MENTOR_EMAIL,
        0,
        "You mentioned he seemed tired. Is that new, or has it been going on a while?",
        "It has been about two weeks. He said his little sister keeps him up at night.",
        "",
        5,
    ),
    (
        MAIN_MENTOR_EMAIL,
        3,
        "Did the school supplies arrive?",
        "Yes, the backpack came on Monday. She was really happy.",
        "Thanked the mentor; nothing more to do.",
        30,
    ),
]


def _entry(email: str, index: int) -> SessionLog | None:
    entries = SessionLog.objects.live().filter(
        match__mentor__user__email=email, attendance=Attendance.MET
    )
    return entries.order_by("-starts_at")[index : index + 1].first()


def create_followups(demo: Demo) -> None:
    staff = User.objects.get(email=STAFF_EMAIL)
    for email, index, question, answer, note, days_ago in FOLLOWUPS:
        session = _entry(email, index)
        if session is None or FollowUp.objects.filter(session=session, question=question).exists():
            continue
        asked_at = demo.now - dt.timedelta(days=days_ago)
        followup = services.followup_ask(session=session, user=staff, question=question)
        if answer:
            services.followup_answer(
                followup=followup,
                user=session.match.mentor.user,
                answer=answer,
                now=asked_at + dt.timedelta(days=1),
            )
        if note:
            services.followup_resolve(
                followup=followup, user=staff, note=note, now=asked_at + dt.timedelta(days=2)
            )
        FollowUp.objects.filter(pk=followup.pk).update(asked_at=asked_at)
