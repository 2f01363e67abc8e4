"""Imports of mentors, mentees, matches and school contacts from CSV.

``import_check`` reads the whole file and lists every problem by row and column without
saving anything; ``import_save`` saves every new row in one transaction, and only when the
check finds nothing. Lookups are done once per file, not once per row.

An import can be repeated: a row whose natural key is already in the portal (a mentor's
email; a mentee's name, school and grade; a match's pair and start date), or repeats an
earlier row of the file, is shown in the preview and skipped when saving.

kinds.py holds what each import reads, checks.py the checks, saving.py the save.
"""

from portal.staff.imports.checks import import_check
from portal.staff.imports.kinds import (
    ALREADY_THERE,
    BACKGROUND_MAX_ROWS,
    KINDS,
    MAX_ROWS,
    CheckResult,
    Kind,
    Problem,
    Saved,
    read_rows,
    template_csv,
)
from portal.staff.imports.saving import import_save

__all__ = [
    "ALREADY_THERE",
    "BACKGROUND_MAX_ROWS",
    "KINDS",
    "MAX_ROWS",
    "CheckResult",
    "Kind",
    "Problem",
    "Saved",
    "import_check",
    "import_save",
    "read_rows",
    "template_csv",
]
