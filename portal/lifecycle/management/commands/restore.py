"""manage.py restore PATH --yes [--identity KEYFILE]: replace the whole database with a
backup.

Stop the web servers and the worker first, restore, then start them again. An encrypted
backup needs its private key: ``--identity KEYFILE`` (an exported secret key, or "-" to
read it from standard input), or the operator's own GnuPG keyring without it.
"""

from django.core.management.base import BaseCommand, CommandError

from portal.lifecycle.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--yes", action="store_true", help="Confirm: everything since the backup is lost."
        )
        parser.add_argument(
            "--identity",
            help="The private key file that decrypts the backup ('-' reads standard input).",
        )

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError(
                "This replaces every record with the backup's. Stop the portal, then run "
                "again with --yes."
            )
        try:
            backup_restore(path=options["path"], identity=options.get("identity"))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {options['path']}.")
