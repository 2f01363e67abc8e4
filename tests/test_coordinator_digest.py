"""The weekly digest to coordinators: once per week, Monday's slot, each section's count,
off per person, only their own matches, and a query count that does not grow."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from portal.accounts.models import Role, User
from portal.audit.models import AuditEvent
from portal.checkins.services import checkin_record
from portal.followups.services import followup_ask
from portal.jobs.cadence import weekly_at
from portal.mentoring import digest
from portal.mentoring.models import (
    CoordinatorDigestSent,
    Match,
    Mentee,
    Mentor,
    MentorStatus,
    ProgramSettings,
)
from portal.notifications.models import Notification
from portal.safeguarding.services import concern_raise
from tests.conftest import log_session, sent_mail, signed_in

ZONES = [ZoneInfo("America/Chicago"), ZoneInfo("Europe/London"), ZoneInfo("Australia/Sydney")]
MONDAY_7AM = weekly_at(0, 7, 0)


@given(
    moment=st.datetimes(
        min_value=dt.datetime(2020, 1, 1),
        max_value=dt.datetime(2035, 12, 31),
        timezones=st.just(dt.UTC),
    ),
    tz=st.sampled_from(ZONES),
)
def test_the_week_is_its_monday_and_the_job_runs_only_at_monday_7am_local(moment, tz):
    local_day = moment.astimezone(tz).date()
    week_of = digest.digest_week(moment, tz)
    assert week_of.weekday() == 0
    assert local_day - dt.timedelta(days=6) <= week_of <= local_day
    slot = MONDAY_7AM.slot(moment, tz)
    local_slot = slot.astimezone(tz)
    # Monday 07:00 on the wall clock, the latest one at or before the moment, across DST.
    assert (local_slot.weekday(), local_slot.hour, local_slot.minute) == (0, 7, 0)
    assert slot <= moment < slot + dt.timedelta(days=7, hours=1)
    assert MONDAY_7AM.slot(slot, tz) == slot
    assert MONDAY_7AM.slot(slot - dt.timedelta(seconds=1), tz) < slot
    # A run in the slot, or later that week, is for the slot's week.
    assert digest.digest_week(slot, tz) == slot.astimezone(tz).date()


def test_a_weekday_out_of_range_is_refused():
    with pytest.raises(ValueError):
        weekly_at(7, 7)


@pytest.fixture
def world(program, match_a, match_b, staff_user, admin_user):
    """staff_user coordinates match_a: one overdue check-in (mentor; the guardian one is
    done), one unanswered follow-up, one open concern, its mentor logged nothing for the
    open month. admin_user coordinates match_b, which has a concern of its own."""
    Match.objects.filter(pk=match_a.pk).update(coordinator=staff_user)
    Match.objects.filter(pk=match_b.pk).update(coordinator=admin_user)
    match_a.refresh_from_db()
    today = timezone.localdate(timezone.now(), program.tz)
    checkin_record(match=match_a, user=staff_user, with_whom="guardian", how="call", on_date=today)
    old = timezone.now() - dt.timedelta(days=120)
    session = log_session(match_a, old)
    followup_ask(session=session, user=staff_user, question="Can you tell me more?")
    concern_raise(match=match_a, description="Worried about a bruise.", raised_by=staff_user)
    concern_raise(match=match_b, description="Another worry.", raised_by=admin_user)
    return match_a


def test_each_section_counts_what_the_coordinator_s_matches_have(world, staff_user, program):
    found = digest.digest_for(staff_user, now=timezone.now(), program=program)
    assert found.overdue_checkins == 1
    assert found.unanswered_followups == 1
    assert found.answers_to_resolve == 0
    assert found.open_concerns == 1  # not match_b's
    assert found.mentors_logged_nothing == 1
    assert found.mentors_logged_late == 0
    assert found.needing_support == 1  # nothing logged for 120 days
    assert found.open_needs == 0


def test_the_digest_goes_once_however_often_the_job_runs(world, staff_user, admin_user):
    now = timezone.now()
    assert digest.digests_send(now=now) == 2
    assert digest.digests_send(now=now) == 0
    assert digest.digests_send(now=now + dt.timedelta(hours=3)) == 0
    assert CoordinatorDigestSent.objects.count() == 2
    mails = [m for m in sent_mail() if m.to == [staff_user.email] and "Your matches" in m.subject]
    assert len(mails) == 1
    body = mails[0].body
    assert "Overdue check-ins: 1" in body
    assert "Open safety concerns: 1" in body
    assert "Follow-ups: 1 not answered yet" in body
    assert reverse("staff:followup_list") in body
    # Counts only: no child, no mentor, no concern text.
    for secret in ("Jane", "Marcus", "Mentor Jane", "bruise"):
        assert secret not in body
        assert secret not in mails[0].alternatives[0][0]
    # Next week is a new week.
    assert digest.digests_send(now=now + dt.timedelta(days=7)) == 2


def test_a_second_worker_that_read_the_list_before_the_first_sent_sends_nothing(
    world, staff_user, program
):
    now = timezone.now()
    week_of = digest.digest_week(now, program.tz)
    assert digest._send_one(staff_user, week_of, now, program) == 1
    assert digest._send_one(staff_user, week_of, now, program) == 0
    assert (
        Notification.objects.filter(recipient_user=staff_user, template=digest.TEMPLATE).count()
        == 1
    )


def test_a_coordinator_with_nothing_to_report_gets_no_email(program, match_b, admin_user):
    Match.objects.filter(pk=match_b.pk).update(coordinator=admin_user)
    checkin_record(
        match=match_b,
        user=admin_user,
        with_whom="guardian",
        how="call",
        on_date=timezone.localdate(timezone.now(), program.tz),
    )
    checkin_record(
        match=match_b,
        user=admin_user,
        with_whom="mentor",
        how="call",
        on_date=timezone.localdate(timezone.now(), program.tz),
    )
    match_b.refresh_from_db()
    # A session in the open month (logged nothing) and a recent one (not quiet).
    open_month = digest._open_month(timezone.now(), program)
    log_session(match_b, open_month.bounds(program.tz)[0] + dt.timedelta(days=1, hours=16))
    log_session(match_b, timezone.now() - dt.timedelta(hours=2))
    assert digest.digest_for(admin_user, now=timezone.now(), program=program).total == 0
    assert digest.digests_send() == 0
    assert not Notification.objects.filter(
        recipient_user=admin_user, template=digest.TEMPLATE
    ).exists()
    assert CoordinatorDigestSent.objects.filter(coordinator=admin_user).count() == 1


def test_a_staff_member_who_turned_it_off_gets_none(world, staff_user, admin_user):
    digest.digest_set_enabled(user=staff_user, enabled=False)
    assert digest.digests_send() == 1
    assert not Notification.objects.filter(
        recipient_user=staff_user, template=digest.TEMPLATE
    ).exists()
    assert (
        Notification.objects.filter(recipient_user=admin_user, template=digest.TEMPLATE).count()
        == 1
    )
    assert AuditEvent.objects.filter(action="staff.weekly_digest_off").count() == 1


def test_staff_turn_it_off_and_on_from_their_page(staff_user, mentor_a):
    client = signed_in(staff_user)
    url = reverse("staff:digest_preference")
    # Found from the sign-in security page, which mentors see without it.
    assert url in client.get(reverse("security:account")).content.decode()
    assert url not in signed_in(mentor_a).get(reverse("security:account")).content.decode()
    assert "is <strong>on</strong>" in client.get(url).content.decode()
    response = client.post(url, {"weekly_digest": "off"}, follow=True)
    assert "is <strong>off</strong>" in response.content.decode()
    staff_user.refresh_from_db()
    assert staff_user.weekly_digest is False
    client.post(url, {"weekly_digest": "on"})
    staff_user.refresh_from_db()
    assert staff_user.weekly_digest is True


def test_staff_without_a_caseload_and_mentors_get_none(world, staff_user):
    Match.objects.update(coordinator=None)
    assert digest.digests_send() == 0
    assert not Notification.objects.filter(template=digest.TEMPLATE).exists()


def _caseload(coordinator, school, count, first=0):
    today = timezone.localdate()
    start = today - dt.timedelta(days=400)
    made = User.objects.bulk_create(
        [
            User(
                email=f"bulk-{coordinator.pk}-{i}@example.org",
                full_name=f"Bulk {i}",
                role=Role.MENTOR,
            )
            for i in range(first, first + count)
        ]
    )
    mentors = Mentor.objects.bulk_create(
        [Mentor(user=u, status=MentorStatus.ACTIVE, enrolled_on=start) for u in made]
    )
    mentees = Mentee.objects.bulk_create(
        [
            Mentee(first_name=f"Kid{i}", last_initial="B", site=school, grade="4")
            for i in range(first, first + count)
        ]
    )
    Match.objects.bulk_create(
        [
            Match(mentor=m, mentee=k, site=school, start_date=start, coordinator=coordinator)
            for m, k in zip(mentors, mentees, strict=True)
        ]
    )


def _queries_for_one(coordinator, program):
    with CaptureQueriesContext(connection) as captured:
        found = digest.digest_for(coordinator, now=timezone.now(), program=program)
    return len(captured), found


def test_the_query_count_stays_flat_from_50_to_500_matches(program, school_a, staff_user):
    _caseload(staff_user, school_a, 50)
    small, found = _queries_for_one(staff_user, ProgramSettings.load())
    assert found.mentors_logged_nothing == 50
    _caseload(staff_user, school_a, 450, first=50)
    large, found = _queries_for_one(staff_user, ProgramSettings.load())
    assert found.mentors_logged_nothing == 500
    assert found.overdue_checkins == 1000  # mentor and guardian, never recorded
    assert small == large <= 12
