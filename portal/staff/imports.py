"""Imports of mentors, mentees, matches and school contacts from CSV.

``import_check`` reads the whole file and lists every problem by row and column without
saving anything; ``import_save`` saves every row in one transaction, and only when the
check finds nothing. Lookups are done once per file, not once per row.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from portal.accounts import site_contacts
from portal.accounts.models import Role, User
from portal.audit.services import log_action
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


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    columns: list[str]
    required: list[str]
    example: list[str]


KINDS = {
    "mentors": Kind(
        "mentors",
        "Mentors",
        ["email", "full_name", "phone", "status"],
        ["email", "full_name"],
        ["pat.lee@example.org", "Pat Lee", "(312) 555-0100", "invited"],
    ),
    "mentees": Kind(
        "mentees",
        "Mentees",
        ["first_name", "last_initial", "school", "grade", "status"],
        ["first_name", "last_initial", "school", "grade"],
        ["Jane", "D", "Lincoln Elementary", "4", "active"],
    ),
    "matches": Kind(
        "matches",
        "Matches",
        ["mentor_email", "mentee_first_name", "mentee_last_initial", "school", "start_date"],
        ["mentor_email", "mentee_first_name", "mentee_last_initial", "school", "start_date"],
        ["pat.lee@example.org", "Jane", "D", "Lincoln Elementary", "2026-09-01"],
    ),
    "contacts": Kind(
        "contacts",
        "School contacts",
        ["school", "name", "role", "email", "phone"],
        ["school", "name", "email", "phone"],
        ["Lincoln Elementary", "Dana Whitfield", "Counselor", "dwhitfield@example.org", "555-0141"],
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
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def preview(self, limit: int = 200) -> list[tuple[int, list[str]]]:
        """The first rows as the file had them, numbered as a spreadsheet numbers them."""
        return [
            (index + 2, [row.get(column, "") for column in self.kind.columns])
            for index, row in enumerate(self.rows[:limit])
        ]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def template_csv(kind: Kind) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(kind.columns)
    writer.writerow(kind.example)
    return buffer.getvalue()


def read_rows(text: str, kind: Kind, result: CheckResult) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in kind.required if c not in headers]
    for column in missing:
        result.problems.append(
            Problem(1, column, f'The first row needs a column named "{column}".')
        )
    if missing:
        return []
    reader.fieldnames = headers
    rows = []
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            result.problems.append(
                Problem(number, "", f"Import at most {MAX_ROWS:,} rows at once.")
            )
            break
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        rows.append((number, row))
    if not rows and not result.problems:
        result.problems.append(Problem(2, "", "The file has no rows under the first one."))
    return rows


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
    return result


def _need(row: dict, number: int, column: str, result: CheckResult, label: str) -> str:
    value = row.get(column, "")
    if not value:
        result.problems.append(Problem(number, column, f"Enter the {label}."))
    return value


def _check_mentors(rows, result: CheckResult) -> None:
    emails = [row.get("email", "").lower() for _, row in rows]
    taken = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    seen: dict[str, int] = {}
    for number, row in rows:
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
                if email in taken:
                    result.problems.append(
                        Problem(number, "email", "Someone already signs in with this email.")
                    )
                elif email in seen:
                    result.problems.append(
                        Problem(number, "email", f"This email is also on row {seen[email]}.")
                    )
                seen.setdefault(email, number)
        if status not in MentorStatus.values:
            result.problems.append(
                Problem(number, "status", "Status is invited, active or inactive.")
            )
        if len(name) > 150:
            result.problems.append(
                Problem(number, "full_name", "Names can be at most 150 characters.")
            )
        result.rows.append(
            {
                "email": email,
                "full_name": name,
                "phone": row.get("phone", "")[:40],
                "status": status,
            }
        )


def _sites() -> dict[str, SchoolSite]:
    return {site.name.lower(): site for site in SchoolSite.objects.all()}


def _check_mentees(rows, result: CheckResult) -> None:
    sites = _sites()
    grades = {value for value, _ in GRADE_CHOICES}
    for number, row in rows:
        first = _need(row, number, "first_name", result, "first name")
        initial = _need(row, number, "last_initial", result, "last initial")
        school = _need(row, number, "school", result, "school site")
        grade = _need(row, number, "grade", result, "grade").upper()
        status = (row.get("status") or MenteeStatus.ACTIVE).lower()
        if len(first) > 60:
            result.problems.append(
                Problem(number, "first_name", "First names can be at most 60 characters.")
            )
        if initial and not (len(initial) == 1 and initial.isalpha() and initial.isascii()):
            result.problems.append(
                Problem(
                    number,
                    "last_initial",
                    "Enter one letter: the first letter of the last name only.",
                )
            )
        if school and school.lower() not in sites:
            result.problems.append(
                Problem(number, "school", f'There is no school site named "{school}".')
            )
        if grade and grade not in grades:
            result.problems.append(Problem(number, "grade", "Grade is K or a number from 1 to 12."))
        if status not in MenteeStatus.values:
            result.problems.append(Problem(number, "status", "Status is active or inactive."))
        result.rows.append(
            {
                "first_name": first,
                "last_initial": initial.upper(),
                "school": school,
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
    firsts = {row.get("mentee_first_name", "") for _, row in rows}
    mentees: dict[tuple, list[Mentee]] = {}
    for mentee in Mentee.objects.filter(first_name__in=firsts):
        key = (mentee.first_name.lower(), mentee.last_initial, mentee.site_id)
        mentees.setdefault(key, []).append(mentee)
    for number, row in rows:
        email = _need(row, number, "mentor_email", result, "mentor's email").lower()
        first = _need(row, number, "mentee_first_name", result, "mentee's first name")
        initial = _need(row, number, "mentee_last_initial", result, "mentee's last initial").upper()
        school = _need(row, number, "school", result, "school site")
        start_text = _need(row, number, "start_date", result, "start date")
        site = sites.get(school.lower()) if school else None
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
        found = mentees.get((first.lower(), initial, site.pk), []) if site and first else []
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
        result.rows.append(
            {
                "mentor_email": email,
                "mentor_id": mentors[email].pk if email in mentors else None,
                "mentee": f"{first} {initial}.",
                "mentee_first_name": first,
                "mentee_last_initial": initial,
                "mentee_id": found[0].pk if len(found) == 1 else None,
                "school": school,
                "site_id": site.pk if site else None,
                "start_date": start.isoformat() if start else "",
            }
        )


def _check_contacts(rows, result: CheckResult) -> None:
    """School contacts: each one's email becomes their sign-in (see site_contacts)."""
    sites = _sites()
    emails = {row.get("email", "").lower() for _, row in rows}
    already = {
        (email, site_id)
        for email, site_id in SiteContact.objects.filter(email__in=emails).values_list(
            "email", "site_id"
        )
    }
    seen: dict[tuple[str, int], int] = {}
    for number, row in rows:
        school = _need(row, number, "school", result, "school site")
        name = _need(row, number, "name", result, "contact's name")
        phone = _need(row, number, "phone", result, "phone number")
        email = _need(row, number, "email", result, "email address").lower()
        role = row.get("role", "")
        site = sites.get(school.lower()) if school else None
        if school and site is None:
            result.problems.append(
                Problem(number, "school", f'There is no school site named "{school}".')
            )
        for column, value in (("name", name), ("role", role), ("phone", phone)):
            limit = SiteContact._meta.get_field(column).max_length
            if len(value) > limit:
                result.problems.append(
                    Problem(number, column, f"This can be at most {limit} characters.")
                )
        if email:
            try:
                validate_email(email)
            except ValidationError:
                result.problems.append(
                    Problem(number, "email", "Enter an email address like name@example.org.")
                )
                email = ""
        if email:
            problem = site_contacts.contact_email_problem(email)
            if problem:
                result.problems.append(Problem(number, "email", problem))
            elif site and (email, site.pk) in already:
                result.problems.append(
                    Problem(number, "email", f"This person is already a contact at {site.name}.")
                )
            elif site and (email, site.pk) in seen:
                result.problems.append(
                    Problem(number, "email", f"This person is also on row {seen[email, site.pk]}.")
                )
            if site:
                seen.setdefault((email, site.pk), number)
        result.rows.append(
            {
                "school": school,
                "site_id": site.pk if site else None,
                "name": name,
                "role": role,
                "email": email or row.get("email", ""),
                "phone": phone,
            }
        )


@transaction.atomic
def import_save(*, kind_name: str, text: str, user) -> int:
    """Check the file again and save every row, or nothing (raises ValueError)."""
    result = import_check(kind_name=kind_name, text=text)
    if not result.ok:
        raise ValueError("The file has problems: nothing was saved.")
    if kind_name == "mentors":
        for row in result.rows:
            account = User.objects.create_user(
                email=row["email"],
                password=None,
                role=Role.MENTOR,
                full_name=row["full_name"],
                phone=row["phone"],
            )
            Mentor.objects.create(user=account, status=row["status"])
    elif kind_name == "mentees":
        sites = _sites()
        Mentee.objects.bulk_create(
            Mentee(
                first_name=row["first_name"],
                last_initial=row["last_initial"],
                site=sites[row["school"].lower()],
                grade=row["grade"],
                status=row["status"],
            )
            for row in result.rows
        )
    elif kind_name == "contacts":
        for row in result.rows:
            contact = SiteContact(
                site_id=row["site_id"],
                name=row["name"],
                role=row["role"],
                email=row["email"],
                phone=row["phone"],
            )
            site_contacts.site_contact_save(contact=contact, actor=user)
    else:
        Match.objects.bulk_create(
            Match(
                mentor_id=row["mentor_id"],
                mentee_id=row["mentee_id"],
                site_id=row["site_id"],
                start_date=dt.date.fromisoformat(row["start_date"]),
                status=MatchStatus.ACTIVE,
            )
            for row in result.rows
        )
    log_action(
        actor=user,
        action=f"import.{kind_name}",
        obj=ProgramSettings.load(),
        new={"rows": len(result.rows)},
        note=f"Imported {len(result.rows)} {kind_name}",
    )
    return len(result.rows)
