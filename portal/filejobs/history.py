"""Every step of a job in the audit trail: requested, started, ready, downloaded, failed,
expired (its file deleted). The worker's steps have no actor: the portal acted."""

from portal.audit.services import log_action


def record(job, step: str, *, actor=None, note: str = "", **values) -> None:
    log_action(
        actor=actor,
        action=f"file_job.{step}",
        obj=job,
        new={"kind": job.kind, "report": job.report, "format": job.file_format, **values},
        note=note,
    )
