"""Volunteer readiness in Chromium: staff record a background check, the mentor becomes
ready, and the match the program refused a moment ago is created; a mentor accepts a new
version of the agreement at sign-in and logs a training. axe finds nothing serious on the
new pages, phone and desktop."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.mentoring.models import Match, Mentee, ProgramSettings
from portal.readiness import agreements, services
from portal.readiness.models import (
    AgreementAcceptance,
    ReadinessItem,
    ReadinessRecord,
    ReadinessSettings,
    TrainingLog,
    WhoRecords,
)
from tests.browser.helpers import DESKTOP, PHONE, describe, serious_violations, shot, sign_in

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


class Audit:
    def __init__(self, page, viewport):
        self.page, self.viewport, self.found = page, viewport, []

    def __call__(self, name: str) -> None:
        self.page.wait_for_load_state()
        shot(self.page, f"readiness-{name}")
        violations = serious_violations(self.page)
        if violations:
            self.found.append(f"{name} ({self.page.url}):\n{describe(violations)}")
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.viewport["width"], f"{name} is wider than the screen"

    def report(self) -> str:
        return "axe found serious or critical violations on\n" + "\n\n".join(self.found)


@pytest.fixture
def requirements(db):
    ReadinessSettings.objects.update_or_create(pk=1, defaults={"not_ready_matches": "block"})
    return {
        "check": ReadinessItem.objects.create(name="Background check", valid_months=24),
        "orientation": ReadinessItem.objects.create(
            name="Orientation training", who_records=WhoRecords.TRAINING, position=2
        ),
    }


@VIEWPORTS
def test_staff_record_a_background_check_and_the_match_is_created(
    page, live_server, admin_user, match_a, requirements, viewport
):
    mentor = match_a.mentor
    today = timezone.localdate(timezone.now(), ProgramSettings.load().tz)
    services.record_add(
        mentor=mentor,
        item=requirements["orientation"],
        done_on=today - dt.timedelta(days=30),
        user=admin_user,
    )
    mentee = Mentee.objects.create(
        first_name="Lena", last_initial="R", site=match_a.site, grade="3"
    )
    page.set_viewport_size(viewport)
    audit = Audit(page, viewport)
    sign_in(page, live_server, admin_user.email)
    audit("dashboard")

    # The program refuses a match for a mentor who is not ready, and says why.
    page.goto(f"{live_server.url}/staff/matches/new/")
    page.get_by_label("Mentor", exact=True).select_option(
        label=f"{mentor.user.full_name} ({mentor.user.email})"
    )
    page.get_by_label("Mentee").select_option(label=str(mentee))
    page.get_by_label("School site").select_option(label=match_a.site.name)
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.locator(".error-summary")).to_contain_text("Missing: Background check")
    audit("match-refused")
    assert not Match.objects.filter(mentee=mentee).exists()

    # Readiness: the mentor is not ready; record the check.
    page.goto(f"{live_server.url}/staff/readiness/?show=not_ready")
    row = page.locator("tr", has_text=mentor.user.full_name)
    expect(row).to_contain_text("Not ready")
    audit("list")
    row.get_by_role("link", name="Record an item").click()
    expect(page.get_by_role("heading", name="Record a readiness item")).to_be_visible()
    audit("record")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    audit("record-errors")
    page.get_by_label("What was done?").select_option(label="Background check")
    page.get_by_label("Note or file reference (optional)").fill("Clearance no. BC-2026-114")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Background check recorded for")).to_be_visible()
    expect(page.get_by_text("They are ready.")).to_be_visible()
    expect(page.locator("tr", has_text=mentor.user.full_name)).to_contain_text("Ready")
    assert ReadinessRecord.objects.filter(item=requirements["check"]).exists()

    # Now the match is created.
    page.goto(f"{live_server.url}/staff/matches/new/")
    page.get_by_label("Mentor", exact=True).select_option(
        label=f"{mentor.user.full_name} ({mentor.user.email})"
    )
    page.get_by_label("Mentee").select_option(label=str(mentee))
    page.get_by_label("School site").select_option(label=match_a.site.name)
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    assert Match.objects.filter(mentee=mentee, mentor=mentor).exists()

    page.goto(f"{live_server.url}/staff/readiness/requirements/")
    audit("requirements")
    page.goto(f"{live_server.url}/staff/readiness/requirements/new/")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    audit("requirement-form-errors")
    page.goto(f"{live_server.url}/staff/readiness/training/")
    audit("training-list")
    page.goto(f"{live_server.url}/staff/")
    expect(page.locator("section.dashboard-readiness")).to_be_visible()
    assert not audit.found, audit.report()


@VIEWPORTS
def test_a_mentor_accepts_a_new_agreement_version_at_sign_in(
    page, live_server, mentor_a, admin_user, requirements, viewport
):
    program = ProgramSettings.objects.get(pk=1)
    program.mentor_agreement = "I will meet my mentee weekly.\n\nNew: yearly child-safety training."
    program.save()
    version = agreements.agreement_version_record(user=admin_user)
    page.set_viewport_size(viewport)
    audit = Audit(page, viewport)

    sign_in(page, live_server, mentor_a.email)
    expect(page.get_by_role("heading", name="The mentor agreement has changed")).to_be_visible()
    expect(page.get_by_text("New: yearly child-safety training.")).to_be_visible()
    audit("agreement")
    page.get_by_role("button", name="Accept and continue").click()
    expect(page.get_by_text("Tick the box to accept the mentor agreement.").first).to_be_visible()
    audit("agreement-errors")
    page.get_by_label("I have read the mentor agreement and I accept it").check()
    page.get_by_role("button", name="Accept and continue").click()
    expect(page.get_by_role("link", name="Log a session")).to_be_visible()
    acceptance = AgreementAcceptance.objects.get()
    assert acceptance.version == version and acceptance.mentor == mentor_a.mentor

    # The mentor's own readiness and training.
    page.get_by_role("link", name="My readiness").click()
    expect(page.get_by_role("heading", name="My readiness and training")).to_be_visible()
    expect(page.get_by_text("Not ready yet")).to_be_visible()
    audit("mine")
    page.get_by_label("What was the training about?").fill("New mentor orientation")
    page.get_by_label("Hours").select_option("1.50")
    page.get_by_label("Does it complete a requirement? (optional)").select_option(
        label="Orientation training"
    )
    page.get_by_role("button", name="Save the training").click()
    expect(page.get_by_text("Training saved: 1.50 hours")).to_be_visible()
    expect(page.locator("table")).to_contain_text("New mentor orientation")
    audit("mine-saved")
    assert TrainingLog.objects.get().quarter_hours == 6
    assert not audit.found, audit.report()


@VIEWPORTS
def test_a_hold_is_said_to_the_mentor_and_a_new_requirement_asks_first(
    page, live_server, admin_user, match_a, requirements, viewport
):
    from portal.readiness.models import MatchReadinessFlag

    services.readiness_check()  # refuse: nothing recorded, the match goes on hold
    assert MatchReadinessFlag.objects.get(match=match_a).holds
    page.set_viewport_size(viewport)
    audit = Audit(page, viewport)

    # Staff see the hold on the dashboard and the match page, with the way to record.
    sign_in(page, live_server, admin_user.email)
    expect(page.locator("section.dashboard-readiness")).to_contain_text("Logging on hold")
    page.goto(f"{live_server.url}/staff/matches/{match_a.pk}/")
    expect(page.get_by_text("Logging is on hold:")).to_be_visible()
    audit("match-on-hold")

    # A new required item under "refuse" asks before saving; saved as optional.
    page.goto(f"{live_server.url}/staff/readiness/requirements/new/")
    page.get_by_label("Name of the requirement").fill("Two references")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("1 mentor with an active match does not have this yet")).to_be_visible()
    audit("requirement-confirm")
    page.get_by_role("button", name="Save as optional").click()
    expect(page.get_by_text("\u201cTwo references\u201d saved.")).to_be_visible()
    assert not ReadinessItem.objects.get(name="Two references").required

    # The mentor reads why on their home page.
    page.context.clear_cookies()
    sign_in(page, live_server, match_a.mentor.user.email)
    expect(page.get_by_text("Logging for your match with Jane D. is on hold")).to_be_visible()
    audit("home-on-hold")
    assert not audit.found, audit.report()
