from django.core.management.base import BaseCommand

from portal.safeguarding.services import concerns_escalate


class Command(BaseCommand):
    help = (
        "Raise again to staff every safety concern not acknowledged within the program's "
        "time. Safe to run as often as you like: each concern is raised again once."
    )

    def handle(self, *args, **options):
        count = concerns_escalate()
        self.stdout.write(f"{count} concern(s) raised again to staff.")
