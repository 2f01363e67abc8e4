"""Who may have an email address, and the one way a mentor is made.

An email is one person's sign-in. ``email_in_use`` is the single rule (and the single set
of messages) for an address that already belongs to someone: the staff "Add a mentor"
form, the mentor import, invitations and school contacts all ask it. ``mentor_create``
makes a mentor (an account that cannot sign in yet, and its mentor record) for the form,
the import and invitations alike; each caller leaves its own audit entry.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from portal.accounts.models import Role, User
from portal.mentoring.models import Mentor, MentorStatus, SiteContact

ROLE_WORDS = {
    Role.MENTOR: "a mentor",
    Role.SITE_CONTACT: "a school contact",
    Role.STAFF: "program staff",
    Role.ADMIN: "an administrator",
}
SIGN_IN_OF = {Role.MENTOR: "a mentor's", Role.SITE_CONTACT: "a school contact's"}

INVALID_EMAIL = "Enter an email address like name@example.org."
ENROLLED = (
    "Someone with this email already has an account and has enrolled: they can sign in, "
    "or reset their password."
)
NOT_ENROLLED = (
    "{name} already has a mentor account with this email and has not enrolled yet: send "
    "them an invitation from the Invitations page."
)
ANOTHER_ROLE = (
    "{name} already signs in to the portal as {role} with this email, so it cannot also be "
    "{sign_in} sign-in. Use another email, or ask an administrator."
)


def account_with_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


def awaiting_invitation(user: User) -> bool:
    """Whether ``user`` cannot sign in yet and may be sent a link: a mentor account made
    by staff (or by an earlier invitation) not yet enrolled, or the account of a school
    site contact (of at least one school) that has no password yet."""
    if user.has_usable_password():
        return False
    if user.is_mentor:
        mentor = Mentor.objects.filter(user=user).first()
        return mentor is None or mentor.status == MentorStatus.INVITED
    if user.is_site_contact:
        # An account an administrator turned off stays off.
        return user.is_active and SiteContact.objects.filter(user=user).exists()
    return False


def email_in_use(account: User | None, *, becoming: str, resend_ok: bool = False) -> str:
    """Why the account already using an email keeps it from being the sign-in of a new
    person with the role ``becoming``, or "" when it does not.

    No account is no problem; an account of the same role is the same person (a school
    contact at a second school; a mentor not enrolled yet is sent a new link when
    ``resend_ok``). Callers that look up the accounts of a whole file at once ask this
    for each row.
    """
    if account is None:
        return ""
    name = account.full_name or "Someone"
    if account.role != becoming:
        return ANOTHER_ROLE.format(
            name=name,
            role=ROLE_WORDS.get(account.role, account.get_role_display().lower()),
            sign_in=SIGN_IN_OF.get(becoming, "this person's"),
        )
    if becoming == Role.SITE_CONTACT:
        return ""
    if awaiting_invitation(account):
        return "" if resend_ok else NOT_ENROLLED.format(name=name)
    return ENROLLED


def email_problem(
    email: str, *, account: User | None, becoming: str, resend_ok: bool = False
) -> str:
    """What keeps ``email`` from being the sign-in of a new person with the role
    ``becoming``: its form, or ``account``, the account already using it (None: nobody;
    ``email_in_use``); "" when nothing does."""
    try:
        validate_email(email)
    except ValidationError:
        return INVALID_EMAIL
    return email_in_use(account, becoming=becoming, resend_ok=resend_ok)


def account_without_password(*, email: str, full_name: str, phone: str, role: str) -> User | None:
    """A new account that cannot sign in until its person chooses a password from an
    invitation, or None when someone took the email a moment ago."""
    account = User(email=email, full_name=full_name, phone=phone, role=role)
    account.set_unusable_password()
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        return None
    return account


def mentor_create(
    *, email: str, full_name: str, phone: str = "", status: str = MentorStatus.INVITED
) -> Mentor:
    """A new mentor: an account without a password (they choose one from an invitation)
    and its mentor record. Raises ValidationError on "email" when the email is taken,
    also when someone took it a moment ago."""
    account = account_without_password(
        email=email.strip().lower(),
        full_name=full_name.strip(),
        phone=phone.strip(),
        role=Role.MENTOR,
    )
    if account is None:
        problem = email_in_use(account_with_email(email), becoming=Role.MENTOR)
        raise ValidationError({"email": problem or ENROLLED})
    return Mentor.objects.create(user=account, status=status)
