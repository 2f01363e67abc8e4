"""axe-core on the pages mentors use, on a phone and on a desktop (RULES 6: WCAG 2.1 AA).

Only serious and critical violations fail a test. Each test visits several pages and
fails once with every page's violations listed, element by element, so a failure
explains itself (and one faulty page does not hide another).
"""

import pytest
from playwright.sync_api import expect

from portal.mentoring.models import SessionLog
from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    describe,
    page_width,
    seed_sessions,
    serious_violations,
    shot,
)

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


class Audit:
    """Runs axe on each page visited and keeps what it finds."""

    def __init__(self, page):
        self.page = page
        self.found: list[str] = []

    def check(self, name: str) -> None:
        self.page.wait_for_load_state()
        shot(self.page, f"a11y-{name}")
        violations = serious_violations(self.page)
        if violations:
            self.found.append(f"{name} ({self.page.url}):\n{describe(violations)}")

    def report(self) -> str:
        return "axe found serious or critical violations on\n" + "\n\n".join(self.found)


@VIEWPORTS
def test_sign_in_page_with_and_without_errors(page, live_server, viewport):
    page.set_viewport_size(viewport)
    audit = Audit(page)
    page.goto(f"{live_server.url}/accounts/sign-in/")
    audit.check("sign-in")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    audit.check("sign-in-errors")
    assert not audit.found, audit.report()


@VIEWPORTS
def test_mentor_pages(mentor_page, live_server, match_a, viewport):
    """Home, the session form (empty, concern open, with errors), My sessions, an entry."""
    month = seed_sessions(match_a)
    page = mentor_page
    page.set_viewport_size(viewport)
    audit = Audit(page)

    page.goto(f"{live_server.url}/mentor/")
    expect(page.locator(".session-row")).to_have_count(2)
    audit.check("home")

    page.goto(f"{live_server.url}/sessions/new/")
    audit.check("form")
    page.get_by_label("Child safety concern").check()
    expect(page.get_by_label("What is the concern?")).to_be_visible()
    audit.check("form-concern-open")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.locator(".error-summary li")).to_have_count(3)  # hours, notes, concern
    audit.check("form-errors")

    page.goto(f"{live_server.url}/sessions/?month={month}")
    expect(page.locator(".session-row")).to_have_count(2)
    audit.check("my-sessions")

    concern = SessionLog.objects.get(match=match_a, safety_concern=True)
    page.goto(f"{live_server.url}/sessions/{concern.pk}/?saved=1")
    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()
    audit.check("saved")
    assert not audit.found, audit.report()


@VIEWPORTS
def test_two_step_set_up_and_recovery_codes(mentor_page, live_server, viewport):
    """Set-up (QR code, key, first code), the recovery codes shown once, Sign-in security
    and the recovery codes page: readable, no sideways scrolling on a phone."""
    from portal.security import totp

    page = mentor_page
    page.set_viewport_size(viewport)
    audit = Audit(page)

    page.goto(f"{live_server.url}/accounts/two-step/set-up/")
    audit.check("two-step-set-up")
    secret = page.locator(".secret-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(totp.current_code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    expect(page.get_by_text("Keep these somewhere safe; each works once.")).to_be_visible()
    assert page_width(page) <= viewport["width"]
    audit.check("recovery-codes-new")

    page.get_by_role("link", name="I have kept my codes: continue").click()
    page.goto(f"{live_server.url}/accounts/two-step/")
    audit.check("sign-in-security-on")
    page.get_by_role("link", name="Recovery codes").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    assert page_width(page) <= viewport["width"]
    audit.check("recovery-codes")
    assert not audit.found, audit.report()


def test_the_checker_itself_reports_a_serious_violation(page):
    """Guard against a silent checker: a page with known faults must fail it."""
    page.set_content(
        '<html lang="en"><title>t</title><main><h1>Broken</h1>'
        '<img src="x.png"><input type="text">'
        '<p style="color:#aaa;background:#fff">Faint text</p></main></html>'
    )
    ids = {violation["id"] for violation in serious_violations(page)}
    assert {"image-alt", "label", "color-contrast"} <= ids, ids
