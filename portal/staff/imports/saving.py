"""Saving a checked import: every new row in one transaction, or nothing."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from portal.accounts import people, site_contacts
from portal.audit.services import log_action
from portal.mentoring.models import Match, MatchStatus, Mentee, ProgramSettings, SiteContact
from portal.readiness.models import ReadinessRecord, RecordSource
from portal.staff.imports.checks import import_check
from portal.staff.imports.kinds import KINDS, MAX_ROWS, Saved


def import_save(*, kind_name: str, text: str, user, max_rows: int = MAX_ROWS) -> Saved:
    """Check the file again and save every new row, or nothing (raises ValueError).

    Rows already in the portal are skipped. Imports take turns (a lock on the program's
    settings row), and each checks the file once it has the lock: the same file saved twice
    at once adds its rows once.
    """
    with transaction.atomic():
        _take_turns()
        result = import_check(kind_name=kind_name, text=text, max_rows=max_rows)
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


def _save_readiness(rows: list[dict], *, user) -> None:
    now = timezone.now()
    ReadinessRecord.objects.bulk_create(
        ReadinessRecord(
            mentor_id=row["mentor_id"],
            item_id=row["item_id"],
            done_on=dt.date.fromisoformat(row["done_on"]),
            recorded_by=user,
            recorded_at=now,
            note=row["note"],
            source=RecordSource.IMPORT,
        )
        for row in rows
    )


_save = {
    "mentors": _save_mentors,
    "mentees": _save_mentees,
    "matches": _save_matches,
    "contacts": _save_contacts,
    "readiness": _save_readiness,
}
