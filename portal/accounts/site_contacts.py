"""School site contacts' sign-in: the account behind each contact, its invitation, and the
end of a contact's access when they are removed or move to another school.

A contact's email is their sign-in: saving a contact links the account with that email
(making one with the role "site contact" if there is none) and, when that account cannot
sign in yet, sends it an invitation like a mentor's (``portal.enrollment.services``). An
email that already signs in with another role is refused (``people.email_in_use``), never
changed silently.

Which concerns a contact sees is decided on each request from their SiteContact rows
(``portal.safeguarding.access``); removing or moving a contact also ends every session of
their account, so nothing opened before the change stays on screen for long.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from portal.accounts import people
from portal.accounts.models import Role, User
from portal.audit.services import log_action
from portal.enrollment import services as enrollment
from portal.enrollment.models import Invitation
from portal.mentoring.models import SiteContact
from portal.security import sessions

AUDITED_FIELDS = ("site", "name", "role", "email", "phone", "position")


def can_sign_in(prefix: str = "") -> Q:
    """The accounts that can sign in as a site contact today: active, with the role, and
    with a password chosen (``prefix`` leads from another model to the user, e.g.
    ``"user__"``). The one definition used by the school page and the dashboard."""
    return Q(**{f"{prefix}is_active": True, f"{prefix}role": Role.SITE_CONTACT}) & ~Q(
        **{f"{prefix}password__startswith": UNUSABLE_PASSWORD_PREFIX}
    )


def contact_email_problem(email: str) -> str:
    """Why ``email`` cannot be a site contact's sign-in, or "" when it can."""
    return people.email_in_use(people.account_with_email(email), becoming=Role.SITE_CONTACT)


def checked_contact_email(email: str) -> str:
    """``email`` as a contact's sign-in (trimmed, lower case), or ValidationError saying
    why it cannot be one. Forms call it from ``clean_email``."""
    email = email.strip().lower()
    problem = contact_email_problem(email)
    if problem:
        raise ValidationError(problem)
    return email


def _account_for(contact: SiteContact) -> User:
    """The account with the contact's email, made (without a password) if there is none."""
    account = User.objects.filter(email__iexact=contact.email).first()
    if account is not None:
        return account
    account = people.account_without_password(
        email=contact.email, full_name=contact.name, phone=contact.phone, role=Role.SITE_CONTACT
    )
    if account is None:
        # The same person added at the same moment elsewhere (another school, an import).
        account = User.objects.get(email__iexact=contact.email)
        if not account.is_site_contact:
            raise ValidationError({"email": contact_email_problem(contact.email)})
    return account


def _plain(contact: SiteContact, name: str):
    value = getattr(contact, name)
    return str(value) if name == "site" else value


def _end_access(*, user_id: int | None, now: dt.datetime) -> None:
    """End every session of the account; retire its links if it is nobody's contact now."""
    if user_id is None:
        return
    account = User.objects.filter(pk=user_id).first()
    if account is None:
        return
    sessions.end_all(account)
    if not SiteContact.objects.filter(user=account).exists():
        enrollment.invitations_retire(user=account, now=now)


@transaction.atomic
def site_contact_save(
    *, contact: SiteContact, actor: User | None, now: dt.datetime | None = None
) -> SiteContact:
    """Save a new or changed contact with the account of its email, and audit it.

    A new contact, or one whose email changed, whose account cannot sign in yet, is sent
    an invitation. A contact moved to another school, or given another email, loses the
    old access at once: every session of the old account ends. Raises ValidationError
    (on "email") when the email signs in with another role.
    """
    now = now or timezone.now()
    try:
        contact.email = checked_contact_email(contact.email)
    except ValidationError as error:
        raise ValidationError({"email": error.messages}) from None
    before = (
        SiteContact.objects.select_for_update().select_related("site").filter(pk=contact.pk).first()
        if contact.pk
        else None
    )
    account = _account_for(contact)
    contact.user = account
    contact.full_clean()
    contact.save()
    if before is not None and before.name != contact.name and before.user_id == account.pk:
        # A corrected name: their invitation and pages greet them by it.
        account.full_name = contact.name
        account.save(update_fields=["full_name"])
    if before is None:
        log_action(
            actor=actor,
            action="sitecontact.created",
            obj=contact,
            new={name: _plain(contact, name) for name in AUDITED_FIELDS},
        )
    else:
        changed = [n for n in AUDITED_FIELDS if _plain(before, n) != _plain(contact, n)]
        if changed:
            log_action(
                actor=actor,
                action="sitecontact.changed",
                obj=contact,
                old={name: _plain(before, name) for name in changed},
                new={name: _plain(contact, name) for name in changed},
            )
        if before.user_id != account.pk or before.site_id != contact.site_id:
            _end_access(user_id=before.user_id, now=now)
    is_new_link = before is None or before.user_id != account.pk
    if is_new_link and people.awaiting_invitation(account):
        enrollment.invitation_resend(user=account, created_by=actor, now=now)
    return contact


@transaction.atomic
def site_contact_remove(
    *, contact: SiteContact, actor: User | None, now: dt.datetime | None = None
) -> None:
    """Take a contact off their school's list. Their account's sessions end at once, and
    it sees no concern of that school again (its links stop working when it is nobody's
    contact any more). The account itself is kept: it may be a contact elsewhere."""
    now = now or timezone.now()
    user_id = contact.user_id
    log_action(
        actor=actor,
        action="sitecontact.removed",
        obj=contact,
        old={name: _plain(contact, name) for name in AUDITED_FIELDS},
    )
    contact.delete()
    _end_access(user_id=user_id, now=now)


def site_contact_invite(
    *, contact: SiteContact, actor: User, now: dt.datetime | None = None
) -> Invitation:
    """Send the contact a link to choose a password (retiring earlier links). A contact
    saved before sign-ins existed gets an account first. Raises ValidationError when the
    contact can already sign in, or their email signs in with another role."""
    now = now or timezone.now()
    with transaction.atomic():
        if contact.user_id is None or contact.user.email != contact.email.lower():
            # Linking the account sends it a new link when it can have one.
            site_contact_save(contact=contact, actor=actor, now=now)
            sent = Invitation.objects.pending(now).filter(user=contact.user).first()
            if sent is not None:
                return sent
        return enrollment.invitation_resend(user=contact.user, created_by=actor, now=now)


# --- Reads --------------------------------------------------------------------------------


class Access:
    CAN_SIGN_IN = "can_sign_in"
    INVITED = "invited"
    EXPIRED = "expired"
    NEVER_INVITED = "never_invited"


@dataclass(frozen=True)
class ContactAccess:
    contact: SiteContact
    state: str
    link_expires_at: dt.datetime | None
    last_login: dt.datetime | None

    @property
    def can_be_invited(self) -> bool:
        return self.state != Access.CAN_SIGN_IN


def contacts_with_access(contacts, *, now: dt.datetime | None = None) -> list[ContactAccess]:
    """Each of ``contacts`` (a SiteContact queryset) with whether they can sign in, are
    invited (until when), were invited but the link ran out, or were never invited, and
    when they last signed in."""
    now = now or timezone.now()
    latest = Invitation.objects.filter(user=OuterRef("user_id"), retired_at__isnull=True)
    contacts = (
        contacts.select_related("user")
        .annotate(
            ready=Subquery(
                User.objects.filter(can_sign_in(), pk=OuterRef("user_id")).values("pk")[:1]
            ),
            link_expires_at=Subquery(
                latest.filter(accepted_at__isnull=True)
                .order_by("-expires_at")
                .values("expires_at")[:1]
            ),
        )
        .order_by("position", "name", "pk")
    )
    rows = []
    for contact in contacts:
        expires = contact.link_expires_at
        if contact.ready:
            state, expires = Access.CAN_SIGN_IN, None
        elif expires is not None and expires > now:
            state = Access.INVITED
        elif expires is not None:
            state = Access.EXPIRED
        else:
            state = Access.NEVER_INVITED
        rows.append(
            ContactAccess(
                contact=contact,
                state=state,
                link_expires_at=expires,
                last_login=contact.user.last_login if contact.user_id else None,
            )
        )
    return rows
