"""Imports of mentors, mentees, matches and school contacts from CSV.

``import_check`` reads the whole file and lists every problem by row and column without
saving anything; ``import_save`` saves every new row in one transaction, and only when the
check finds nothing. Lookups are done once per file, not once per row.

An import can be repeated: a row whose natural key is already in the portal (a mentor's
email; a mentee's name, school and grade; a match's pair and start date), or repeats an
earlier row of the file, is shown in the preview and skipped when saving.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Model

from portal.accounts import people, site_contacts
from portal.accounts.models import Role, User
from portal.audit.services import log_action
from portal.lib import csvfile
from portal.lib.text import length_problem
from portal.mentoring.models import (
    GRADE_CHOICES,
    Match,
    MatchStatus,
    Mentee,
    MenteeStatus,
    Mentor,
    MentorStatus,
    ProgramSettings,
    SchoolSite,
    SiteContact,
)

MAX_ROWS = 5000
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


def read_rows(text: str, kind: Kind, result: CheckResult) -> list[tuple[int, dict]]:
    """The rows of the file whose values fit their columns (the others are problems)."""
    headers = {csvfile.header_key(column): column for column in kind.columns}
    table = csvfile.read_csv(text, headers=headers, max_rows=MAX_ROWS)
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


def _normal(name: str) -> str:
    """A name as the natural keys compare it: case and spaces do not matter."""
    return " ".join(name.split()).casefold()


def import_check(*, kind_name: str, text: str) -> CheckResult:
    kind = KINDS[kind_name]
    result = CheckResult(kind=kind)
    rows = read_rows(text, kind, result)
    check = {
        "mentors": _check_mentors,
        "mentees": _check_mentees,
        "matches": _check_matches,
        "contacts": _check_contacts,
    }
    if rows:
        check[kind_name](rows, result)
        # Each check adds one row to result.rows per row of the file, in order.
        for (number, _), row in zip(rows, result.rows, strict=True):
            row["row"] = number
    result.problems.sort(key=lambda problem: problem.row)
    return result


def _need(row: dict, number: int, column: str, result: CheckResult, label: str) -> str:
    value = row.get(column, "")
    if not value:
        result.problems.append(Problem(number, column, f"Enter the {label}."))
    return value


def _check_mentors(rows, result: CheckResult) -> None:
    emails = [row.get("email", "").lower() for _, row in rows]
    # Emails are stored in lower case.
    accounts = {user.email: user for user in User.objects.filter(email__in=emails)}
    mentors = {(email,) for email, account in accounts.items() if account.is_mentor}
    seen: dict[tuple, int] = {}
    for number, row in rows:
        problems = len(result.problems)
        email = _need(row, number, "email", result, "email address").lower()
        name = _need(row, number, "full_name", result, "full name")
        status = (row.get("status") or MentorStatus.INVITED).lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                result.problems.append(
                    Problem(number, "email", "Enter an email address like name@example.org.")
                )
            else:
                # A mentor already in the portal is skipped below, not refused.
                account = accounts.get(email)
                if account is not None and not account.is_mentor:
                    problem = people.email_in_use(account, becoming=Role.MENTOR)
                    result.problems.append(Problem(number, "email", problem))
        if status not in MentorStatus.values:
            result.problems.append(
                Problem(number, "status", "Status is invited, active or inactive.")
            )
        if len(result.problems) == problems:
            result.skip_repeats(number, (email,), existing=mentors, seen=seen)
        result.rows.append(
            {
                "email": email,
                "full_name": name,
                "phone": row.get("phone", ""),
                "status": status,
            }
        )


def _sites() -> dict[str, SchoolSite]:
    """Every school site by its name as ``_normal`` writes it."""
    return {_normal(site.name): site for site in SchoolSite.objects.all()}


def _mentee_key(first_name: str, last_initial: str, site_id: int, grade: str) -> tuple:
    return (_normal(first_name), last_initial.upper(), site_id, grade.upper())


def _check_mentees(rows, result: CheckResult) -> None:
    sites = _sites()
    grades = {value for value, _ in GRADE_CHOICES}
    named = {sites[k].pk for k in {_normal(row.get("school", "")) for _, row in rows} if k in sites}
    existing = {
        _mentee_key(*values)
        for values in Mentee.objects.filter(site_id__in=named).values_list(
            "first_name", "last_initial", "site_id", "grade"
        )
    }
    seen: dict[tuple, int] = {}
    for number, row in rows:
        problems = len(result.problems)
        first = _need(row, number, "first_name", result, "first name")
        initial = _need(row, number, "last_initial", result, "last initial")
        school = _need(row, number, "school", result, "school site")
        grade = _need(row, number, "grade", result, "grade").upper()
        status = (row.get("status") or MenteeStatus.ACTIVE).lower()
        site = sites.get(_normal(school))
        if initial and not (len(initial) == 1 and initial.isalpha() and initial.isascii()):
            result.problems.append(
                Problem(
                    number,
                    "last_initial",
                    "Enter one letter: the first letter of the last name only.",
                )
            )
        if school and site is None:
            result.problems.append(
                Problem(number, "school", f'There is no school site named "{school}".')
            )
        if grade and grade not in grades:
            result.problems.append(Problem(number, "grade", "Grade is K or a number from 1 to 12."))
        if status not in MenteeStatus.values:
            result.problems.append(Problem(number, "status", "Status is active or inactive."))
        if len(result.problems) == problems:
            key = _mentee_key(first, initial, site.pk, grade)
            result.skip_repeats(number, key, existing=existing, seen=seen)
        result.rows.append(
            {
                "first_name": first,
                "last_initial": initial.upper(),
                "school": site.name if site else school,
                "site_id": site.pk if site else None,
                "grade": grade,
                "status": status,
            }
        )


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _check_matches(rows, result: CheckResult) -> None:
    sites = _sites()
    emails = {row.get("mentor_email", "").lower() for _, row in rows}
    mentors = {
        m.user.email: m
        for m in Mentor.objects.filter(user__email__in=emails).select_related("user")
    }
    named = {sites[k].pk for k in {_normal(row.get("school", "")) for _, row in rows} if k in sites}
    mentees: dict[tuple, list[Mentee]] = {}
    for mentee in Mentee.objects.filter(site_id__in=named):
        key = (_normal(mentee.first_name), mentee.last_initial, mentee.site_id)
        mentees.setdefault(key, []).append(mentee)
    existing = set(
        Match.objects.filter(mentor__in=mentors.values(), mentee__site_id__in=named).values_list(
            "mentor_id", "mentee_id", "start_date"
        )
    )
    seen: dict[tuple, int] = {}
    for number, row in rows:
        problems = len(result.problems)
        email = _need(row, number, "mentor_email", result, "mentor's email").lower()
        first = _need(row, number, "mentee_first_name", result, "mentee's first name")
        initial = _need(row, number, "mentee_last_initial", result, "mentee's last initial").upper()
        school = _need(row, number, "school", result, "school site")
        start_text = _need(row, number, "start_date", result, "start date")
        site = sites.get(_normal(school)) if school else None
        if school and site is None:
            result.problems.append(
                Problem(number, "school", f'There is no school site named "{school}".')
            )
        if email and email not in mentors:
            result.problems.append(
                Problem(
                    number,
                    "mentor_email",
                    "No mentor signs in with this email. Import the mentor first.",
                )
            )
        found = mentees.get((_normal(first), initial, site.pk), []) if site and first else []
        if site and first and initial and not found:
            result.problems.append(
                Problem(
                    number,
                    "mentee_first_name",
                    f"No mentee {first} {initial}. at {site.name}. Import the mentee first.",
                )
            )
        elif len(found) > 1:
            result.problems.append(
                Problem(
                    number,
                    "mentee_first_name",
                    f"Two mentees are called {first} {initial}. at {site.name}: "
                    "add this match on its own page.",
                )
            )
        start = _parse_date(start_text) if start_text else None
        if start_text and start is None:
            result.problems.append(
                Problem(number, "start_date", "Write the date as YYYY-MM-DD, like 2026-09-01.")
            )
        if len(result.problems) == problems:
            key = (mentors[email].pk, found[0].pk, start)
            result.skip_repeats(number, key, existing=existing, seen=seen)
        result.rows.append(
            {
                "mentor_email": email,
                "mentor_id": mentors[email].pk if email in mentors else None,
                "mentee": f"{first} {initial}.",
                "mentee_first_name": first,
                "mentee_last_initial": initial,
                "mentee_id": found[0].pk if len(found) == 1 else None,
                "school": site.name if site else school,
                "site_id": site.pk if site else None,
                "start_date": start.isoformat() if start else "",
            }
        )


def _check_contacts(rows, result: CheckResult) -> None:
    """School contacts: each one's email becomes their sign-in (see site_contacts).

    The natural key is the email at a school: a contact already at that school is skipped.
    """
    sites = _sites()
    emails = {row.get("email", "").lower() for _, row in rows}
    existing = {
        (email.lower(), site_id)
        for email, site_id in SiteContact.objects.filter(email__in=emails).values_list(
            "email", "site_id"
        )
    }
    accounts = {user.email: user for user in User.objects.filter(email__in=emails)}
    seen: dict[tuple, int] = {}
    for number, row in rows:
        problems = len(result.problems)
        school = _need(row, number, "school", result, "school site")
        name = _need(row, number, "name", result, "contact's name")
        phone = _need(row, number, "phone", result, "phone number")
        email = _need(row, number, "email", result, "email address").lower()
        site = sites.get(_normal(school)) if school else None
        if school and site is None:
            result.problems.append(
                Problem(number, "school", f'There is no school site named "{school}".')
            )
        if email:
            try:
                validate_email(email)
            except ValidationError:
                result.problems.append(
                    Problem(number, "email", "Enter an email address like name@example.org.")
                )
            else:
                problem = people.email_in_use(accounts.get(email), becoming=Role.SITE_CONTACT)
                if problem:
                    result.problems.append(Problem(number, "email", problem))
        if len(result.problems) == problems:
            result.skip_repeats(number, (email, site.pk), existing=existing, seen=seen)
        result.rows.append(
            {
                "school": site.name if site else school,
                "site_id": site.pk if site else None,
                "name": name,
                "role": row.get("role", ""),
                "email": email,
                "phone": phone,
            }
        )


def import_save(*, kind_name: str, text: str, user) -> Saved:
    """Check the file again and save every new row, or nothing (raises ValueError).

    Rows already in the portal are skipped. Imports take turns (a lock on the program's
    settings row), and each checks the file once it has the lock: the same file saved twice
    at once adds its rows once.
    """
    with transaction.atomic():
        _take_turns()
        result = import_check(kind_name=kind_name, text=text)
        if not result.ok:
            raise ValueError("The file has problems: nothing was saved.")
        rows = result.new_rows
        _save[kind_name](rows, user=user)
        saved = Saved(added=len(rows), skipped=len(result.skipped))
        kind = KINDS[kind_name]
        log_action(
            actor=user,
            action=f"import.{kind_name}",
            obj=ProgramSettings.load(),
            new={"added": saved.added, "skipped": saved.skipped},
            note=f"Imported {kind.count(saved.added)}, skipped {saved.skipped}",
        )
    return saved


def _take_turns() -> None:
    """Wait for any other import to finish (PostgreSQL: a row lock held until the end of
    the transaction; SQLite: the portal's transactions already take the write lock)."""
    settings_row = ProgramSettings.objects.filter(pk=ProgramSettings.load().pk)
    list(settings_row.select_for_update().values_list("pk", flat=True))


def _save_mentors(rows: list[dict], *, user) -> None:
    for row in rows:
        people.mentor_create(
            email=row["email"], full_name=row["full_name"], phone=row["phone"], status=row["status"]
        )


def _save_mentees(rows: list[dict], *, user) -> None:
    Mentee.objects.bulk_create(
        Mentee(
            first_name=row["first_name"],
            last_initial=row["last_initial"],
            site_id=row["site_id"],
            grade=row["grade"],
            status=row["status"],
        )
        for row in rows
    )


def _save_matches(rows: list[dict], *, user) -> None:
    Match.objects.bulk_create(
        Match(
            mentor_id=row["mentor_id"],
            mentee_id=row["mentee_id"],
            site_id=row["site_id"],
            start_date=dt.date.fromisoformat(row["start_date"]),
            status=MatchStatus.ACTIVE,
        )
        for row in rows
    )


def _save_contacts(rows: list[dict], *, user) -> None:
    for row in rows:
        contact = SiteContact(
            site_id=row["site_id"],
            name=row["name"],
            role=row["role"],
            email=row["email"],
            phone=row["phone"],
        )
        # Creates or links the contact's sign-in and queues their invitation.
        site_contacts.site_contact_save(contact=contact, actor=user)


_save = {
    "mentors": _save_mentors,
    "mentees": _save_mentees,
    "matches": _save_matches,
    "contacts": _save_contacts,
}
