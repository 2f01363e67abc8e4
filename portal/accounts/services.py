"""Enrollment: invitations made by staff and accepted by mentors (SPEC 4.12).

An invitation's token is shown once, in the email; only its SHA-256 is stored, so a copy
of the database cannot be used to enroll. A link works once, until it expires, and a
resend retires every earlier link of the same person.
"""

import csv
import datetime as dt
import hashlib
import io
import secrets
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import Invitation, InvitationState, Role, User
from portal.audit.services import log_action
from portal.mentoring import rules
from portal.mentoring.models import Mentor, MentorStatus, ProgramSettings
from portal.notifications.services import notification_queue

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


def _check_new_mentor(*, email: str, full_name: str) -> dict[str, str]:
    errors = {}
    if not email:
        errors["email"] = "Enter the mentor's email address."
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Enter an email address like name@example.org."
        else:
            existing = User.objects.filter(email__iexact=email).first()
            if existing is not None and not _awaiting_enrollment(existing):
                errors["email"] = (
                    "Someone with this email already has an account and has enrolled: "
                    "they can sign in, or reset their password."
                )
    if not full_name.strip():
        errors["full_name"] = "Enter the mentor's full name."
    elif any(ch in full_name for ch in "\r\n"):
        errors["full_name"] = "Enter the name on one line."
    return errors


def _awaiting_enrollment(user: User) -> bool:
    """A mentor account made by staff (or by an earlier invitation) not yet enrolled."""
    mentor = Mentor.objects.filter(user=user).first()
    return (
        user.is_mentor
        and not user.has_usable_password()
        and (mentor is None or mentor.status == MentorStatus.INVITED)
    )


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
    notification_queue(
        to=user.email,
        template="invitation",
        context={
            "full_name": user.full_name,
            "path": reverse("enrollment:accept", args=[token]),
            "expires_on": rules.format_day(expires.date()),
            "days": program.invitation_valid_days,
        },
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
    created_by: User,
    now: dt.datetime | None = None,
) -> Invitation:
    """Invite one mentor: an account that cannot sign in yet, a mentor record with the
    status "invited", and an email with a link to enroll.

    A mentor account that staff created but that has not enrolled gets a new link instead
    (earlier links are retired).
    """
    now = now or timezone.now()
    email = _normalize_email(email)
    errors = _check_new_mentor(email=email, full_name=full_name)
    if errors:
        raise ValidationError(errors)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return invitation_resend(user=existing, created_by=created_by, now=now)
    try:
        with transaction.atomic():
            user = User(email=email, full_name=full_name.strip(), phone=phone.strip())
            user.role = Role.MENTOR
            user.set_unusable_password()
            user.save()
            Mentor.objects.create(user=user, status=MentorStatus.INVITED)
            invitation = _issue(user=user, created_by=created_by, now=now)
            log_action(actor=created_by, action="invitation.created", obj=invitation)
    except IntegrityError:
        # Someone invited the same address at the same moment.
        raise ValidationError(
            {"email": "Someone with this email already has an account."}
        ) from None
    return invitation


def invitation_resend(
    *, user: User, created_by: User, now: dt.datetime | None = None
) -> Invitation:
    """Retire every earlier link of ``user`` and send a new one."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the person's row so two resends at once retire each other's links properly.
        user = User.objects.select_for_update().get(pk=user.pk)
        if not _awaiting_enrollment(user):
            raise ValidationError("This mentor has already enrolled: they can sign in.")
        Mentor.objects.get_or_create(user=user, defaults={"status": MentorStatus.INVITED})
        Invitation.objects.filter(
            user=user, accepted_at__isnull=True, retired_at__isnull=True
        ).update(retired_at=now)
        invitation = _issue(user=user, created_by=created_by, now=now)
        log_action(actor=created_by, action="invitation.resent", obj=invitation)
    return invitation


def invitation_accept(*, token: str, password: str, now: dt.datetime | None = None) -> User:
    """Enroll the invited mentor: set the password, record the agreement and its version.

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
        user.save(update_fields=["password", "is_active"])
        mentor, _ = Mentor.objects.get_or_create(user=user)
        mentor.status = MentorStatus.ACTIVE
        mentor.enrolled_on = timezone.localtime(now, program.tz).date()
        mentor.agreement_accepted_at = now
        mentor.agreement_version = program.agreement_version
        mentor.save()
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
    "name": "full_name",
    "full name": "full_name",
    "full_name": "full_name",
    "phone": "phone",
    "phone number": "phone",
}


@dataclass
class CsvRow:
    line: int
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
    text = text.lstrip("\ufeff")  # Excel's byte order mark
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return CsvPreview([], ["The file is empty. Put a header row first: email, full name."])
    columns = [HEADERS.get(" ".join(h.strip().lower().split())) for h in header]
    missing = [name for name in ("email", "full_name") if name not in columns]
    if missing:
        return CsvPreview(
            [],
            [
                "The first row must name the columns: email and full name (phone is "
                f"optional). This file's first row is: {', '.join(header)[:200]}."
            ],
        )
    rows: list[CsvRow] = []
    seen: dict[str, int] = {}
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            data = {
                name: values[i].strip() if i < len(values) else ""
                for i, name in enumerate(columns)
                if name
            }
            row = CsvRow(
                line=reader.line_num,
                email=_normalize_email(data.get("email", "")),
                full_name=data.get("full_name", ""),
                phone=data.get("phone", ""),
            )
            row.errors.extend(_check_new_mentor(email=row.email, full_name=row.full_name).values())
            if row.email and row.email in seen:
                row.errors.append(f"This email is also on line {seen[row.email]}.")
            seen.setdefault(row.email, row.line)
            rows.append(row)
            if len(rows) > MAX_CSV_ROWS:
                return CsvPreview([], [f"The file has more than {MAX_CSV_ROWS} mentors: split it."])
    except csv.Error as error:
        return CsvPreview(
            rows, [f"The file could not be read near line {reader.line_num}: {error}"]
        )
    if not rows:
        return CsvPreview([], ["The file has a header row but no mentors."])
    return CsvPreview(rows, [])


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
