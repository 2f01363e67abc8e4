"""Entries saved on the mentor's phone while it is offline (issue 16, item 5).

The browser keeps such an entry encrypted (AES-GCM, WebCrypto) under a key that only the
mentor's own pages carry, in storage named by an opaque scope: another account on the same
browser gets another key and another scope, so it can neither find nor read the entry.

The key is derived from the account, not kept in the sign-in session: a sign-in lasts at
most 12 hours, and an entry saved offline in the afternoon must still open the next morning,
after the mentor signs in again. It includes the password hash, so a password change (the
way to shut out someone who had the account) makes what was left on a device unreadable.
Sign-out deletes the entries from the browser (static/js/portal.js).
"""

import base64

from django.utils.crypto import salted_hmac

from portal.accounts.models import User

KEY_SALT = "portal.mentoring.offline-entries.key"
SCOPE_SALT = "portal.mentoring.offline-entries.scope"


def entry_key(user: User) -> str:
    """The 256-bit AES key of ``user``'s offline entries, base64url without padding."""
    digest = salted_hmac(KEY_SALT, f"{user.pk}:{user.password}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def entry_scope(user: User) -> str:
    """The opaque name under which ``user``'s entries are stored in the browser."""
    return salted_hmac(SCOPE_SALT, str(user.pk), algorithm="sha256").hexdigest()[:24]
