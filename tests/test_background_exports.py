"""Background exports (portal/filejobs): which exports go to the worker, one worker runs
each job, a killed worker's job is taken over, the file is complete, progress is written,
the file goes after 24 hours, only its requester and administrators fetch it, every step
is audited."""

import csv
import datetime as dt
import io
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from portal.audit.models import AuditEvent
from portal.downloads import xlsx
from portal.filejobs import claims, exports, files, runner
from portal.filejobs.expiry import file_jobs_expire
from portal.filejobs.models import FileJob, JobStatus
from portal.mentoring.models import ProgramSettings, SessionLog
from portal.mentoring.rules import Month
from tests.conftest import log_session, signed_in
from tests.worker_processes import worker_database_env

EXCEL_ALL_TIME = "/staff/export/?report=sessions&file_format=xlsx"
CSV_ALL_TIME = "/staff/export/?report=sessions&file_format=csv"


@pytest.fixture(autouse=True)
def file_folder(settings, tmp_path):
    settings.FILE_JOBS_DIR = str(tmp_path / "file-jobs")
    # Every Excel export of a session or more goes to the worker, unless a test says.
    settings.EXPORT_BACKGROUND_ROWS = 0
    return tmp_path / "file-jobs"


def sessions_of(match, count: int, *, start: dt.datetime | None = None) -> list[SessionLog]:
    """``count`` sessions a day apart, the last one two days ago."""
    start = start or timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=count + 1)
    return [
        log_session(match, start + dt.timedelta(days=n), notes=f"Session {n}") for n in range(count)
    ]


def job_of(response) -> FileJob:
    assert response.status_code == 302, response.status_code
    path = urlsplit(response["Location"]).path
    assert path.startswith("/staff/exports/"), path
    return FileJob.objects.get(pk=int(path.split("/")[3]))


def run(worker: str = "w1", **kwargs) -> FileJob:
    job = runner.run_next(worker=worker, **kwargs)
    assert job is not None, "no job was waiting"
    return job


def downloaded(client, job: FileJob) -> bytes:
    response = client.get(f"/staff/exports/{job.pk}/download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def actions(job: FileJob) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="filejobs.filejob", object_id=job.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- Which exports go to the background ------------------------------------------------


def test_an_excel_export_of_all_time_over_the_threshold_goes_to_the_background(
    settings, staff_client, match_a
):
    settings.EXPORT_BACKGROUND_ROWS = 1
    first = sessions_of(match_a, 1)[0]
    direct = staff_client.get(EXCEL_ALL_TIME)  # a young program's all time: at once
    assert direct.status_code == 200 and direct.streaming
    sessions_of(match_a, 1, start=first.starts_at - dt.timedelta(days=1))
    job = job_of(staff_client.get(EXCEL_ALL_TIME))
    assert (job.status, job.report, job.file_format, job.rows_expected) == (
        "queued",
        "sessions",
        "xlsx",
        2,
    )
    page = staff_client.get(f"/staff/exports/{job.pk}/")
    assert page.status_code == 200
    assert b'http-equiv="refresh"' in page.content  # refreshes itself without JavaScript
    assert b"Waiting for the worker" in page.content


def test_a_month_over_the_threshold_goes_to_the_background_and_under_it_is_sent_at_once(
    settings, staff_client, match_a
):
    settings.EXPORT_BACKGROUND_ROWS = 3
    # Three sessions on the 5th to the 7th of a month two months ago, midday in Chicago.
    start = (timezone.now() - dt.timedelta(days=60)).replace(day=5, hour=18, minute=0)
    sessions = sessions_of(match_a, 3, start=start)
    month = Month.of(sessions[0].starts_at, ProgramSettings.load().tz)
    url = f"{EXCEL_ALL_TIME}&month={month.key}"
    direct = staff_client.get(url)
    assert direct.status_code == 200 and direct.streaming
    assert not FileJob.objects.exists()
    sessions_of(match_a, 1, start=sessions[0].starts_at + dt.timedelta(hours=3))
    job = job_of(staff_client.get(url))
    assert job.params["month"] == {"$month": month.key}
    assert job.download_name == f"sessions-{month.key}.xlsx"


def test_all_time_means_no_month_and_no_date_range():
    import dataclasses

    from portal.staff.selectors import SessionFilters

    assert exports.covers_all_time(SessionFilters(site=3, mentor="ann"))
    assert not exports.covers_all_time(SessionFilters(month=Month(2026, 5)))
    # A date range, whatever its fields are called.
    Ranged = dataclasses.make_dataclass(
        "Ranged", [("since", dt.date | None, None)], bases=(SessionFilters,)
    )
    assert exports.covers_all_time(Ranged())
    assert not exports.covers_all_time(Ranged(since=dt.date(2026, 1, 1)))


def test_csv_of_all_time_is_sent_at_once_unless_over_its_own_threshold(
    settings, staff_client, match_a
):
    sessions_of(match_a, 3)
    direct = staff_client.get(CSV_ALL_TIME)
    assert direct.status_code == 200 and direct.streaming
    settings.EXPORT_BACKGROUND_CSV_ROWS = 2
    job = job_of(staff_client.get(CSV_ALL_TIME))
    assert job.file_format == "csv"


def test_asking_again_while_it_is_waiting_gives_the_same_job(staff_client, staff_user, match_a):
    sessions_of(match_a, 1)
    first = job_of(staff_client.get(EXCEL_ALL_TIME))
    again = job_of(staff_client.get(EXCEL_ALL_TIME))
    assert again.pk == first.pk
    # Another question is another job.
    other = job_of(staff_client.get(EXCEL_ALL_TIME + "&include_children=on"))
    assert other.pk != first.pk and other.include_children
    assert FileJob.objects.count() == 2
    assert actions(first) == ["file_job.requested"]
    assert AuditEvent.objects.filter(action="export.deidentified", actor=staff_user).count() == 1
    # Once it is done, asking again makes a new file.
    run()
    assert job_of(staff_client.get(EXCEL_ALL_TIME)).pk not in (first.pk, other.pk)


def test_more_rows_than_an_excel_sheet_holds_go_on_in_a_second_sheet(
    monkeypatch, staff_client, match_a, file_folder
):
    # Excel's sheet limit (1,048,576 rows with the header), made small: the background
    # file is neither refused nor cut, its rows go on under the same header.
    monkeypatch.setattr(xlsx, "MAX_SHEET_ROWS", 3)
    sessions = sessions_of(match_a, 5)
    job = job_of(staff_client.get(EXCEL_ALL_TIME))
    job = run()
    assert job.status == "ready", job.error
    assert (job.rows_done, job.rows_expected) == (5, 5)
    book = load_workbook(io.BytesIO(downloaded(staff_client, job)), read_only=True)
    assert book.sheetnames == ["Sessions", "Sessions (2)", "Sessions (3)"]
    ids = []
    for sheet in book.worksheets:
        rows = list(sheet.values)
        assert rows[0][0] == "Session ID"
        ids += [row[0] for row in rows[1:]]
    assert sorted(ids) == sorted(s.pk for s in sessions)


# --- The worker writes the file ---------------------------------------------------------


def test_the_excel_file_is_complete_with_progress_every_n_rows(
    settings, monkeypatch, staff_client, match_a, file_folder
):
    settings.FILE_JOB_PROGRESS_EVERY = 2
    sessions = sessions_of(match_a, 7)
    job = job_of(staff_client.get(EXCEL_ALL_TIME))
    written = []
    update = claims.Claim.update

    def spy(self, **changes):
        if "rows_done" in changes:
            written.append(changes["rows_done"])
        return update(self, **changes)

    monkeypatch.setattr(claims.Claim, "update", spy)
    job = run()
    assert job.status == "ready", job.error
    assert written == [2, 4, 6, 7, 7]  # every 2 rows, the last count, then the ready mark
    assert (job.rows_done, job.rows_expected, job.percent) == (7, 7, 100)
    assert job.expires_at == job.finished_at + dt.timedelta(hours=24)
    # Only the finished file is in the folder: no temporary file is left.
    assert [p.name for p in file_folder.iterdir()] == [job.file_name]
    assert job.size == (file_folder / job.file_name).stat().st_size

    body = downloaded(staff_client, job)
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    rows = list(sheet.values)
    assert rows[0][0] == "Session ID" and "Notes" not in rows[0]
    assert sorted(row[0] for row in rows[1:]) == sorted(s.pk for s in sessions)
    page = staff_client.get(f"/staff/exports/{job.pk}/").content.decode()
    assert "Download sessions.xlsx" in page and 'http-equiv="refresh"' not in page


def test_the_csv_file_holds_the_same_rows_as_a_direct_download(settings, staff_client, match_a):
    # Progress every row: on PostgreSQL the rows come from a COPY, which holds the
    # connection until it ends (the progress must wait for it, not the other way round).
    settings.FILE_JOB_PROGRESS_EVERY = 1
    sessions_of(match_a, 4)
    direct = b"".join(staff_client.get(CSV_ALL_TIME + "&include_children=on").streaming_content)
    settings.EXPORT_BACKGROUND_CSV_ROWS = 1
    job_of(staff_client.get(CSV_ALL_TIME + "&include_children=on"))
    job = run()
    response = staff_client.get(f"/staff/exports/{job.pk}/download/")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="sessions.csv"'
    body = b"".join(response.streaming_content)
    assert body == direct
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert len(rows) == 5 and "Notes" in rows[0]
    assert job.rows_done == 4


def test_a_failure_fails_the_job_with_an_error_id_and_leaves_no_file(
    monkeypatch, staff_client, match_a, file_folder, caplog
):
    sessions_of(match_a, 2)
    job = job_of(staff_client.get(EXCEL_ALL_TIME))

    def broken(sessions, **kwargs):
        raise RuntimeError("notes of a child")

    monkeypatch.setattr("portal.staff.exports.sessions_table", broken)
    job = run()
    assert job.status == "failed" and "error id" in job.error
    assert "notes of a child" not in caplog.text and "notes of a child" not in job.error
    assert list(file_folder.iterdir()) == []
    assert actions(job) == ["file_job.requested", "file_job.started", "file_job.failed"]
    page = staff_client.get(f"/staff/exports/{job.pk}/").content.decode()
    assert "The export failed" in page and job.error in page


def test_a_worker_asked_to_stop_puts_its_job_back_in_the_queue(settings, staff_client, match_a):
    settings.FILE_JOB_PROGRESS_EVERY = 1
    sessions_of(match_a, 3)
    job = job_of(staff_client.get(EXCEL_ALL_TIME))
    run(stop=lambda: True)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.file_name) == ("queued", 0, "")
    assert run().status == "ready"


# --- One worker per job -----------------------------------------------------------------


def test_of_two_workers_one_claims_the_job(staff_client, match_a):
    sessions_of(match_a, 1)
    job = job_of(staff_client.get(EXCEL_ALL_TIME))
    first = claims.claim_next(worker="a")
    assert first is not None and first.pk == job.pk
    assert claims.claim_next(worker="b") is None
    assert runner.run_next(worker="b") is None


def test_a_killed_workers_job_is_taken_over_once_its_lease_runs_out(
    staff_client, match_a, file_folder
):
    sessions_of(match_a, 3)
    job = job_of(staff_client.get(EXCEL_ALL_TIME))
    started = timezone.now()
    dead = claims.claim_next(worker="dead", now=started)
    files.part_path(job.pk, dead.attempt).write_bytes(b"half a file")  # killed mid-write
    # While the lease lasts, nobody else takes it.
    assert (
        claims.claim_next(worker="w2", now=started + claims.lease() - dt.timedelta(seconds=1))
        is None
    )
    later = started + claims.lease() + dt.timedelta(seconds=1)
    taken = claims.claim_next(worker="w2", now=later)
    assert (taken.pk, taken.attempt) == (job.pk, 2)
    # The dead worker, if it wakes, can write nothing more.
    with pytest.raises(claims.LostClaim):
        dead.update(rows_done=1)
    claims.hand_back(taken)  # let run_next take it from the queue, now
    job = run("w2")
    assert job.status == "ready" and job.claimed_by == "w2"
    sheet = load_workbook(io.BytesIO(downloaded(staff_client, job)), read_only=True).active
    assert len(list(sheet.values)) == 4
    # The dead worker's half file goes with the expiry job.
    assert files.leftover_parts(job.pk)
    file_jobs_expire(now=job.expires_at)
    assert list(file_folder.iterdir()) == []


def test_a_job_that_keeps_killing_its_workers_is_given_up(staff_client, match_a):
    sessions_of(match_a, 1)
    job = job_of(staff_client.get(EXCEL_ALL_TIME))
    moment = timezone.now()
    for _ in range(claims.MAX_ATTEMPTS):
        moment += claims.lease() + dt.timedelta(seconds=1)
        assert claims.claim_next(worker="crashing", now=moment) is not None
    moment += claims.lease() + dt.timedelta(seconds=1)
    assert claims.claim_next(worker="next", now=moment) is None
    job.refresh_from_db()
    assert job.status == "failed" and "stopped" in job.error


def worker_env(**extra) -> dict:
    return worker_database_env(**extra)


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_run_a_job_once(match_a, staff_user, file_folder):
    sessions_of(match_a, 30)
    client = signed_in(staff_user)
    jobs = [
        job_of(client.get(EXCEL_ALL_TIME)),
        job_of(client.get(EXCEL_ALL_TIME + "&include_children=on")),
    ]
    env = worker_env(FILE_JOBS_DIR=str(file_folder))
    workers = [
        subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, str(django_settings.BASE_DIR / "manage.py"), "run_file_jobs"],
            env=env,
            cwd=django_settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in "ab"
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    for job in jobs:
        job.refresh_from_db()
        assert job.status == "ready" and job.attempts == 1, job.error
        assert actions(job).count("file_job.started") == 1
        assert actions(job).count("file_job.ready") == 1
    ran = sorted(int(out.split()[1]) for out, _ in outputs)
    assert sum(ran) == 2
    assert sorted(p.name for p in file_folder.iterdir()) == sorted(j.file_name for j in jobs)


@pytest.mark.django_db(transaction=True)
def test_run_worker_runs_file_jobs_in_its_thread_and_stops_cleanly(
    match_a, staff_user, file_folder
):
    import signal

    sessions_of(match_a, 5)
    job = job_of(signed_in(staff_user).get(EXCEL_ALL_TIME))
    env = worker_env(
        FILE_JOBS_DIR=str(file_folder),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    worker = subprocess.Popen(  # noqa: S603 - our own manage.py
        [
            sys.executable,
            str(django_settings.BASE_DIR / "manage.py"),
            "run_worker",
            "--interval",
            "0.2",
        ],
        env=env,
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while FileJob.objects.get(pk=job.pk).status != JobStatus.READY:
            assert worker.poll() is None, worker.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the worker did not run the job"
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err[-3000:]


# --- 24 hours, then gone ----------------------------------------------------------------


def test_the_file_is_deleted_24_hours_after_it_is_ready(staff_client, match_a, file_folder):
    sessions_of(match_a, 2)
    job_of(staff_client.get(EXCEL_ALL_TIME))
    job = run()
    path = file_folder / job.file_name
    assert file_jobs_expire(now=job.finished_at + dt.timedelta(hours=23)) == 0
    assert path.exists()
    assert file_jobs_expire(now=job.finished_at + dt.timedelta(hours=24, seconds=1)) == 1
    job.refresh_from_db()
    assert job.status == "expired" and job.file_name == ""
    assert not path.exists() and list(file_folder.iterdir()) == []
    assert file_jobs_expire(now=job.finished_at + dt.timedelta(hours=48)) == 0  # once
    download = staff_client.get(f"/staff/exports/{job.pk}/download/")
    assert download.status_code == 302  # back to its page, which says why
    assert "The file was deleted" in staff_client.get(f"/staff/exports/{job.pk}/").content.decode()
    assert actions(job) == [
        "file_job.requested",
        "file_job.started",
        "file_job.ready",
        "file_job.expired",
    ]


def test_the_expiry_is_a_scheduled_job():
    from portal.schedule import SCHEDULED_JOBS

    assert SCHEDULED_JOBS["expire_file_jobs"].run is file_jobs_expire


# --- Who may see it ---------------------------------------------------------------------


def test_only_the_requester_and_administrators_see_the_job_or_fetch_the_file(
    request, staff_client, staff_user, admin_user, match_a, mentor_a, site_contact_a
):
    from portal.accounts.models import Role
    from tests.conftest import make_user

    sessions_of(match_a, 2)
    job = job_of(staff_client.get(EXCEL_ALL_TIME))
    job = run()
    page, download = f"/staff/exports/{job.pk}/", f"/staff/exports/{job.pk}/download/"
    other_staff = make_user("other-staff@example.org", Role.STAFF, "Sam Other")
    for user in (other_staff, mentor_a, site_contact_a):
        client = signed_in(user)
        assert client.get(page).status_code == 404, user.email
        assert client.get(download).status_code == 404, user.email
    from django.test import Client

    anonymous = Client()
    for url in (page, download):
        assert "/sign-in/" in anonymous.get(url)["Location"]
    admin = signed_in(admin_user)
    assert admin.get(page).status_code == 200
    assert downloaded(admin, job).startswith(b"PK")  # an xlsx is a zip
    assert downloaded(staff_client, job).startswith(b"PK")
    downloads = AuditEvent.objects.filter(action="file_job.downloaded", object_id=job.pk)
    assert sorted(downloads.values_list("actor__email", flat=True)) == sorted(
        [admin_user.email, staff_user.email]
    )
    # A number that is no job answers the same as someone else's.
    assert staff_client.get("/staff/exports/999999/").status_code == 404


def test_the_export_page_lists_the_requesters_recent_exports(
    staff_client, staff_user, admin_user, match_a
):
    sessions_of(match_a, 1)
    job = job_of(staff_client.get(EXCEL_ALL_TIME))
    page = staff_client.get("/staff/export/").content.decode()
    assert f"/staff/exports/{job.pk}/" in page and "Your recent exports" in page
    assert (
        f"/staff/exports/{job.pk}/"
        not in signed_in(admin_user).get("/staff/export/").content.decode()
    )


def test_every_step_is_audited(staff_client, staff_user, match_a):
    sessions_of(match_a, 2)
    job = job_of(staff_client.get(EXCEL_ALL_TIME))
    run()
    downloaded(staff_client, job)
    events = AuditEvent.objects.filter(object_type="filejobs.filejob", object_id=job.pk).order_by(
        "pk"
    )
    assert [(e.action, e.actor_id) for e in events] == [
        ("file_job.requested", staff_user.pk),
        ("file_job.started", None),
        ("file_job.ready", None),
        ("file_job.downloaded", staff_user.pk),
    ]
    assert events[2].new_values["rows"] == 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_with_minus_9_mid_run_is_taken_over_after_its_lease(
    match_a, staff_user, file_folder
):
    if connection.vendor != "postgresql":
        pytest.skip("holding a worker mid-run takes a table lock, which SQLite does not have")
    import signal

    from django.db import transaction

    sessions_of(match_a, 5)
    job = job_of(signed_in(staff_user).get(EXCEL_ALL_TIME))
    command = [sys.executable, str(django_settings.BASE_DIR / "manage.py"), "run_file_jobs"]
    env = worker_env(FILE_JOBS_DIR=str(file_folder), FILE_JOB_LEASE_SECONDS="2")

    def start():
        return subprocess.Popen(  # noqa: S603 - our own manage.py
            command,
            env=env,
            cwd=django_settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    with transaction.atomic():
        # The first worker claims the job, then waits for the sessions it must read.
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE mentoring_sessionlog IN ACCESS EXCLUSIVE MODE")
        first = start()
        deadline = time.monotonic() + 30
        while FileJob.objects.get(pk=job.pk).status != JobStatus.RUNNING:
            assert first.poll() is None, first.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the first worker did not claim the job"
            time.sleep(0.1)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)
    time.sleep(2.5)  # its lease runs out
    second = start()
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err[-3000:]
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("ready", 2), job.error
    assert actions(job).count("file_job.started") == 2
    assert actions(job).count("file_job.ready") == 1
    assert [p.name for p in file_folder.iterdir()] == [job.file_name]
    sheet = load_workbook(file_folder / job.file_name, read_only=True).active
    assert len(list(sheet.values)) == 6


def test_a_background_export_of_a_range_of_days_is_named_and_audited_with_it(
    staff_client, match_a, file_folder
):
    sessions = sessions_of(match_a, 3)
    first_day = timezone.localtime(sessions[1].starts_at, ProgramSettings.load().tz).date()
    job = job_of(staff_client.get(f"{EXCEL_ALL_TIME}&date_from={first_day.isoformat()}"))
    assert job.download_name == f"sessions-from-{first_day.isoformat()}.xlsx"
    recorded = AuditEvent.objects.get(action="export.deidentified", actor=job.requester)
    assert recorded.new_values["date_range"] == {"from": first_day.isoformat(), "to": None}
    job = run()
    assert (job.status, job.rows_done) == ("ready", 2)
