"""Links that let someone in leave the outbox once their email is done with (issue 11,
item 9): after an invitation or a password reset email is sent, fails for good, or its
link expires, nothing stored in the database can be turned back into a working link."""

import datetime as dt
import re
import smtplib

from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.mail.backends import locmem
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal import schedule
from portal.accounts.models import User
from portal.enrollment import services as enrollment
from portal.mentoring.reminders import weekly_off_path
from portal.notifications.management.commands import run_worker
from portal.notifications.models import Notification
from portal.notifications.secret_links import REMOVED, secret_keys
from portal.notifications.services import (
    LINK_EXPIRED,
    notification_queue,
    notifications_forget_links,
)
from portal.notifications.worker import deliver_due
from portal.safeguarding.services import concern_raise

TOKEN_LIKE = re.compile(r"^[A-Za-z0-9_:\-]{10,}$")


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


def stored_strings() -> set[str]:
    """Every text value in every table of the portal, session data decoded."""
    found = set()
    for model in apps.get_models():
        for row in model._default_manager.all().values():
            for value in row.values():
                found.update(strings_in(value))
    for session in Session.objects.all():
        found.update(strings_in(session.get_decoded()))
    return found


def candidate_links() -> set[str]:
    """Each stored path as it is, and each stored piece of text (or part of a path)
    put where a token goes in the enrollment and the password reset links."""
    users = [urlsafe_base64_encode(force_bytes(pk)) for pk in User.objects.values_list("pk")]
    links = set()
    for text in stored_strings():
        if text.startswith("/"):
            links.add(text)
        for piece in re.split(r"[/\s$]+", text):
            if not TOKEN_LIKE.match(piece):
                continue
            links.add(reverse("enrollment:accept", args=[piece]))
            for uid in users:
                links.add(
                    reverse(
                        "accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": piece}
                    )
                )
    return links


def working_links() -> list[str]:
    """The candidate links that open the enrollment form or the new password form."""
    working = []
    for link in candidate_links():
        response = Client().get(link)  # a stranger holding a copy of the database
        enroll = response.status_code == 200 and "/enroll/" in link
        reset = response.status_code == 302 and response["Location"].endswith("/set-password/")
        if enroll or reset:
            working.append(link)
    return working


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+?/)\s", message.body).group(1)


def test_after_an_invitation_is_sent_nothing_stored_opens_the_enrollment_form(staff_user):
    invitation = enrollment.invitation_create(
        email="nia@example.org", full_name="Nia Okafor", created_by=staff_user
    )
    row = Notification.objects.get(template="invitation", subject_id=invitation.pk)
    assert row.holds_secret
    assert row.secret_expires_at == invitation.expires_at

    assert deliver_due(worker_id="w1").sent == 1

    assert working_links() == []  # nothing kept in the database opens the form...
    [message] = mail.outbox
    assert Client().get(link_in(message)).status_code == 200  # ...the email's link does
    row.refresh_from_db()
    assert row.context["path"] == f"/enroll/{REMOVED}/"
    assert row.context["full_name"] == "Nia Okafor"  # the rest of the email is kept
    assert not row.holds_secret


def test_before_it_is_sent_the_search_finds_the_invitation_link(staff_user):
    """The search above is not blind: while the email waits, it finds the link."""
    enrollment.invitation_create(
        email="nia@example.org", full_name="Nia Okafor", created_by=staff_user
    )
    [row] = Notification.objects.filter(template="invitation")
    assert working_links() == [row.context["path"]]


def test_after_a_password_reset_email_is_sent_nothing_stored_resets_the_password(client, mentor_a):
    client.post(reverse("accounts:password_reset"), {"email": mentor_a.email})
    row = Notification.objects.get(template="password-reset")
    assert row.holds_secret
    assert row.secret_expires_at - timezone.now() > dt.timedelta(hours=23)

    assert deliver_due(worker_id="w1").sent == 1

    assert working_links() == []  # nothing kept in the database resets the password...
    [message] = mail.outbox
    assert Client().get(link_in(message)).status_code == 302  # ...the email's link does
    row.refresh_from_db()
    assert row.context["path"] == f"/accounts/password/reset/{REMOVED}/{REMOVED}/"


class RefusedForGood(locmem.EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such user")})


def test_an_email_that_failed_for_good_keeps_no_link(staff_user):
    enrollment.invitation_create(
        email="nia@example.org", full_name="Nia Okafor", created_by=staff_user
    )

    assert deliver_due(worker_id="w1", connection=RefusedForGood()).failed == 1

    row = Notification.objects.get(template="invitation")
    assert (row.state, row.context["path"], row.holds_secret) == (
        "failed",
        f"/enroll/{REMOVED}/",
        False,
    )
    assert working_links() == []


def test_a_retried_email_keeps_its_link_until_it_goes_out(staff_user):
    class Down(locmem.EmailBackend):
        def open(self):
            raise ConnectionRefusedError("down")

    enrollment.invitation_create(
        email="nia@example.org", full_name="Nia Okafor", created_by=staff_user
    )
    assert deliver_due(worker_id="w1", connection=Down()).retrying == 1

    row = Notification.objects.get(template="invitation")
    assert row.state == "pending" and row.holds_secret
    assert Client().get(row.context["path"]).status_code == 200


def test_a_link_that_expired_before_it_could_be_sent_is_removed_and_the_email_not_sent(
    staff_user,
):
    invitation = enrollment.invitation_create(
        email="nia@example.org", full_name="Nia Okafor", created_by=staff_user
    )
    row = Notification.objects.get(template="invitation")

    assert notifications_forget_links(now=invitation.expires_at - dt.timedelta(minutes=1)) == 0
    assert notifications_forget_links(now=invitation.expires_at + dt.timedelta(minutes=1)) == 1

    row.refresh_from_db()
    assert (row.state, row.last_error) == ("failed", LINK_EXPIRED)
    assert row.context["path"] == f"/enroll/{REMOVED}/"
    assert deliver_due(worker_id="w1").claimed == 0
    assert mail.outbox == []
    assert notifications_forget_links(now=invitation.expires_at + dt.timedelta(days=1)) == 0


def test_the_worker_removes_links_from_emails_sent_before_it_did_so(staff_user):
    """Rows sent before links were removed (the migration marks them): the scheduled job
    removes theirs."""
    enrollment.invitation_create(
        email="nia@example.org", full_name="Nia Okafor", created_by=staff_user
    )
    row = Notification.objects.get(template="invitation")
    Notification.objects.filter(pk=row.pk).update(state="sent", sent_at=timezone.now())
    assert len(working_links()) == 1

    assert schedule.SCHEDULED_JOBS["forget_links"].run is notifications_forget_links
    run_worker.run_scheduled_jobs()

    assert working_links() == []


def test_the_weekly_reminder_s_turn_off_link_is_removed_once_sent(match_a):
    mentor = match_a.mentor
    with transaction.atomic():
        notification_queue(
            to=mentor.user.email,
            template="reminder-weekly",
            context={"full_name": "Robin", "weekly_off_path": weekly_off_path(mentor)},
        )
    row = Notification.objects.get()
    assert row.holds_secret and row.secret_expires_at is None

    deliver_due(worker_id="w1")

    row.refresh_from_db()
    assert row.state == "sent"
    assert REMOVED in row.context["weekly_off_path"]
    assert Client().get(row.context["weekly_off_path"]).status_code == 404


def test_which_emails_carry_links_is_kept_in_one_list_that_covers_their_variants():
    assert secret_keys("invitation") == ("path",)
    assert secret_keys("invitation-contact") == ("path",)  # a school contact's invitation
    assert secret_keys("password-reset") == ("path",)
    assert secret_keys("concern-raised") == ()  # its link needs a sign-in: kept
    assert secret_keys("invitations-digest") == ()


def test_a_concern_email_keeps_its_link_after_it_is_sent(match_a, mentor_a, staff_user):
    concern = concern_raise(match=match_a, description="Bruise on the arm.", raised_by=mentor_a)

    deliver_due(worker_id="w1")

    paths = {row.context["path"] for row in Notification.objects.filter(subject_id=concern.pk)}
    assert paths == {reverse("safeguarding:concern_detail", args=[concern.pk])}


def test_the_admin_outbox_pages_never_show_a_link(admin_user, staff_user):
    enrollment.invitation_create(
        email="nia@example.org", full_name="Nia Okafor", created_by=staff_user
    )
    row = Notification.objects.get(template="invitation")
    token = row.context["path"].strip("/").rsplit("/", 1)[-1]
    client = Client()
    client.force_login(admin_user)

    pages = [
        reverse("admin:notifications_notification_changelist"),
        reverse("admin:notifications_notification_change", args=[row.pk]),
        reverse("admin:notifications_notification_changelist") + "?q=nia",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert token not in response.content.decode(), page
