"""The demo program of SPEC section 7, built by ``manage.py load_demo``.

Everything is looked up by a natural key before it is created, and a match's sessions are
generated only while it has none, so a second run finds everything in place.

Records go through the apps' services where a service does what the demo needs
(invitations and their acceptance, a school contact's invitation, Contact messages and
their answers, acknowledging and closing concerns, opening needs and moving them along:
each with its audit trail). The rest
is written directly, for a reason each time: the demo's accounts share one password hash
(hashing forty-five passwords would take seconds) and are enrolled already, while the
staff's "Add a mentor" leaves the account without a password to be set by invitation;
its sessions and concerns are dated in the past, while the session and concern services
record them as entered now and email the school at once, which would send every old
concern out on the first ``make demo``.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from portal.mentoring.demo.data import DEMO_PASSWORD
from portal.mentoring.models import ProgramSettings


@dataclass(frozen=True)
class Demo:
    """What every part of the build reads: the program and the moment it is built at."""

    program: ProgramSettings
    now: dt.datetime
    password: str  # the hash of the demo password, made once

    @property
    def tz(self):
        return self.program.tz

    @property
    def today(self) -> dt.date:
        return timezone.localtime(self.now, self.tz).date()

    @classmethod
    def start(cls, now: dt.datetime | None = None) -> "Demo":
        return cls(
            program=ProgramSettings.load(),
            now=now or timezone.now(),
            password=make_password(DEMO_PASSWORD),
        )
