"""Staff pages stay flat in queries as the program grows: 5 mentors and 50 cost the same."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from portal.accounts.models import Role, User
from portal.mentoring.models import (
    Choice,
    ChoiceList,
    Match,
    Mentee,
    Mentor,
    MentorStatus,
    SchoolSite,
    SessionLog,
)
from tests.conftest import chicago
from tests.staff.conftest import queries_for

counter = itertools.count()


def grow(n: int, sites: list[SchoolSite], staff: User) -> None:
    """n more mentors, each with a match, three October 2025 entries and one from today."""
    kind = Choice.objects.get(list=ChoiceList.TYPE_OF_MENTORING, is_default=True)
    how = Choice.objects.get(list=ChoiceList.INTERACTION, is_default=True)
    now = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    sessions = []
    for _ in range(n):
        i = next(counter)
        user = User.objects.create_user(
            email=f"grow{i}@example.org", role=Role.MENTOR, full_name=f"Mentor {i:03d}"
        )
        mentor = Mentor.objects.create(user=user, status=MentorStatus.ACTIVE)
        site = sites[i % len(sites)]
        mentee = Mentee.objects.create(first_name=f"Kid{i}", last_initial="K", site=site, grade="4")
        match = Match.objects.create(
            mentor=mentor, mentee=mentee, site=site, start_date=dt.date(2025, 1, 1)
        )
        common = {"match": match, "type_of_mentoring": kind, "interaction": how, "entered_by": user}
        sessions += [
            SessionLog(**common, starts_at=chicago(2025, 10, 3, 15), quarter_hours=4,
                       attendance="met", notes="Met."),
            SessionLog(**common, starts_at=chicago(2025, 10, 10, 15), quarter_hours=0,
                       attendance="mentee_absent", notes="Absent."),
            SessionLog(**common, starts_at=chicago(2025, 10, 17, 15), quarter_hours=6,
                       attendance="met", notes="Met.", is_late=True),
            SessionLog(**common, starts_at=now, quarter_hours=2, attendance="met",
                       notes="Met.", safety_concern=i % 2 == 0,
                       safety_concern_details="Worried." if i % 2 == 0 else ""),
        ]  # fmt: skip
    SessionLog.objects.bulk_create(sessions)


URLS = [
    "/staff/",
    "/staff/sessions/",
    "/staff/sessions/?month=2025-10&late=on&flagged=on&mentor=Mentor",
    "/staff/compliance/?month=2025-10",
    "/staff/compliance/?month=2025-10&emails=1",
    "/staff/hours/?start=2025-01&end=2025-12",
    "/staff/matches/",
    "/staff/mentors/",
    "/staff/mentees/",
    "/staff/schools/",
    "/staff/export/?report=sessions&file_format=csv&include_children=on",
    "/staff/export/?report=sessions&file_format=xlsx",
    "/staff/export/?report=compliance&file_format=csv&month=2025-10",
    "/staff/export/?report=hours&file_format=csv",
]


@pytest.mark.parametrize("url", URLS)
def test_queries_stay_flat_from_5_to_50_mentors(client, staff_user, school_a, school_b, url):
    client.force_login(staff_user)
    grow(5, [school_a, school_b], staff_user)
    client.get(url)  # warm up: the settings row and caches
    small = queries_for(client, url)
    grow(45, [school_a, school_b], staff_user)
    large = queries_for(client, url)
    assert large == small, f"{url}: {small} queries with 5 mentors, {large} with 50"
