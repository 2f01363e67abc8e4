"""Entries saved on the mentor's phone while offline (issue 16, item 5), on the server's
side: only a mentor's pages carry the key and scope of their offline entries, each mentor
has their own, the form page is never kept by a browser cache, and an entry sent twice
(the phone sends it again when it is back online) is one entry."""

import re

import pytest
from django.test import Client

from portal.mentoring import offline
from portal.mentoring.models import SessionLog
from portal.mentoring.signed_out_drafts import DRAFT_KEY
from tests.paths import NEW_SESSION as NEW

META = re.compile(
    r'<meta name="offline-entries" content="(?P<scope>[0-9a-f]+)" data-key="(?P<key>[\w-]+)"'
    r' data-send-to="(?P<send_to>[^"]+)"'
)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def offline_meta(client, path="/mentor/") -> dict | None:
    match = META.search(client.get(path).content.decode())
    return match.groupdict() if match else None


def test_a_mentors_pages_carry_their_own_key_and_scope(db, mentor_a, mentor_b):
    a = offline_meta(signed_in(mentor_a))
    b = offline_meta(signed_in(mentor_b))

    assert a == offline_meta(signed_in(mentor_a), NEW)  # the same on each of their pages
    assert a["send_to"] == NEW
    assert a["key"] != b["key"] and a["scope"] != b["scope"]
    assert len(offline.entry_key(mentor_a)) == 43  # 256 bits, base64url without padding
    # The scope names the storage without naming the person.
    assert str(mentor_a.pk) != a["scope"] and mentor_a.email not in a["scope"]


def test_no_one_but_a_mentor_gets_a_key(db, client, staff_user, site_contact_a):
    assert offline_meta(client, "/accounts/sign-in/") is None
    assert offline_meta(signed_in(staff_user), "/help/") is None
    assert offline_meta(signed_in(site_contact_a), "/help/") is None


def test_the_key_survives_a_new_sign_in_and_changes_with_the_password(db, mentor_a):
    # An entry saved in the afternoon still opens after the next morning's sign-in.
    first = offline_meta(signed_in(mentor_a))
    assert offline_meta(signed_in(mentor_a)) == first

    mentor_a.set_password("a-new-password-2026")
    mentor_a.save()

    after = offline_meta(signed_in(mentor_a))
    assert after["key"] != first["key"]
    assert after["scope"] == first["scope"]  # so the page finds, and drops, what it cannot read


@pytest.mark.parametrize("path", [NEW, "/mentor/"])
def test_a_mentor_page_is_never_kept_by_a_browser_cache(db, mentor_a, path):
    response = signed_in(mentor_a).get(path)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_entry_sent_twice_with_its_key_is_one_entry(db, mentor_a, session_post):
    client = signed_in(mentor_a)
    data = session_post(notes="Saved on the phone at school.")

    first = client.post(NEW, data)
    again = client.post(NEW, data)  # the phone sends it once more when it is back online

    assert SessionLog.objects.filter(match__mentor__user=mentor_a).count() == 1
    entry = SessionLog.objects.get()
    assert first["Location"] == again["Location"] == f"/sessions/{entry.pk}/?saved=1"
    # The page of the saved entry names its key: the phone knows it is sent and drops it.
    page = client.get(first["Location"]).content.decode()
    assert f'data-clear-offline="{data["submission_token"]}"' in page


def test_the_form_for_a_new_entry_offers_saving_offline_and_a_change_does_not(
    db, mentor_a, session_post
):
    client = signed_in(mentor_a)
    assert "data-offline" in client.get(NEW).content.decode()
    client.post(NEW, session_post())
    entry = SessionLog.objects.get()

    page = client.get(f"/sessions/{entry.pk}/edit/").content.decode()

    assert "data-offline>" not in page and "data-offline " not in page


def test_an_entry_the_phone_sends_after_the_sign_in_ended_is_refused_and_not_kept(db, session_post):
    client = Client()

    response = client.post(NEW, session_post(), headers={"X-Offline-Entry": "1"})

    assert response.status_code == 401  # the phone keeps it and says "Sign in again"
    assert SessionLog.objects.count() == 0
    assert DRAFT_KEY not in client.session  # no second copy on the server
