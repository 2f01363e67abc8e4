"""bench_data (issue 7): a real-size program, generated fast, that the database accepts.

At small scale here; the same code writes a million sessions with COPY on PostgreSQL.
Each test runs in a transaction that is rolled back (TRUNCATE, COPY and setval all work
inside one), and Django checks the deferred foreign keys before the rollback.
"""

import datetime as dt
import io
import json
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from bench import generate as gen
from bench import sessions as gen_sessions
from portal.accounts.models import Role, User
from portal.mentoring import rules
from portal.mentoring.models import (
    Attendance,
    Match,
    MatchStatus,
    Mentee,
    Mentor,
    MentorStatus,
    NoSessionMonth,
    ProgramSettings,
    SchoolSite,
    SessionLog,
    SiteContact,
)
from portal.safeguarding.models import ResourceNeed, SafetyConcern
from tests.bench_app import bench_app  # noqa: F401  (installs the benchmark's app)
from tests.conftest import chicago, frozen_at, log_session

SMALL = {"mentors": 50, "mentees": 60, "sites": 3, "sessions": 2000}
NOW = chicago(2026, 11, 20, 15, 0)


def bench_data(**options) -> str:
    out = io.StringIO()
    call_command("bench_data", stdout=out, **{**SMALL, **options})
    return out.getvalue()


@pytest.fixture
def generated(db):
    with frozen_at(NOW):
        bench_data(reset=True)


def test_counts(generated):
    assert Mentor.objects.count() == 50
    assert User.objects.filter(role=Role.MENTOR).count() == 50
    assert Mentee.objects.count() == 60
    assert Match.objects.count() == 60
    assert SchoolSite.objects.count() == 3
    assert SiteContact.objects.count() == 3
    assert SessionLog.objects.count() == 2000
    # One mentee per match; the ten extra matches go to ten mentors, one after the other.
    per_mentor = Counter(Match.objects.values_list("mentor_id", flat=True))
    assert sorted(Counter(per_mentor.values()).items()) == [(1, 40), (2, 10)]


def test_rows_keep_the_rules(generated):
    connection.check_constraints()  # the deferred foreign keys, checked now
    program = ProgramSettings.load()
    tz, policy = program.tz, program.deadline_policy
    sessions = SessionLog.objects.select_related("match__mentor")
    for session in sessions:
        match = session.match
        day = timezone.localtime(session.starts_at, tz).date()
        assert match.start_date <= day
        assert match.end_date is None or day < match.end_date
        assert session.starts_at < NOW
        assert session.starts_at < session.entered_at <= NOW
        assert session.entered_by_id == match.mentor.user_id
        assert (session.quarter_hours == 0) == (session.attendance != Attendance.MET)
        assert 1 <= len(session.notes) <= rules.NOTES_MAX_LENGTH
        assert session.is_late == rules.is_late(
            starts_at=session.starts_at, entered_at=session.entered_at, policy=policy
        )
        assert bool(session.safety_concern_details) == session.safety_concern
    attendance = Counter(SessionLog.objects.values_list("attendance", flat=True))
    assert set(attendance) == {a.value for a in Attendance}
    assert 0.06 < 1 - attendance[Attendance.MET] / 2000 < 0.2
    assert 0.04 < SessionLog.objects.filter(is_late=True).count() / 2000 < 0.15
    # At most one live entry per match and moment (the database would refuse more).
    assert SessionLog.objects.values("match_id", "starts_at").distinct().count() == 2000


def test_concerns_and_needs_have_their_records(generated):
    flagged = SessionLog.objects.filter(safety_concern=True)
    concerns = SafetyConcern.objects.all()
    assert set(concerns.values_list("session_id", flat=True)) == set(
        flagged.values_list("pk", flat=True)
    )
    for concern in concerns.select_related("session", "match"):
        assert concern.description == concern.session.safety_concern_details
        assert concern.site_id == concern.match.site_id
        assert concern.raised_at == concern.session.entered_at
    needs = {(n.session_id, n.kind) for n in ResourceNeed.objects.all()}
    expected = {
        (session.pk, kind)
        for session in SessionLog.objects.exclude(resource_needs=[])
        for kind in session.resource_needs
    }
    assert needs == expected and needs


def test_matches_people_and_sites(generated):
    closed = Match.objects.filter(status=MatchStatus.CLOSED)
    assert closed.exists()
    for match in closed:
        assert match.end_date >= match.start_date
        assert match.closure_reason
        assert match.mentee.status == "inactive"
    assert not Match.objects.filter(status=MatchStatus.ACTIVE, end_date__isnull=False).exists()
    for match in Match.objects.select_related("mentee"):
        assert match.site_id == match.mentee.site_id
        assert len(match.mentee.last_initial) == 1 and match.mentee.last_initial.isupper()
    # The first mentors have an active match: the benchmark signs in as them.
    for number in range(1, 11):
        mentor = Mentor.objects.get(user__email=gen.mentor_email(number))
        assert mentor.status == MentorStatus.ACTIVE
        assert mentor.matches.filter(status=MatchStatus.ACTIVE).exists()
    active = Mentor.objects.filter(matches__status=MatchStatus.ACTIVE).distinct().count()
    assert active >= 40
    for site in SchoolSite.objects.all():
        assert site.contacts.count() == 1
    assert SiteContact.objects.filter(user__role=Role.SITE_CONTACT).exists()
    for month in NoSessionMonth.objects.select_related("mentor"):
        assert month.declared_by_id == month.mentor.user_id


def test_known_accounts_sign_in_with_the_bench_password(generated):
    for email, role in [
        (gen.STAFF_EMAIL, Role.STAFF),
        (gen.ADMIN_EMAIL, Role.ADMIN),
        (gen.mentor_email(1), Role.MENTOR),
        (gen.mentor_email(50), Role.MENTOR),
    ]:
        user = authenticate(email=email, password=gen.BENCH_PASSWORD)
        assert user is not None, email
        assert user.role == role
    assert User.objects.get(email=gen.ADMIN_EMAIL).is_superuser
    assert User.objects.get(email=gen.STAFF_EMAIL).is_staff
    # One hash for all: generating does not hash 20,000 passwords.
    assert User.objects.values("password").distinct().count() == 1


def test_new_records_after_generation_get_free_ids(generated):
    """The id sequences were moved past the explicit ids: the portal's own services work."""
    match = Match.objects.filter(mentor__user__email=gen.mentor_email(1)).get(
        status=MatchStatus.ACTIVE
    )
    session = log_session(
        match,
        chicago(2026, 11, 19, 16, 45),
        safety_concern=True,
        safety_concern_details="Said someone at home hurt them. Told the counselor.",
        resource_needs=["food"],
        resource_needs_details="Not much food at home.",
    )
    assert session.pk > 2000
    assert SafetyConcern.objects.filter(session=session).exists()
    assert ResourceNeed.objects.filter(session=session).exists()
    User.objects.create_user(email="new.staff@example.org", role=Role.STAFF, full_name="New")
    SchoolSite.objects.create(name="A new school")
    Mentee.objects.create(first_name="New", last_initial="N", site=match.site, grade="3")


def test_refuses_to_add_to_a_filled_database_without_reset(generated):
    with pytest.raises(CommandError, match="--reset"):
        bench_data()
    assert SessionLog.objects.count() == 2000
    with frozen_at(NOW):
        bench_data(reset=True, sessions=500)
    assert SessionLog.objects.count() == 500
    assert Mentor.objects.count() == 50


def snapshot() -> dict:
    return {
        "users": list(User.objects.order_by("pk").values_list("pk", "email", "role")),
        "matches": list(
            Match.objects.order_by("pk").values_list(
                "pk", "mentor_id", "mentee__first_name", "site_id", "start_date", "end_date"
            )
        ),
        "sessions": list(
            SessionLog.objects.order_by("pk").values_list(
                "pk", "match_id", "starts_at", "quarter_hours", "attendance", "notes", "entered_at"
            )
        ),
        "concerns": list(SafetyConcern.objects.order_by("pk").values_list("session_id", "status")),
    }


def test_same_seed_same_program(db):
    with frozen_at(NOW):
        bench_data(reset=True, seed=7)
        first = snapshot()
        bench_data(reset=True, seed=7)
        again = snapshot()
        bench_data(reset=True, seed=8)
        other = snapshot()
    assert first == again
    assert first["sessions"] != other["sessions"]


def test_summary_file(db, tmp_path):
    path = tmp_path / "summary.json"
    with frozen_at(NOW):
        out = bench_data(reset=True, summary=str(path))
    summary = json.loads(path.read_text())
    assert summary["counts"]["sessions"] == 2000
    assert summary["counts"]["mentors"] == 50
    assert summary["seconds"]["sessions"] >= 0
    assert summary["total_seconds"] > 0
    assert summary["accounts"]["staff"] == gen.STAFF_EMAIL
    assert "sessions" in out and "total" in out


def test_too_many_sessions_for_the_matches_is_refused(db):
    with pytest.raises(CommandError, match="do not fit"):
        bench_data(reset=True, sessions=50_000)


def test_generated_mix_at_a_larger_scale():
    """The generator alone (no database): rates close to a real program's."""
    params = gen.Params(
        mentors=800,
        mentees=1000,
        sites=10,
        sessions=40_000,
        today=dt.date(2026, 11, 20),
        now=NOW.astimezone(dt.UTC),
        password_hash="x",
    )
    program = gen.build_program(params)
    extras = gen_sessions.SessionExtras()
    rows = list(gen_sessions.session_rows(params, program, extras))
    assert len(rows) == 40_000 == extras.count
    columns = gen.SESSION_COLUMNS
    attendance = Counter(row[columns.index("attendance")] for row in rows)
    assert 0.10 < 1 - attendance["met"] / len(rows) < 0.14
    late = sum(row[columns.index("is_late")] for row in rows) / len(rows)
    assert 0.06 < late < 0.11
    assert 0.001 < len(extras.concerns) / len(rows) < 0.004
    assert 0.007 < len(extras.needs) / len(rows) < 0.016
    statuses = Counter(row[gen.CONCERN_COLUMNS.index("status")] for row in extras.concerns)
    assert set(statuses) == {"new", "acknowledged", "closed"}
    assert statuses["closed"] > statuses["new"]
    assert extras.no_session_months
    # Summer is quieter than the school year.
    months = Counter(row[2].astimezone(params.tz).month for row in rows)
    assert months[7] < months[10] / 2
    # The same seed gives the same rows.
    again = list(
        gen_sessions.session_rows(params, gen.build_program(params), gen_sessions.SessionExtras())
    )
    assert again == rows


def schema(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY 1",
            [table, table],
        )
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bulk path")
def test_sessions_table_keeps_its_indexes_and_constraints(db):
    """The COPY runs without the foreign keys and secondary indexes: all come back."""
    before = schema("mentoring_sessionlog")
    assert any("FOREIGN KEY" in definition for _, definition in before)
    with frozen_at(NOW):
        bench_data(reset=True)
    assert schema("mentoring_sessionlog") == before


def test_refuses_a_database_with_real_people_even_with_reset(generated):
    """--reset empties every program table: never on a database that holds real people."""
    User.objects.create_user(
        email="coordinator@riverbend-mentoring.org", role=Role.STAFF, full_name="Ana Ruiz"
    )
    with pytest.raises(CommandError, match="not a demo or benchmark database") as refused:
        bench_data(reset=True)
    assert refused.value.returncode == 1  # manage.py's exit status
    assert SessionLog.objects.count() == 2000
    assert User.objects.filter(email="coordinator@riverbend-mentoring.org").exists()


def test_refuses_to_fill_a_new_program_that_has_its_real_staff(db):
    User.objects.create_user(email="director@riverbend-mentoring.org", role=Role.ADMIN)
    with pytest.raises(CommandError, match="bench_data runs only on an empty database"):
        bench_data()
    assert not Mentor.objects.exists()


def test_runs_on_the_demo_database(db):
    call_command("load_demo", stdout=io.StringIO())
    with frozen_at(NOW):
        bench_data(reset=True)
    assert Mentor.objects.count() == 50
