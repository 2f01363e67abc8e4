"""Recovery codes: ten single-use codes, made when two-step sign-in is turned on (an app or
a first passkey), for a person who lost their phone or passkey. Typed in place of a code
from the app.

A code is 12 random digits (40 bits, from ``secrets``), shown in groups of four. Digits
only, so that the same numeric field takes a code from the app (6 digits) or a recovery
code (12 digits) on a phone's number pad. Only a hash is stored: PBKDF2-SHA256 with a
random salt per code (ASVS 5.0 V6.5: look-up secrets under 112 bits are stored with a
salted password hash), at fewer rounds than passwords because each check may try all ten
codes. Wrong codes are limited by the same counters as codes from the app.
"""

import datetime as dt
import secrets

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from portal.audit.services import log_action
from portal.security.models import RecoveryCode, TOTPDevice

COUNT = 10
DIGITS = 12
GROUP = 4
FEW_LEFT = 3


class RecoveryCodeHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2 with its own name and round count; used directly, never listed in
    PASSWORD_HASHERS, so it cannot be used for passwords."""

    algorithm = "recovery_pbkdf2_sha256"
    iterations = 50_000


HASHER = RecoveryCodeHasher()


def normalize(code: str) -> str | None:
    """The 12 digits of a typed recovery code (spaces and dashes ignored), or None."""
    digits = "".join(ch for ch in code if ch not in " -\t")
    if len(digits) != DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def looks_like_recovery_code(code: str) -> bool:
    return normalize(code) is not None


def grouped(code: str) -> str:
    return " ".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


@sensitive_variables("code", "codes", "digits")
def _hash(code: str) -> str:
    return HASHER.encode(code, HASHER.salt())


def _new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(DIGITS))


def _owner(owner):
    """The person of a device, or the person given."""
    return owner.user if isinstance(owner, TOTPDevice) else owner


@sensitive_variables("code", "codes", "digits")
def make_set(
    *, device: TOTPDevice | None = None, user=None, now: dt.datetime | None = None
) -> list[str]:
    """Replace the person's recovery codes (of ``user``, or of ``device``'s person) with a
    new set; return the new codes, grouped, to show once. The old codes stop working."""
    now = now or timezone.now()
    user = user or device.user
    codes = [_new_code() for _ in range(COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, device=device, code_hash=_hash(code), created_at=now)
            for code in codes
        )
    return [grouped(code) for code in codes]


@sensitive_variables("code", "codes", "digits")
def make_new_set(*, user, device: TOTPDevice | None = None) -> list[str]:
    """The person asked for a new set (the old one stops working); audited."""
    with transaction.atomic():
        codes = make_set(device=device, user=user)
        log_action(
            actor=user,
            action="two_step.recovery_codes_made",
            obj=user,
            note=f"{len(codes)} new recovery codes; the earlier ones no longer work",
        )
    return codes


def remaining(owner) -> int:
    """Unused codes of a person (or of a device's person)."""
    return RecoveryCode.objects.filter(user=_owner(owner), used_at__isnull=True).count()


def made_at(owner) -> dt.datetime | None:
    return (
        RecoveryCode.objects.filter(user=_owner(owner))
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def forget(user) -> None:
    """No second step left: the codes go too."""
    RecoveryCode.objects.filter(user=user).delete()


@sensitive_variables("code", "codes", "digits")
def use(
    *, user, code: str, device: TOTPDevice | None = None, now: dt.datetime | None = None
) -> bool:
    """True when ``code`` is one of the person's unused recovery codes; it is then used up.
    (``device`` is accepted for callers from before passkeys; the codes are the person's.)

    Every unused code is checked (constant-time comparison of the hashes), and the match
    is claimed with a conditional update, so two requests at once cannot both use it.
    """
    digits = normalize(code)
    if digits is None:
        return False
    now = now or timezone.now()
    match = None
    for candidate in RecoveryCode.objects.filter(user=user, used_at__isnull=True):
        if HASHER.verify(digits, candidate.code_hash) and match is None:
            match = candidate
    if match is None:
        return False
    with transaction.atomic():
        if not RecoveryCode.objects.filter(pk=match.pk, used_at__isnull=True).update(used_at=now):
            return False
        log_action(
            actor=user,
            action="two_step.recovery_code_used",
            obj=user,
            note=f"{remaining(user)} recovery codes left",
        )
    return True
