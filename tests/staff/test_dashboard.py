"""The coordinator's month (issue 11, item 7): the dashboard and compliance open on the month
whose deadline is still open, with a one-click switch, and open concerns come first.

Time is frozen on Wednesday 2 December 2026, 10:00 in Chicago: November's sessions are due
by the end of Monday 7 December, so November is the month that matters, not December.
"""

import datetime as dt

import pytest

from portal.mentoring.models import ProgramSettings
from portal.mentoring.rules import Month
from portal.safeguarding import services as safeguarding
from portal.safeguarding.models import SafetyConcern
from tests.conftest import chicago, frozen_at
from tests.page import read_page
from tests.staff.conftest import log_session

NOW = chicago(2026, 12, 2, 10, 0)
NOVEMBER, DECEMBER = Month(2026, 11), Month(2026, 12)


@pytest.fixture(autouse=True)
def _now():
    with frozen_at(NOW):
        yield


@pytest.fixture
def logged(match_a, match_b):
    """Two sessions in November (1.00 h and 1.50 h, one of them late), one in December."""
    log_session(match_a, chicago(2026, 11, 10, 15, 0), quarter_hours=4)
    log_session(
        match_b,
        chicago(2026, 11, 12, 15, 0),
        quarter_hours=6,
        entered_at=chicago(2026, 12, 1, 9, 0),
    )
    log_session(match_a, chicago(2026, 12, 1, 15, 0), quarter_hours=2)


def get_at(moment, client, user, url):
    """The page as ``user`` sees it at ``moment`` (signed in then: sessions expire)."""
    with frozen_at(moment):
        client.force_login(user)
        return client.get(url)


# --- The dashboard's month ----------------------------------------------------------------


def test_in_the_due_window_the_dashboard_opens_on_last_month(staff_client, logged):
    response = staff_client.get("/staff/")
    assert response.context["month"] == NOVEMBER
    assert response.context["figures"]["sessions"] == 2
    assert response.context["figures"]["late"] == 0  # entered 1 December: not late yet
    page = read_page(response)
    assert (
        "November 2026 is the month now due: its sessions are due by the end of "
        "Monday 7 December 2026, 5 days from now." in page.text
    )
    assert page.link_to("Show December 2026, this month") == "?month=2026-12"
    assert page.link_to("See November 2026 sessions") == "/staff/sessions/?month=2026-11"


def test_one_click_shows_this_month_and_one_click_goes_back(staff_client, logged):
    response = staff_client.get("/staff/?month=2026-12")
    assert response.context["month"] == DECEMBER
    assert response.context["figures"]["sessions"] == 1
    page = read_page(response)
    assert (
        "December 2026, this month: its sessions are due by the end of Monday 4 January 2027."
        in page.text
    )
    assert page.link_to("Show November 2026, the month now due") == "?month=2026-11"


def test_after_the_deadline_the_dashboard_shows_this_month_and_no_switch(
    client, staff_user, logged
):
    response = get_at(chicago(2026, 12, 8, 0, 0), client, staff_user, "/staff/")
    assert response.context["month"] == DECEMBER
    page = read_page(response)
    assert "December 2026 is the month now due" in page.text
    assert not [text for _, text in page.links if text.startswith("Show ")]


def test_on_the_last_evening_of_the_deadline_last_month_is_still_shown(client, staff_user, logged):
    response = get_at(chicago(2026, 12, 7, 23, 59), client, staff_user, "/staff/")
    assert response.context["month"] == NOVEMBER
    assert "Monday 7 December 2026, today." in read_page(response).text


def test_the_dashboard_follows_the_programs_deadline_rule(staff_client, logged):
    program = ProgramSettings.load()
    program.deadline_rule, program.deadline_day = "day_of_month", 1
    program.save()
    # November was due on 1 December: on the 2nd, December is the month that matters.
    assert staff_client.get("/staff/").context["month"] == DECEMBER


def test_a_month_typed_badly_in_the_address_shows_the_due_month(staff_client, logged):
    response = staff_client.get("/staff/?month=2026-13")
    assert response.status_code == 200
    assert response.context["month"] == NOVEMBER


def test_a_past_month_says_its_deadline_passed_and_offers_the_due_month(staff_client, logged):
    page = read_page(staff_client.get("/staff/?month=2026-09"))
    assert "September 2026: its sessions were due by the end of Monday 5 October 2026." in (
        page.text
    )
    assert page.link_to("Show November 2026, the month now due") == "?month=2026-11"


def test_nothing_logged_counts_the_month_shown(staff_client, match_a, match_b):
    log_session(match_a, chicago(2026, 11, 10, 15, 0))
    assert staff_client.get("/staff/").context["nothing_logged"] == 1  # November: mentor B
    log_session(match_b, chicago(2026, 12, 1, 15, 0))
    assert staff_client.get("/staff/?month=2026-12").context["nothing_logged"] == 1


# --- Open safety concerns first -----------------------------------------------------------


@pytest.fixture
def concerns(match_a, match_b, staff_user):
    """Three open concerns, raised 3 days, 5 hours and 20 minutes ago; the oldest raised
    again. A closed one that must not be listed."""

    def raise_concern(match, ago):
        return safeguarding.concern_raise(
            match=match, description="Scared to go home.", raised_by=staff_user, now=NOW - ago
        )

    closed = raise_concern(match_b, dt.timedelta(days=10))
    safeguarding.concern_acknowledge(concern=closed, user=staff_user, note="Called the school.")
    safeguarding.concern_close(concern=closed, user=staff_user, outcome="Family supported.")
    oldest = raise_concern(match_a, dt.timedelta(days=3, hours=2))
    safeguarding.concerns_escalate(now=NOW)
    middle = raise_concern(match_b, dt.timedelta(hours=5))
    newest = raise_concern(match_a, dt.timedelta(minutes=20))
    return {"closed": closed, "oldest": oldest, "middle": middle, "newest": newest}


def concern_links(page) -> list[tuple[str, str]]:
    """(address, text) of each concern row, in page order."""
    return [
        (href, text)
        for href, text in page.links
        if href.startswith("/concerns/") and href[10:-1].isdigit()
    ]


def concern_rows(page) -> list[str]:
    return [text for _, text in concern_links(page)]


def test_open_concerns_come_first_oldest_first_with_their_age(staff_client, concerns):
    page = read_page(staff_client.get("/staff/"))
    assert page.text.index("Open safety concerns: 3") < page.text.index(
        "November 2026 is the month now due"
    )
    rows = concern_rows(page)
    assert len(rows) == 3
    assert rows[0].startswith("Raised 3 days ago")
    assert rows[1].startswith("Raised 5 hours ago")
    assert rows[2].startswith("Raised 20 minutes ago")
    assert [href for href, _ in concern_links(page)] == [
        f"/concerns/{concerns[name].pk}/" for name in ("oldest", "middle", "newest")
    ]


def test_a_concern_raised_again_says_so(staff_client, concerns):
    assert SafetyConcern.objects.get(pk=concerns["oldest"].pk).escalated_at == NOW
    rows = concern_rows(read_page(staff_client.get("/staff/")))
    assert "Raised again" in rows[0]
    assert "Raised again" not in rows[1]
    assert "Raised again" not in rows[2]


# --- Compliance ---------------------------------------------------------------------------


def test_compliance_opens_on_the_due_month_with_a_switch(staff_client, logged):
    response = staff_client.get("/staff/compliance/")
    assert response.context["month"] == NOVEMBER
    assert response.context["summary"].sessions == 2
    page = read_page(response)
    assert "Compliance: November 2026" in page.text
    assert "November 2026 is the month now due" in page.text
    assert page.link_to("Show December 2026, this month") == "?month=2026-12"


def test_the_compliance_switch_keeps_the_school_and_the_filter(staff_client, logged, school_a):
    page = read_page(staff_client.get(f"/staff/compliance/?site={school_a.pk}&show=nothing"))
    assert page.link_to("Show December 2026, this month") == (
        f"?month=2026-12&site={school_a.pk}&show=nothing"
    )
    december = read_page(staff_client.get(f"/staff/compliance/?month=2026-12&site={school_a.pk}"))
    assert december.link_to("Show November 2026, the month now due") == (
        f"?month=2026-11&site={school_a.pk}"
    )


def test_after_the_deadline_compliance_opens_on_this_month(client, staff_user, logged):
    response = get_at(chicago(2026, 12, 8, 9, 0), client, staff_user, "/staff/compliance/")
    assert response.context["month"] == DECEMBER
    assert response.context["summary"].sessions == 1


@pytest.mark.parametrize("url", ["/staff/", "/staff/compliance/"])
def test_mentors_and_site_contacts_are_refused_and_strangers_sent_to_sign_in(
    client, url, mentor_a, site_contact_a
):
    assert client.get(url).status_code == 302
    assert "/accounts/sign-in/" in client.get(url)["Location"]
    for outsider in (mentor_a, site_contact_a):
        client.force_login(outsider)
        assert client.get(url).status_code == 403
