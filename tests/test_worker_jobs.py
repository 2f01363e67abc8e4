"""The background worker runs the scheduled jobs, and one broken job stops nothing."""

import datetime as dt
import logging

from django.utils import timezone

from portal import schedule
from portal.notifications.management.commands import run_worker
from portal.notifications.models import Notification
from portal.safeguarding.models import SafetyConcern
from portal.safeguarding.services import concern_raise


def test_the_scheduled_jobs_raise_an_old_concern_again_once(match_a, mentor_a, staff_user):
    concern = concern_raise(
        match=match_a,
        description="Bruise on the arm.",
        raised_by=mentor_a,
        now=timezone.now() - dt.timedelta(hours=30),
    )
    run_worker.run_scheduled_jobs()
    run_worker.run_scheduled_jobs()
    concern.refresh_from_db()
    assert concern.escalated_at is not None
    assert Notification.objects.filter(template="concern-escalated").count() == 1


def test_a_failing_job_is_logged_and_the_others_still_run(
    monkeypatch, caplog, match_a, mentor_a, staff_user
):
    concern_raise(
        match=match_a,
        description="Bruise on the arm.",
        raised_by=mentor_a,
        now=timezone.now() - dt.timedelta(hours=30),
    )

    def broken():
        raise RuntimeError("boom")

    jobs = {"broken": broken, **schedule.SCHEDULED_JOBS}
    monkeypatch.setattr(schedule, "SCHEDULED_JOBS", jobs)
    with caplog.at_level(logging.ERROR, logger="portal.worker"):
        run_worker.run_scheduled_jobs()
    assert "scheduled job broken failed" in caplog.text
    assert SafetyConcern.objects.get().escalated_at is not None
