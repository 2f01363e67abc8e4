"""manage.py backup [--output PATH]: a consistent copy of the whole database.

SQLite: the online backup API, safe while the portal runs. PostgreSQL: pg_dump's custom
format. The file is readable by its owner only: it holds notes about children.
"""

from django.core.management.base import BaseCommand, CommandError

from portal.lifecycle.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the whole database to a file (var/backups/ by default)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Where to write the backup.")

    def handle(self, *args, **options):
        try:
            path = backup_create(path=options.get("output"))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(path))
