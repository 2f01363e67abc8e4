"""The outbox: queueing with the event, rendering emails, and the staff's read-only view."""

import pytest
from django.db import transaction
from django.template import TemplateDoesNotExist

from portal.mentoring.models import ProgramSettings
from portal.notifications.emails import BadRecipient, build_message, render_email
from portal.notifications.models import Notification
from portal.notifications.services import notification_queue

pytest_plugins = ["tests.smtp_fixtures"]  # the email_templates fixture


def queue(to="robin@example.org", template="test-greeting", **context) -> Notification:
    with transaction.atomic():
        return notification_queue(to=to, template=template, context=context)


@pytest.mark.django_db(transaction=True)
def test_queueing_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        notification_queue(to="robin@example.org", template="test-greeting", context={})
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_notification_is_stored_with_its_event_or_not_at_all():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        notification_queue(to="robin@example.org", template="test-greeting", context={})
        raise ZeroDivisionError  # the event fails after queueing its email
    assert not Notification.objects.exists()

    queue(name="Robin")
    assert Notification.objects.get().state == "pending"


def test_an_email_is_a_subject_a_text_and_an_html_body(db, email_templates, settings):
    settings.SITE_URL = "https://portal.example.org"
    ProgramSettings.objects.update_or_create(pk=1, defaults={"name": "Bright Futures"})

    subject, text, html = render_email("test-greeting", {"name": "Jane"})

    assert subject == "Hello Jane from Bright Futures"
    assert text == "Dear Jane,\n\nYour sessions: https://portal.example.org/sessions/\n"
    assert '<a href="https://portal.example.org/sessions/">' in html


def test_only_the_html_body_is_escaped(db, email_templates):
    subject, text, html = render_email("test-greeting", {"name": "Ana & <Leo>"})

    assert subject.startswith("Hello Ana & <Leo> ")
    assert "Dear Ana & <Leo>," in text
    assert "Dear Ana &amp; &lt;Leo&gt;," in html


def test_a_line_break_in_a_value_cannot_add_a_header(db, email_templates):
    notification = queue(name="Jane\r\nBcc: attacker@example.net")

    message = build_message(notification).message()

    assert message["Subject"].startswith("Hello Jane Bcc: attacker@example.net from")
    assert message["Bcc"] is None
    assert message.get_all("To") == ["robin@example.org"]


@pytest.mark.parametrize(
    "address",
    ["robin@example.org\r\nBcc: attacker@example.net", "robin@example.org\n", "not an address"],
)
def test_a_recipient_that_could_never_work_is_refused(db, email_templates, address):
    notification = queue(to=address, name="Jane")

    with pytest.raises(BadRecipient):
        build_message(notification)


def test_an_unknown_template_is_an_error(db):
    with pytest.raises(TemplateDoesNotExist):
        build_message(queue(template="no-such-email"))


def test_every_try_of_a_notification_has_the_same_message_id(db, email_templates):
    notification = queue(name="Jane")

    first = build_message(notification)
    again = build_message(Notification.objects.get(pk=notification.pk))

    assert first.message()["Message-ID"] == f"<{notification.uuid}@mentor-portal>"
    assert again.message()["Message-ID"] == first.message()["Message-ID"]
    assert first.from_email == "Mentor Portal <portal@example.org>"
    assert first.alternatives[0].mimetype == "text/html"


def test_staff_see_the_outbox_but_cannot_change_it(client, staff_user):
    notification = queue(name="Context-value-7731")
    client.force_login(staff_user)

    listing = client.get("/admin/notifications/notification/")
    detail = client.get(f"/admin/notifications/notification/{notification.pk}/change/")

    assert listing.status_code == 200
    assert "robin@example.org" in listing.content.decode()
    assert detail.status_code == 200
    assert "Context-value-7731" not in detail.content.decode()  # the context stays out
    assert 'name="_save"' not in detail.content.decode()
    assert client.get("/admin/notifications/notification/add/").status_code == 403
    assert (
        client.post(f"/admin/notifications/notification/{notification.pk}/delete/").status_code
        == 403
    )
    assert Notification.objects.filter(pk=notification.pk).exists()


def test_a_mentor_cannot_see_the_outbox(client, mentor_a):
    queue(name="Jane")
    client.force_login(mentor_a)

    response = client.get("/admin/notifications/notification/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
