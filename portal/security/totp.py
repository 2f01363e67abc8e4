"""Time-based one-time codes (RFC 6238, 30-second steps, 6 digits), via pyotp.

A code is accepted for the current step or the one before or after (clock drift), and
only once: the device remembers the last step used and a conditional update claims the
step, so the same code cannot be replayed, even by two requests at the same moment.

Setting up writes nothing until the first good code: the set-up page keeps the new
secret in the session, and ``totp_confirm`` writes the device already confirmed, with a
first set of recovery codes (``portal.security.recovery``).
"""

import datetime as dt
import io

import pyotp
import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from portal.audit.services import log_action
from portal.security import passkeys
from portal.security.models import RecoveryCode, TOTPDevice

STEP = 30
DIGITS = 6
# The demo's staff and administrator share this published secret, so that a person
# trying the demo can get a code with `manage.py demo_totp`. Never used outside the demo.
DEMO_SECRET = "MENTORPORTALDEMOSTAFFCODES234567"  # noqa: S105 - published, demo only


def requires_code(user) -> bool:
    """Must this user pass a second step at sign-in (a code or a passkey), or set one
    up first?"""
    if not user.is_authenticated:
        return False
    if staff_must_use_codes(user):
        return True
    device = _device_read_with(user)
    if device is not None and device.is_confirmed:
        return True
    return passkeys.has_passkey(user)


def has_second_step(user) -> bool:
    """Has this person a way to pass the second step: a confirmed app or a passkey?"""
    return is_enabled(user) or passkeys.has_passkey(user)


def _device_read_with(user) -> TOTPDevice | None:
    """The device as read with the user at the start of the request (see
    ``ThrottledModelBackend.get_user``): asked on every request, it costs no query of its
    own. Anywhere else, read it fresh with ``device_for``."""
    if get_user_model().totp_device.is_cached(user):
        return getattr(user, "totp_device", None)
    return device_for(user)


def staff_must_use_codes(user) -> bool:
    return bool(getattr(settings, "REQUIRE_STAFF_TOTP", False)) and user.is_program_staff


def device_for(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user).first()


def is_enabled(user) -> bool:
    device = device_for(user)
    return device is not None and device.is_confirmed


def setup_secret_for(user) -> str:
    """A secret for a person starting the set-up: the one an administrator or the demo
    prepared (an unconfirmed device), else a new random one. Nothing is written: the page
    keeps it in the session until the first good code (``totp_confirm``)."""
    prepared = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    return prepared.secret if prepared else pyotp.random_base32()


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP)
    step = int(now.timestamp()) // STEP
    for candidate in (step, step - 1, step + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(candidate), code):
            return candidate
    return None


def totp_verify(*, user, code: str, now: dt.datetime | None = None) -> bool:
    """True when ``code`` is a good, unused code of the user's confirmed device."""
    now = now or timezone.now()
    device = device_for(user)
    if device is None or not device.is_confirmed:
        return False
    step = _matching_step(device.secret, code, now)
    if step is None:
        return False
    claimed = TOTPDevice.objects.filter(pk=device.pk, last_step__lt=step).update(
        last_step=step, last_used_at=now
    )
    return bool(claimed)


@sensitive_variables("secret", "codes", "fields")
def totp_confirm(
    *, user, secret: str, code: str, now: dt.datetime | None = None
) -> tuple[TOTPDevice, list[str]] | None:
    """Turn two-step sign-in on with ``secret`` (kept in the session while the person set
    up their app) once ``code`` is good for it: the device is written confirmed, with the
    code's step used, and a first set of recovery codes is made.

    Returns the device and the recovery codes to show once, or None when the code is not
    good or the person's codes were turned on meanwhile (another tab, the same moment).
    """
    from portal.security import recovery

    now = now or timezone.now()
    step = _matching_step(secret, code, now)
    if step is None:
        return None
    fields = {"secret": secret, "confirmed_at": now, "last_step": step, "last_used_at": now}
    try:
        with transaction.atomic():
            prepared = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=True)
            if not prepared.update(**fields):
                if TOTPDevice.objects.filter(user=user).exists():
                    return None
                TOTPDevice.objects.create(user=user, created_at=now, **fields)
            device = TOTPDevice.objects.get(user=user)
            codes = recovery.make_set(device=device, now=now)
            log_action(
                actor=user,
                action="two_step.turned_on",
                obj=user,
                note=f"{len(codes)} recovery codes made",
            )
    except IntegrityError:
        return None
    return device, codes


def totp_disable(*, user) -> None:
    """Remove the app. Without a passkey, two-step sign-in is off and the recovery codes
    are deleted too; with one, the codes stay for it."""
    with transaction.atomic():
        keep_codes = passkeys.passkeys_of(user).exists()
        if keep_codes:
            RecoveryCode.objects.filter(user=user).update(device=None)
        else:
            RecoveryCode.objects.filter(user=user).delete()
        deleted, _ = TOTPDevice.objects.filter(user=user).delete()
        if deleted:
            action = "two_step.app_removed" if keep_codes else "two_step.turned_off"
            log_action(actor=user, action=action, obj=user)


def provisioning_uri(secret: str, *, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP).provisioning_uri(
        name=email, issuer_name=issuer
    )


def qr_svg(uri: str) -> str:
    """The setup link as an inline SVG QR code (no inline styles: CSP-safe)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        scale=4,
        border=2,
        nl=False,
        svgclass="qr-code",
        lineclass=None,
    )
    return out.getvalue().decode()


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def current_code(secret: str, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP).at(now)
