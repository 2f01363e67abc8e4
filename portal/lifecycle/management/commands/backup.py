"""manage.py backup [--output PATH] [--keep N] [--unencrypted]: a consistent copy of the
whole database, encrypted to the public keys in BACKUP_GPG_RECIPIENT_FILES.

SQLite: the online backup API, safe while the portal runs. PostgreSQL: pg_dump's custom
format, streamed into gpg. The file is readable by its owner only: it holds notes about
children. Written to BACKUP_DIR by default, where the newest BACKUP_KEEP are kept.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.lifecycle.backups import BackupError, backup_create, prune


class Command(BaseCommand):
    help = "Back up the whole database, encrypted, to a file (BACKUP_DIR by default)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Where to write the backup (nothing is pruned).")
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="How many backups to keep in BACKUP_DIR (default BACKUP_KEEP).",
        )
        parser.add_argument(
            "--unencrypted",
            action="store_true",
            help="Write a plain copy (the demo only: refused with HTTPS=on).",
        )

    def handle(self, *args, **options):
        try:
            path = backup_create(path=options.get("output"), unencrypted=options["unencrypted"])
            removed = []
            if not options.get("output"):
                keep = options["keep"] if options["keep"] is not None else settings.BACKUP_KEEP
                removed = prune(keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(path))
        for old in removed:
            self.stderr.write(f"Removed the older backup {old}")
