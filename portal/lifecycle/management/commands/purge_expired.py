"""manage.py purge_expired: blank session notes older than the program keeps them.

Off until an administrator sets "keep session notes (years)" in the program settings.
Idempotent; the worker (run_worker) also runs it once a day (portal/schedule.py).
"""

from django.core.management.base import BaseCommand

from portal.lifecycle.services import sessions_purge_expired


class Command(BaseCommand):
    help = "Blank the notes of sessions older than the retention setting, and audit it."

    def handle(self, *args, **options):
        total = 0
        while done := sessions_purge_expired():
            total += done
        self.stdout.write(f"{total} sessions past retention blanked.")
