"""Records for the staff workspace tests: a small program with hand-computed figures."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.mentoring.models import Choice, ChoiceList, Match, MatchStatus, SessionLog
from tests.conftest import chicago, log_session, make_match


def queries_for(client, url: str) -> int:
    """How many queries a page (a download read to its end) costs."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured)


@pytest.fixture
def october(program, school_a, school_b):
    """October 2025 in Chicago, figured by hand.

    Ann (school A): 30 Sep 23:30 (September in Chicago, October in UTC) 2.00 h;
      1 Oct 00:30 1.00 h; 15 Oct mentee absent; 20 Oct 1.50 h entered late (5 Nov);
      31 Oct 23:45 0.50 h (November in UTC); a deleted 2.00 h entry on 22 Oct.
      October: 4 sessions, 3 met, 1 absence, 3.00 h, 1 late.
    Ben (school B): 5 Oct 0.75 h Virtual; his match closed on 10 Oct.
      October: 1 session, 0.75 h.
    Cal (school A): 12 Sep 1.00 h; 1 Nov 00:15 1.00 h Group Activity. October: nothing.
    Dee (school A): match closed 31 Aug after a session on 15 Aug: not in October's list.
    Hours, September to November 2025: Sep 3.00 (2 sessions), Oct 3.75 (5), Nov 1.00 (1);
      school A 7.00, school B 0.75; In-Person 7.00, Virtual 0.75;
      Mentoring Hours 6.75, Group Activity 1.00; total 7.75 h in 8 sessions, 7 met.
    """
    start = dt.date(2025, 1, 1)
    ann = make_match("ann@example.org", school_a, "Ann", start)
    ben = make_match("ben@example.org", school_b, "Ben", start)
    cal = make_match("cal@example.org", school_a, "Cal", start)
    dee = make_match("dee@example.org", school_a, "Dee", start)
    virtual = Choice.objects.get(list=ChoiceList.INTERACTION, label="Virtual")
    group = Choice.objects.get(list=ChoiceList.TYPE_OF_MENTORING, label="Group Activity")
    log_session(ann, chicago(2025, 9, 30, 23, 30), quarter_hours=8)
    log_session(ann, chicago(2025, 10, 1, 0, 30), quarter_hours=4)
    log_session(
        ann,
        chicago(2025, 10, 15, 15, 0),
        quarter_hours=0,
        attendance="mentee_absent",
        notes="Ann was not at school.",
    )
    late = log_session(
        ann, chicago(2025, 10, 20, 15, 0), quarter_hours=6, entered_at=chicago(2025, 11, 5, 9, 0)
    )
    assert late.is_late
    log_session(ann, chicago(2025, 10, 31, 23, 45), quarter_hours=2)
    deleted = log_session(ann, chicago(2025, 10, 22, 15, 0), quarter_hours=8)
    SessionLog.objects.filter(pk=deleted.pk).update(deleted_at=chicago(2025, 10, 23))
    log_session(ben, chicago(2025, 10, 5, 15, 0), quarter_hours=3, interaction=virtual)
    Match.objects.filter(pk=ben.pk).update(
        status=MatchStatus.CLOSED, end_date=dt.date(2025, 10, 10), closure_reason="Moved away"
    )
    log_session(cal, chicago(2025, 9, 12, 15, 0), quarter_hours=4)
    log_session(cal, chicago(2025, 11, 1, 0, 15), quarter_hours=4, type_of_mentoring=group)
    log_session(dee, chicago(2025, 8, 15, 15, 0), quarter_hours=4)
    Match.objects.filter(pk=dee.pk).update(
        status=MatchStatus.CLOSED, end_date=dt.date(2025, 8, 31), closure_reason="Graduated"
    )
    return {"ann": ann, "ben": ben, "cal": cal, "dee": dee}
