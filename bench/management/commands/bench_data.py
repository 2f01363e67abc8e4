"""Generate a real-size program for the benchmark (issue 7): fast, deterministic, valid.

    python manage.py bench_data --reset [--mentors N] [--mentees N] [--sites N]
        [--sessions N] [--seed N] [--summary FILE]

Every generated account has the password ``bench-pass-2026``; the benchmark signs in as
bench-staff@example.org, bench-admin@example.org and mentor00001@bench.example.org, ...

It refuses a database that holds real people (portal/lifecycle/throwaway.py): only an
empty database or one of the benchmark's (or the demo's) is filled, or emptied by --reset.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bench import load
from portal.lifecycle.throwaway import NotThrowaway, ensure_throwaway


class Command(BaseCommand):
    help = "Fill the database with a generated real-size program (for the benchmark)."

    def add_arguments(self, parser):
        parser.add_argument("--mentors", type=int, default=20_000)
        parser.add_argument("--mentees", type=int, default=25_000, help="one match each")
        parser.add_argument("--sites", type=int, default=40)
        parser.add_argument("--sessions", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--reset", action="store_true", help="empty the program's tables first")
        parser.add_argument("--summary", type=Path, help="write counts and seconds as JSON here")

    def handle(self, *args, **options):
        for name in ("mentors", "mentees", "sites", "sessions"):
            if options[name] < 0:
                raise CommandError(f"--{name} cannot be negative.")
        if options["sites"] < 1 and options["mentees"]:
            raise CommandError("--sites must be at least 1.")
        using = options.get("database") or "default"
        try:
            ensure_throwaway("bench_data", using=using)
        except NotThrowaway as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Generating {options['mentors']:,} mentors, {options['mentees']:,} mentees, "
            f"{options['sites']:,} sites and {options['sessions']:,} sessions "
            f"(seed {options['seed']})..."
        )
        try:
            summary = load.run(
                mentors=options["mentors"],
                mentees=options["mentees"],
                sites=options["sites"],
                sessions=options["sessions"],
                seed=options["seed"],
                reset=options["reset"],
                using=using,
                say=self.stdout.write,
            )
        except (load.AlreadyFilled, ValueError) as error:
            raise CommandError(str(error)) from error
        if options["summary"]:
            path = Path(options["summary"])
            path.write_text(json.dumps(summary, indent=2) + "\n")
            self.stdout.write(f"Summary written to {path}.")
        self.stdout.write(self.style.SUCCESS("Benchmark data ready."))
