"""The demo's text messages (issue 16): mentor2@example.org opted in three weeks ago, with
a number of the 555-01xx range kept for fiction, so their reminders and coordinator's
questions are also texted; the demo's console backend prints each one in the worker's
output. Through the opt-in service (consent wording, time and audit entry). Once only."""

import datetime as dt

from portal.mentoring.demo import Demo
from portal.mentoring.demo.followups import SECOND_MENTOR_EMAIL
from portal.mentoring.models import Mentor
from portal.texts.models import TextSubscription
from portal.texts.rules import consent_wording
from portal.texts.services import texts_opt_in

TEXTING_MENTOR_EMAIL = SECOND_MENTOR_EMAIL
TEXTING_MENTOR_PHONE = "+15555550123"


def create_text_optins(demo: Demo) -> None:
    mentor = Mentor.objects.select_related("user").get(user__email=TEXTING_MENTOR_EMAIL)
    if TextSubscription.objects.filter(mentor=mentor).exists():
        return
    texts_opt_in(
        mentor=mentor,
        phone=TEXTING_MENTOR_PHONE,
        wording=consent_wording(demo.program.name),
        actor=mentor.user,
        now=demo.now - dt.timedelta(days=21),
    )
