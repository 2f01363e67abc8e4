"""The audit history page's reading: its filters (an address read once, every value checked)
and its rows (who, what, to which record, with the changed values in short).

Only administrators see the page (SPEC section 2), yet a changed value that is text about a
child (a session's notes, a need's note) is never shown: only that it changed. The note of
an entry is written by the portal's services and is shown as it is."""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.staff.forms import DateRangeForm
from portal.staff.selectors import day_start

# Keys whose values are free text (about a child or not): shown as "changed" only, on top of
# the keys a model names as its child text (``CHILD_TEXT_FIELDS``).
FREE_TEXT_KEYS = frozenset(
    {"notes", "note", "text", "details", "description", "answer", "question", "message", "reason"}
)
VALUE_SHOWN_CHARS = 60
# Records with a staff page of their own, by ``object_type`` (``Model._meta.label_lower``).
STAFF_PAGES = {
    "mentoring.mentor": "staff:mentor_detail",
    "mentoring.match": "staff:match_detail",
    "mentoring.sessionlog": "staff:session_detail",
}


def known_actions() -> list[str]:
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())


def known_object_types() -> list[str]:
    return list(
        AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )


def action_words(action: str) -> str:
    """``concern.acknowledged`` reads "Concern acknowledged"; ``file_job.downloaded``
    "File job downloaded"."""
    words = action.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def action_choices(actions: list[str]) -> list[tuple[str, str]]:
    """Each action, and before the actions of a kind shared by several ("export."), the
    whole kind."""
    kinds: dict[str, list[str]] = {}
    for action in actions:
        kinds.setdefault(action.split(".", 1)[0], []).append(action)
    choices = [("", "Any action")]
    for kind, members in kinds.items():
        if len(members) > 1:
            choices.append((f"{kind}.", f"{action_words(kind)}: any ({kind}.*)"))
        choices.extend((action, f"{action_words(action)} ({action})") for action in members)
    return choices


class AuditFilterForm(DateRangeForm):
    field_order = ["action", "who", "object_type", "date_from", "date_to"]
    action = forms.ChoiceField(
        label="Action",
        required=False,
        error_messages={"invalid_choice": "Choose an action from the list, or any action."},
    )
    who = forms.CharField(
        label="Who (email, whole or part)",
        required=False,
        max_length=254,
        error_messages={"max_length": "Enter at most 254 characters of the email."},
    )
    object_type = forms.ChoiceField(
        label="Kind of record",
        required=False,
        error_messages={"invalid_choice": "Choose a kind of record from the list, or any."},
    )

    def __init__(self, *args, actions: list[str], object_types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = action_choices(actions)
        self.fields["object_type"].choices = [("", "Any kind")] + [
            (name, name) for name in object_types
        ]


@dataclass(frozen=True)
class AuditFilters:
    # One action, or every action of a kind ("export." read as the export actions there
    # are: an equality each, which the (action, created_at) index serves on every database,
    # unlike a LIKE prefix).
    actions: tuple[str, ...] = ()
    who: str = ""
    object_type: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_filters(request) -> tuple[AuditFilterForm, AuditFilters]:
    """The form as asked for, and the filters it reads; a form with a bad value filters
    nothing and shows its messages (like the sessions list)."""
    actions = known_actions()
    form = AuditFilterForm(request.GET or None, actions=actions, object_types=known_object_types())
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        asked = data["action"]
        return form, AuditFilters(
            actions=tuple(a for a in actions if a.startswith(asked))
            if asked.endswith(".")
            else ((asked,) if asked else ()),
            who=data["who"].strip(),
            object_type=data["object_type"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    return form, AuditFilters()


def audit_events(filters: AuditFilters, *, tz):
    """Newest first, in a total order (for the keys-first pager); each filter can use an
    index: (action, created_at), (actor, created_at), (created_at, id)."""
    events = AuditEvent.objects.select_related("actor").order_by("-created_at", "-pk")
    if filters.actions:
        events = events.filter(action__in=filters.actions)
    if filters.who:
        # A whole address reads that person's entries from the (actor, created_at) index.
        exact = list(User.objects.filter(email__iexact=filters.who).values_list("pk", flat=True))
        if exact:
            events = events.filter(actor_id=exact[0])
        else:
            events = events.filter(actor__email__icontains=filters.who)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.date_from:
        events = events.filter(created_at__gte=day_start(filters.date_from, tz))
    if filters.date_to:
        next_day = filters.date_to + dt.timedelta(days=1)
        events = events.filter(created_at__lt=day_start(next_day, tz))
    return events


@dataclass(frozen=True)
class Change:
    key: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    when: dt.datetime  # in the program's time zone
    action_words: str
    url: str  # the record's staff page, or ""
    changes: tuple[Change, ...]


def _text_keys(object_type: str) -> frozenset[str]:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return FREE_TEXT_KEYS
    return FREE_TEXT_KEYS | frozenset(getattr(model, "CHILD_TEXT_FIELDS", ()))


def _shown(value, hidden: bool) -> str:
    if value is None or value == "":
        return "(empty)"
    if hidden:
        return "(text not shown)"
    text = str(value)
    return text if len(text) <= VALUE_SHOWN_CHARS else text[: VALUE_SHOWN_CHARS - 1] + "…"


def changes_of(event: AuditEvent) -> tuple[Change, ...]:
    old, new = event.old_values or {}, event.new_values or {}
    if not isinstance(old, dict) or not isinstance(new, dict):
        return ()
    hidden_keys = _text_keys(event.object_type)
    changes = []
    for key in list(old) + [key for key in new if key not in old]:
        hidden = key in hidden_keys
        changes.append(
            Change(
                key=key.replace("_", " "),
                old=_shown(old.get(key), hidden) if key in old else "",
                new=_shown(new.get(key), hidden) if key in new else "",
            )
        )
    return tuple(changes)


def audit_row(event: AuditEvent, *, tz) -> AuditRow:
    url_name = STAFF_PAGES.get(event.object_type)
    return AuditRow(
        event=event,
        when=timezone.localtime(event.created_at, tz),
        action_words=action_words(event.action),
        url=reverse(url_name, args=[event.object_id]) if url_name else "",
        changes=changes_of(event),
    )


def has_filters(filters: AuditFilters) -> bool:
    return filters != AuditFilters()
