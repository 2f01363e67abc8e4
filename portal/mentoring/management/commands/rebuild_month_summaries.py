"""Recount the monthly counters the staff reports read, from the session logs.

    manage.py rebuild_month_summaries             # every month, in one transaction
    manage.py rebuild_month_summaries --month 2026-05

Safe to run at any time: session changes wait while the counters are recounted, reports
go on. Needed only after raw SQL wrote sessions (the benchmark's data does it itself) or
to repair a damaged table; a change of the program's time zone recounts by itself.
"""

from django.core.management.base import BaseCommand, CommandError

from portal.mentoring.month_summaries import rebuild
from portal.mentoring.rules import Month, MonthError


class Command(BaseCommand):
    help = "Recount the reports' monthly counters of sessions, hours and late entries."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="Only this month, written YYYY-MM.")

    def handle(self, *args, **options):
        month = None
        if options["month"]:
            try:
                parsed = Month.parse(options["month"])
            except MonthError as error:
                raise CommandError(str(error)) from None
            month = (parsed.year, parsed.month)
        rows = rebuild(month=month)
        self.stdout.write(
            f"Recounted {rows['mentor_rows']} mentor-month and {rows['site_rows']} site-month rows."
        )
