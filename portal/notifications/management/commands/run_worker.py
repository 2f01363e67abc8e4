"""The portal's one background process: sends the outbox and runs the scheduled jobs.

    manage.py run_worker

It keeps polling like ``send_notifications --loop`` and, once a minute, runs each
scheduled job listed in ``portal/schedule.py``. Every job is idempotent, so several
workers on several servers may run at once.
"""

import logging
import time

from django.db import DatabaseError

from portal import schedule
from portal.notifications.management.commands.send_notifications import (
    Command as SendNotificationsCommand,
)

logger = logging.getLogger("portal.worker")


class Command(SendNotificationsCommand):
    help = "Send emails as they are queued and run the scheduled jobs every minute."

    def handle(self, *args, **options):
        options["loop"] = True
        self._jobs_ran_at = float("-inf")
        return super().handle(*args, **options)

    def _send_all_due(self, **kwargs) -> None:
        if time.monotonic() - self._jobs_ran_at >= schedule.JOBS_EVERY_SECONDS:
            self._jobs_ran_at = time.monotonic()
            run_scheduled_jobs()
        super()._send_all_due(**kwargs)


def run_scheduled_jobs() -> None:
    for name, job in schedule.SCHEDULED_JOBS.items():
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
