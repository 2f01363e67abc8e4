"""The reports' monthly counters (portal/mentoring/month_summaries.py) give the figures the
sessions give, after any sequence of changes, through every way sessions change.

A rule-based machine logs, corrects, moves, deletes, reviews and flags entries, moves
matches to another site or mentor, erases a child, creates entries in bulk and changes the
program's time zone; after each step every report figure read from the counters is
compared with the same figure counted from the sessions (``raw=True``), for several month
ranges, schools and filters, and the counters with a fresh recount.
"""

import contextlib
import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from portal.accounts.models import Role
from portal.lifecycle.services import mentee_erase
from portal.mentoring import month_summaries, services
from portal.mentoring.models import (
    Choice,
    ChoiceList,
    Match,
    Mentee,
    MentorMonth,
    NoSessionMonth,
    ProgramSettings,
    SchoolSite,
    SessionLog,
    SessionLogRevision,
    SiteMonth,
)
from portal.mentoring.rules import Month
from portal.staff import compliance, selectors
from portal.staff.services import sessions_mark_reviewed
from tests.conftest import is_postgres, make_match, make_user, session_input
from tests.serialized import django_db_setup  # noqa: F401  (see tests/serialized.py)

CHICAGO = ZoneInfo("America/Chicago")
MONTHS = [Month(2025, 9), Month(2025, 10), Month(2025, 11), Month(2025, 12)]
# Month ranges of the hours report: one month, a quarter, and beyond the data at both ends.
RANGES = [
    (Month(2025, 10), Month(2025, 10)),
    (Month(2025, 10), Month(2025, 12)),
    (Month(2025, 8), Month(2026, 1)),
]


# --- The figures, read both ways -----------------------------------------------------------


def _row_values(rows) -> list[tuple]:
    return [
        (r.mentor.pk, r.sessions, r.met, r.absences, r.quarters, r.late, r.declared) for r in rows
    ]


def compliance_figures(month: Month, site: int | None, *, raw: bool) -> dict:
    program = ProgramSettings.load()
    scope = compliance.Scope.of(month, program=program, site=site, raw=raw)
    summary = compliance.summary(scope)
    pages = {}
    for show in (compliance.EVERYONE, compliance.NOTHING, compliance.LATE):
        page = compliance.mentor_page(scope, show=show, page="1", count=summary.count_shown(show))
        pages[show] = _row_values(page.rows)
    return {
        "summary": summary,
        "pages": pages,
        "export": _row_values(
            compliance.compliance_rows(month, program=program, site=site, raw=raw)
        ),
        "silent": compliance.silent_emails(scope),
        "declared": [d.pk for d in compliance._declarations(scope)],
    }


def hours_figures(start: Month, end: Month, *, raw: bool, **filters) -> dict:
    program = ProgramSettings.load()
    report = selectors.hours_report(
        selectors.HoursFilters(start=start, end=end, **filters), program=program, raw=raw
    )
    report["by_month"] = [{**row, "month": row["month"].key} for row in report["by_month"]]
    return report


def dashboard_figures(month: Month, *, raw: bool) -> dict:
    program = ProgramSettings.load()
    shown = selectors.month_shown(month.key, program=program)
    figures = selectors.dashboard_figures(shown, program=program, raw=raw)
    return {key: figures[key] for key in ("figures", "nothing_logged")}


def every_figure(*, raw: bool, sites: list[int], choice: int) -> dict:
    figures = {}
    for month in MONTHS:
        for site in (None, *sites):
            figures[("compliance", month.key, site)] = compliance_figures(month, site, raw=raw)
        figures[("dashboard", month.key)] = dashboard_figures(month, raw=raw)
    for start, end in RANGES:
        figures[("hours", start.key, end.key)] = hours_figures(start, end, raw=raw)
        figures[("hours site", start.key, end.key)] = hours_figures(
            start, end, raw=raw, site=sites[0]
        )
        figures[("hours type", start.key, end.key)] = hours_figures(
            start, end, raw=raw, type_of_mentoring=choice
        )
    return figures


def counter_rows() -> dict:
    """Every counter row that counts something, by key."""

    def rows(model):
        values = model.objects.filter(sessions__gt=0).values_list(*model.KEYS, *model.COUNTERS)
        return {row[: len(model.KEYS)]: row[len(model.KEYS) :] for row in values}

    return {"mentor": rows(MentorMonth), "site": rows(SiteMonth)}


def assert_figures_match(world: dict) -> None:
    counted = every_figure(raw=False, sites=world["sites"], choice=world["group"].pk)
    scanned = every_figure(raw=True, sites=world["sites"], choice=world["group"].pk)
    for key in scanned:
        assert counted[key] == scanned[key], key


def assert_counters_match_a_recount() -> None:
    kept = counter_rows()
    with transaction.atomic():
        month_summaries.rebuild()
        recounted = counter_rows()
        transaction.set_rollback(True)
    assert kept == recounted


# --- The program the machine changes ----------------------------------------------------------


def build_world() -> dict:
    program = ProgramSettings.load()
    north = SchoolSite.objects.create(name="North School", address="1 North St")
    south = SchoolSite.objects.create(name="South School", address="2 South St")
    start = dt.date(2025, 1, 6)
    first = make_match("ana@example.org", north, "Jane", start)
    second = make_match("ben@example.org", south, "Marcus", start)
    third = make_match("cy@example.org", north, "Lena", start)
    # Ana's second match, at the other school: moving an entry there changes its site only.
    other_mentee = Mentee.objects.create(first_name="Omar", last_initial="K", site=south, grade="3")
    fourth = Match.objects.create(
        mentor=first.mentor, mentee=other_mentee, site=south, start_date=start
    )
    NoSessionMonth.objects.create(
        mentor=third.mentor,
        year=2025,
        month=10,
        reason="school_break",
        declared_by=third.mentor.user,
        declared_at=dt.datetime(2025, 10, 30, tzinfo=CHICAGO),
    )
    return {
        "program": program,
        "staff": make_user("robin@example.org", Role.STAFF, "Robin Ellis"),
        "admin": make_user("alex@example.org", Role.ADMIN, "Alex Morgan"),
        "sites": [north.pk, south.pk],
        "matches": [first.pk, second.pk, third.pk, fourth.pk],
        "types": list(Choice.objects.filter(list=ChoiceList.TYPE_OF_MENTORING, is_retired=False)),
        "interactions": list(Choice.objects.filter(list=ChoiceList.INTERACTION, is_retired=False)),
        "group": Choice.objects.get(list=ChoiceList.TYPE_OF_MENTORING, label="Group Activity"),
    }


# Near midnight at the ends of months (a month in Chicago is not a month in UTC), across the
# end of daylight saving time (2 November 2025).
REFUSED = (
    ValidationError,
    PermissionDenied,
    services.DuplicateSession,
    services.DeadlinePassed,
)
moments = st.builds(
    lambda day, hour: dt.datetime(2025, 9, 28, hour, 30, tzinfo=CHICAGO) + dt.timedelta(days=day),
    st.integers(min_value=0, max_value=66),
    st.sampled_from([0, 12, 23]),
)
attendance = st.sampled_from(["met", "met", "mentee_absent", "cancelled"])


class SessionChanges(RuleBasedStateMachine):
    world: dict = {}

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.ids: list[int] = []

    def teardown(self):
        try:
            # At the end of each sequence: every report figure, both ways.
            assert_figures_match(self.world)
        finally:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    # Helpers

    def _match(self, index: int) -> Match:
        return Match.objects.select_related("mentor__user").get(pk=self.world["matches"][index])

    def _session(self, index: int) -> SessionLog | None:
        live = SessionLog.objects.live().filter(pk__in=self.ids).order_by("pk")
        sessions = list(
            live.select_related("match__mentor__user", "type_of_mentoring", "interaction")
        )
        return sessions[index % len(sessions)] if sessions else None

    def _input(self, match, starts_at, attend, hours, kind, interaction):
        return session_input(
            match,
            starts_at,
            quarter_hours=hours if attend == "met" else 0,
            attendance=attend,
            type_of_mentoring=self.world["types"][kind % len(self.world["types"])],
            interaction=self.world["interactions"][interaction % len(self.world["interactions"])],
        )

    # Rules

    @rule(
        match=st.integers(0, 3),
        starts_at=moments,
        attend=attendance,
        hours=st.integers(1, 8),
        kind=st.integers(0, 2),
        interaction=st.integers(0, 2),
        # Entered within the hour (on time) or weeks later (late, for most months).
        delay=st.sampled_from([dt.timedelta(hours=1), dt.timedelta(days=40)]),
    )
    def log(self, match, starts_at, attend, hours, kind, interaction, delay):
        match = self._match(match)
        data = self._input(match, starts_at, attend, hours, kind, interaction)
        try:
            session = services.session_log_create(
                user=match.mentor.user, data=data, now=starts_at + delay
            )
        except REFUSED:
            return  # a rule refused it (a date after an erased child's match closed)
        self.ids.append(session.pk)

    @rule(
        which=st.integers(0, 50),
        starts_at=st.none() | moments,
        attend=attendance,
        hours=st.integers(1, 8),
        kind=st.integers(0, 2),
        interaction=st.integers(0, 2),
        move_to=st.none() | st.integers(0, 3),
    )
    def correct(self, which, starts_at, attend, hours, kind, interaction, move_to):
        session = self._session(which)
        if session is None:
            return
        match = self._match(move_to) if move_to is not None else session.match
        data = self._input(match, starts_at or session.starts_at, attend, hours, kind, interaction)
        with contextlib.suppress(*REFUSED):  # a rule refused it: nothing changed
            services.session_log_update(
                session=session, user=self.world["staff"], data=data, reason="Corrected."
            )

    @rule(which=st.integers(0, 50))
    def delete(self, which):
        session = self._session(which)
        if session is not None:
            services.session_log_delete(session=session, user=self.world["staff"], reason="Dup.")

    @rule(which=st.integers(0, 50))
    def remove_for_good(self, which):
        """A hard delete through a queryset (what the benchmark does with its own posts)."""
        session = self._session(which)
        if session is not None:
            SessionLogRevision.objects.filter(session=session).delete()
            SessionLog.objects.filter(pk=session.pk).delete()

    @rule(picks=st.lists(st.integers(0, 50), min_size=1, max_size=4))
    def review(self, picks):
        ids = [s.pk for s in (self._session(p) for p in picks) if s is not None]
        sessions_mark_reviewed(
            sessions=SessionLog.objects.filter(pk__in=ids), user=self.world["staff"]
        )

    @rule(which=st.integers(0, 50))
    def flip_late(self, which):
        session = self._session(which)
        if session is not None:
            SessionLog.objects.filter(pk=session.pk).update(is_late=not session.is_late)

    @rule(match=st.integers(0, 3), site=st.integers(0, 1))
    def move_match_to_site(self, match, site):
        match = self._match(match)
        match.site_id = self.world["sites"][site]
        match.save()

    @rule(match=st.integers(0, 3), to=st.integers(0, 3))
    def give_match_to_another_mentor(self, match, to):
        mentor = self._match(to).mentor_id
        Match.objects.filter(pk=self.world["matches"][match]).update(mentor_id=mentor)

    @rule(match=st.integers(0, 3))
    def erase_child(self, match):
        mentee_erase(
            mentee=self._match(match).mentee, user=self.world["admin"], reason="School's request."
        )

    @rule(match=st.integers(0, 3), starts_at=moments, hours=st.integers(1, 8))
    def create_in_bulk(self, match, starts_at, hours):
        match = self._match(match)
        if SessionLog.objects.live().filter(match=match, starts_at=starts_at).exists():
            return
        created = SessionLog.objects.bulk_create(
            [
                SessionLog(
                    match=match,
                    starts_at=starts_at,
                    quarter_hours=hours,
                    type_of_mentoring=self.world["types"][0],
                    interaction=self.world["interactions"][0],
                    attendance="met",
                    notes="Imported.",
                    entered_by=self.world["staff"],
                )
            ]
        )
        self.ids.extend(session.pk for session in created)

    @rule(zone=st.sampled_from(["America/Chicago", "America/New_York", "Pacific/Auckland"]))
    def change_time_zone(self, zone):
        program = ProgramSettings.objects.get(pk=1)
        program.time_zone = zone
        program.save()

    @invariant()
    def counters_match_a_recount(self):
        # After each step: the counters are what a recount of the sessions makes them.
        assert_counters_match_a_recount()


@pytest.mark.django_db
def test_the_counters_give_the_sessions_figures_after_any_changes():
    SessionChanges.world = build_world()
    run_state_machine_as_test(
        SessionChanges,
        settings=settings(
            max_examples=10 if is_postgres() else 20,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


# --- Rebuild ------------------------------------------------------------------------------------


def _log_some(world) -> None:
    for index, match_id in enumerate(world["matches"]):
        match = Match.objects.select_related("mentor__user").get(pk=match_id)
        for day in (3, 17, 33, 48):
            starts_at = dt.datetime(2025, 9, 20, 16, 0, tzinfo=CHICAGO) + dt.timedelta(days=day)
            services.session_log_create(
                user=match.mentor.user,
                data=session_input(match, starts_at, quarter_hours=index + 2),
                now=starts_at + dt.timedelta(days=index * 12),
            )


@pytest.mark.django_db
def test_the_rebuild_command_repairs_a_damaged_table():
    world = build_world()
    _log_some(world)
    MentorMonth.objects.filter(month=202510).update(sessions=99, quarters=-4)
    SiteMonth.objects.filter(month=202511).delete()
    SiteMonth.objects.create(
        month=202512,
        site_id=world["sites"][0],
        type_of_mentoring=world["group"],
        interaction=world["interactions"][0],
        sessions=7,
        met=7,
        quarters=28,
    )
    damaged = every_figure(raw=False, sites=world["sites"], choice=world["group"].pk)
    scanned = every_figure(raw=True, sites=world["sites"], choice=world["group"].pk)
    assert damaged != scanned  # the damage shows, so the repair below means something

    call_command("rebuild_month_summaries", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert_figures_match(world)
    assert_counters_match_a_recount()


@pytest.mark.django_db
def test_the_rebuild_of_one_month_leaves_the_others_alone():
    world = build_world()
    _log_some(world)
    MentorMonth.objects.update(sessions=99)

    call_command("rebuild_month_summaries", "--month", "2025-10", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert MentorMonth.objects.filter(month=202510, sessions=99).count() == 0
    assert MentorMonth.objects.filter(month=202511, sessions=99).exists()
    program = ProgramSettings.load()
    october = compliance.Scope.of(Month(2025, 10), program=program)
    raw_october = compliance.Scope.of(Month(2025, 10), program=program, raw=True)
    assert compliance.summary(october) == compliance.summary(raw_october)


@pytest.mark.django_db
def test_the_rebuild_command_refuses_a_month_it_cannot_read():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("rebuild_month_summaries", "--month", "2025-13")


# --- Queries ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_change_of_other_fields_costs_no_extra_query(django_assert_num_queries):
    world = build_world()
    _log_some(world)
    session = SessionLog.objects.first()
    with django_assert_num_queries(1):
        session.notes = "Changed."
        session.save(update_fields=["notes"])
    with django_assert_num_queries(1):
        SessionLog.objects.filter(pk=session.pk).update(notes="Again.")


@pytest.mark.django_db
def test_the_counters_cost_the_same_queries_for_one_entry_and_for_many(django_assert_num_queries):
    """A bulk review of 2 or of 16 entries: the same number of queries."""
    world = build_world()
    _log_some(world)
    counts = []
    for size in (2, 16):
        ids = list(SessionLog.objects.filter(reviewed_at__isnull=True).values_list("pk", flat=True))
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            sessions_mark_reviewed(
                sessions=SessionLog.objects.filter(pk__in=ids[:size]), user=world["staff"]
            )
        counts.append(len(queries))
        SessionLog.objects.update(reviewed_at=None)
    assert counts[0] == counts[1], counts
    assert_counters_match_a_recount()


# --- Two entries at once (PostgreSQL) ----------------------------------------------------------


@pytest.mark.skipif(
    not is_postgres(), reason="SQLite serializes writers; the race needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_entries_saved_at_once_for_one_mentor_and_month_both_count():
    world = build_world()
    match = Match.objects.select_related("mentor__user").get(pk=world["matches"][0])
    times = [
        dt.datetime(2025, 10, 6, 16, 0, tzinfo=CHICAGO),
        dt.datetime(2025, 10, 8, 16, 0, tzinfo=CHICAGO),
    ]
    ready = threading.Barrier(2, timeout=10)
    errors = []

    def save(starts_at):
        try:
            with transaction.atomic():
                ready.wait()  # both transactions open before either writes
                services.session_log_create(
                    user=match.mentor.user,
                    data=session_input(match, starts_at, quarter_hours=6),
                    now=starts_at + dt.timedelta(hours=1),
                )
        except Exception as error:  # the test reports it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(moment,)) for moment in times]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    row = MentorMonth.objects.get(month=202510, mentor=match.mentor)
    assert (row.sessions, row.quarters) == (2, 12)
    assert SiteMonth.objects.get(month=202510).sessions == 2


# --- The reports read no sessions -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/staff/compliance/?month=2025-10",
        "/staff/compliance/?month=2025-10&show=nothing",
        "/staff/compliance/?month=2025-10&show=late",
        "/staff/compliance/?month=2025-10&emails=1",
        "/staff/hours/?start=2025-10&end=2025-10",
        "/staff/hours/?start=2025-01&end=2025-12",
    ],
)
def test_the_reports_read_the_counters_not_the_sessions(url):
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    world = build_world()
    _log_some(world)
    client = Client()
    client.force_login(world["staff"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    read = [q["sql"] for q in captured.captured_queries]
    assert any("mentoring_mentormonth" in sql or "mentoring_sitemonth" in sql for sql in read)
    assert [sql for sql in read if "mentoring_sessionlog" in sql] == []
