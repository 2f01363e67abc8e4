"""The demo's one-time code secret for staff and administrators (see README)."""

from portal.accounts.models import User
from portal.security import totp
from portal.security.models import TOTPDevice

DEMO_CODE_ACCOUNTS = ("staff@example.org", "admin@example.org")


def prepare_demo_codes() -> None:
    """Give the demo staff and administrator the published secret, not yet turned on:
    with REQUIRE_STAFF_TOTP off (the demo) they sign in with their password alone; with it
    on, the set-up page shows this secret and `manage.py demo_totp EMAIL` prints the code.
    Running it again changes nothing."""
    for user in User.objects.filter(email__in=DEMO_CODE_ACCOUNTS):
        TOTPDevice.objects.get_or_create(user=user, defaults={"secret": totp.DEMO_SECRET})
