"""Large imports in the worker: a file of more than ``IMPORT_BACKGROUND_ROWS`` rows (2,000)
is checked and, when it has no problems, saved by the worker, all or nothing, exactly as
the page saves a small file (portal/staff/imports). The uploaded text waits in the
private folder until the job ends, then is deleted.

The worker checks the file first, outside any transaction, telling the page the rows
checked; then ``import_save`` takes the imports' turn, checks the file again under it and
saves every new row in one transaction (the page shows "saving" meanwhile: rows written
inside a transaction cannot be seen from outside it until it commits).
"""

import csv
import io

from django.conf import settings

from portal.filejobs import files
from portal.staff import imports

DEFAULT_BACKGROUND_ROWS = 2000
# The problems kept for the page: the first ones (the page asks for the file fixed anyway).
PROBLEMS_KEPT = 500


def background_rows() -> int:
    return getattr(settings, "IMPORT_BACKGROUND_ROWS", DEFAULT_BACKGROUND_ROWS)


def row_count(text: str) -> int:
    """The file's rows below the header (empty lines included: a rough, cheap count)."""
    return max(sum(1 for _ in csv.reader(io.StringIO(text))) - 1, 0)


def store_upload(job_pk: int, text: str) -> str:
    name = files.final_name(job_pk, "csv")
    part = files.part_path(job_pk, 0)
    files.write_chunks([text], part)
    files.put_in_place(part, name)
    return name


def run_import(job, claim, *, progress) -> tuple[str, dict, int]:
    """Check, then save. Returns the outcome ("ready" or "failed"), the result for the
    page and the rows checked. ``progress`` is told the rows checked as they go."""
    text = files.path_of(job.file_name).read_text(encoding="utf-8")
    claim.update(phase="checking", rows_expected=row_count(text))
    result = imports.import_check(
        kind_name=job.report,
        text=text,
        max_rows=imports.BACKGROUND_MAX_ROWS,
        progress=progress,
    )
    checked = len(result.rows)
    if not result.ok:
        problems = [
            {"row": p.row, "column": p.column, "message": p.message}
            for p in result.problems[:PROBLEMS_KEPT]
        ]
        return "failed", {"problems": problems, "problem_count": len(result.problems)}, checked
    claim.update(phase="saving", rows_done=checked)
    try:
        saved = imports.import_save(
            kind_name=job.report,
            text=text,
            user=job.requester,
            max_rows=imports.BACKGROUND_MAX_ROWS,
        )
    except ValueError:
        # Something changed between the two checks (another import, a new mentor):
        # nothing was saved; the page asks for the file again.
        again = imports.import_check(
            kind_name=job.report, text=text, max_rows=imports.BACKGROUND_MAX_ROWS
        )
        problems = [
            {"row": p.row, "column": p.column, "message": p.message}
            for p in again.problems[:PROBLEMS_KEPT]
        ]
        return "failed", {"problems": problems, "problem_count": len(again.problems)}, checked
    return "ready", {"added": saved.added, "skipped": saved.skipped}, checked
