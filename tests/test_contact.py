"""The Contact page (RULES 4.13): no sign-in; an acknowledgement; a staff queue with a reply
by email; a honeypot and rate limits keep floods out; header injection sends nothing odd."""

import pytest
from django.core import mail
from django.core.cache import cache

from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from portal.notifications.worker import deliver_due
from portal.support import services
from portal.support.models import RequestStatus, SupportRequest
from tests.page import read_page

CONTACT = "/contact/"
QUEUE = "/staff/support-requests/"


@pytest.fixture(autouse=True)
def _empty_cache(db):
    cache.clear()  # the rate limit counts live in the shared cache
    yield
    cache.clear()


def message(**overrides) -> dict:
    return {
        "name": "Ana Diaz",
        "email": "ana@example.org",
        "topic": "invitation",
        "message": "My invitation link says it has expired.",
        **overrides,
    }


def send_all() -> list:
    deliver_due(worker_id="test")
    return mail.outbox


def test_the_page_works_signed_out_and_acknowledges_the_sender(client, db):
    response = client.post(CONTACT, message(), follow=True)

    assert response.redirect_chain[-1][0] == "/contact/sent/"
    assert "Your message is sent" in read_page(response).text
    request = SupportRequest.objects.get()
    assert (request.name, request.email, request.topic) == (
        "Ana Diaz",
        "ana@example.org",
        "invitation",
    )
    assert request.status == RequestStatus.NEW
    [ack] = send_all()
    assert ack.to == ["ana@example.org"]
    assert ack.subject == f"We got your message (#{request.pk})"
    assert "My invitation expired or is lost" in ack.body
    # Nothing the sender typed but the topic goes back out: no relay for spam.
    assert "has expired" not in ack.body and "Ana" not in ack.body


def test_the_form_lists_the_topics_and_takes_one_from_the_link(client, db):
    page = read_page(client.get(CONTACT + "?topic=invitation"))

    for topic in [
        "I cannot sign in",
        "My invitation expired or is lost",
        "I cannot see my mentee",
        "I have a problem logging a session",
        "Something else",
    ]:
        assert topic in page.text
    assert page.checked("topic") == ["invitation"]


def test_errors_are_explained_and_nothing_typed_is_lost(client, db):
    response = client.post(CONTACT, message(email="not an email", topic=""))

    page = read_page(response)
    assert "There is a problem" in page.text
    assert "Enter an email address like name@example.org." in page.text
    assert "Choose what your message is about." in page.text
    assert page.input("name")["value"] == "Ana Diaz"
    assert page.textareas["message"] == "My invitation link says it has expired."
    assert not SupportRequest.objects.exists()


def test_a_signed_in_mentor_finds_their_name_and_email_filled_in(client_a):
    page = read_page(client_a.get(CONTACT))

    assert page.input("email")["value"] == "mentor-a@example.org"


def test_the_honeypot_quietly_drops_robots(client, db):
    response = client.post(CONTACT, message(website="http://spam.example"), follow=True)

    assert "Your message is sent" in read_page(response).text
    assert not SupportRequest.objects.exists()
    assert not Notification.objects.exists()


def test_the_honeypot_is_hidden_from_people(client, db):
    html = client.get(CONTACT).content.decode()

    assert 'class="trap" aria-hidden="true"' in html
    assert 'name="website"' in html and 'tabindex="-1"' in html


def test_one_address_may_send_five_messages_an_hour(client, db):
    for number in range(5):
        response = client.post(CONTACT, message(email=f"person{number}@example.org"))
        assert response.status_code == 302

    flood = client.post(CONTACT, message(email="person9@example.org"))

    assert flood.status_code == 429
    assert "You have sent several messages in a short time" in read_page(flood).text
    assert read_page(flood).textareas["message"] == "My invitation link says it has expired."
    assert SupportRequest.objects.count() == 5


def test_one_email_may_send_three_messages_an_hour_from_any_address(client, db):
    for number in range(3):
        response = client.post(CONTACT, message(), REMOTE_ADDR=f"203.0.113.{number}")
        assert response.status_code == 302

    flood = client.post(CONTACT, message(email="ANA@example.org"), REMOTE_ADDR="203.0.113.99")

    assert flood.status_code == 429
    assert SupportRequest.objects.count() == 3


def test_the_limit_is_counted_in_the_shared_cache_not_in_memory(settings):
    assert "locmem" not in settings.CACHES["default"]["BACKEND"].lower()
    for _ in range(services.LIMIT_PER_EMAIL):
        services.contact_rate_check(ip="198.51.100.7", email="x@example.org")
    with pytest.raises(services.TooManyRequests):
        services.contact_rate_check(ip="198.51.100.8", email="x@example.org")


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "Eve\r\nBcc: victim@example.org"},
        {"name": "Eve\nSubject: You won"},
        {"email": "eve@example.org\r\nBcc: victim@example.org"},
        {"email": "eve@example.org\nCc: victim@example.org"},
        {"email": "eve@example.org%0ABcc:victim@example.org"},
    ],
)
def test_a_header_injection_attempt_sends_nothing_odd(client, db, overrides):
    response = client.post(CONTACT, message(**overrides))

    assert response.status_code == 200
    page = read_page(response)
    assert "There is a problem" in page.text
    assert not SupportRequest.objects.exists()
    assert send_all() == []


def test_every_email_the_page_causes_has_one_recipient_and_one_line_subject(client, db):
    client.post(CONTACT, message(name="Eve Tab", message="Line one\r\nBcc: x@example.org"))
    request = SupportRequest.objects.get()
    services.support_request_reply(
        request=request, user=_staff(), reply="Hello\nBcc: someone@example.org"
    )

    sent = send_all()

    assert len(sent) == 2
    for email in sent:
        assert email.recipients() == ["ana@example.org"]
        assert "\n" not in email.subject and "\r" not in email.subject
        message_text = email.message().as_string()
        assert "\nBcc:" not in message_text.split("\n\n", 1)[0]


def _staff():
    from tests.conftest import make_user

    return make_user("robin@example.org", "staff", "Robin Ellis")


# --- The staff queue ---------------------------------------------------------------------


def test_staff_see_the_queue_oldest_open_first(client, staff_user):
    first = services.support_request_create(**message(name="First Sender"))
    second = services.support_request_create(**message(name="Second Sender", topic="sign_in"))
    done = services.support_request_create(**message(name="Done Sender"))
    services.support_request_set_status(request=done, user=staff_user, status="closed")
    client.force_login(staff_user)

    text = read_page(client.get(QUEUE)).text

    assert text.index("First Sender") < text.index("Second Sender")
    assert "Done Sender" not in text
    assert "Done Sender" in read_page(client.get(QUEUE + "?status=closed")).text
    assert first.pk and second.pk


def test_staff_reply_emails_the_sender_and_marks_it_answered(client, staff_user):
    request = services.support_request_create(**message())
    client.force_login(staff_user)
    mail.outbox.clear()
    Notification.objects.all().delete()

    response = client.post(
        f"{QUEUE}{request.pk}/reply/",
        {"reply": "I have sent you a new link. It works for 14 days."},
        follow=True,
    )

    assert "Your answer is on its way to ana@example.org" in read_page(response).text
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    assert request.replied_by == staff_user
    [answer] = send_all()
    assert answer.to == ["ana@example.org"]
    assert "I have sent you a new link. It works for 14 days." in answer.body
    assert AuditEvent.objects.filter(action="support_request.answered").count() == 1


def test_an_empty_reply_is_explained(client, staff_user):
    request = services.support_request_create(**message())
    client.force_login(staff_user)

    page = read_page(client.post(f"{QUEUE}{request.pk}/reply/", {"reply": " "}))

    assert "Write your answer before sending it." in page.text
    request.refresh_from_db()
    assert request.status == RequestStatus.NEW


def test_staff_change_the_status(client, staff_user):
    request = services.support_request_create(**message())
    client.force_login(staff_user)

    client.post(f"{QUEUE}{request.pk}/status/", {"status": "in_progress"})

    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS


@pytest.mark.parametrize("persona", ["mentor_a", "site_contact_a"])
def test_mentors_and_site_contacts_cannot_read_the_queue(client, request, persona):
    item = services.support_request_create(**message())
    client.force_login(request.getfixturevalue(persona))

    assert client.get(QUEUE).status_code == 403
    assert client.get(f"{QUEUE}{item.pk}/").status_code == 403
    assert client.post(f"{QUEUE}{item.pk}/reply/", {"reply": "Hi"}).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


def test_a_request_that_does_not_exist_is_404_for_staff(client, staff_user):
    client.force_login(staff_user)

    assert client.get(f"{QUEUE}999999/").status_code == 404


def test_each_look_at_a_request_is_on_its_record(client, staff_user, admin_user):
    item = services.support_request_create(**message())
    client.force_login(staff_user)

    page = read_page(client.get(f"{QUEUE}{item.pk}/")).text
    client.force_login(admin_user)
    client.get(f"{QUEUE}{item.pk}/")
    client.post(f"{QUEUE}{item.pk}/reply/", {"reply": " "})  # the page again, with the error

    viewed = AuditEvent.objects.filter(
        action="support_request.viewed", object_type="support.supportrequest", object_id=item.pk
    ).order_by("pk")
    assert [event.actor for event in viewed] == [staff_user, admin_user, admin_user]
    assert "support_request.viewed" in page, "this very look is already on the record"
    # The queue itself names no one's message: opening it records nothing.
    client.get(QUEUE)
    assert viewed.count() == 3


def test_a_refused_look_leaves_nothing_on_the_record(client, mentor_a):
    item = services.support_request_create(**message())
    client.force_login(mentor_a)

    assert client.get(f"{QUEUE}{item.pk}/").status_code == 403
    assert not AuditEvent.objects.filter(action="support_request.viewed").exists()
