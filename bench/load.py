"""Fill the database with a generated program, table by table, timing each one.

One transaction for the whole run: a failure leaves the database as it was, and on
PostgreSQL the TRUNCATE and the COPYs of a reset commit together.
"""

import datetime as dt
import time
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import connections, transaction
from django.utils import timezone

from bench import generate as gen
from bench import sessions as gen_sessions
from bench.writers import program_tables, writer_for
from portal.accounts.models import User
from portal.mentoring import month_summaries
from portal.mentoring.activity import refresh_all_match_activity
from portal.mentoring.models import (
    Choice,
    ChoiceList,
    Match,
    Mentee,
    Mentor,
    MentorMonth,
    NoSessionMonth,
    ProgramSettings,
    SchoolSite,
    SessionLog,
    SiteContact,
    SiteMonth,
    ensure_starting_lists,
)
from portal.safeguarding.models import ResourceNeed, SafetyConcern

# Table key (as in Params.ids) -> model whose table it fills.
MODELS = {
    "user": User,
    "site": SchoolSite,
    "contact": SiteContact,
    "mentor": Mentor,
    "mentee": Mentee,
    "match": Match,
    "session": SessionLog,
    "concern": SafetyConcern,
    "need": ResourceNeed,
    "no_session_month": NoSessionMonth,
}


class AlreadyFilled(Exception):
    """The database already has a program: generating into it needs a reset."""


def choice_ids(list_name: str) -> tuple[int, ...]:
    """The list's default first, then its other entries still in use."""
    choices = Choice.objects.filter(list=list_name, is_retired=False).order_by(
        "-is_default", "position", "pk"
    )
    ids = tuple(choices.values_list("pk", flat=True))
    if not ids:
        raise ValueError(f"The {list_name} list has no entries.")
    return ids if len(ids) > 1 else ids * 2


def preferred_first(list_name: str, label: str) -> tuple[int, ...]:
    """The program's instructions name the choice to pick; put it first when it exists."""
    ids = choice_ids(list_name)
    wanted = Choice.objects.filter(list=list_name, label=label, is_retired=False).first()
    if wanted is None:
        return ids
    return (wanted.pk, *[i for i in ids if i != wanted.pk])


def run(
    *,
    mentors: int,
    mentees: int,
    sites: int,
    sessions: int,
    seed: int,
    reset: bool,
    using: str = "default",
    now: dt.datetime | None = None,
    say: Callable[[str], None] = print,
) -> dict:
    """Generate and write the program; return the summary (counts and seconds)."""
    connection = connections[using]
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    counts: dict[str, int] = {}

    def timed(name: str, action):
        begin = time.perf_counter()
        result = action()
        seconds[name] = round(time.perf_counter() - begin, 3)
        if isinstance(result, int):
            counts[name] = result
            say(f"  {name:<18} {result:>10,} rows  {seconds[name]:7.2f} s")
        else:
            say(f"  {name:<18} {'':>10}       {seconds[name]:7.2f} s")
        return result

    with transaction.atomic(using=using):
        writer = writer_for(connection)
        tables = program_tables()
        if reset:
            timed("reset", lambda: writer.reset(tables))
        elif Mentor.objects.using(using).exists():
            raise AlreadyFilled(
                f"The database already has {Mentor.objects.using(using).count():,} mentors. "
                "Run bench_data --reset to empty the program's tables first."
            )
        settings = ProgramSettings.load()
        ensure_starting_lists()
        now = now or timezone.now()
        params = gen.Params(
            mentors=mentors,
            mentees=mentees,
            sites=sites,
            sessions=sessions,
            seed=seed,
            today=timezone.localtime(now, settings.tz).date(),
            now=now.astimezone(dt.UTC),
            tz=settings.tz,
            policy=settings.deadline_policy,
            # One hash for every account: hashing 20,000 passwords would take minutes.
            password_hash=make_password(gen.BENCH_PASSWORD),
            agreement_version=settings.agreement_version,
            type_choices=preferred_first(ChoiceList.TYPE_OF_MENTORING, "Mentoring Hours"),
            interaction_choices=preferred_first(ChoiceList.INTERACTION, "In-Person"),
            ids={
                key: model.objects.using(using).order_by("-pk").values_list("pk", flat=True).first()
                or 0
                for key, model in MODELS.items()
            },
        )
        program = timed("plan", lambda: gen.build_program(params))
        extras = gen_sessions.SessionExtras()

        def write(key, columns, rows, **options):
            return writer.write(MODELS[key]._meta.db_table, columns, rows, **options)

        timed("users", lambda: write("user", gen.USER_COLUMNS, program.users))
        timed("sites", lambda: write("site", gen.SITE_COLUMNS, program.sites))
        timed("site_contacts", lambda: write("contact", gen.CONTACT_COLUMNS, program.contacts))
        timed("mentors", lambda: write("mentor", gen.MENTOR_COLUMNS, program.mentors))
        timed("mentees", lambda: write("mentee", gen.MENTEE_COLUMNS, program.mentees))
        timed("matches", lambda: write("match", gen.MATCH_COLUMNS, program.matches))
        timed(
            "sessions",
            lambda: write(
                "session",
                gen.SESSION_COLUMNS,
                gen_sessions.session_rows(params, program, extras),
                bulk=True,
            ),
        )
        for phase, took in getattr(writer, "phases", {}).items():
            seconds[f"sessions_{phase}"] = round(took, 3)
            say(f"    {phase:<16} {'':>10}       {took:7.2f} s")
        timed("safety_concerns", lambda: write("concern", gen.CONCERN_COLUMNS, extras.concerns))
        timed("resource_needs", lambda: write("need", gen.NEED_COLUMNS, extras.needs))
        timed(
            "no_session_months",
            lambda: write("no_session_month", gen.NO_SESSION_COLUMNS, extras.no_session_months),
        )
        # Each match's two latest entries, which "matches needing support" reads.
        timed("match_activity", lambda: refresh_all_match_activity() and None)
        # The reports' monthly counters: the COPY went around the models that keep them.
        timed("month_summaries", lambda: month_summaries.rebuild(tz=settings.tz) and None)
        counters = (MentorMonth, SiteMonth)
        written = [model._meta.db_table for model in (*MODELS.values(), *counters)]
        timed("sequences_analyze", lambda: writer.finish(written))
        commit_started = time.perf_counter()
    seconds["commit"] = round(time.perf_counter() - commit_started, 3)
    say(f"  {'commit':<18} {'':>10}       {seconds['commit']:7.2f} s")
    timed("vacuum", lambda: writer.after_commit(written))
    total = round(time.perf_counter() - started, 3)
    say(f"  {'total':<18} {sum(counts.values()):>10,} rows  {total:7.2f} s")
    return {
        "database": connection.vendor,
        "params": {
            "mentors": mentors,
            "mentees": mentees,
            "sites": sites,
            "sessions": sessions,
            "seed": seed,
            "today": params.today.isoformat(),
        },
        "accounts": {
            "staff": gen.STAFF_EMAIL,
            "admin": gen.ADMIN_EMAIL,
            "mentor_pattern": "mentor{n:05d}@bench.example.org",
            "password": gen.BENCH_PASSWORD,
        },
        "counts": counts,
        "seconds": seconds,
        "total_seconds": total,
    }
