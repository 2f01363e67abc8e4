"""One row per scheduled job and slot: the claim that lets one worker run it, and its
history (who ran it, when, how it ended, what it did)."""

from django.db import models

from portal.lib.constraints import one_of


class Outcome(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class JobRun(models.Model):
    job = models.CharField(max_length=60)
    slot = models.DateTimeField(help_text="When this run was due.")
    worker = models.CharField(max_length=80, help_text="The worker that holds or held it.")
    attempts = models.PositiveIntegerField(
        default=1,
        help_text="Claims of this slot: more than one when a worker stopped mid-run, "
        "lost the database, or the job had more to do than one run.",
    )
    started_at = models.DateTimeField()
    claimed_at = models.DateTimeField()
    # Until then nobody else may run this slot; a worker killed mid-run blocks it no longer.
    lease_until = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    done = models.PositiveIntegerField(default=0, help_text="What it did: how many records.")
    error = models.CharField(max_length=200, blank=True, help_text="The kind of error, if any.")

    class Meta:
        ordering = ["-slot", "job"]
        verbose_name = "scheduled job run"
        constraints = [
            # The claim itself: one row per job and slot, however many workers insert it.
            models.UniqueConstraint(fields=["job", "slot"], name="job_run_once_per_slot"),
            one_of("outcome", Outcome, name="job_run_outcome_known"),
        ]
        # The history is pruned by age (runs.job_runs_prune) and read newest first.
        indexes = [models.Index(fields=["slot"], name="job_run_slot")]

    def __str__(self) -> str:
        return f"{self.job} at {self.slot:%Y-%m-%d %H:%M:%S} UTC"
