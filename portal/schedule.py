"""The portal's scheduled jobs: the one list the worker (``manage.py run_worker``) runs,
each on its own cadence, each due time (slot) once across every worker and server
(``portal/jobs/runs.py``). A new job is one line here, in its app's services.

Each job is a function of no arguments that returns what it did (a count, or something
falsy when there was nothing to do). Every job is idempotent, so a slot run again after
its worker was killed (once the lease runs out) does no harm; a job that fails is logged
and recorded, and the others still run.

What each costs, measured with EXPLAIN ANALYZE on PostgreSQL 15 at real size (the bench
data: 1,000,000 sessions, 20,000 mentors; December 2026):

- escalate_concerns: the index on (status, raised_at) of concerns, 0.1 ms.
- send_reminders: the weekly reminder read every session of the past week through a
  parallel sequential scan of all 1,000,000 (120 ms, every minute from the reminder day
  to Sunday): sessions *entered* in the week had no index. With the index of live
  sessions by entry time (mentoring migration 0011) both halves of the week are index
  ranges (a bitmap OR): see tests/test_job_queries.py. The deadline reminder reads the
  month through the index of live sessions by time (45 ms).
- purge_expired: sessions older than the cutoff (with 1 year of retention, 300,000 of
  them): a sequential scan is the right plan for that share of the table (80 ms), and it
  now runs once a day, in batches, not every minute.
- forget_links: the partial index of emails still holding a link, 0.02 ms.
- clear_sessions: Django's index on the sign-in sessions' expiry date, once a day.
"""

from portal.jobs.cadence import daily_at, minutes
from portal.jobs.runs import Job, job_runs_prune
from portal.lifecycle.services import (
    PURGE_BATCH,
    sessions_purge_expired,
    signin_sessions_clear_expired,
)
from portal.mentoring.models import ProgramSettings
from portal.mentoring.reminders import reminders_send
from portal.notifications.services import notifications_forget_links
from portal.safeguarding.services import concerns_escalate

JOBS = [
    # Safety concerns nobody acknowledged in time are raised again to staff.
    Job("escalate_concerns", concerns_escalate, minutes(5)),
    # Weekly and deadline reminders to mentors. Every 15 minutes meets the reminder hour
    # exactly in any time zone (cadence.py) and catches a mentor who falls due later on.
    Job("send_reminders", reminders_send, minutes(15)),
    # Data retention: blanks session notes past the program setting (off by default).
    Job("purge_expired", sessions_purge_expired, daily_at(3, 0), batch=PURGE_BATCH),
    # Links that enroll or reset a password leave the outbox once sent or expired (the
    # worker removes each as it records the email: this catches the rest).
    Job("forget_links", notifications_forget_links, minutes(5)),
    # Expired sign-in sessions, and the drafts kept in them (Django's clearsessions).
    Job("clear_sessions", signin_sessions_clear_expired, daily_at(3, 30)),
    # The history of these runs (/admin/), kept for a month.
    Job("prune_job_runs", job_runs_prune, daily_at(4, 0)),
]

SCHEDULED_JOBS = {job.name: job for job in JOBS}


def program_time_zone():
    """Daily jobs run at a time of the program's time zone, read fresh each round."""
    return ProgramSettings.load().tz
