"""Reminders (RULES 4.11) with the clock frozen across whole months.

The program's defaults: the weekly reminder on Fridays from 8 AM; deadline reminders 3
days before the deadline and on its morning, from 8 AM, America/Chicago. October 2026 is
due Monday 2 November 2026; September 2026 is due Monday 5 October 2026.
"""

import datetime as dt
from collections import Counter

import pytest
from django.core import signing
from django.core.management import call_command

from portal.mentoring import reminders, services
from portal.mentoring.models import (
    Match,
    MatchStatus,
    Mentor,
    MentorStatus,
    NoSessionReason,
    ReminderSent,
)
from portal.notifications.models import Notification
from portal.schedule import SCHEDULED_JOBS
from tests.conftest import chicago, log_session, make_match
from tests.page import read_page


def run_every_hour(start: dt.datetime, end: dt.datetime, *, twice: bool = True) -> None:
    """Run the job every hour from ``start`` to ``end`` (twice each time: it must not
    matter), as the worker would every 15 minutes."""
    moment = start
    while moment < end:
        reminders.reminders_send(now=moment)
        if twice:
            reminders.reminders_send(now=moment + dt.timedelta(minutes=1))
        moment += dt.timedelta(hours=1)


def received() -> dict[str, list[tuple[str, str]]]:
    """Each mentor's reminders, as (kind, period), by email."""
    found: dict[str, list[tuple[str, str]]] = {}
    for sent in ReminderSent.objects.select_related("mentor__user").order_by("sent_at", "pk"):
        found.setdefault(sent.mentor.user.email, []).append((sent.kind, sent.period))
    return found


@pytest.fixture
def cast(match_a, match_b, school_a, program):
    """Seven mentors, each in a different situation in September and October 2026."""
    # C met in September, then said on 20 October they would not meet in October.
    c = make_match("c-declared@example.org", school_a, "Cara", dt.date(2025, 9, 1))
    log_session(c, chicago(2026, 9, 10, 15, 0))
    services.no_session_month_declare(
        mentor=c.mentor,
        year=2026,
        month=10,
        reason=NoSessionReason.SCHOOL_BREAK,
        user=c.mentor.user,
        now=chicago(2026, 10, 20, 9, 0),
    )
    # D turned the weekly reminder off; logs nothing.
    d = make_match("d-weekly-off@example.org", school_a, "Dev", dt.date(2025, 9, 1))
    Mentor.objects.filter(pk=d.mentor_id).update(weekly_reminders=False)
    # E's match is closed.
    e = make_match("e-closed@example.org", school_a, "Eli", dt.date(2025, 9, 1))
    Match.objects.filter(pk=e.pk).update(
        status=MatchStatus.CLOSED, end_date=dt.date(2026, 8, 31), closure_reason="Moved"
    )
    # F was invited and has not enrolled yet.
    f = make_match("f-invited@example.org", school_a, "Fay", dt.date(2025, 9, 1))
    Mentor.objects.filter(pk=f.mentor_id).update(status=MentorStatus.INVITED)
    # G's match started on 28 October.
    make_match("g-new@example.org", school_a, "Gus", dt.date(2026, 10, 28))
    # B met on 24 September and 14 October; A logs nothing at all.
    log_session(match_b, chicago(2026, 9, 24, 10, 0))
    log_session(match_b, chicago(2026, 10, 14, 10, 0))


WEEKS_OF_OCTOBER = ["2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44"]


def test_across_october_exactly_the_right_mentors_get_each_reminder_once(cast):
    run_every_hour(chicago(2026, 10, 1, 0, 0), chicago(2026, 11, 3, 6, 0))

    got = received()
    weekly = "weekly"
    assert got["mentor-a@example.org"] == [
        (weekly, "2026-W40"),  # Friday 2 October, 8 AM
        ("deadline_before", "2026-09"),  # 3 days before Monday 5 October
        ("deadline_day", "2026-09"),  # the morning of Monday 5 October
        (weekly, "2026-W41"),
        (weekly, "2026-W42"),
        (weekly, "2026-W43"),
        (weekly, "2026-W44"),  # Friday 30 October, 8 AM, before the deadline reminder
        ("deadline_before", "2026-10"),
        ("deadline_day", "2026-10"),  # the morning of Monday 2 November
    ]
    # B logged in September and October: no deadline reminder; no weekly reminder in
    # the week after a session.
    assert got["mentor-b@example.org"] == [
        (weekly, "2026-W40"),
        (weekly, "2026-W41"),
        (weekly, "2026-W43"),
        (weekly, "2026-W44"),
    ]
    # C: weekly reminders until saying "no session in October", none after; no
    # deadline reminder for September (logged) or October (said so).
    assert got["c-declared@example.org"] == [
        (weekly, "2026-W40"),
        (weekly, "2026-W41"),
        (weekly, "2026-W42"),
    ]
    # D turned the weekly one off: deadline reminders still come.
    assert got["d-weekly-off@example.org"] == [
        ("deadline_before", "2026-09"),
        ("deadline_day", "2026-09"),
        ("deadline_before", "2026-10"),
        ("deadline_day", "2026-10"),
    ]
    # G's match started on 28 October: October's deadline, no weekly reminder yet.
    assert got["g-new@example.org"] == [("deadline_before", "2026-10"), ("deadline_day", "2026-10")]
    # E (closed match) and F (not enrolled) get nothing.
    assert set(got) == {
        "mentor-a@example.org",
        "mentor-b@example.org",
        "c-declared@example.org",
        "d-weekly-off@example.org",
        "g-new@example.org",
    }


def test_each_reminder_is_one_email_through_the_outbox(cast):
    run_every_hour(chicago(2026, 10, 1, 0, 0), chicago(2026, 11, 3, 6, 0))

    emails = Notification.objects.filter(subject_type="reminder")
    assert emails.count() == ReminderSent.objects.count() == 9 + 4 + 3 + 4 + 2
    per_reminder = Counter(emails.values_list("subject_id", flat=True))
    assert set(per_reminder.values()) == {1}
    assert set(per_reminder) == set(ReminderSent.objects.values_list("pk", flat=True))


def test_the_times_each_reminder_goes_out(cast):
    sent_at = {}
    for moment in [
        chicago(2026, 10, 2, 7, 59),
        chicago(2026, 10, 2, 8, 0),
        chicago(2026, 10, 30, 7, 59),
        chicago(2026, 10, 30, 8, 0),
        chicago(2026, 11, 2, 7, 59),
        chicago(2026, 11, 2, 8, 0),
        chicago(2026, 11, 2, 23, 59),
        chicago(2026, 11, 3, 0, 0),
    ]:
        sent_at[moment] = reminders.reminders_send(now=moment)

    counts = list(sent_at.values())
    # Friday 2 October at 8:00: weekly (A, B, C) and 3 days before September's deadline
    # (A, D). Friday 30 October at 8:00: weekly (A, B; C said no session in October) and
    # 3 days before October's (A, D, G). Monday 2 November at 8:00: the day (A, D, G).
    # September's deadline day was never run, so it is not sent weeks later.
    assert counts == [0, 3 + 2, 0, 2 + 3, 0, 3, 0, 0]
    assert received()["mentor-a@example.org"][-3:] == [
        ("weekly", "2026-W44"),
        ("deadline_before", "2026-10"),
        ("deadline_day", "2026-10"),
    ]


def test_a_missed_window_is_caught_up_while_it_is_open_and_never_after(cast):
    # The worker was down from Thursday to Sunday noon: the weekly reminder still goes.
    assert reminders.reminders_send(now=chicago(2026, 10, 4, 12, 0)) == 3 + 2
    # It was down all Monday morning of the deadline: the deadline day reminder still goes
    # at 11 PM, but not the "3 days before" one any more.
    reminders.reminders_send(now=chicago(2026, 11, 2, 23, 0))
    kinds = Counter(kind for kind, period in received()["mentor-a@example.org"])
    assert kinds["deadline_before"] == 1  # September's, on Sunday 4 October
    assert ("deadline_day", "2026-10") in received()["mentor-a@example.org"]
    assert ("deadline_before", "2026-10") not in received()["mentor-a@example.org"]


def test_a_session_logged_stops_that_months_deadline_reminders(match_a, program):
    reminders.reminders_send(now=chicago(2026, 10, 30, 9, 0))
    log_session(match_a, chicago(2026, 10, 30, 15, 0))

    reminders.reminders_send(now=chicago(2026, 11, 2, 9, 0))

    assert received()["mentor-a@example.org"] == [
        ("weekly", "2026-W44"),
        ("deadline_before", "2026-10"),
    ]


def test_deleted_entries_do_not_count_as_logged(match_a, program):
    session = log_session(match_a, chicago(2026, 10, 20, 15, 0))
    services.session_log_delete(
        session=session, user=match_a.mentor.user, now=chicago(2026, 10, 20, 18, 0)
    )

    reminders.reminders_send(now=chicago(2026, 11, 2, 9, 0))

    assert ("deadline_day", "2026-10") in received()["mentor-a@example.org"]


def test_the_deadline_email_names_the_month_and_the_day(match_a, program):
    reminders.reminders_send(now=chicago(2026, 10, 30, 9, 0))

    email = Notification.objects.get(template="reminder-deadline")
    assert email.to == "mentor-a@example.org"
    assert email.context["month_label"] == "October 2026"
    assert email.context["due_on"] == "Monday 2 November 2026"
    assert email.context["due_today"] is False
    assert "weekly_off_path" not in email.context


def test_the_day_of_month_rule_moves_the_reminders(match_a, program):
    program.deadline_rule = "day_of_month"
    program.deadline_day = 5
    program.save()

    reminders.reminders_send(now=chicago(2026, 11, 1, 9, 0))  # 4 days before: too early
    assert [r for r in received()["mentor-a@example.org"] if r[0] != "weekly"] == []
    reminders.reminders_send(now=chicago(2026, 11, 2, 9, 0))  # 3 days before 5 November
    reminders.reminders_send(now=chicago(2026, 11, 5, 9, 0))

    assert [r for r in received()["mentor-a@example.org"] if r[0] != "weekly"] == [
        ("deadline_before", "2026-10"),
        ("deadline_day", "2026-10"),
    ]


def test_the_job_runs_from_the_worker_and_from_cron(match_a, program):
    assert SCHEDULED_JOBS["send_reminders"].run is reminders.reminders_send
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115


# --- Turning the weekly reminder off from the email ---------------------------------------


def weekly_link() -> str:
    return (
        Notification.objects.filter(template="reminder-weekly")
        .latest("pk")
        .context["weekly_off_path"]
    )


def test_the_weekly_email_link_turns_off_only_the_weekly_reminder_signed_out(client, match_a):
    reminders.reminders_send(now=chicago(2026, 10, 23, 9, 0))
    link = weekly_link()

    page = read_page(client.get(link))
    assert "Turn off the weekly reminder" in page.text
    response = client.post(link, {"weekly": "off"}, follow=True)

    assert "no more weekly reminders" in read_page(response).text
    assert Mentor.objects.get(pk=match_a.mentor_id).weekly_reminders is False
    run_every_hour(chicago(2026, 10, 24, 0, 0), chicago(2026, 11, 3, 0, 0), twice=False)
    assert received()["mentor-a@example.org"] == [
        ("weekly", "2026-W43"),
        ("deadline_before", "2026-10"),
        ("deadline_day", "2026-10"),
    ]


def test_the_weekly_reminder_can_be_turned_back_on(client, match_a):
    reminders.reminders_send(now=chicago(2026, 10, 23, 9, 0))
    link = weekly_link()
    client.post(link, {"weekly": "off"})

    client.post(link, {"weekly": "on"})

    assert Mentor.objects.get(pk=match_a.mentor_id).weekly_reminders is True


def test_opening_the_link_changes_nothing(client, match_a):
    reminders.reminders_send(now=chicago(2026, 10, 23, 9, 0))

    client.get(weekly_link())  # mail scanners open links: only the button turns it off

    assert Mentor.objects.get(pk=match_a.mentor_id).weekly_reminders is True


@pytest.mark.parametrize(
    "forge",
    [
        lambda pk, token: token[:-2] + "xx",
        lambda pk, token: f"{pk + 1}:{token.split(':', 1)[1]}",  # someone else's number
        lambda pk, token: signing.Signer().sign(str(pk)),  # signed for another purpose
        lambda pk, token: signing.Signer(salt="portal.password-reset").sign(str(pk)),
    ],
)
def test_a_forged_or_borrowed_link_does_nothing(client, match_a, match_b, forge):
    mentor = match_a.mentor
    token = reminders.weekly_off_token(mentor)

    response = client.post(f"/reminders/weekly/{forge(mentor.pk, token)}/", {"weekly": "off"})

    assert response.status_code == 404
    assert not Mentor.objects.filter(weekly_reminders=False).exists()


def test_the_reminder_emails_read_well(match_a, program):
    from django.core import mail

    from portal.notifications.worker import deliver_due

    reminders.reminders_send(now=chicago(2026, 10, 30, 9, 0))
    deliver_due(worker_id="test")

    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        "A quick reminder to log your mentoring sessions",
        "Your October 2026 sessions are due Monday 2 November 2026",
    ]
    weekly = next(m for m in mail.outbox if "quick reminder" in m.subject)
    assert "/sessions/new/" in weekly.body
    assert "/reminders/weekly/" in weekly.body
    deadline = next(m for m in mail.outbox if "due" in m.subject)
    assert "/reminders/weekly/" not in deadline.body
    assert "Did you not meet at all in October 2026?" in deadline.body
