"""The check of each import, row by row, before anything is saved: every problem by row
and column, and the rows already in the portal (or earlier in the file) to skip."""

import datetime as dt

from portal.accounts import people
from portal.accounts.models import Role, User
from portal.mentoring.models import (
    GRADE_CHOICES,
    Match,
    Mentee,
    MenteeStatus,
    Mentor,
    MentorStatus,
    SchoolSite,
    SiteContact,
)
from portal.readiness import rules as readiness_rules
from portal.readiness import selectors as readiness_selectors
from portal.readiness.models import ReadinessItem, ReadinessRecord
from portal.staff.imports.kinds import KINDS, MAX_ROWS, CheckResult, Problem, read_rows


def _normal(name: str) -> str:
    """A name as the natural keys compare it: case and spaces do not matter."""
    return " ".join(name.split()).casefold()


def import_check(
    *, kind_name: str, text: str, max_rows: int = MAX_ROWS, progress=None
) -> CheckResult:
    """Every problem of the file; ``progress`` is told the rows checked as they go."""
    kind = KINDS[kind_name]
    result = CheckResult(kind=kind, progress=progress)
    rows = read_rows(text, kind, result, max_rows=max_rows)
    check = {
        "mentors": _check_mentors,
        "mentees": _check_mentees,
        "matches": _check_matches,
        "contacts": _check_contacts,
        "readiness": _check_readiness,
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


def _check_email(
    email: str, number: int, result: CheckResult, *, account: User | None, becoming: str
) -> None:
    """An email's problem, if it has one: its form, or someone else signing in with it."""
    if account is not None and account.role == becoming:
        # The same person: a mentor already in the portal is skipped as a repeat, not
        # refused; a school contact may be a contact at one more school.
        account = None
    problem = people.email_problem(email, becoming=becoming, account=account)
    if problem:
        result.problems.append(Problem(number, "email", problem))


def _check_mentors(rows, result: CheckResult) -> None:
    emails = [row.get("email", "").lower() for _, row in rows]
    # Emails are stored in lower case.
    accounts = {user.email: user for user in User.objects.filter(email__in=emails)}
    mentors = {(email,) for email, account in accounts.items() if account.is_mentor}
    seen: dict[tuple, int] = {}
    for number, row in result.each(rows):
        problems = len(result.problems)
        email = _need(row, number, "email", result, "email address").lower()
        name = _need(row, number, "full_name", result, "full name")
        status = (row.get("status") or MentorStatus.INVITED).lower()
        if email:
            _check_email(email, number, result, account=accounts.get(email), becoming=Role.MENTOR)
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


def _named_site_ids(sites: dict[str, SchoolSite], rows) -> set[int]:
    """The school sites the file names, to look up only their records."""
    return {sites[k].pk for k in {_normal(row.get("school", "")) for _, row in rows} if k in sites}


def _site(
    sites: dict[str, SchoolSite], school: str, number: int, result: CheckResult
) -> SchoolSite | None:
    """The school site a row names, or None (with a problem when it names one we lack)."""
    site = sites.get(_normal(school)) if school else None
    if school and site is None:
        result.problems.append(
            Problem(number, "school", f'There is no school site named "{school}".')
        )
    return site


def _mentee_key(first_name: str, last_initial: str, site_id: int, grade: str) -> tuple:
    return (_normal(first_name), last_initial.upper(), site_id, grade.upper())


def _check_mentees(rows, result: CheckResult) -> None:
    sites = _sites()
    grades = {value for value, _ in GRADE_CHOICES}
    named = _named_site_ids(sites, rows)
    existing = {
        _mentee_key(*values)
        for values in Mentee.objects.filter(site_id__in=named).values_list(
            "first_name", "last_initial", "site_id", "grade"
        )
    }
    seen: dict[tuple, int] = {}
    for number, row in result.each(rows):
        problems = len(result.problems)
        first = _need(row, number, "first_name", result, "first name")
        initial = _need(row, number, "last_initial", result, "last initial")
        school = _need(row, number, "school", result, "school site")
        grade = _need(row, number, "grade", result, "grade").upper()
        status = (row.get("status") or MenteeStatus.ACTIVE).lower()
        if initial and not (len(initial) == 1 and initial.isalpha() and initial.isascii()):
            result.problems.append(
                Problem(
                    number,
                    "last_initial",
                    "Enter one letter: the first letter of the last name only.",
                )
            )
        site = _site(sites, school, number, result)
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
    named = _named_site_ids(sites, rows)
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
    for number, row in result.each(rows):
        problems = len(result.problems)
        email = _need(row, number, "mentor_email", result, "mentor's email").lower()
        first = _need(row, number, "mentee_first_name", result, "mentee's first name")
        initial = _need(row, number, "mentee_last_initial", result, "mentee's last initial").upper()
        school = _need(row, number, "school", result, "school site")
        start_text = _need(row, number, "start_date", result, "start date")
        site = _site(sites, school, number, result)
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
    for number, row in result.each(rows):
        problems = len(result.problems)
        school = _need(row, number, "school", result, "school site")
        name = _need(row, number, "name", result, "contact's name")
        phone = _need(row, number, "phone", result, "phone number")
        email = _need(row, number, "email", result, "email address").lower()
        site = _site(sites, school, number, result)
        if email:
            _check_email(
                email, number, result, account=accounts.get(email), becoming=Role.SITE_CONTACT
            )
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


def _check_readiness(rows, result: CheckResult) -> None:
    """Readiness records: the mentor by email, the item by its name (case does not matter),
    the day it was done (not in the future); the same mentor, item and day is skipped."""
    emails = {row.get("mentor_email", "").lower() for _, row in rows}
    mentors = {
        m.user.email: m
        for m in Mentor.objects.filter(user__email__in=emails).select_related("user")
    }
    items = {_normal(i.name): i for i in ReadinessItem.objects.filter(is_retired=False)}
    existing = set(
        ReadinessRecord.objects.filter(mentor__in=mentors.values()).values_list(
            "mentor_id", "item_id", "done_on"
        )
    )
    today = readiness_selectors.program_today()
    seen: dict[tuple, int] = {}
    for number, row in result.each(rows):
        problems = len(result.problems)
        email = _need(row, number, "mentor_email", result, "mentor's email").lower()
        name = _need(row, number, "item", result, "readiness item")
        done_text = _need(row, number, "done_on", result, "day it was done")
        if email and email not in mentors:
            result.problems.append(
                Problem(
                    number, "mentor_email", "No mentor signs in with this email. Check the email."
                )
            )
        item = items.get(_normal(name)) if name else None
        if name and item is None:
            offered = ", ".join(i.name for i in items.values()) or "none yet"
            result.problems.append(
                Problem(number, "item", f"No requirement is called this. The program's: {offered}.")
            )
        done = _parse_date(done_text) if done_text else None
        if done_text and done is None:
            result.problems.append(
                Problem(number, "done_on", "Write the date as YYYY-MM-DD, like 2026-09-01.")
            )
        elif done and (problem := readiness_rules.done_date_problem(done, today=today)):
            result.problems.append(Problem(number, "done_on", problem))
        if len(result.problems) == problems:
            key = (mentors[email].pk, item.pk, done)
            result.skip_repeats(number, key, existing=existing, seen=seen)
        result.rows.append(
            {
                "mentor_email": email,
                "mentor_id": mentors[email].pk if email in mentors else None,
                "item": item.name if item else name,
                "item_id": item.pk if item else None,
                "done_on": done.isoformat() if done else done_text,
                "note": row.get("note", ""),
            }
        )
