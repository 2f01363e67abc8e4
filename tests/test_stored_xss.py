"""Stored cross-site scripting (ASVS 5.0 V1.2/V3.2): hostile strings saved in every
free-text field come back as text, never as markup, on every page and email that shows
them.

Each hostile string is stored at once in: session notes, concern and need details, the
concern's acknowledgement note and staff notes, the need's follow-up note, the school
site's name, the site contact's name and role, the mentee's first name, the mentor's and
the staff member's full names, the match's closure reason, the program's name, a
Contact-page support request's name, message and staff reply, and a follow-up's question,
answer and resolution note. Then
each page is read by the persona who may see it, and each email is rendered.
"""

from html.parser import HTMLParser

import pytest
from django.utils.html import escape

from portal.followups import services as followups
from portal.mentoring.models import ProgramSettings, SiteContact
from portal.notifications.emails import build_message, render_email
from portal.notifications.models import Notification
from portal.safeguarding import services as safeguarding
from portal.support.models import SupportRequest
from tests.security_world import build_world

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg/onload=alert(1)>',
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">click me</a>',
    "</textarea><script>alert(1)</script>",
    "'-alert(1)-'",
    "<iframe srcdoc='<script>alert(1)</script>'>",
    "<<b>b>bold</b> {{ 7|add:7 }} {% debug %}",
]
SPECIAL = set("<>\"'")

PAGES = [
    ("mentor_a", "/mentor/"),
    ("mentor_a", "/sessions/"),
    ("mentor_a", "/sessions/{session}/?saved=1"),
    ("mentor_a", "/sessions/{session}/edit/"),
    ("mentor_a", "/sessions/{session}/delete/"),
    ("mentor_a", "/sessions/new/"),
    ("staff_user", "/staff/"),
    ("staff_user", "/concerns/?show=all"),
    ("staff_user", "/concerns/{concern}/"),
    ("staff_user", "/needs/?show=all"),
    ("staff_user", "/needs/{need}/"),
    ("staff_user", "/matches-needing-support/"),
    ("staff_user", "/concerns/new/"),
    ("staff_user", "/admin/mentoring/sessionlog/"),
    ("staff_user", "/admin/mentoring/sessionlog/{session}/change/"),
    ("staff_user", "/admin/mentoring/mentee/"),
    ("staff_user", "/admin/mentoring/schoolsite/"),
    ("staff_user", "/admin/safeguarding/safetyconcern/{concern}/change/"),
    ("staff_user", "/staff/sessions/"),
    ("staff_user", "/staff/sessions/{session}/"),
    ("staff_user", "/staff/follow-ups/?who=all"),
    ("mentor_a", "/mentor/follow-ups/{followup}/"),
    ("mentor_a", "/mentor/follow-ups/{answered}/"),
    ("staff_user", "/staff/sessions/{session}/correct/"),
    ("staff_user", "/staff/compliance/"),
    ("staff_user", "/staff/schools/"),
    ("staff_user", "/staff/schools/{site}/"),
    ("staff_user", "/staff/mentors/"),
    ("staff_user", "/staff/mentors/{mentor}/"),
    ("staff_user", "/staff/mentees/"),
    ("staff_user", "/staff/matches/"),
    ("staff_user", "/staff/matches/{match}/"),
    ("staff_user", "/staff/support-requests/"),
    ("staff_user", "/staff/support-requests/{support}/"),
    ("admin_user", "/staff/settings/"),
    ("site_contact_a", "/accounts/site/"),
    ("site_contact_a", "/concerns/?show=all"),
    ("site_contact_a", "/concerns/{concern}/"),
    ("anonymous", "/help/"),
    ("anonymous", "/contact/"),
    ("anonymous", "/accounts/sign-in/"),
]


class _Markup(HTMLParser):
    """Collects what would run: event-handler attributes, javascript: links, scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in {"href", "src", "action", "formaction", "srcdoc", "data"} and (
                (value or "").strip().lower().startswith("javascript:") or name == "srcdoc"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        self._in_script = tag == "script"
        if tag in {"iframe", "svg", "img"} and any(n == "src" and v == "x" for n, v in attrs):
            self.found.append(f"<{tag} src=x>")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.found.append("<script>alert(...)</script>")


def assert_inert(html: str, hostile: str, where: str) -> None:
    if SPECIAL & set(hostile):
        assert hostile not in html, f"{where}: the hostile string appears unescaped"
    parser = _Markup()
    parser.feed(html)
    assert not parser.found, f"{where}: {parser.found}"


def store_everywhere(request, hostile: str):
    world = build_world(
        request,
        notes=hostile,
        safety_concern_details=hostile,
        resource_needs_details=hostile,
    )
    session = world.session
    match = session.match
    match.mentee.first_name = hostile[:60]
    match.mentee.save()
    match.site.name = hostile
    match.site.save()
    match.closure_reason = hostile
    match.save()
    SiteContact.objects.filter(site=match.site).update(name=hostile, role=hostile)
    for persona in ("mentor_a", "staff_user"):
        world.users[persona].full_name = hostile
        world.users[persona].save()
    program = ProgramSettings.load()
    program.name = hostile[:120]
    program.save()
    staff = world.users["staff_user"]
    safeguarding.concern_acknowledge(
        concern=world.concern, user=world.users["site_contact_a"], note=hostile
    )
    safeguarding.concern_add_note(concern=world.concern, user=staff, text=hostile)
    safeguarding.need_update(need=world.need, user=staff, status="referred", note=hostile)
    world.support = SupportRequest.objects.create(
        name=hostile, email="parent@example.org", topic="other", message=hostile, reply=hostile
    )
    world.followup = followups.followup_ask(session=session, user=staff, question=hostile)
    world.answered = followups.followup_ask(
        session=session, user=staff, question=f"{hostile} again"
    )
    followups.followup_answer(followup=world.answered, user=world.users["mentor_a"], answer=hostile)
    resolved = followups.followup_ask(session=session, user=staff, question=f"{hostile} 3")
    followups.followup_resolve(followup=resolved, user=staff, note=hostile)
    return world


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_shown_as_text_on_every_page(db, request, hostile):
    world = store_everywhere(request, hostile)
    ids = {
        "session": world.session.pk,
        "concern": world.concern.pk,
        "need": world.need.pk,
        "site": world.session.match.site_id,
        "match": world.session.match_id,
        "mentor": world.session.match.mentor_id,
        "support": world.support.pk,
        "followup": world.followup.pk,
        "answered": world.answered.pk,
    }
    shown_as_text = 0
    for persona, path in PAGES:
        url = path.format(**ids)
        response = world.client(persona).get(url)
        assert response.status_code == 200, f"{persona} {url}: {response.status_code}"
        html = response.content.decode()
        assert_inert(html, hostile, f"{persona} {url}")
        shown_as_text += escape(hostile) in html
    # The pages do show the values (escaped), so the checks above are not vacuous.
    assert shown_as_text >= len(PAGES) - 2


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_shown_as_text_in_every_email(db, request, hostile):
    world = store_everywhere(request, hostile)
    Notification.objects.all().delete()
    # A concern raised after the names turned hostile: its emails go through the outbox.
    safeguarding.concern_raise(
        match=world.session.match, description=hostile, raised_by=world.users["staff_user"]
    )
    outbox = list(Notification.objects.all())
    assert outbox, "raising a concern queues its emails"
    for notification in outbox:
        message = build_message(notification)
        assert "\n" not in message.subject
        assert_inert(message.alternatives[0][0], hostile, f"email {notification.template}")
    for template, context in [
        ("concern-raised", {"site_name": hostile, "contact_name": hostile, "path": "/c/1/"}),
        ("concern-escalated", {"site_name": hostile, "contact_name": hostile, "path": "/"}),
        (
            "concern-moved",
            {"site_name": hostile, "contact_name": hostile, "path": "/", "audience": "site"},
        ),
        ("password-reset", {"email": hostile, "path": "/accounts/password/reset/x/y/"}),
        ("support-received", {"reference": 7, "topic": hostile}),
        ("followup-asked", {"first_name": hostile, "entry_date": hostile, "answer_path": "/"}),
        (
            "followup-answered",
            {
                "first_name": hostile,
                "mentor_name": hostile,
                "entry_date": hostile,
                "session_path": "/",
            },
        ),
        (
            "support-reply",
            {
                "reference": 7,
                "topic": hostile,
                "name": hostile,
                "reply": hostile,
                "staff_name": hostile,
            },
        ),
    ]:
        subject, _text, html = render_email(template, context)
        assert "\n" not in subject
        assert_inert(html, hostile, f"email {template}")


@pytest.mark.parametrize("hostile", HOSTILE[:3] + HOSTILE[4:6])
def test_the_check_catches_the_raw_string(hostile):
    with pytest.raises(AssertionError):
        assert_inert(f"<p>{hostile}</p>", hostile, "a page that forgot to escape")


def test_the_list_tries_each_kind_of_attack():
    kinds = " ".join(HOSTILE)
    for marker in ("<script>", "onerror=", "onload=", "javascript:", "</textarea>", '">'):
        assert marker in kinds
