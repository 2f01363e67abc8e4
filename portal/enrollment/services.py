"""Enrollment: invitations made by staff and accepted by mentors (RULES 4.12) and by school
site contacts.

An invitation's token is shown once, in the email; only its SHA-256 is stored, so a copy
of the database cannot be used to enroll. A link works once, until it expires, and a
resend retires every earlier link of the same person. A mentor sets a password and
accepts the mentor agreement; a site contact sets a password only.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.accounts import people
from portal.accounts.models import Role, User
from portal.audit.services import log_action
from portal.enrollment.models import Invitation, InvitationState
from portal.lib import csvfile
from portal.lib.text import length_problem
from portal.mentoring import rules
from portal.mentoring.models import Mentor, MentorStatus, ProgramSettings, SiteContact
from portal.notifications.services import notification_queue
from portal.readiness import agreements as readiness_agreements

MAX_CSV_ROWS = 500


class InvitationUnusable(Exception):
    """The link cannot be used: ``reason`` is unknown, used, expired or retired."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str, *, now: dt.datetime | None = None) -> Invitation:
    """The invitation a link may use, or InvitationUnusable saying why not."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_related("user", "user__mentor")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationUnusable("unknown")
    state = invitation.state_at(now)
    if state == InvitationState.ACCEPTED:
        raise InvitationUnusable("used")
    if state != InvitationState.PENDING:
        raise InvitationUnusable(state)
    return invitation


def _normalize_email(email: str) -> str:
    return email.strip().lower()


def _field_limit(name: str) -> int:
    return User._meta.get_field(name).max_length


def _check_new_mentor(*, email: str, full_name: str, phone: str = "") -> dict[str, str]:
    errors = {}
    too_long = {
        name: problem
        for name, label, value in [
            ("email", "Email", email),
            ("full_name", "Full name", full_name),
            ("phone", "Phone", phone),
        ]
        if (problem := length_problem(value, max_length=_field_limit(name), label=label))
    }
    if too_long:
        return too_long
    if not email:
        errors["email"] = "Enter the mentor's email address."
    elif problem := people.email_problem(
        email, account=people.account_with_email(email), becoming=Role.MENTOR, resend_ok=True
    ):
        errors["email"] = problem
    if not full_name.strip():
        errors["full_name"] = "Enter the mentor's full name."
    elif any(ch in full_name for ch in "\r\n"):
        errors["full_name"] = "Enter the name on one line."
    return errors


def _issue(*, user: User, created_by: User | None, now: dt.datetime) -> Invitation:
    """A new invitation for ``user`` and its email. Call inside a transaction."""
    program = ProgramSettings.load()
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        token_hash=hash_token(token),
        created_by=created_by,
        created_at=now,
        expires_at=now + dt.timedelta(days=program.invitation_valid_days),
    )
    expires = timezone.localtime(invitation.expires_at, program.tz)
    context = {
        "full_name": user.full_name,
        "path": reverse("enrollment:accept", args=[token]),
        "expires_on": rules.format_day(expires.date()),
        "days": program.invitation_valid_days,
    }
    template = "invitation"
    if user.is_site_contact:
        template = "invitation-contact"
        context["schools"] = " and ".join(
            SiteContact.objects.filter(user=user)
            .order_by("site__name")
            .values_list("site__name", flat=True)
            .distinct()
        )
    notification_queue(
        to=user.email,
        template=template,
        context=context,
        recipient_user=user,
        subject_type="invitation",
        subject_id=invitation.pk,
        link_expires_at=invitation.expires_at,
    )
    return invitation


def invitation_create(
    *,
    email: str,
    full_name: str,
    phone: str = "",
    language: str = "",
    created_by: User,
    now: dt.datetime | None = None,
) -> Invitation:
    """Invite one mentor: an account that cannot sign in yet, a mentor record with the
    status "invited", and an email with a link to enroll, in ``language`` ("en" or "es";
    the mentor can change it when they enroll).

    A mentor account that staff created but that has not enrolled gets a new link instead
    (earlier links are retired).
    """
    now = now or timezone.now()
    email = _normalize_email(email)
    errors = _check_new_mentor(email=email, full_name=full_name, phone=phone)
    if errors:
        raise ValidationError(errors)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return invitation_resend(user=existing, created_by=created_by, now=now)
    with transaction.atomic():
        mentor = people.mentor_create(email=email, full_name=full_name, phone=phone)
        if language in ("en", "es"):
            mentor.user.language = language
            mentor.user.save(update_fields=["language"])
        invitation = _issue(user=mentor.user, created_by=created_by, now=now)
        log_action(actor=created_by, action="invitation.created", obj=invitation)
    return invitation


def invitations_retire(*, user: User, now: dt.datetime) -> int:
    """Make every link of ``user`` not yet used stop working. Returns how many."""
    return Invitation.objects.filter(
        user=user, accepted_at__isnull=True, retired_at__isnull=True
    ).update(retired_at=now)


def invitation_resend(
    *, user: User, created_by: User | None, now: dt.datetime | None = None
) -> Invitation:
    """Retire every earlier link of ``user`` and send a new one (the first one, for a
    school site contact never invited before)."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the person's row so two resends at once retire each other's links properly.
        user = User.objects.select_for_update().get(pk=user.pk)
        if not people.awaiting_invitation(user):
            if user.is_mentor:
                raise ValidationError("This mentor has already enrolled: they can sign in.")
            raise ValidationError(
                "This person can already sign in. If they forgot their password, they can "
                "choose a new one from the sign-in page."
            )
        if user.is_mentor:
            Mentor.objects.get_or_create(user=user, defaults={"status": MentorStatus.INVITED})
        first = not Invitation.objects.filter(user=user).exists()
        invitations_retire(user=user, now=now)
        invitation = _issue(user=user, created_by=created_by, now=now)
        log_action(
            actor=created_by,
            action="invitation.created" if first else "invitation.resent",
            obj=invitation,
        )
    return invitation


def invitation_accept(
    *, token: str, password: str, language: str = "", now: dt.datetime | None = None
) -> User:
    """Enroll the invited person: set the password; for a mentor, record the agreement
    and its version too.

    The invitation is claimed with a conditional update, so a link used twice at the same
    moment enrolls once. Raises InvitationUnusable or ValidationError (password).
    """
    now = now or timezone.now()
    invitation = invitation_for_token(token, now=now)
    user = invitation.user
    validate_password(password, user)
    program = ProgramSettings.load()
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation.pk,
            accepted_at__isnull=True,
            retired_at__isnull=True,
            expires_at__gt=now,
        ).update(accepted_at=now)
        if not claimed:
            raise InvitationUnusable("used")
        user.set_password(password)
        user.is_active = True
        fields = ["password", "is_active"]
        if user.is_mentor and language in ("en", "es"):
            user.language = language  # the language of their pages and emails
            fields.append("language")
        user.save(update_fields=fields)
        if not user.is_mentor:
            log_action(actor=user, action="invitation.accepted", obj=invitation)
            return user
        mentor, _ = Mentor.objects.get_or_create(user=user)
        mentor.status = MentorStatus.ACTIVE
        mentor.enrolled_on = timezone.localtime(now, program.tz).date()
        mentor.agreement_accepted_at = now
        mentor.agreement_version = program.agreement_version
        mentor.save()
        readiness_agreements.agreement_accepted_at_enrollment(mentor=mentor, now=now)
        log_action(
            actor=user,
            action="invitation.accepted",
            obj=invitation,
            new={"agreement_version": mentor.agreement_version},
        )
    return user


# --- Many at once, from a CSV file --------------------------------------------------------

HEADERS = {
    "email": "email",
    "email address": "email",
    "full name": "full_name",
    "name": "full_name",
    "phone": "phone",
    "phone number": "phone",
}
LABELS = {"full_name": "full name"}


@dataclass
class CsvRow:
    line: int  # the row as a spreadsheet numbers it: the header is row 1
    email: str
    full_name: str
    phone: str
    errors: list[str] = field(default_factory=list)


@dataclass
class CsvPreview:
    rows: list[CsvRow]
    file_errors: list[str]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.file_errors and not any(r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(len(r.errors) for r in self.rows)


def invitation_csv_preview(text: str) -> CsvPreview:
    """Read a CSV of mentors (email, full name, phone) and find every problem in it,
    before anything is saved."""
    table = csvfile.read_csv(text, headers=HEADERS, max_rows=MAX_CSV_ROWS)
    layout = table.layout_problems(["email", "full_name"], what="mentors", labels=LABELS)
    file_errors = [f"Row {number}: {message}" for number, message in table.problems]
    file_errors += [message for _, _, message in layout]
    if table.missing(["email", "full_name"]):
        return CsvPreview([], file_errors)
    rows: list[CsvRow] = []
    seen: dict[str, int] = {}
    for number, data in table.rows:
        row = CsvRow(
            line=number,
            email=_normalize_email(data["email"]),
            full_name=data["full_name"],
            phone=data.get("phone", ""),
        )
        row.errors.extend(
            _check_new_mentor(email=row.email, full_name=row.full_name, phone=row.phone).values()
        )
        if row.email and row.email in seen:
            row.errors.append(f"This email is also on row {seen[row.email]}.")
        seen.setdefault(row.email, row.line)
        rows.append(row)
    return CsvPreview(rows, file_errors)


def invitations_create_from_csv(
    *, text: str, created_by: User, now: dt.datetime | None = None
) -> list[Invitation]:
    """Invite every mentor of the file, or nobody if any row has a problem."""
    now = now or timezone.now()
    preview = invitation_csv_preview(text)
    if not preview.ok:
        raise ValidationError("The file has problems: nothing was sent.")
    with transaction.atomic():
        return [
            invitation_create(
                email=row.email,
                full_name=row.full_name,
                phone=row.phone,
                created_by=created_by,
                now=now,
            )
            for row in preview.rows
        ]
