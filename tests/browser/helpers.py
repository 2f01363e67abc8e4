"""Helpers shared by the browser tests (fixtures live in conftest.py)."""

import datetime as dt
import os
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from portal.mentoring.models import ProgramSettings
from tests.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SAFETY_SENTENCE = "Any immediate safety concerns must be reported to your school site contact."


def sign_in(page, live_server, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form mentors use, and wait for the page it leads to."""
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/sign-in/" not in url)


def local_now() -> dt.datetime:
    return timezone.localtime(timezone.now(), ProgramSettings.load().tz)


def datetime_local(value: dt.datetime) -> str:
    """The value a datetime-local input takes: YYYY-MM-DDTHH:MM."""
    return value.strftime("%Y-%m-%dT%H:%M")


def row_when(value: dt.datetime) -> str:
    """How a session row shows its date: Django's "D j M, g:i A"."""
    hour = value.hour % 12 or 12
    return f"{value:%a} {value.day} {value:%b}, {hour}:{value:%M} {value:%p}"


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    violations = Axe().run(page).response["violations"]
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def shot(page, name: str) -> None:
    """A screenshot for people to look at, when PORTAL_BROWSER_SHOTS names a folder.

    Never compared and never written into the repository.
    """
    folder = os.environ.get("PORTAL_BROWSER_SHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    width = (page.viewport_size or {}).get("width", 0)
    page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


def seed_sessions(match) -> str:
    """Two past entries in one month for ``match``: an absence, then a session with a
    safety concern and a resource need. Returns their month as YYYY-MM."""
    from portal.mentoring import services
    from portal.mentoring.models import Attendance, Choice, ChoiceList

    now = local_now()
    # Yesterday, unless that was last month and today has two past hours to use.
    day = now - dt.timedelta(days=1)
    if day.month != now.month and now.hour >= 2:
        day = now.replace(hour=0)
    first = day.replace(hour=0, minute=15, second=0, microsecond=0)
    common = {
        "match": match,
        "type_of_mentoring": Choice.objects.get(
            list=ChoiceList.TYPE_OF_MENTORING, label="Mentoring Hours"
        ),
        "interaction": Choice.objects.get(list=ChoiceList.INTERACTION, label="In-Person"),
    }
    services.session_log_create(
        user=match.mentor.user,
        data=services.SessionInput(
            **common,
            starts_at=first,
            quarter_hours=0,
            attendance=Attendance.MENTEE_ABSENT,
            notes="Jane was not at school today.",
        ),
    )
    services.session_log_create(
        user=match.mentor.user,
        data=services.SessionInput(
            **common,
            starts_at=first + dt.timedelta(hours=1),
            quarter_hours=6,
            attendance=Attendance.MET,
            notes="We read a book together. <b>Not bold</b>.",
            safety_concern=True,
            safety_concern_details="She said she is often hungry at home.",
            resource_needs=["food"],
        ),
    )
    return f"{first:%Y-%m}"
