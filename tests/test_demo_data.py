"""The demo program of RULES 7: `make demo` loads it, and loading it again adds nothing."""

import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from portal.accounts.models import Role, User
from portal.accounts.site_contacts import Access, contacts_with_access
from portal.lifecycle import throwaway
from portal.mentoring.models import MatchStatus, ProgramSettings, SessionLog, SiteContact

DEMO_PASSWORD = "demo-pass-2026"
DEMO_ACCOUNTS = {
    "mentor@example.org": Role.MENTOR,
    "mentor2@example.org": Role.MENTOR,
    "mentor.es@example.org": Role.MENTOR,
    "staff@example.org": Role.STAFF,
    "site@example.org": Role.SITE_CONTACT,
    "admin@example.org": Role.ADMIN,
}


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo() -> None:
    call_command("load_demo", stdout=io.StringIO())


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo program, loaded once for this module and rolled back after it: each test
    then runs in a savepoint of this transaction, so what it does is undone too."""
    fast = override_settings(PASSWORD_HASHERS=FAST_HASHERS)  # as every test has them
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_loaded, db):
    return None


def test_loading_the_demo_twice_adds_nothing(demo):
    first = row_counts()
    load_demo()
    assert row_counts() == first
    assert first["mentoring.SessionLog"] > 0


def test_the_demo_accounts_exist_and_sign_in_with_the_published_password(client, demo):
    for email, role in DEMO_ACCOUNTS.items():
        user = User.objects.get(email=email)
        assert (user.role, user.is_active) == (role, True), email
        assert client.login(username=email, password=DEMO_PASSWORD), email
        assert client.get("/", follow=True).status_code == 200, email
        client.logout()


def test_the_demo_mentor_has_a_long_active_match_at_a_school_with_the_site_contact(demo):
    program = ProgramSettings.load()
    today = timezone.localdate(timezone.now(), program.tz)
    match = User.objects.get(email="mentor@example.org").mentor.matches.get()
    assert match.status == MatchStatus.ACTIVE
    assert match.start_date <= today - dt.timedelta(days=183)
    first_of_this_month = dt.datetime(today.year, today.month, 1, tzinfo=program.tz)
    past = SessionLog.objects.live().filter(match=match, starts_at__lt=first_of_this_month)
    months = {timezone.localtime(s.starts_at, program.tz).strftime("%Y-%m") for s in past}
    assert len(months) >= 5
    contact = SiteContact.objects.get(site=match.site, user__email="site@example.org")
    assert contact.phone
    second = User.objects.get(email="mentor2@example.org").mentor.matches.get()
    assert second.status == MatchStatus.ACTIVE
    assert second.mentee != match.mentee


def test_the_demo_has_a_spanish_speaking_mentor_with_an_active_match(client, demo):
    user = User.objects.get(email="mentor.es@example.org")
    assert user.language == "es"
    match = user.mentor.matches.get()
    assert match.status == MatchStatus.ACTIVE
    assert match.site.contacts.exists()
    assert SessionLog.objects.live().filter(match=match).count() >= 5
    assert client.login(username="mentor.es@example.org", password=DEMO_PASSWORD)
    home = client.get("/mentor/")
    assert home.headers["Content-Language"] == "es"
    text = home.content.decode()
    assert '<html lang="es">' in text
    assert "Registrar una sesión" in text
    form = client.get("/sessions/new/").content.decode()
    assert "Horas de mentoría" in form  # the administrator's Spanish label
    program = ProgramSettings.load()
    assert program.mentor_agreement_es and program.prompt_words_es


def test_the_demo_program_has_late_entries_absences_concerns_and_needs(demo):
    sessions = SessionLog.objects.live()
    assert sessions.filter(is_late=True).exists()
    assert sessions.exclude(attendance="met").exists()
    assert sessions.filter(safety_concern=True).exists()
    assert sessions.exclude(resource_needs=[]).exists()


def test_the_demo_schools_show_each_kind_of_contact_sign_in(client, demo):
    states = {
        access.contact.email: access.state
        for access in contacts_with_access(SiteContact.objects.all())
    }
    assert states["site@example.org"] == Access.CAN_SIGN_IN
    assert states["mhill@roosevelt.example.org"] == Access.INVITED
    assert states["pnatarajan@washington.example.org"] == Access.NEVER_INVITED
    assert SiteContact.objects.filter(email="site@example.org").count() == 1
    assert client.login(username="site@example.org", password=DEMO_PASSWORD)
    assert "Lincoln Elementary" in client.get("/accounts/site/").content.decode()


def test_the_demo_refuses_a_database_with_real_people(demo):
    """Only an empty database or a demo (or benchmark) one: nobody in it has a real address."""
    User.objects.create_user(
        email="coordinator@riverbend-mentoring.org", role=Role.STAFF, full_name="Ana Ruiz"
    )
    before = row_counts()
    with pytest.raises(CommandError, match="not a demo or benchmark database") as refused:
        load_demo()
    assert refused.value.returncode == 1  # manage.py's exit status
    assert row_counts() == before


def test_a_school_contact_at_a_real_address_is_a_real_person_too(demo):
    site = SiteContact.objects.first().site
    SiteContact.objects.create(site=site, name="Dee Ortiz", email="dortiz@lincoln-school.org")
    with pytest.raises(CommandError, match="1 person with a real email address"):
        load_demo()


def test_reserved_example_domains_and_their_subdomains_are_not_real_people(demo):
    for email in ("a@example.com", "b@mail.example.net", "c@EXAMPLE.ORG"):
        User.objects.create_user(email=email, role=Role.MENTOR, full_name="Example")
    assert throwaway.real_addresses() == 0
    User.objects.create_user(email="d@notexample.org", role=Role.MENTOR, full_name="Real")
    assert throwaway.real_addresses() == 1


def test_the_demo_coordinator_has_overdue_due_soon_and_recent_check_ins(demo):
    from portal.checkins import selectors
    from portal.checkins.models import CheckIn

    staff = User.objects.get(email="staff@example.org")
    program = ProgramSettings.load()
    today = timezone.localdate(timezone.now(), program.tz)
    overdue = selectors.overdue_checkins(coordinator=staff, today=today)
    assert {row.kind for row in overdue} >= {"mentor", "guardian"}
    caseload = staff.caseload.filter(status=MatchStatus.ACTIVE)
    soon = [
        row
        for match in caseload
        for row in selectors.next_checkins_due(match, today)
        if not row.overdue and row.due <= today + dt.timedelta(days=14)
    ]
    assert soon, "some check-ins are due within two weeks"
    recent = CheckIn.objects.filter(match__coordinator=staff, on_date__gte=today - dt.timedelta(30))
    assert recent.exclude(strength=None).exists()


def test_the_demo_has_follow_ups_in_each_state(client, demo):
    from portal.followups import selectors
    from portal.followups.models import FollowUp, FollowUpStatus

    mentor = User.objects.get(email="mentor@example.org")
    assert [f.question for f in selectors.open_for_mentor(mentor)] == [
        "Can you tell me more about the washing machine?"
    ]
    assert {f.status for f in FollowUp.objects.all()} == set(FollowUpStatus.values)
    assert selectors.answered_to_resolve().count() == 1
    client.force_login(mentor)
    assert "Your coordinator asked about an entry" in client.get("/mentor/").content.decode()


def test_the_demo_mentors_staff_pages_show_matches_hours_check_ins_and_follow_ups(client, demo):
    from portal.mentoring.models import Mentor

    client.force_login(User.objects.get(email="staff@example.org"))
    mentor = Mentor.objects.get(user__email="mentor@example.org")
    body = client.get(f"/staff/mentors/{mentor.pk}/").content.decode()
    assert "Jane D. at Lincoln Elementary" in body and "All time" in body
    assert "match strength:" in body  # a check-in
    assert "Can you tell me more about the washing machine?" in body
    closed = Mentor.objects.filter(matches__status=MatchStatus.CLOSED).first()
    body = client.get(f"/staff/mentors/{closed.pk}/").content.decode()
    assert "Why it closed" in body and "Length" in body


def test_the_match_reports_show_real_figures_in_the_demo(demo):
    from portal.staff import match_reports
    from portal.staff.match_reports import Period, ReportFilters

    program = ProgramSettings.load()
    filters = ReportFilters(period=Period(), today=timezone.localdate(timezone.now(), program.tz))
    retention = match_reports.retention(filters)
    assert retention.closed >= 3 and retention.average_closed and retention.average_all
    assert retention.milestones[0][1] >= 1  # a closed match that reached six months
    compliance = match_reports.checkin_compliance(filters)
    coordinators = {row.label: row for row in compliance.by_coordinator}
    assert {"Robin Ellis", "Maria Lopez", "Unassigned"} <= set(coordinators)
    assert all(row.up_to_date for row in compliance.by_coordinator[:-1])
    assert all(row.overdue for row in compliance.by_coordinator)
    closures = match_reports.closures(filters)
    assert sum(row.count for row in closures.by_reason if row.label != "Not recorded") >= 3
    strength = match_reports.strength_by_month(filters)
    assert sum(1 for row in strength.months if row.checkins) >= 8  # a year, less a month or so


def test_the_demo_has_ready_not_ready_and_expiring_mentors(demo):
    from portal.mentoring.models import Mentor
    from portal.readiness import selectors as readiness

    today = timezone.localdate(timezone.now(), ProgramSettings.load().tz)
    states = readiness.readiness_of_mentors(Mentor.objects.select_related("user"), today=today)
    by_email = {r.mentor.user.email: r for r in states}
    for email in ("mentor@example.org", "mentor2@example.org"):
        assert by_email[email].ready, by_email[email].sentence
        assert readiness.agreement_to_accept(by_email[email].mentor) is None
    assert any(not r.ready for r in states)
    from portal.readiness.matches import dashboard_readiness

    dashboard = dashboard_readiness(today=today)
    assert dashboard.not_ready_count and dashboard.expiring_count


def test_a_demo_mentor_has_opted_in_to_texts_which_the_console_prints(client, demo):
    from portal.texts.models import TextSubscription

    subscription = TextSubscription.objects.get(active=True)
    assert subscription.mentor.user.email == "mentor2@example.org"
    assert subscription.phone == "+15555550123"
    assert subscription.consent_wording.startswith("I agree to get text messages from")
    assert not TextSubscription.objects.filter(mentor__user__email="mentor@example.org").exists()
    client.force_login(subscription.mentor.user)
    assert "(555) 555-0123" in client.get("/mentor/email/").content.decode()


def test_the_demo_readiness_items_and_agreement_have_spanish_versions(demo):
    from portal.readiness.models import AgreementAcceptance, AgreementVersion, ReadinessItem

    names = dict(ReadinessItem.objects.values_list("name", "name_es"))
    assert names["Background check"] == "Verificación de antecedentes"
    assert all(names.values())
    version = AgreementVersion.objects.order_by("-number").first()
    assert version.text and version.text_es
    spanish = AgreementAcceptance.objects.get(
        version=version, mentor__user__email="mentor.es@example.org"
    )
    assert spanish.language == "es"
    assert AgreementAcceptance.objects.filter(version=version, language="en").exists()
