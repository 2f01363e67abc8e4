"""What the retention purge and a child's erasure reach beyond the records themselves:
the audit trail, staff's notes on needs, Contact messages and the outbox.

``portal/lifecycle/services.py`` blanks and de-identifies the records; the helpers here
follow the same text wherever else the portal keeps a copy of it. The kinds of record
about a child come from one place: every model that declares text about a child
(``CHILD_TEXT_FIELDS``) needs its way to the child in ``MENTEE_LOOKUPS``, or the erasure
refuses to run (tests/test_forgetting.py fails first), so a new kind cannot be left out.
"""

import copy
import re
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from portal.audit.models import AuditEvent
from portal.audit.services import log_action, object_type_of
from portal.checkins.models import CheckIn
from portal.followups.models import FollowUp
from portal.mentoring.models import (
    Match,
    Mentee,
    NoSessionMonth,
    SessionLog,
    SessionLogRevision,
)
from portal.notifications.models import Notification
from portal.safeguarding.models import ConcernNote, NeedNote, ResourceNeed, SafetyConcern
from portal.support.models import SupportRequest

RETENTION_PLACEHOLDER = "[Removed: older than the program keeps session notes.]"
ERASED_PLACEHOLDER = "[Erased at the school's request.]"
ERASED_NAME = "Erased"
CHILD_STANDS_IN = "[the child]"

# Audit entries whose note is a copy of text about a child rather than a reason: staff's
# note on a need is recorded as the note of "need.updated" (portal/safeguarding/services.py).
NOTE_IS_CHILD_TEXT = frozenset({"need.updated"})


@dataclass(frozen=True)
class Kind:
    """How one kind of record hangs off the child, and what its audit entries keep after
    an erasure: ``erased`` kinds lose their text (as the records do), the others only the
    child's name (the records are kept, de-identified)."""

    lookup: str  # from the record to the mentee's primary key
    erased: bool


MENTEE_LOOKUPS: dict[type[models.Model], Kind] = {
    Mentee: Kind("pk", erased=False),  # the first name only: see audit_trail_forget_child
    Match: Kind("mentee", erased=False),
    SessionLog: Kind("match__mentee", erased=True),
    SessionLogRevision: Kind("session__match__mentee", erased=True),
    ResourceNeed: Kind("match__mentee", erased=True),
    NeedNote: Kind("need__match__mentee", erased=True),
    SafetyConcern: Kind("match__mentee", erased=False),  # kept: safeguarding evidence
    ConcernNote: Kind("concern__match__mentee", erased=False),
    # A coordinator's notes of a check-in ("her grandmother is ill") name the child.
    CheckIn: Kind("match__mentee", erased=True),
    # Staff's questions about an entry and the mentor's answers: erased with its notes.
    FollowUp: Kind("session__match__mentee", erased=True),
    # The months of the child's mentors: a mentor's "my mentee was ill" names the child.
    NoSessionMonth: Kind("mentor__matches__mentee", erased=False),
}

# What the retention purge reaches from one session: the session and what was written
# with it. Concerns and their notes follow their own retention (docs/district/RETENTION.md).
SESSION_LOOKUPS: dict[type[models.Model], str] = {
    SessionLog: "pk",
    SessionLogRevision: "session",
    ResourceNeed: "session",
    NeedNote: "need__session",
    FollowUp: "session",
}


def models_with_child_text() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if getattr(model, "CHILD_TEXT_FIELDS", ())]


def records_about(mentee: Mentee) -> dict[type[models.Model], models.QuerySet]:
    """Every record that holds text about ``mentee``, by kind. Refuses a kind of record
    with text about a child whose way to the child is not declared here."""
    missing = [m.__name__ for m in models_with_child_text() if m not in MENTEE_LOOKUPS]
    if missing:
        raise ImproperlyConfigured(
            f"Say in MENTEE_LOOKUPS how {', '.join(missing)} reaches its child, so an "
            "erasure reaches it."
        )
    return {
        model: model._default_manager.filter(**{kind.lookup: mentee.pk}).distinct()
        for model, kind in MENTEE_LOOKUPS.items()
    }


def without_name(text: str, name: str) -> str:
    """``text`` with the child's first name replaced by "[the child]", as a whole word in
    any case. Another spelling or a nickname is not caught."""
    if not text or not name or name == ERASED_NAME:
        return text
    return re.sub(rf"\b{re.escape(name)}\b", CHILD_STANDS_IN, text, flags=re.IGNORECASE)


def _named_nowhere(value, name: str):
    """``value`` (plain JSON data) with the name replaced in every string inside it."""
    if isinstance(value, str):
        return without_name(value, name)
    if isinstance(value, list):
        return [_named_nowhere(item, name) for item in value]
    if isinstance(value, dict):
        return {key: _named_nowhere(item, name) for key, item in value.items()}
    return value


def _events_about(objects) -> models.QuerySet:
    objects = list(objects)
    if not objects:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(
        object_type=object_type_of(objects[0]), object_id__in=[obj.pk for obj in objects]
    )


def audit_trail_scrub(objects, *, name: str = "", placeholder: str = "", keys=None) -> int:
    """Earlier audit entries about ``objects`` (all of one model): the values under
    ``keys`` (by default the model's child text fields) are replaced by ``placeholder``,
    and so is the note of an entry whose note is text about the child
    (``NOTE_IS_CHILD_TEXT``); ``name`` leaves every other value and note. Who did what,
    when, and which fields changed stay. Returns how many entries changed."""
    objects = list(objects)
    if not objects:
        return 0
    keys = getattr(type(objects[0]), "CHILD_TEXT_FIELDS", ()) if keys is None else keys
    changed = 0
    for event in _events_about(objects):
        before = copy.deepcopy((event.old_values, event.new_values, event.note))
        for values in (event.old_values, event.new_values):
            for key, value in values.items():
                if key in keys and value and placeholder:
                    values[key] = placeholder
                else:
                    values[key] = _named_nowhere(value, name)
        if placeholder and event.note and event.action in NOTE_IS_CHILD_TEXT:
            event.note = placeholder
        else:
            event.note = without_name(event.note, name)
        if (event.old_values, event.new_values, event.note) != before:
            event.save(update_fields=["old_values", "new_values", "note"])
            changed += 1
    return changed


# --- The retention purge ------------------------------------------------------------------


def _need_notes_blank(needs, placeholder: str, note: str) -> None:
    """Staff's notes on the needs of a purged session read ``placeholder``; each need
    whose notes changed says so on its own audit trail."""
    for need in needs:
        written = NeedNote.objects.filter(need=need).exclude(text="").exclude(text=placeholder)
        if written.update(text=placeholder):
            log_action(actor=None, action="need.notes_purged", obj=need, note=note)


def session_records_purge(session: SessionLog, placeholder: str, *, note: str) -> None:
    """After ``session``'s own text is blanked: its needs' notes, and every audit entry
    about the session, its history, its needs and their notes keep no text either."""
    _need_notes_blank(ResourceNeed.objects.filter(session=session), placeholder, note)
    for model, lookup in SESSION_LOOKUPS.items():
        audit_trail_scrub(
            model._default_manager.filter(**{lookup: session.pk}), placeholder=placeholder
        )


# --- The erasure --------------------------------------------------------------------------


def audit_trail_forget_child(mentee: Mentee, name: str) -> int:
    """Every audit entry about a record of the child (``records_about``) loses the child's
    name; those about erased records lose their text too. Returns how many changed."""
    changed = 0
    for model, records in records_about(mentee).items():
        if model is Mentee:
            # As on the mentee's row: the first name goes, the last initial stays.
            changed += audit_trail_scrub(
                records, name=name, placeholder=ERASED_NAME, keys=("first_name",)
            )
        else:
            placeholder = ERASED_PLACEHOLDER if MENTEE_LOOKUPS[model].erased else ""
            changed += audit_trail_scrub(records, name=name, placeholder=placeholder)
    return changed


def _mentors_emails(mentee: Mentee) -> list[str]:
    matches = Match.objects.filter(mentee=mentee).select_related("mentor__user")
    return sorted({match.mentor.user.email.lower() for match in matches})


def contact_messages_forget_child(mentee: Mentee, name: str, *, note: str) -> list[int]:
    """Contact messages sent from the address of one of the child's mentors, and staff's
    answers to them, lose the child's first name ("[the child]"), as do their audit
    entries. Each changed message says so on its own audit trail (without the name).
    Returns the messages changed.

    Not caught: a message about the child from anybody else (a site contact, a parent, a
    mentor writing from another address: a first name alone cannot tell this child from
    another child of the same name), and a nickname or another spelling. The sender's
    own name is theirs, not the child's, and stays.
    """
    changed = []
    emails = _mentors_emails(mentee)
    for request in SupportRequest.objects.filter(email__in=emails).select_for_update():
        message, reply = without_name(request.message, name), without_name(request.reply, name)
        audit_trail_scrub([request], name=name)
        if (message, reply) == (request.message, request.reply):
            continue
        request.message, request.reply = message, reply
        request.save(update_fields=["message", "reply", "updated_at"])
        log_action(actor=None, action="support_request.child_name_removed", obj=request, note=note)
        changed.append(request.pk)
    return changed


# The values of an email's context that the portal fills from a person's or a place's own
# record (the mentor's, the contact's, the school's): never text written about a child.
_ADULTS_AND_PLACES = re.compile(r"(^|_)name$")


def outbox_forget_child(name: str, *, concerns, contact_messages) -> int:
    """Emails about the child's records (the child's concerns, and the Contact messages
    above) lose the child's first name in the values they are made from. The outbox
    stores no subject or body: they are made from these values when the email is sent,
    so an email still waiting goes out without the name. Returns how many rows changed.

    Not caught: an email already delivered (it is in the recipient's mailbox and the email
    provider's logs), and a nickname or another spelling.
    """
    about = {"concern": [c.pk for c in concerns], "support_request": list(contact_messages)}
    changed = 0
    for subject_type, ids in about.items():
        rows = Notification.objects.select_for_update().filter(
            subject_type=subject_type, subject_id__in=ids
        )
        for row in rows:
            context = {
                key: value if _ADULTS_AND_PLACES.search(key) else _named_nowhere(value, name)
                for key, value in row.context.items()
            }
            if context != row.context:
                Notification.objects.filter(pk=row.pk).update(context=context)
                changed += 1
    return changed
