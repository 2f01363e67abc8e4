"""Print the current one-time code of a demo account (staff@ or admin@example.org).

Only for accounts that use the published demo secret: it is no way into a real account.
"""

from django.core.management.base import BaseCommand, CommandError

from portal.security import totp
from portal.security.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current one-time code of a demo account."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        device = TOTPDevice.objects.filter(user__email__iexact=email).first()
        if device is None or device.secret != totp.DEMO_SECRET:
            raise CommandError(f"{email} is not a demo account with the demo code secret.")
        self.stdout.write(totp.current_code(device.secret))
