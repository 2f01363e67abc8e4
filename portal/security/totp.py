"""Time-based one-time codes (RFC 6238, 30-second steps, 6 digits), via pyotp.

A code is accepted for the current step or the one before or after (clock drift), and
only once: the device remembers the last step used and a conditional update claims the
step, so the same code cannot be replayed, even by two requests at the same moment.
"""

import datetime as dt
import io

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.security.models import TOTPDevice

STEP = 30
DIGITS = 6
# The demo's staff and administrator share this published secret, so that a person
# trying the demo can get a code with `manage.py demo_totp`. Never used outside the demo.
DEMO_SECRET = "MENTORPORTALDEMOSTAFFCODES234567"  # noqa: S105 - published, demo only


def requires_code(user) -> bool:
    """Must this user type a code at sign-in (or set codes up first)?"""
    if not user.is_authenticated:
        return False
    if staff_must_use_codes(user):
        return True
    device = device_for(user)
    return device is not None and device.is_confirmed


def staff_must_use_codes(user) -> bool:
    return bool(getattr(settings, "REQUIRE_STAFF_TOTP", False)) and user.is_program_staff


def device_for(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user).first()


def is_enabled(user) -> bool:
    device = device_for(user)
    return device is not None and device.is_confirmed


def totp_setup_start(*, user) -> TOTPDevice:
    """The device being set up: an unconfirmed one is kept (the same secret is shown again
    if the person comes back), a confirmed one is left alone."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32()}
    )
    return device


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
    """True when ``code`` is a good, unused code of the user's device (confirmed or not).

    A good code confirms an unconfirmed device.
    """
    now = now or timezone.now()
    device = device_for(user)
    if device is None:
        return False
    step = _matching_step(device.secret, code, now)
    if step is None:
        return False
    with transaction.atomic():
        claimed = TOTPDevice.objects.filter(pk=device.pk, last_step__lt=step).update(
            last_step=step, last_used_at=now
        )
        if claimed and not device.is_confirmed:
            TOTPDevice.objects.filter(pk=device.pk).update(confirmed_at=now)
    return bool(claimed)


def totp_disable(*, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()


def provisioning_uri(device: TOTPDevice, *, issuer: str) -> str:
    return pyotp.TOTP(device.secret, digits=DIGITS, interval=STEP).provisioning_uri(
        name=device.user.email, issuer_name=issuer
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
