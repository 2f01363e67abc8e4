"""Queue the reminders due now (RULES 4.11). Safe to run as often as you like.

    manage.py send_reminders

``run_worker`` runs this every 15 minutes; without the worker, run it from cron.
"""

from django.core.management.base import BaseCommand

from portal.mentoring.reminders import reminders_send


class Command(BaseCommand):
    help = "Queue the weekly and deadline reminders that are due and not yet sent."

    def handle(self, *args, **options):
        sent = reminders_send()
        self.stdout.write(f"Queued {sent} reminder{'s' if sent != 1 else ''}.")
