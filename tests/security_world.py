"""Records the security tests act on: everything owned by mentor_a at school A, so that
mentor_b and site_contact_b are the outsiders. Shared by the authorization matrix, the
CSRF, cross-site scripting and mass assignment tests."""

import datetime as dt
from dataclasses import dataclass

from django.test import Client
from django.utils import timezone

from portal.accounts.models import User
from portal.mentoring.models import SessionLog
from portal.safeguarding.models import ResourceNeed, SafetyConcern
from tests.conftest import log_session, session_form, two_hours_ago

PERSONAS = (
    "anonymous",
    "mentor_a",
    "mentor_b",
    "staff_user",
    "site_contact_a",
    "site_contact_b",
    "admin_user",
)


@dataclass
class World:
    users: dict[str, User | None]
    session: SessionLog
    concern: SafetyConcern
    need: ResourceNeed

    def client(self, persona: str, **kwargs) -> Client:
        client = Client(**kwargs)
        user = self.users[persona]
        if user is not None:
            client.force_login(user)
        return client


def build_world(request, *, notes: str = "We played a card game.", **fields) -> World:
    """mentor_a's session from an hour ago, with a concern and a food need, at school A."""
    users = {"anonymous": None}
    for name in PERSONAS[1:]:
        users[name] = request.getfixturevalue(name)
    match = request.getfixturevalue("match_a")
    fields.setdefault("safety_concern", True)
    fields.setdefault("safety_concern_details", "She said nobody was home for two days.")
    fields.setdefault("resource_needs", ["food"])
    fields.setdefault("resource_needs_details", "The fridge is often empty.")
    session = log_session(match, two_hours_ago(), notes=notes, **fields)
    return World(
        users=users,
        session=session,
        concern=SafetyConcern.objects.get(session=session),
        need=ResourceNeed.objects.get(session=session),
    )


def session_form_data(world: World, *, hours_ago: int = 26, **overrides) -> dict:
    """What mentor_a's browser posts for a new session ``hours_ago`` hours ago."""
    return session_form(
        world.session.match,
        starts_at=timezone.now() - dt.timedelta(hours=hours_ago),
        **{"notes": "We read a chapter together.", **overrides},
    )


def snapshot() -> dict[str, str]:
    """A digest of every row of every table except the audit trail and the sessions.

    The audit trail is left out on purpose: opening a concern records who read it (a GET
    that writes, by design). Django's session table changes on any signed-in request.
    """
    import hashlib

    from django.apps import apps

    from portal.audit.models import AuditEvent

    skip = {AuditEvent, apps.get_model("sessions", "Session")}
    digests = {}
    for model in apps.get_models():
        if model in skip:
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        digests[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
    return digests
