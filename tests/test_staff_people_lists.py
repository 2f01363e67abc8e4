"""The staff lists of mentors and mentees count each one's active matches (a closed match
is not counted), one count per row shown, without grouping every person's matches."""

import datetime as dt

from portal.mentoring.models import Match, MatchStatus, Mentee
from portal.staff import list_selectors
from tests.conftest import make_match

START = dt.date(2026, 1, 5)


def test_active_matches_are_counted_per_mentor_and_mentee(program, school_a):
    busy = make_match("busy@example.org", school_a, "Ava", START)
    idle = make_match("idle@example.org", school_a, "Bo", START)
    second = Mentee.objects.create(first_name="Cy", last_initial="D", site=school_a, grade="4")
    Match.objects.create(mentor=busy.mentor, mentee=second, site=school_a, start_date=START)
    Match.objects.create(
        mentor=busy.mentor, mentee=idle.mentee, site=school_a, start_date=START,
        status=MatchStatus.CLOSED, end_date=START,
    )  # fmt: skip
    Match.objects.filter(pk=idle.pk).update(status=MatchStatus.CLOSED, end_date=START)

    mentors = list_selectors.mentor_list(filters=list_selectors.MentorFilters())
    assert {m.user.email: m.n_active for m in mentors} == {
        "busy@example.org": 2,
        "idle@example.org": 0,
    }
    mentees = list_selectors.mentee_list(filters=list_selectors.MenteeFilters())
    assert {m.first_name: m.n_active for m in mentees} == {"Ava": 1, "Bo": 0, "Cy": 1}
    assert [m.first_name for m in mentees] == ["Ava", "Bo", "Cy"]
