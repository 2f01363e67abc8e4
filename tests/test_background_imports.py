"""Large imports (portal/filejobs/imports.py): a file over the threshold is checked and
saved by the worker, all or nothing, with its progress and then its result or problems;
a small file is previewed and saved as before."""

from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.audit.models import AuditEvent
from portal.filejobs import claims, runner
from portal.filejobs.expiry import file_jobs_expire
from portal.filejobs.models import FileJob
from portal.mentoring.models import Mentee
from portal.staff import imports
from tests.conftest import signed_in


@pytest.fixture(autouse=True)
def small_threshold(settings, tmp_path):
    settings.FILE_JOBS_DIR = str(tmp_path / "file-jobs")
    settings.IMPORT_BACKGROUND_ROWS = 2
    return tmp_path / "file-jobs"


def upload(client, kind: str, text: str):
    file = SimpleUploadedFile(f"{kind}.csv", text.encode(), content_type="text/csv")
    return client.post(f"/staff/import/{kind}/", {"file": file})


def mentees_file(school, names) -> str:
    return "first_name,last_initial,school,grade\n" + "".join(
        f"{name},D,{school.name},4\n" for name in names
    )


def job_of(response) -> FileJob:
    assert response.status_code == 302, response.status_code
    path = urlsplit(response["Location"]).path
    assert path.startswith("/staff/imports/"), path
    return FileJob.objects.get(pk=int(path.split("/")[3]))


def test_a_small_file_is_previewed_as_before(staff_client, school_a):
    response = upload(staff_client, "mentees", mentees_file(school_a, ["Ann", "Ben"]))
    assert response.status_code == 200
    assert "Ready to save 2 mentees" in response.content.decode()
    assert not FileJob.objects.exists()


def test_a_large_file_is_checked_and_saved_by_the_worker(
    settings, monkeypatch, staff_client, staff_user, school_a, small_threshold
):
    monkeypatch.setattr("portal.staff.imports.kinds.PROGRESS_EVERY", 2)
    Mentee.objects.create(first_name="Ann", last_initial="D", site=school_a, grade="4")
    job = job_of(
        upload(staff_client, "mentees", mentees_file(school_a, ["Ann", "Ben", "Cy", "Di", "Ed"]))
    )
    assert (job.status, job.report, job.rows_expected) == ("queued", "mentees", 5)
    page = staff_client.get(f"/staff/imports/{job.pk}/").content.decode()
    assert "Waiting for the worker" in page and 'http-equiv="refresh"' in page
    # The uploaded text waits in the private folder, nowhere else.
    assert (small_threshold / job.file_name).exists()

    written = []
    update = claims.Claim.update

    def spy(self, **changes):
        written.append({k: v for k, v in changes.items() if k in ("rows_done", "phase")})
        return update(self, **changes)

    monkeypatch.setattr(claims.Claim, "update", spy)
    job = runner.run_next(worker="w1")
    assert job.status == "ready", job.error
    assert {"rows_done": 2} in written and {"rows_done": 4} in written
    assert {"phase": "saving", "rows_done": 5} in written
    assert job.result == {"added": 4, "skipped": 1}
    assert sorted(Mentee.objects.values_list("first_name", flat=True)) == [
        "Ann", "Ben", "Cy", "Di", "Ed"
    ]  # fmt: skip
    page = staff_client.get(f"/staff/imports/{job.pk}/").content.decode()
    assert "Added 4 mentees" in page and "Skipped 1 row" in page
    assert 'http-equiv="refresh"' not in page
    assert list(small_threshold.iterdir()) == []  # the upload is deleted once done
    start = staff_client.get("/staff/import/").content.decode()
    assert f"/staff/imports/{job.pk}/" in start and "Your recent large imports" in start
    assert AuditEvent.objects.filter(action="import.mentees", actor=staff_user).count() == 1
    steps = AuditEvent.objects.filter(object_type="filejobs.filejob", object_id=job.pk)
    assert list(steps.order_by("pk").values_list("action", flat=True)) == [
        "file_job.requested",
        "file_job.started",
        "file_job.ready",
    ]


def test_a_large_file_with_problems_saves_nothing_and_lists_them(staff_client, school_a):
    text = mentees_file(school_a, ["Ann", "Ben", "Cy"]) + "Dee,DD,Nowhere School,4\n"
    job = job_of(upload(staff_client, "mentees", text))
    job = runner.run_next(worker="w1")
    assert job.status == "failed"
    assert job.result["problem_count"] == 2
    assert not Mentee.objects.exists()
    page = staff_client.get(f"/staff/imports/{job.pk}/").content.decode()
    assert "There is a problem: 2 to fix. Nothing was saved." in page
    assert "Nowhere School" in page
    # After 24 hours the problems (which quote the file) go too.
    file_jobs_expire(now=job.expires_at)
    job.refresh_from_db()
    assert job.status == "expired" and job.result == {}


def test_a_save_that_fails_half_way_saves_nothing(monkeypatch, staff_client, school_a):
    job = job_of(upload(staff_client, "mentees", mentees_file(school_a, ["Ann", "Ben", "Cy"])))
    save = imports.saving._save["mentees"]

    def half_then_fail(rows, *, user):
        save(rows[:2], user=user)
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(imports.saving._save, "mentees", half_then_fail)
    job = runner.run_next(worker="w1")
    assert job.status == "failed" and "error id" in job.error
    assert not Mentee.objects.exists()
    assert "Nothing was saved" in staff_client.get(f"/staff/imports/{job.pk}/").content.decode()


def test_a_large_import_is_seen_by_its_requester_and_administrators_only(
    staff_client, admin_user, mentor_a, school_a
):
    from portal.accounts.models import Role
    from tests.conftest import make_user

    job = job_of(upload(staff_client, "mentees", mentees_file(school_a, ["Ann", "Ben", "Cy"])))
    page = f"/staff/imports/{job.pk}/"
    assert signed_in(admin_user).get(page).status_code == 200
    other = make_user("other-staff@example.org", Role.STAFF, "Sam Other")
    for user in (other, mentor_a):
        assert signed_in(user).get(page).status_code == 404
    # An export's page does not show an import, nor the other way round.
    assert staff_client.get(f"/staff/exports/{job.pk}/").status_code == 404


def test_a_background_import_may_be_longer_than_a_page_import(staff_client, school_a):
    names = [f"Kid{n:05d}" for n in range(imports.MAX_ROWS + 1)]
    text = mentees_file(school_a, names).replace(",D,", ",E,")
    job = job_of(upload(staff_client, "mentees", text))
    job = runner.run_next(worker="w1")
    assert job.status == "ready", job.result
    assert Mentee.objects.count() == imports.MAX_ROWS + 1
