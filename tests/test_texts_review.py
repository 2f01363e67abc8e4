"""Text messages on the mentor's preferences page, after review: after a STOP reply only
START brings texts back (the page says so and offers another number, not the same one);
the form's address answers a reload with the preferences page; numbers read as people
write them; the home page names texts."""

from django.utils import timezone

from portal.texts import rules
from portal.texts.models import StoppedBy, TextSubscription
from tests.page import read_page
from tests.test_texts import CONSENT, NUMBER, PREFERENCES, TEXTS, opt_in


def stopped_by_reply(user):
    subscription = opt_in(user)
    TextSubscription.objects.filter(pk=subscription.pk).update(
        active=False, stopped_at=timezone.now(), stopped_by=StoppedBy.REPLY
    )
    return subscription


def test_after_a_stop_reply_the_page_says_reply_start_and_offers_only_another_number(
    client_a, mentor_a
):
    stopped_by_reply(mentor_a)
    html = client_a.get(PREFERENCES).content.decode()
    page = read_page(html)
    assert "you replied STOP. To have them back at (312) 555-0123, reply START" in page.text
    assert "Get texts at another number instead" in page.text
    assert page.input("phone").get("value") in (None, "")
    # Turning texts on for the stopped number from the page is refused, with why.
    response = client_a.post(TEXTS, {"texts": "on", "phone": "312 555 0123", "consent": "on"})
    assert response.status_code == 400
    assert "Reply START to one of our texts" in read_page(response).text
    assert not TextSubscription.objects.get(mentor=mentor_a.mentor).active
    # Another number is fine.
    response = client_a.post(TEXTS, {"texts": "on", "phone": "312 555 0188", "consent": "on"})
    assert response.status_code == 302
    subscription = TextSubscription.objects.get(mentor=mentor_a.mentor)
    assert subscription.active and subscription.phone == "+13125550188"


def test_texts_turned_off_on_the_page_can_be_turned_on_from_the_page(client_a, mentor_a):
    opt_in(mentor_a)
    client_a.post(TEXTS, {"texts": "off"})
    page = read_page(client_a.get(PREFERENCES)).text
    assert "reply START" not in page and "Turn text messages on" in page
    response = client_a.post(TEXTS, {"texts": "on", "phone": NUMBER, "consent": "on"})
    assert response.status_code == 302
    assert TextSubscription.objects.get(mentor=mentor_a.mentor).active


def test_the_form_address_reloaded_or_bookmarked_goes_to_the_preferences_page(client_a):
    response = client_a.post(TEXTS, {"texts": "on", "phone": "12", "consent": "on"})
    assert response.status_code == 400  # the failed opt-in is shown at the form's address
    response = client_a.get(TEXTS)
    assert response.status_code == 302 and response["Location"] == PREFERENCES


def test_numbers_read_as_people_write_them(client_a, mentor_a):
    assert rules.format_phone("+13125550123") == "(312) 555-0123"
    assert rules.format_phone("+447700900123") == "+447700900123"
    response = client_a.post(
        TEXTS, {"texts": "on", "phone": "312.555.0123", "consent": CONSENT and "on"}, follow=True
    )
    page = read_page(response).text
    assert "Reminders will also come to (312) 555-0123." in page
    assert "come by text to (312) 555-0123" in page
    assert "+13125550123" not in page


def test_the_home_page_names_email_and_text_preferences(client_a, settings):
    page = read_page(client_a.get("/mentor/"))
    assert page.link_to("Email and text preferences") == PREFERENCES
    settings.SMS_BACKEND = "off"
    page = read_page(client_a.get("/mentor/"))
    assert page.link_to("Email preferences") == PREFERENCES
    assert "text" not in page.text.split("Your emails", 1)[1].split("\n\n", 1)[0].lower()
