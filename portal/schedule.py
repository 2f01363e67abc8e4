"""The portal's scheduled jobs: the one list the worker (``manage.py run_worker``) runs,
once every ``JOBS_EVERY_SECONDS``.

Each job is a function of no arguments that returns what it did (a count, or something
falsy when there was nothing to do). Every job is idempotent, so several workers on
several servers may run at once; a job that fails is logged and the others still run.
A new job is one line here, in its app's services.
"""

from portal.lifecycle.services import sessions_purge_expired, signin_sessions_clear_expired
from portal.mentoring.reminders import reminders_send
from portal.notifications.services import notifications_forget_links
from portal.safeguarding.services import concerns_escalate

JOBS_EVERY_SECONDS = 60

SCHEDULED_JOBS = {
    # Safety concerns nobody acknowledged in time are raised again to staff.
    "escalate_concerns": concerns_escalate,
    # Weekly and deadline reminders to mentors.
    "send_reminders": reminders_send,
    # Data retention: blanks session notes past the program setting (off by default).
    "purge_expired": sessions_purge_expired,
    # Links that enroll or reset a password leave the outbox once sent or expired.
    "forget_links": notifications_forget_links,
    # Expired sign-in sessions, and the drafts kept in them: once a day (clearsessions).
    "clear_sessions": signin_sessions_clear_expired,
}
