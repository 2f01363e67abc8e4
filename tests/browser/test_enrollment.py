"""Enrollment end to end (RULES 4.12) and the Contact page signed out (RULES 4.13), in
Chromium: staff invite, the mentor opens the link from the email, sets a password, accepts
the agreement and lands home; someone who cannot sign in writes to the program."""

import re

from django.core import mail
from playwright.sync_api import expect

from portal.mentoring.models import Mentor, MentorStatus, ProgramSettings
from portal.notifications.worker import deliver_due
from portal.support.models import SupportRequest
from tests.browser.helpers import describe, serious_violations, shot, sign_in

AGREEMENT = "I will meet my mentee weekly and log every session by the deadline."
NEW_PASSWORD = "lantern-meadow-copper-58"


def link_from_the_email(live_server) -> str:
    """Send the outbox, then read the link in the invitation as the mentor would."""
    deliver_due(worker_id="browser-test")
    [invitation] = [m for m in mail.outbox if "invited to enroll" in m.subject]
    path = re.search(r"https?://[^/\s]+(/enroll/[^\s]+/)", invitation.body).group(1)
    return live_server.url + path


def test_a_mentor_enrolls_from_the_invitation_and_lands_home(page, live_server, staff_user):
    program = ProgramSettings.load()
    program.mentor_agreement = AGREEMENT
    program.save()

    # Staff invite the mentor.
    sign_in(page, live_server, staff_user.email)
    page.goto(f"{live_server.url}/staff/invitations/")
    page.get_by_role("link", name="Invite a mentor").click()
    page.get_by_label("Mentor's full name").fill("Nia Okafor")
    page.get_by_label("Mentor's email address").fill("nia.okafor@example.org")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation queued for nia.okafor@example.org")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Waiting")
    page.get_by_role("button", name="Sign out").click()

    # The mentor opens the link from the email.
    link = link_from_the_email(live_server)
    page.goto(link)
    expect(page.get_by_role("heading", name="Welcome, Nia")).to_be_visible()
    expect(page.locator(".agreement")).to_contain_text(AGREEMENT)
    shot(page, "enroll-accept")
    assert serious_violations(page) == [], describe(serious_violations(page))

    # A mistake first: the agreement is not ticked. What was chosen is explained.
    page.get_by_label("Create a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enroll and sign in").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".error-summary")).to_contain_text("Tick the box to accept")

    page.get_by_label("Create a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_label("I have read the mentor agreement and I accept it").check()
    page.get_by_role("button", name="Enroll and sign in").click()

    page.wait_for_url(f"{live_server.url}/mentor/")
    expect(page.get_by_role("heading", name="Hello, Nia")).to_be_visible()
    expect(page.get_by_text("You are enrolled and signed in")).to_be_visible()
    mentor = Mentor.objects.get(user__email="nia.okafor@example.org")
    assert mentor.status == MentorStatus.ACTIVE
    assert mentor.agreement_version == program.agreement_version

    # The link does not work twice, and says what to do instead.
    page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    expect(page.get_by_role("heading", name="already been used")).to_be_visible()
    sign_in(page, live_server, "nia.okafor@example.org", NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Hello, Nia")).to_be_visible()


def test_someone_who_cannot_sign_in_writes_to_the_program_signed_out(page, live_server, db):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_role("link", name="Contact").click()

    expect(page.get_by_role("heading", name="Contact the program")).to_be_visible()
    page.get_by_label("Your name").fill("Ana Diaz")
    page.get_by_label("Your email address").fill("ana@example.org")
    page.get_by_label("I cannot sign in").check()
    page.get_by_label("Your message").fill("The sign-in page says my password is not right.")
    shot(page, "contact")
    assert serious_violations(page) == [], describe(serious_violations(page))
    page.get_by_role("button", name="Send my message").click()

    expect(page.get_by_role("heading", name="Your message is sent")).to_be_visible()
    request = SupportRequest.objects.get()
    assert (request.email, request.topic) == ("ana@example.org", "sign_in")
    deliver_due(worker_id="browser-test")
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
