"""What each import reads: its columns, the rows and problems of a checked file, and the
reading of the file itself (through the one CSV reader, portal/lib/csvfile.py)."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model

from portal.accounts.models import User
from portal.lib import csvfile
from portal.lib.text import length_problem
from portal.mentoring.models import Mentee, SchoolSite, SiteContact
from portal.readiness.models import ReadinessItem, ReadinessRecord

MAX_ROWS = 5000
# A file checked and saved by the worker (portal/filejobs/imports.py) may be this long.
BACKGROUND_MAX_ROWS = 50_000
# The worker's progress: rows checked, every so many.
PROGRESS_EVERY = 500
ALREADY_THERE = "Already in the portal: will be skipped"


def _max_length(model: type[Model], name: str) -> int:
    return model._meta.get_field(name).max_length


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    columns: list[str]
    required: list[str]
    example: list[str]
    # The longest value of each text column: the model field's own limit, so that a value
    # the database would refuse is reported in the preview.
    limits: dict[str, int] = field(default_factory=dict)
    singular: str = ""

    def count(self, number: int) -> str:
        """ "1 match", "3 matches"."""
        one = self.singular or self.title.lower()
        return f"{number} {one if number == 1 else self.title.lower()}"


KINDS = {
    "mentors": Kind(
        "mentors",
        "Mentors",
        ["email", "full_name", "phone", "status"],
        ["email", "full_name"],
        ["pat.lee@example.org", "Pat Lee", "(312) 555-0100", "invited"],
        limits={
            "email": _max_length(User, "email"),
            "full_name": _max_length(User, "full_name"),
            "phone": _max_length(User, "phone"),
        },
        singular="mentor",
    ),
    "mentees": Kind(
        "mentees",
        "Mentees",
        ["first_name", "last_initial", "school", "grade", "status"],
        ["first_name", "last_initial", "school", "grade"],
        ["Jane", "D", "Lincoln Elementary", "4", "active"],
        limits={
            "first_name": _max_length(Mentee, "first_name"),
            "school": _max_length(SchoolSite, "name"),
        },
        singular="mentee",
    ),
    "matches": Kind(
        "matches",
        "Matches",
        ["mentor_email", "mentee_first_name", "mentee_last_initial", "school", "start_date"],
        ["mentor_email", "mentee_first_name", "mentee_last_initial", "school", "start_date"],
        ["pat.lee@example.org", "Jane", "D", "Lincoln Elementary", "2026-09-01"],
        limits={
            "mentor_email": _max_length(User, "email"),
            "mentee_first_name": _max_length(Mentee, "first_name"),
            "school": _max_length(SchoolSite, "name"),
        },
        singular="match",
    ),
    "contacts": Kind(
        "contacts",
        "School contacts",
        ["school", "name", "role", "email", "phone"],
        ["school", "name", "email", "phone"],
        ["Lincoln Elementary", "Dana Whitfield", "Counselor", "dwhitfield@example.org", "555-0141"],
        limits={
            "school": _max_length(SchoolSite, "name"),
            "name": _max_length(SiteContact, "name"),
            "role": _max_length(SiteContact, "role"),
            "email": _max_length(SiteContact, "email"),
            "phone": _max_length(SiteContact, "phone"),
        },
        singular="school contact",
    ),
    # Readiness records (SPEC 8): a mentor's item done on a day, with a short note or file
    # reference; never an identity document.
    "readiness": Kind(
        "readiness",
        "Readiness records",
        ["mentor_email", "item", "done_on", "note"],
        ["mentor_email", "item", "done_on"],
        ["pat.lee@example.org", "Background check", "2026-08-14", "Clearance no. BC-1234"],
        limits={
            "mentor_email": _max_length(User, "email"),
            "item": _max_length(ReadinessItem, "name"),
            "note": _max_length(ReadinessRecord, "note"),
        },
        singular="readiness record",
    ),
}


@dataclass
class Problem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str


@dataclass
class CheckResult:
    kind: Kind
    # One per row of the file, in order, each with its row number under "row".
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # row number -> why
    # Told the rows checked so far, every PROGRESS_EVERY rows (the worker's progress page).
    progress: Callable[[int], None] | None = field(default=None, repr=False, compare=False)

    def each(self, rows):
        """The rows of a check's main loop, telling ``progress`` as they go."""
        for done, item in enumerate(rows, start=1):
            yield item
            if self.progress is not None and done % PROGRESS_EVERY == 0:
                self.progress(done)

    def preview(self, limit: int = 200) -> list[tuple[int, list[str], str]]:
        """The first rows as they will be saved, numbered as a spreadsheet numbers them,
        each with why it will be skipped (or "")."""
        return [
            (
                row["row"],
                [row.get(column, "") for column in self.kind.columns],
                self.skipped.get(row["row"], ""),
            )
            for row in self.rows[:limit]
        ]

    @property
    def new_rows(self) -> list[dict]:
        return [row for row in self.rows if row["row"] not in self.skipped]

    @property
    def to_add(self) -> str:
        """ "3 mentees": what saving the file adds."""
        return self.kind.count(len(self.new_rows))

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def skip_repeats(self, number: int, key: tuple, *, existing: set, seen: dict) -> None:
        """Skip the row when ``key`` is on an earlier row or already in the portal."""
        if key in seen:
            self.skipped[number] = f"Same as row {seen[key]}: will be skipped"
            return
        seen[key] = number
        if key in existing:
            self.skipped[number] = ALREADY_THERE


@dataclass
class Saved:
    added: int
    skipped: int


def template_csv(kind: Kind) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(kind.columns)
    writer.writerow(kind.example)
    return buffer.getvalue()


def read_rows(
    text: str, kind: Kind, result: CheckResult, *, max_rows: int = MAX_ROWS
) -> list[tuple[int, dict]]:
    """The rows of the file whose values fit their columns (the others are problems)."""
    headers = {csvfile.header_key(column): column for column in kind.columns}
    table = csvfile.read_csv(text, headers=headers, max_rows=max_rows)
    for number, message in table.problems:
        result.problems.append(Problem(number, "", message))
    layout = table.layout_problems(kind.required, what=kind.title.lower())
    result.problems.extend(Problem(*problem) for problem in layout)
    if table.missing(kind.required):
        return []
    rows = []
    for number, row in table.rows:
        too_long = [
            Problem(number, column, message)
            for column, limit in kind.limits.items()
            if (message := length_problem(row.get(column, ""), max_length=limit))
        ]
        result.problems.extend(too_long)
        if not too_long:
            rows.append((number, row))
    return rows
