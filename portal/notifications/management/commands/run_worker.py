"""The portal's one background process: sends the outbox and runs the scheduled jobs.

    manage.py run_worker

It keeps polling like ``send_notifications --loop`` and, once a minute, runs each
scheduled job (raising unacknowledged safety concerns again to staff, reminders, removing
links from sent emails; clearing expired sign-in sessions once a day). Every job is
idempotent, so several workers on several servers may run at once.
"""

import logging
import time

from django.db import DatabaseError

from portal.lifecycle.services import sessions_purge_expired, signin_sessions_clear_expired
from portal.mentoring.reminders import reminders_send
from portal.notifications.management.commands.send_notifications import (
    Command as SendNotificationsCommand,
)
from portal.notifications.services import notifications_forget_links
from portal.safeguarding.services import concerns_escalate

logger = logging.getLogger("portal.worker")

SCHEDULED_JOBS = {"escalate_concerns": concerns_escalate, "send_reminders": reminders_send}
# Data retention: blanks session notes past the program setting (off by default).
SCHEDULED_JOBS["purge_expired"] = sessions_purge_expired
# Links that enroll or reset a password leave the outbox once sent or expired.
SCHEDULED_JOBS["forget_links"] = notifications_forget_links
# Expired sign-in sessions, and the drafts kept in them: once a day (clearsessions).
SCHEDULED_JOBS["clear_sessions"] = signin_sessions_clear_expired
JOBS_EVERY_SECONDS = 60


class Command(SendNotificationsCommand):
    help = "Send emails as they are queued and run the scheduled jobs every minute."

    def handle(self, *args, **options):
        options["loop"] = True
        self._jobs_ran_at = float("-inf")
        return super().handle(*args, **options)

    def _send_all_due(self, **kwargs) -> None:
        if time.monotonic() - self._jobs_ran_at >= JOBS_EVERY_SECONDS:
            self._jobs_ran_at = time.monotonic()
            run_scheduled_jobs()
        super()._send_all_due(**kwargs)


def run_scheduled_jobs() -> None:
    for name, job in SCHEDULED_JOBS.items():
        try:
            done = job()
        except DatabaseError:
            raise  # the loop waits for the database and tries again
        except Exception:
            # One broken job must not stop the emails or the other jobs.
            logger.exception("scheduled job %s failed", name)
        else:
            if done:
                logger.info("scheduled job %s: %s", name, done)
