"""Compile the Spanish (and any other) catalogues in locale/ to .mo, without msgfmt."""

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.lib.messages_mo import compile_all


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po to .mo (pure Python; no gettext needed)."

    def handle(self, *args, **options):
        written = compile_all(settings.LOCALE_PATHS)
        if options["verbosity"] > 1:
            for path in written:
                self.stdout.write(str(path))
