"""Emails that carry a way in, and how the outbox forgets it.

An invitation holds the one link that enrolls its person; a password reset email, the
link that sets a new password; a weekly reminder, a link that changes a setting without
signing in. The outbox needs the link only to render the email. Once the email is sent,
has failed for good, or its link has expired, the row keeps the path with its secret
parts removed (the same update that records the outcome, or ``notifications_forget_links``
for links that expired before they could be sent), so a copy of the database, a backup
say, cannot be turned back into a working link.

Which emails and which context keys: ``SECRET_CONTEXT``, here and nowhere else. A
template named ``<name>-<variant>`` (e.g. ``invitation-contact``) carries the secrets of
``<name>``.
"""

from django.urls import Resolver404, resolve

SECRET_CONTEXT: dict[str, tuple[str, ...]] = {
    "invitation": ("path",),
    "password-reset": ("path",),
    "reminder-weekly": ("weekly_off_path",),
}
REMOVED = "[removed]"


def secret_keys(template: str) -> tuple[str, ...]:
    """The context keys of ``template`` that hold a working link (none for most)."""
    for name, keys in SECRET_CONTEXT.items():
        if template == name or template.startswith(f"{name}-"):
            return keys
    return ()


def holds_secret(template: str) -> bool:
    return bool(secret_keys(template))


def without_secrets(template: str, context: dict) -> dict:
    """``context`` with the secret part of every link of ``template`` removed."""
    keys = secret_keys(template)
    return {key: _redacted(value) if key in keys else value for key, value in context.items()}


def _redacted(value) -> str:
    """The path with what the URL pattern captured (the token, the account) removed, so
    staff can still tell which page it opened: ``/enroll/[removed]/``."""
    if not isinstance(value, str):
        return REMOVED
    try:
        match = resolve(value)
    except Resolver404:
        return REMOVED
    for captured in [*match.args, *match.kwargs.values()]:
        value = value.replace(str(captured), REMOVED)
    return value
