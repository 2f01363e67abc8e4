"""`make bench`: the portal at real size on PostgreSQL, against the ceiling, then SQLite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        DJANGO_SETTINGS_MODULE=bench.settings manage.py bench

See bench/harness.py for what is measured and how; docs/BENCHMARKS.md is written
from the run.
"""

import argparse
import datetime as dt
import json
import os
import subprocess  # noqa: S404  (fixed argument lists)
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from bench import background, extras, harness, markdown, serve, staff_pages, transfers


class Command(BaseCommand):
    help = "Generate a real-size program, load its pages with wrk, write docs/BENCHMARKS.md."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=10, help="Length of each load.")
        parser.add_argument("--clients", type=int, default=16, help="Concurrent mentors.")
        parser.add_argument("--mentors", type=int, default=20_000)
        parser.add_argument("--mentees", type=int, default=25_000)
        parser.add_argument("--sites", type=int, default=40)
        parser.add_argument("--sessions", type=int, default=1_000_000)
        parser.add_argument(
            "--skip-generate", action="store_true", help="Reuse the data of an earlier run."
        )
        parser.add_argument("--no-sqlite", action="store_true", help="Skip the SQLite demo.")
        parser.add_argument(
            "--import-mentors",
            type=int,
            default=None,
            help="Mentors in the staff import measured (as many as --mentors unless given).",
        )
        parser.add_argument("--out", default=str(harness.ROOT / "docs" / "BENCHMARKS.md"))
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Fail if any request was answered otherwise than expected (for CI).",
        )
        # Internal: run by the benchmark itself in the SQLite demo's environment.
        parser.add_argument("--prepare-clients", metavar="DIR", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["prepare_clients"]:
            self._prepare_clients(Path(options["prepare_clients"]), options["clients"])
            return
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError(
                "The benchmark runs on PostgreSQL: set DATABASE_URL (make bench does)."
            )
        database_url = os.environ["DATABASE_URL"]
        started = time.monotonic()
        report = harness.Report(started=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
        self._step("Machine")
        if not options["skip_generate"]:
            harness.recreate_database(database_url)
        report.machine = harness.machine(database_url)
        report.machine["cache"] = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        if not options["skip_generate"]:
            report.generation = self._generate(options)
        call_command("collectstatic", interactive=False, verbosity=0)
        _settle(database_url)
        self._postgres(database_url, options, report)
        harness.save(report, harness.BENCH_DIR / "report.json")
        if not options["no_sqlite"]:
            report.sqlite, report.staff_demo_queries = self._sqlite(options)
        report.total_seconds = time.monotonic() - started
        harness.save(report, harness.BENCH_DIR / "report.json")
        out = Path(options["out"])
        out.write_text(markdown.render(harness.asdict(report)))
        self._step(f"Wrote {out} in {report.total_seconds / 60:.1f} minutes")
        problems = harness.problems(report)
        for problem in problems:
            self.stderr.write(f"  {problem}")
        if problems and options["strict"]:
            raise CommandError(f"{len(problems)} problems in the benchmark run.")

    def _step(self, text: str) -> None:
        self.stdout.write(f"== {text}")
        self.stdout.flush()

    # --- PostgreSQL ---------------------------------------------------------------------

    def _generate(self, options) -> dict:
        self._step("Migrating the benchmark database")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        summary = harness.BENCH_DIR / "generation.json"
        summary.parent.mkdir(parents=True, exist_ok=True)
        self._step("Generating the program (bench_data)")
        call_command(
            "bench_data",
            reset=True,
            mentors=options["mentors"],
            mentees=options["mentees"],
            sites=options["sites"],
            sessions=options["sessions"],
            summary=str(summary),
        )
        generation = json.loads(summary.read_text())
        self._step("Adding the staff workspace's other rows (readiness, check-ins, ...)")
        began = time.monotonic()
        added = extras.add(staff_email=harness.STAFF_EMAIL)
        generation.setdefault("counts", {}).update(added)
        generation["total_seconds"] = generation.get("total_seconds", 0) + (
            time.monotonic() - began
        )
        self.stdout.write(f"  {added}")
        return generation

    def _postgres(self, database_url: str, options, report) -> None:
        from portal.mentoring.models import SessionLog, SessionLogRevision

        clients_dir = harness.BENCH_DIR / "postgres"
        files, context = _make_clients(clients_dir, options["clients"], harness.STAFF_EMAIL)
        # Entries posted by an earlier run on reused data would collide with this run's.
        earlier = SessionLog.objects.filter(notes=harness.BENCH_NOTES)
        SessionLogRevision.objects.filter(session__in=earlier).delete()
        earlier.delete()
        page_list = harness.pages(context["month"], context["site_id"], clients=options["clients"])
        self._step("Counting queries per page")
        queries = harness.count_queries(
            page_list, mentor_email=context["mentor_email"], staff_email=harness.STAFF_EMAIL
        )
        cpu = harness.cpu_per_request(
            page_list, mentor_email=context["mentor_email"], staff_email=harness.STAFF_EMAIL
        )
        env = {**os.environ, "DATABASE_URL": database_url}
        self._step(f"Loading pages on PostgreSQL ({options['seconds']:g} s each)")
        staff_list, report.staff_missing = _staff_pages(context)
        self._step("Counting queries per staff page")
        staff_queries = staff_pages.count_queries(
            staff_list, {"staff": harness.STAFF_EMAIL, "admin": harness.ADMIN_EMAIL}
        )
        with serve.Server(env, harness.BENCH_DIR / "gunicorn-postgres.log") as server:
            measures = serve.load_pages(
                server, page_list, seconds=options["seconds"], tz=context["tz"],
                queries=queries, **files,
            )  # fmt: skip
            self._step(
                f"Staff pages, one client, {staff_pages.REQUESTS} requests each after "
                f"{staff_pages.WARM_UPS} warm-ups"
            )
            cookies = {
                "staff": harness.staff_client(harness.STAFF_EMAIL).cookie,
                "admin": harness.staff_client(harness.ADMIN_EMAIL).cookie,
            }
            report.staff = staff_pages.measure_all(
                server, staff_list, cookies, queries=staff_queries
            )
            if report.staff_missing:
                self.stdout.write(f"  not available: {', '.join(report.staff_missing)}")
        for measure in measures:
            measure.cpu_ms = cpu.get(measure.name)
        # Every post answered "saved" (warm-ups included), and the one whose queries were
        # counted, must be in the database; the only other rows allowed are the requests
        # wrk left in flight when it stopped (one per connection and run). The unique
        # constraints make each one a single row.
        key = str(files["mentors_file"])
        accepted = serve.posts_saved.get(key, 0) + 1
        in_flight = serve.posts_in_flight.get(key, 0)
        rows = SessionLog.objects.filter(notes=harness.BENCH_NOTES).count()
        posts = {
            "accepted": accepted,
            "rows": rows,
            "in_flight": in_flight,
            "each_once": accepted <= rows <= accepted + in_flight,
        }
        self._step("Raw SQL for the staff reports")
        raw = harness.raw_sql_timings(database_url, **context["bounds"])
        for name, timing in raw.items():
            self.stdout.write(f"  {name:<32} {timing['median_ms']:>7.1f} ms")
        self._step("Full CSV export")
        export = serve.measure_export(
            env,
            lambda: harness.staff_client(harness.STAFF_EMAIL),
            SessionLog.objects.live().count(),
            harness.BENCH_DIR / "gunicorn-export.log",
        )
        self.stdout.write(f"  {export}")
        report.postgres, report.posts_checked, report.raw_sql, report.export = (
            measures,
            posts,
            raw,
            export,
        )
        harness.save(report, harness.BENCH_DIR / "report.json")
        excel_month, excel_rows = _excel_month()
        self._step(f"Excel export of one month ({excel_month.key}, {excel_rows:,} sessions)")
        with serve.Server(env, harness.BENCH_DIR / "gunicorn-excel.log") as server:
            report.excel = transfers.measure_excel_month(
                server,
                harness.staff_client(harness.STAFF_EMAIL).cookie,
                excel_month.key,
                excel_rows,
            )
        self.stdout.write(f"  {report.excel}")
        self._step("Background export of every session")
        report.background = background.measure(
            expected_rows=SessionLog.objects.live().count(),
            staff_email=harness.STAFF_EMAIL,
            database_url=database_url,
        )
        self.stdout.write(f"  {report.background}")
        count = options["import_mentors"] or options["mentors"]
        self._step(f"Staff import of {count:,} mentors")
        with serve.Server(env, harness.BENCH_DIR / "gunicorn-import.log") as server:
            report.mentor_import = transfers.measure_mentor_import(
                server, harness.staff_client(harness.STAFF_EMAIL), count=count, env=env
            )
        self.stdout.write(f"  {report.mentor_import}")

    # --- SQLite -------------------------------------------------------------------------

    def _sqlite(self, options):
        self._step("The SQLite demo database")
        folder = harness.BENCH_DIR / "sqlite"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "demo.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env["SQLITE_PATH"] = str(path)
        env["DJANGO_SETTINGS_MODULE"] = "bench.settings"  # for `bench --prepare-clients`
        manage = [sys.executable, str(harness.ROOT / "manage.py")]
        for command in (
            ["migrate", "--noinput", "-v", "0"],
            ["createcachetable"],
            ["load_demo"],
            ["bench", "--prepare-clients", str(folder), "--clients", str(options["clients"])],
        ):
            subprocess.run(  # noqa: S603
                manage + command, env=env, check=True, cwd=harness.ROOT, stdout=subprocess.DEVNULL
            )
        context = json.loads((folder / "context.json").read_text())
        page_list = harness.pages(context["month"], context["site_id"], clients=options["clients"])
        seconds = max(options["seconds"] / 2, 3)
        with serve.Server(env, harness.BENCH_DIR / "gunicorn-sqlite.log") as server:
            measures = serve.load_pages(
                server, page_list, seconds=seconds, tz=context["tz"],
                queries=context["queries"], **_files(folder),
            )  # fmt: skip
        return measures, context["staff_queries"]

    def _prepare_clients(self, folder: Path, clients: int) -> None:
        _files_written, context = _make_clients(folder, clients, harness.DEMO_STAFF_EMAIL)
        page_list = harness.pages(context["month"], context["site_id"], clients=clients)
        context["queries"] = harness.count_queries(
            page_list, mentor_email=context["mentor_email"], staff_email=harness.DEMO_STAFF_EMAIL
        )
        staff_list, _missing = _staff_pages(context)
        context["staff_queries"] = staff_pages.count_queries(
            staff_list, {"staff": harness.DEMO_STAFF_EMAIL, "admin": harness.DEMO_ADMIN_EMAIL}
        )
        (folder / "context.json").write_text(json.dumps(context, default=str))


def _staff_pages(context: dict):
    """The staff pages of this program, asking for the report month and a deep page."""
    from portal.mentoring.models import SessionLog

    deep = staff_pages.deep_pages(SessionLog.objects.live().count())
    return staff_pages.resolve(staff_pages.staff_pages(), month=context["month"], **deep)


def _excel_month():
    """The month whose Excel file is downloaded at once: the latest whole month with at
    most ``EXPORT_BACKGROUND_ROWS`` sessions (a busier one is made in the background, and
    is measured with the export of everything). With its live sessions, the file's rows."""
    from django.conf import settings

    from portal.filejobs.exports import DEFAULT_BACKGROUND_ROWS
    from portal.mentoring import rules
    from portal.mentoring.models import ProgramSettings, SessionLog

    program = ProgramSettings.load()
    most = getattr(settings, "EXPORT_BACKGROUND_ROWS", DEFAULT_BACKGROUND_ROWS)
    month = rules.Month.of(dt.datetime.now(dt.UTC), program.tz).previous()
    first = month
    for _ in range(36):
        start, end = month.bounds(program.tz)
        rows = SessionLog.objects.live().filter(starts_at__gte=start, starts_at__lt=end).count()
        if 0 < rows <= most:
            return month, rows
        month = month.previous()
    start, end = first.bounds(program.tz)
    return first, SessionLog.objects.live().filter(starts_at__gte=start, starts_at__lt=end).count()


def _settle(database_url: str) -> None:
    """Start measuring from a settled database: a checkpoint writes out what the bulk load
    left in memory, so that PostgreSQL does not flush it in the middle of a measured run
    (session posts, which wait for their commit, varied from 60 to 135 requests/s between
    two runs without it)."""
    import psycopg

    try:
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute("CHECKPOINT")
    except psycopg.Error:
        pass  # not a superuser: the figures are only noisier


def _files(folder: Path) -> dict:
    return {
        "mentors_file": folder / "mentors.txt",
        "staff_file": folder / "staff.txt",
        "anon_file": folder / "anonymous.txt",
    }


def _make_clients(folder: Path, count: int, staff_email: str) -> tuple[dict, dict]:
    """Signed-in mentors and a staff member for wrk, and the month the reports ask for."""
    from portal.mentoring import rules
    from portal.mentoring.models import ProgramSettings, SchoolSite

    files = _files(folder)
    mentors = harness.mentor_clients(count)
    harness.write_clients(files["mentors_file"], mentors)
    harness.write_clients(files["staff_file"], [harness.staff_client(staff_email)])
    harness.write_clients(files["anon_file"], [harness.Client(cookie="bench=1", csrf="-")])
    program = ProgramSettings.load()
    # The last whole month: what a coordinator reports on at month end.
    last_month = rules.Month.of(dt.datetime.now(dt.UTC), program.tz).previous()
    start, end = last_month.bounds(program.tz)
    mentor_email = mentors[0].email  # whose page and post are counted
    context = {
        "month": last_month.key,
        "site_id": SchoolSite.objects.order_by("pk").values_list("pk", flat=True).first(),
        "tz": str(program.tz),
        "mentor_email": mentor_email,
        "bounds": {
            "month_start": start,
            "month_end": end,
            "month_first_day": last_month.first_day(),
            "month_last_day": last_month.last_day(),
        },
    }
    return files, context
