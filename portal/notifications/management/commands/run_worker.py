"""The portal's one background process: sends the outbox and runs the scheduled jobs.

    manage.py run_worker [--jobs-every SECONDS]

It keeps polling like ``send_notifications --loop`` and, each round, runs the scheduled
jobs of ``portal/schedule.py`` that have fallen due, each on its own cadence. A thread of
its own runs the background exports and imports (portal/filejobs/worker.py). Each due
time of a job is claimed once across every worker and server (``portal/jobs/runs.py``),
so several workers may run side by side and a job still runs once.
"""

import dataclasses
import socket

from django.core.management.base import CommandError

from portal import schedule
from portal.filejobs.worker import FileJobThread
from portal.jobs.cadence import Every
from portal.jobs.runs import Scheduler
from portal.notifications.management.commands.send_notifications import (
    Command as SendNotificationsCommand,
)


class Command(SendNotificationsCommand):
    help = "Send emails as they are queued and run each scheduled job when it is due."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--jobs-every",
            type=int,
            metavar="SECONDS",
            help="Run every job on this cadence instead of its own (to try the schedule "
            "out on a test server; still once per due time across workers).",
        )

    def handle(self, *args, jobs_every: int | None = None, **options):
        if jobs_every is not None and jobs_every < 1:
            raise CommandError("--jobs-every must be at least 1 second.")
        options["loop"] = True
        self._scheduler = None
        self._jobs_every = jobs_every
        self._file_jobs = None
        self._interval = options.get("interval", 5.0)
        try:
            return super().handle(*args, **options)
        finally:
            if self._file_jobs is not None:
                self.stopping = True
                # Its job goes back to the queue at its next progress update.
                self._file_jobs.join(timeout=60)

    def _send_all_due(self, *, worker_id: str, **kwargs) -> None:
        if self._scheduler is None:
            self._scheduler = scheduler_for(worker_id, every=self._jobs_every)
        if self._file_jobs is None:
            self._file_jobs = FileJobThread(
                worker=f"{worker_id}:files", stop=lambda: self.stopping, interval=self._interval
            )
            self._file_jobs.start()
        self._scheduler.run_due()
        super()._send_all_due(worker_id=worker_id, **kwargs)


def scheduler_for(worker_id: str, *, every: int | None = None) -> Scheduler:
    jobs = schedule.JOBS
    if every is not None:
        jobs = [dataclasses.replace(job, cadence=Every(every)) for job in jobs]
    return Scheduler(jobs=jobs, worker=worker_id, tz=schedule.program_time_zone)


def run_scheduled_jobs(*, worker_id: str | None = None) -> dict[str, str]:
    """Run, once, each job whose current slot nobody has claimed (the tests; a shell)."""
    return scheduler_for(worker_id or f"{socket.gethostname()[:50]}:once").run_due()
