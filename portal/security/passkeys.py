"""Passkeys (WebAuthn) as a second step of signing in, and as a fresh check before a
security change, through py_webauthn (the ``webauthn`` package).

The browser asks for options (a POST, ``*_options``), the authenticator answers, and the
answer comes back in a form field. Each set of options has its own random challenge,
kept only in this person's server-side session and taken out of it at the first answer,
so an answer cannot be replayed, not even a refused one. Answers are accepted only for
this site's relying party id and origin (``WEBAUTHN_RP_ID``, ``WEBAUTHN_ORIGIN``), only
for a passkey of the person signed in, and only when the authenticator's counter went up
(when it keeps one).
"""

import datetime as dt
import ipaddress
import json
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portal.audit.services import log_action
from portal.lib.text import clean_text
from portal.security.models import Passkey

CHALLENGE = "_passkey_challenge"
# Options are good for 5 minutes: long enough to find a security key, short enough that
# a challenge left in a session is soon worthless.
CHALLENGE_SECONDS = 5 * 60
TIMEOUT_MS = 2 * 60 * 1000
NAME_MAX = 60
ANSWER_MAX = 20_000  # characters of the browser's answer; real ones are under 2,000

REGISTER = "register"
CHECK = "check"  # the second step of signing in, or a fresh check before a change


class PasskeyError(Exception):
    """A passkey answer that was refused; ``str()`` is a message for the page."""


def available() -> bool:
    """Browsers offer passkeys only for a domain name, never for an IP address."""
    host = rp_id()
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return bool(host)
    return False


def rp_id() -> str:
    return getattr(settings, "WEBAUTHN_RP_ID", "") or ""


def origin() -> str:
    return getattr(settings, "WEBAUTHN_ORIGIN", "") or ""


def rp_name(request: HttpRequest) -> str:
    program = getattr(request, "program", None)
    return getattr(program, "name", "") or "Mentor Portal"


def has_passkey(user) -> bool:
    """Asked on every request by the session rules: the backend reads it with the user
    (``ThrottledModelBackend.get_user``), so it costs no query of its own there."""
    known = getattr(user, "has_passkey", None)
    if known is not None:
        return bool(known)
    return Passkey.objects.filter(user=user).exists()


def passkeys_of(user):
    return Passkey.objects.filter(user=user)


def _remember_challenge(request: HttpRequest, purpose: str, challenge: bytes) -> None:
    request.session[CHALLENGE] = {
        "purpose": purpose,
        "user": request.user.pk,
        "challenge": bytes_to_base64url(challenge),
        "at": timezone.now().timestamp(),
    }


def _take_challenge(request: HttpRequest, purpose: str) -> bytes:
    """The challenge of the last options given to this person for ``purpose``, removed
    from the session whatever happens next: each challenge is answered at most once."""
    from webauthn.helpers import base64url_to_bytes

    kept = request.session.pop(CHALLENGE, None)
    if (
        not isinstance(kept, dict)
        or kept.get("purpose") != purpose
        or kept.get("user") != request.user.pk
        or timezone.now().timestamp() - float(kept.get("at", 0)) > CHALLENGE_SECONDS
    ):
        raise PasskeyError("That passkey request expired. Please try again.")
    return base64url_to_bytes(kept["challenge"])


def _descriptors(user) -> list[PublicKeyCredentialDescriptor]:
    from webauthn.helpers import base64url_to_bytes

    descriptors = []
    for key in passkeys_of(user):
        transports = []
        for name in key.transports or []:
            try:
                transports.append(AuthenticatorTransport(name))
            except ValueError:
                continue  # a transport this library does not know: leave it out
        descriptors.append(
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(key.credential_id), transports=transports or None
            )
        )
    return descriptors


def _user_handle(user) -> str:
    """The person's random WebAuthn user id: the one of their earlier passkeys, or new."""
    existing = passkeys_of(user).values_list("user_handle", flat=True).first()
    return existing or bytes_to_base64url(secrets.token_bytes(32))


def registration_options(request: HttpRequest) -> str:
    """Options for adding a passkey to the signed-in person (JSON for the browser)."""
    from webauthn.helpers import base64url_to_bytes

    user = request.user
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=rp_name(request),
        user_id=base64url_to_bytes(_user_handle(user)),
        user_name=user.email,
        user_display_name=user.get_full_name() or user.email,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(user),
    )
    _remember_challenge(request, REGISTER, options.challenge)
    return options_to_json(options)


def _answer(raw: str) -> dict:
    if not raw or len(raw) > ANSWER_MAX:
        raise PasskeyError("The passkey did not answer. Please try again.")
    try:
        answer = json.loads(raw)
    except ValueError:
        raise PasskeyError("The passkey answer could not be read. Please try again.") from None
    if not isinstance(answer, dict):
        raise PasskeyError("The passkey answer could not be read. Please try again.")
    return answer


def register(request: HttpRequest, *, name: str, raw_answer: str) -> Passkey:
    """Verify the browser's answer to ``registration_options`` and keep the passkey."""
    user = request.user
    challenge = _take_challenge(request, REGISTER)
    answer = _answer(raw_answer)
    try:
        verified = verify_registration_response(
            credential=answer,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=origin(),
        )
    except (WebAuthnException, KeyError, TypeError, ValueError):
        raise PasskeyError("That passkey could not be added. Please try again.") from None
    response = answer.get("response") if isinstance(answer.get("response"), dict) else {}
    transports = [t for t in response.get("transports") or [] if isinstance(t, str)][:10]
    try:
        with transaction.atomic():
            key = Passkey.objects.create(
                user=user,
                name=clean_text(name, multiline=False).strip()[:NAME_MAX] or "Passkey",
                credential_id=bytes_to_base64url(verified.credential_id),
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                user_handle=_user_handle(user),
                transports=transports,
            )
            log_action(actor=user, action="passkey.added", obj=user, note=f"Passkey {key.name}")
    except IntegrityError:
        raise PasskeyError("That passkey is already registered.") from None
    _forget_read_with(user)
    return key


def authentication_options(request: HttpRequest) -> str:
    """Options for checking one of the signed-in person's passkeys (JSON)."""
    options = generate_authentication_options(
        rp_id=rp_id(),
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(request.user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _remember_challenge(request, CHECK, options.challenge)
    return options_to_json(options)


def check(request: HttpRequest, *, raw_answer: str, now: dt.datetime | None = None) -> Passkey:
    """Verify the browser's answer to ``authentication_options``: a passkey of this person,
    signed over this challenge, for this site, with a counter that went up. The new
    counter is claimed with a conditional update, so one answer cannot count twice."""
    now = now or timezone.now()
    challenge = _take_challenge(request, CHECK)
    answer = _answer(raw_answer)
    refused = PasskeyError("That passkey was not accepted. Please try again, or type a code.")
    key = Passkey.objects.filter(user=request.user, credential_id=str(answer.get("id", ""))).first()
    if key is None:
        raise refused
    try:
        verified = verify_authentication_response(
            credential=answer,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=origin(),
            credential_public_key=bytes(key.public_key),
            credential_current_sign_count=key.sign_count,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError):
        raise refused from None
    claimed = (
        Passkey.objects.filter(pk=key.pk, sign_count=key.sign_count)
        .exclude(sign_count__gt=verified.new_sign_count)
        .update(sign_count=verified.new_sign_count, last_used_at=now)
    )
    if not claimed:
        raise refused
    log_action(
        actor=request.user, action="passkey.used", obj=request.user, note=f"Passkey {key.name}"
    )
    key.sign_count, key.last_used_at = verified.new_sign_count, now
    return key


def remove(*, user, passkey_id: int) -> Passkey | None:
    """Remove one of ``user``'s passkeys (another person's id finds nothing); audited."""
    with transaction.atomic():
        key = Passkey.objects.filter(user=user, pk=passkey_id).select_for_update().first()
        if key is None:
            return None
        key.delete()
        log_action(actor=user, action="passkey.removed", obj=user, note=f"Passkey {key.name}")
    _forget_read_with(user)
    return key


def _forget_read_with(user) -> None:
    """What the backend read with the user is out of date: ask the database next time."""
    if getattr(user, "has_passkey", None) is not None:
        user.has_passkey = None
