"""Who sends a text: chosen by ``SMS_BACKEND``, like Django's email backends.

- ``console``: prints each text to the worker's output (the demo, development).
- ``twilio``: Twilio's Messages API through its official package, with the account in
  ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN`` and the sender in ``TWILIO_FROM`` (a number
  in E.164, or a messaging service's ``MG...`` id). ``TWILIO_API_URL`` points the client at
  another address of the same API (the tests' local fake, tests/twilio_fake.py).
- ``off``: no texts are offered or queued (a production server without a provider).

A backend's ``send`` returns the provider's id for the message, or raises. A refusal
that can never succeed (``TextRefused``) is not retried.
"""

import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

OFF = "off"
BACKENDS = ("console", "twilio", OFF)

# Twilio's error codes that mean this number can never get this text: invalid number,
# not a mobile number, unreachable, the number replied STOP to the provider. Anything
# else (a wrong account or sender, the service down, too many requests) is retried, so
# fixing the settings still delivers what is waiting.
PERMANENT_TWILIO_CODES = frozenset({21211, 21612, 21614, 21610, 21217, 21421})
UNSUBSCRIBED_TWILIO_CODE = 21610


class TextRefused(Exception):
    """The provider will never deliver this text to this number."""

    def __init__(self, message: str, *, unsubscribed: bool = False):
        super().__init__(message)
        self.unsubscribed = unsubscribed


def texts_enabled() -> bool:
    return backend_name() != OFF


def backend_name() -> str:
    name = getattr(settings, "SMS_BACKEND", "console")
    if name not in BACKENDS:
        raise ImproperlyConfigured(f"SMS_BACKEND is one of {', '.join(BACKENDS)}, not {name!r}.")
    return name


def get_backend():
    name = backend_name()
    if name == "twilio":
        return TwilioBackend()
    if name == "console":
        return ConsoleBackend()
    raise ImproperlyConfigured("Texts are off (SMS_BACKEND=off): nothing can send them.")


class ConsoleBackend:
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, to: str, body: str, reference: str) -> str:
        self.stream.write(f"-- Text message to {to} ({reference})\n{body}\n--\n")
        self.stream.flush()
        return f"console-{reference}"


TWILIO_API = "https://api.twilio.com"


class ElsewhereHttpClient(TwilioHttpClient):
    """Twilio's HTTP client (the package's supported way to change how it connects),
    sending what would go to api.twilio.com to ``base`` instead."""

    def __init__(self, *, base: str, timeout: float):
        super().__init__(timeout=timeout)
        self.base = base.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_API):
            url = self.base + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


def _twilio_http_client() -> TwilioHttpClient:
    # A timeout on every request: the worker's lease must outlast a send.
    timeout = getattr(settings, "TWILIO_TIMEOUT", 10)
    base = getattr(settings, "TWILIO_API_URL", "")
    if base:
        return ElsewhereHttpClient(base=base, timeout=timeout)
    return TwilioHttpClient(timeout=timeout)


class TwilioBackend:
    def __init__(self):
        sid, token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
        if not (sid and token and settings.TWILIO_FROM):
            raise ImproperlyConfigured(
                "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM."
            )
        self.client = Client(sid, token, http_client=_twilio_http_client())

    def send(self, *, to: str, body: str, reference: str) -> str:
        sender = settings.TWILIO_FROM
        origin = {"messaging_service_sid": sender} if sender.startswith("MG") else {"from_": sender}
        try:
            message = self.client.messages.create(to=to, body=body, **origin)
        except TwilioRestException as exc:
            if exc.code in PERMANENT_TWILIO_CODES:
                raise TextRefused(
                    f"Twilio refused the number ({exc.status}, error {exc.code}): {exc.msg}",
                    unsubscribed=exc.code == UNSUBSCRIBED_TWILIO_CODE,
                ) from exc
            raise
        return message.sid


def describe_provider_failure(exc: Exception) -> tuple[bool, str] | None:
    """Whether a text's failure is permanent, and its description; None when the
    exception is not the provider's (the worker's own rules apply)."""
    if isinstance(exc, TextRefused):
        return True, str(exc)
    if isinstance(exc, TwilioRestException):
        return False, f"Twilio error {exc.status} (code {exc.code}): {exc.msg}"
    return None
