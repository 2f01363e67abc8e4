"""What every test shares: personas (two mentors at two schools, staff, an administrator,
and the site contacts of both schools), signed-in browsers, a stopped clock, and the
sessions a mentor logs (``log_session``) or posts (``session_form``, ``session_post``)."""

import dataclasses
import datetime as dt
import functools
import io
import os
import uuid
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from portal.accounts.models import Role, User
from portal.lib.messages_mo import compile_all
from portal.mentoring.models import (
    Choice,
    ChoiceList,
    Match,
    Mentee,
    Mentor,
    MentorStatus,
    ProgramSettings,
    SchoolSite,
    SiteContact,
)
from tests.paths import SIGN_IN

# Importing the settings creates nothing (portal/health/startup.py): the test database
# file needs its folder, and commands run in subprocesses sign with this process's key.
django_settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("SECRET_KEY", django_settings.SECRET_KEY)
# The Spanish pages need their compiled catalogue (make test does this too).
compile_all(django_settings.LOCALE_PATHS)

PASSWORD = "correct-horse-battery-9"
CHICAGO = ZoneInfo("America/Chicago")


def chicago(*args: int) -> dt.datetime:
    """A moment in the program's default time zone: chicago(2026, 11, 2, 23, 59)."""
    return dt.datetime(*args, tzinfo=CHICAGO)


@contextmanager
def frozen_at(moment: dt.datetime):
    """Make django.utils.timezone.now() return ``moment`` (views, forms, sessions)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def clock_stopped_at(moment: dt.datetime):
    """A fixture that stops the clock at ``moment`` for every test of the module that
    assigns it: ``_now = clock_stopped_at(NOW)``."""

    @pytest.fixture(autouse=True)
    def _now():
        with frozen_at(moment):
            yield moment

    return _now


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Every test client starts the middleware again; after `make demo` has collected the
    # static files, WhiteNoise would index all of them each time (0.1 s a client).
    # Looking a file up when it is asked for serves the same files.
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def program(db) -> ProgramSettings:
    return ProgramSettings.load()


def make_user(email: str, role: str, name: str = "") -> User:
    return User.objects.create_user(
        email=email, password=PASSWORD, role=role, full_name=name or email.split("@")[0]
    )


@pytest.fixture
def school_a(db) -> SchoolSite:
    return SchoolSite.objects.create(name="Lincoln Elementary", address="1 Main St")


@pytest.fixture
def school_b(db) -> SchoolSite:
    return SchoolSite.objects.create(name="Roosevelt Middle", address="2 Side St")


@pytest.fixture
def site_contact_a(school_a) -> User:
    user = make_user("contact-a@example.org", Role.SITE_CONTACT, "Dana Whitfield")
    SiteContact.objects.create(
        site=school_a,
        name="Dana Whitfield",
        role="Counselor",
        email="contact-a@example.org",
        phone="(312) 555-0141",
        user=user,
    )
    return user


@pytest.fixture
def site_contact_b(school_b) -> User:
    user = make_user("contact-b@example.org", Role.SITE_CONTACT, "Marcus Hill")
    SiteContact.objects.create(
        site=school_b,
        name="Marcus Hill",
        role="Assistant principal",
        email="contact-b@example.org",
        phone="(312) 555-0177",
        user=user,
    )
    return user


def make_match(email: str, site: SchoolSite, mentee_name: str, start: dt.date) -> Match:
    user = make_user(email, Role.MENTOR, f"Mentor {mentee_name}")
    mentor = Mentor.objects.create(user=user, status=MentorStatus.ACTIVE, enrolled_on=start)
    mentee = Mentee.objects.create(first_name=mentee_name, last_initial="D", site=site, grade="4")
    return Match.objects.create(mentor=mentor, mentee=mentee, site=site, start_date=start)


@pytest.fixture
def match_a(program, school_a, site_contact_a) -> Match:
    """The first mentor's active match, started a year ago at school A."""
    start = timezone.localdate(timezone.now(), program.tz) - dt.timedelta(days=365)
    return make_match("mentor-a@example.org", school_a, "Jane", start)


@pytest.fixture
def match_b(program, school_b, site_contact_b) -> Match:
    start = timezone.localdate(timezone.now(), program.tz) - dt.timedelta(days=365)
    return make_match("mentor-b@example.org", school_b, "Marcus", start)


@pytest.fixture
def mentor_a(match_a) -> User:
    return match_a.mentor.user


@pytest.fixture
def mentor_b(match_b) -> User:
    return match_b.mentor.user


@pytest.fixture
def staff_user(db) -> User:
    return make_user("staff@example.org", Role.STAFF, "Robin Ellis")


@pytest.fixture
def admin_user(db) -> User:
    return make_user("admin@example.org", Role.ADMIN, "Alex Morgan")


@pytest.fixture
def choices(db) -> dict[str, Choice]:
    """The starting lists, created by the data migration."""
    return {
        "mentoring": Choice.objects.get(list=ChoiceList.TYPE_OF_MENTORING, label="Mentoring Hours"),
        "group": Choice.objects.get(list=ChoiceList.TYPE_OF_MENTORING, label="Group Activity"),
        "in_person": Choice.objects.get(list=ChoiceList.INTERACTION, label="In-Person"),
        "virtual": Choice.objects.get(list=ChoiceList.INTERACTION, label="Virtual"),
    }


@pytest.fixture
def client_a(client, mentor_a):
    client.force_login(mentor_a)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def signed_in(user: User) -> Client:
    """A new browser, signed in as ``user`` without the sign-in page."""
    client = Client()
    client.force_login(user)
    return client


def sign_in_with_password(user: User, client: Client | None = None, **request) -> Client:
    """Sign in as ``user`` through the sign-in page (in a new browser unless given one), so
    the sign-in is on record as a person's would be."""
    client = client or Client()
    response = client.post(SIGN_IN, {"username": user.email, "password": PASSWORD}, **request)
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def sent_mail() -> list:
    """Send the outbox as the worker would, and return every email sent so far."""
    from django.core import mail
    from django.core.management import call_command

    call_command("send_notifications", stdout=io.StringIO(), stderr=io.StringIO())
    return mail.outbox


def is_postgres() -> bool:
    return bool(os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")))


def terminate_other_connections() -> int:
    """Cut every connection to the test database but this test's own (PostgreSQL only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        return len(cursor.fetchall())


NOTES = "We played a card game and talked about the weekend."
# The concern the safeguarding tests raise from a session, and that session's notes.
CONCERN_NOTES = "We read a chapter together. Jane talked about her weekend at her aunt's."
CONCERN_DESCRIPTION = "Jane said her uncle locks her out of the flat at night."


def two_hours_ago() -> dt.datetime:
    """A session the mentor may still log today, to the minute."""
    return timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)


def default_choice(list_: str) -> Choice:
    """The program's starting default of a choice list (Mentoring Hours, In-Person)."""
    label = "Mentoring Hours" if list_ == ChoiceList.TYPE_OF_MENTORING else "In-Person"
    return Choice.objects.get(list=list_, label=label)


def session_form(match: Match, /, *, starts_at: dt.datetime | str | None = None, **changes) -> dict:
    """What the mentor's session form posts for a session with ``match``: two hours ago, or
    at ``starts_at`` (a moment, or the form's own text such as "2026-11-16T15:30"), met,
    1.00 hour of Mentoring Hours in person, no Activity, a plain note and a new submission
    token. ``changes`` replace fields (``match=`` too); a change to None leaves that field
    out."""
    when = two_hours_ago() if starts_at is None else starts_at
    if isinstance(when, dt.datetime):
        when = timezone.localtime(when, ProgramSettings.load().tz).strftime("%Y-%m-%dT%H:%M")
    data = {
        "submission_token": str(uuid.uuid4()),
        "match": match.pk,
        "starts_at": when,
        "attendance": "met",
        "hours": "1.00",
        "type_of_mentoring": default_choice(ChoiceList.TYPE_OF_MENTORING).pk,
        "interaction": default_choice(ChoiceList.INTERACTION).pk,
        "activity": "",
        "notes": NOTES,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def session_post(match_a):
    """``session_post(**changes)``: what mentor_a's session form posts (see session_form)."""
    return functools.partial(session_form, match_a)


def session_input(
    match: Match,
    starts_at: dt.datetime,
    *,
    quarter_hours: int = 4,
    attendance: str = "met",
    notes: str = NOTES,
    type_of_mentoring: Choice | None = None,
    interaction: Choice | None = None,
    **fields,
):
    """The service's input for a new session: an hour of Mentoring Hours in person, met,
    with a plain note, unless told."""
    from portal.mentoring import services

    return services.SessionInput(
        match=match,
        starts_at=starts_at,
        quarter_hours=quarter_hours,
        type_of_mentoring=type_of_mentoring or default_choice(ChoiceList.TYPE_OF_MENTORING),
        interaction=interaction or default_choice(ChoiceList.INTERACTION),
        attendance=attendance,
        notes=notes,
        **fields,
    )


def log_session(
    match: Match, starts_at: dt.datetime, *, entered_at: dt.datetime | None = None, **fields
):
    """Log a session through the service, as the match's mentor, entered at ``entered_at``
    (by default one hour after the session); ``fields`` as for ``session_input``."""
    from portal.mentoring import services

    return services.session_log_create(
        user=match.mentor.user,
        data=session_input(match, starts_at, **fields),
        now=entered_at or starts_at + dt.timedelta(hours=1),
    )


def edit_input(session, **changes):
    """The service's input for an edit of ``session`` that changes only ``changes``."""
    from portal.mentoring import services

    entered = {name: getattr(session, name) for name in type(session).ENTERED_FIELDS}
    entered["resource_needs"] = list(session.resource_needs)
    data = services.SessionInput(**entered)
    return dataclasses.replace(data, **changes)
