"""The portal's scheduled jobs: the one list the worker (``manage.py run_worker``) runs,
each on its own cadence, each due time (slot) once across every worker and server
(``portal/jobs/runs.py``). A new job is one line here, in its app's services.

Each job is a function of no arguments that returns what it did (a count, or something
falsy when there was nothing to do). Every job is idempotent, so a slot run again after
its worker was killed (once the lease runs out) does no harm; a job that fails is logged
and recorded, and the others still run.

What each costs, measured with EXPLAIN ANALYZE on PostgreSQL 15 with the bench data
(``manage.py bench_data``: 1,000,000 sessions, 20,000 mentors, 25,000 matches) and
50,000 sign-in sessions, on this 2-core machine, December 2026. Before, every job ran
every minute in every worker.

- escalate_concerns (every 5 minutes): the index on concerns' (status, raised_at), 0.1 ms.
- send_reminders (every 15 minutes): the weekly reminder read the past week's sessions
  with a parallel sequential scan of all 1,000,000 (121 ms), because sessions *entered*
  in the week had no index, and it did so every minute from the reminder day to Sunday,
  in each worker. With the index of live sessions by entry time (mentoring migration
  0011) both halves of the week are index ranges joined by a bitmap OR: 66 ms, most of it
  the mentors and matches. The deadline reminder reads the month through the index of
  live sessions by time (migration 0007): 45 ms. The recipients used to be read through
  a server-side cursor, which PostgreSQL plans for its first rows: a loop over every
  mentor's sessions (1.4 s). They are now read in one plain query, then 500 at a time
  by primary key: a run 15 minutes after the first finds the 34 mentors newly due in
  78 ms (2.2 s before); the first run, queueing 3,896 weekly reminders, takes 4.3 s.
  tests/test_job_queries.py fails if a job that runs through the day reads more than a
  tenth of the sessions again.
- purge_expired (daily, 500 sessions a run): the sessions older than the cutoff are a
  large share of the table (with one year kept, 287,000 of 1,000,000), for which reading
  the table is the right plan. It used to sort all of them by date for each batch of 500
  (a parallel sequential scan and sort, 84 ms, every minute); it now takes them in the
  order of the primary key (44 ms a batch) and runs once a day, batch after batch until
  less than a batch is left.
- forget_links (every 5 minutes): the partial index of emails still holding a link.
- clear_sessions (daily): Django's index on the sign-in sessions' expiry date, 1.4 ms to
  find 5,000 expired among 50,000.
- send_coordinator_digests (Mondays 07:00): a constant number of queries per coordinator
  (counts on the indexes of matches by coordinator and status), whatever their caseload.
- check_readiness (daily 02:30) and send_readiness_reminders (daily 09:00): the active
  matches with their mentors, then one aggregate of the latest record per mentor and item
  (the index on records' item, mentor and day); the reminders narrow each item's records
  to those that can expire within 30 days before looking at them.
- prune_job_runs (daily) and each claim: the index on a run's due time (jobs_jobrun).
- expire_file_jobs (every 15 minutes): the index of file jobs by status (file_job_status),
  a handful of rows a day.
"""

from portal.filejobs.expiry import BATCH as FILE_JOBS_BATCH
from portal.filejobs.expiry import file_jobs_expire
from portal.jobs.cadence import daily_at, minutes, weekly_at
from portal.jobs.runs import Job, job_runs_prune
from portal.lifecycle.services import (
    PURGE_BATCH,
    sessions_purge_expired,
    signin_sessions_clear_expired,
)
from portal.mentoring.digest import digests_send
from portal.mentoring.models import ProgramSettings
from portal.mentoring.reminders import reminders_send
from portal.notifications.services import notifications_forget_links
from portal.readiness.rules import NIGHTLY_CHECK_AT
from portal.readiness.services import expiry_reminders_send, readiness_check
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
    # Each coordinator's Monday digest of their caseload (once per coordinator and week).
    Job("send_coordinator_digests", digests_send, weekly_at(0, 7, 0)),
    # Volunteer readiness: active matches of mentors who are not ready are flagged (and,
    # when the program refuses them, held), their coordinators told once.
    Job("check_readiness", readiness_check, daily_at(*NIGHTLY_CHECK_AT)),
    # One reminder per record to a mentor whose item expires in the next 30 days.
    Job("send_readiness_reminders", expiry_reminders_send, daily_at(9, 0)),
    # The history of these runs (/admin/), kept for a month.
    Job("prune_job_runs", job_runs_prune, daily_at(4, 0)),
    # Background exports' files are deleted 24 hours after they are ready (and failed
    # jobs' leftovers): within 15 minutes of their time.
    Job("expire_file_jobs", file_jobs_expire, minutes(15), batch=FILE_JOBS_BATCH),
]

SCHEDULED_JOBS = {job.name: job for job in JOBS}


def program_time_zone():
    """Daily jobs run at a time of the program's time zone, read fresh each round."""
    return ProgramSettings.load().tz
