"""Pages never say people "are notified" before their email went out (issue 11, item 4):
where an email may still wait in the outbox they say it is queued, and where the page
knows the email (a concern, an invitation, a support request), it says when it was sent,
that it is queued, or that it could not be delivered."""

import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

from portal.enrollment import services as enrollment
from portal.notifications.models import Notification
from portal.notifications.worker import deliver_due
from portal.safeguarding.services import concern_raise
from portal.support.services import support_request_create
from tests.page import read_page

# Words that tell someone an email reached people, written before it could have.
PROMISES = re.compile(
    r"\b(?:are|is|were|was|been) (?:notified|emailed)\b|we have emailed|we emailed you|"
    r"invitations? sent\b",
    re.IGNORECASE,
)
# Owned by the mentor's confirmation after a concern; it says it in its own words.
NOT_HERE = {"mentoring/session_detail.html"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_no_page_template_promises_that_people_were_notified():
    folder = Path(settings.BASE_DIR) / "templates"
    found = []
    for template in folder.rglob("*.html"):
        name = template.relative_to(folder).as_posix()
        if name.startswith("emails/") or name in NOT_HERE:
            continue
        for match in PROMISES.finditer(template.read_text()):
            found.append(f"{name}: {match.group(0)}")
    assert found == []


def test_the_concern_page_shows_staff_each_email_queued_then_sent(
    match_a, mentor_a, staff_user, site_contact_a
):
    concern = concern_raise(match=match_a, description="Bruise on the arm.", raised_by=mentor_a)
    page_url = reverse("safeguarding:concern_detail", args=[concern.pk])
    staff = signed_in(staff_user)

    before = read_page(staff.get(page_url)).text
    assert "Emails about this concern" in before
    assert f"{staff_user.email}: queued, goes out within a minute" in before
    assert f"{site_contact_a.email}: queued, goes out within a minute" in before

    deliver_due(worker_id="w1")

    after = read_page(staff.get(page_url)).text
    assert f"{staff_user.email}: sent " in after
    assert f"{site_contact_a.email}: sent " in after
    assert "queued" not in after


def test_an_email_that_could_not_be_delivered_says_so_and_one_retried_says_it_is_queued(
    match_a, mentor_a, staff_user, site_contact_a
):
    concern = concern_raise(match=match_a, description="Bruise on the arm.", raised_by=mentor_a)
    Notification.objects.filter(to=staff_user.email).update(state="failed", attempts=10)
    Notification.objects.filter(to=site_contact_a.email).update(attempts=2)

    text = read_page(
        signed_in(staff_user).get(reverse("safeguarding:concern_detail", args=[concern.pk]))
    ).text

    assert f"{staff_user.email}: not sent: it could not be delivered" in text
    assert f"{site_contact_a.email}: queued: not delivered yet, tried 2 times" in text


def test_the_site_contact_sees_no_list_of_emails_and_another_school_sees_no_concern(
    match_a, mentor_a, site_contact_a, site_contact_b
):
    concern = concern_raise(match=match_a, description="Bruise on the arm.", raised_by=mentor_a)
    page_url = reverse("safeguarding:concern_detail", args=[concern.pk])

    own = signed_in(site_contact_a).get(page_url)
    assert own.status_code == 200
    assert "Emails about this concern" not in read_page(own).text
    assert signed_in(site_contact_b).get(page_url).status_code == 404


def test_staff_recording_a_concern_are_told_its_emails_are_queued(client, staff_user, match_a):
    client.force_login(staff_user)

    response = client.post(
        reverse("safeguarding:concern_raise"),
        {"match": match_a.pk, "description": "Seen with a black eye."},
        follow=True,
    )

    text = read_page(response).text
    assert "Emails to staff and the school are queued" in text
    assert "notified" not in text


def test_the_invitation_list_says_queued_until_the_email_goes_out(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("staff:invitation_create"),
        {"email": "nia@example.org", "full_name": "Nia Okafor", "phone": ""},
        follow=True,
    )

    text = read_page(response).text
    assert "Invitation queued for nia@example.org: it goes out within a minute." in text
    assert "Email queued, goes out within a minute" in text

    deliver_due(worker_id="w1")

    text = read_page(client.get(reverse("staff:invitation_list"))).text
    assert "Email sent " in text and "queued" not in text


def test_a_resent_invitation_shows_the_state_of_its_own_email(client, staff_user):
    first = enrollment.invitation_create(
        email="nia@example.org", full_name="Nia Okafor", created_by=staff_user
    )
    deliver_due(worker_id="w1")
    enrollment.invitation_resend(user=first.user, created_by=staff_user)
    client.force_login(staff_user)

    text = read_page(client.get(reverse("staff:invitation_list"))).text

    assert "Email queued, goes out within a minute" in text  # the new link's email
    assert "Email sent " in read_page(client.get("/staff/invitations/?state=retired")).text


def test_the_contact_page_says_the_acknowledgement_is_on_its_way(client, db):
    response = client.post(
        reverse("support:contact"),
        {
            "name": "Ana Diaz",
            "email": "ana@example.org",
            "topic": "invitation",
            "message": "My invitation has expired.",
        },
        follow=True,
    )

    text = read_page(response).text
    assert "A short acknowledgement is on its way to your email." in text
    assert "We have emailed" not in text


def test_a_support_request_shows_staff_whether_the_sender_s_emails_went_out(staff_user, mentor_a):
    item = support_request_create(
        name="Ana Diaz", email="ana@example.org", topic="invitation", message="Lost it."
    )
    page_url = reverse("staff:support_request_detail", args=[item.pk])
    staff = signed_in(staff_user)
    queued = "Acknowledgement: queued, goes out within a minute"
    assert queued in read_page(staff.get(page_url)).text

    deliver_due(worker_id="w1")

    assert "Acknowledgement: sent " in read_page(staff.get(page_url)).text
    assert signed_in(mentor_a).get(page_url).status_code in (403, 404)
