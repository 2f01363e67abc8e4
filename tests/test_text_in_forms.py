"""Every form of the portal, and every form of its Django admin, follows the text rules of
portal/lib/text.py: a length limit with a message, and no control characters stored.

The walks below import every module under portal/, so a form or an admin added later
without the mixin fails here by name.
"""

import datetime as dt
import importlib
import pkgutil

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory

import portal
from portal.lib.forms import TextInputAdminMixin, TextInputMixin
from portal.lib.text import LONG_TEXT_MAX, SHORT_TEXT_MAX
from portal.mentoring.forms import NoSessionMonthForm, SessionLogForm
from portal.mentoring.models import ProgramSettings, SessionLog
from portal.safeguarding.views import NoteForm, RaiseConcernForm
from portal.staff.forms import MatchCloseForm
from portal.support.forms import ContactForm, ReplyForm
from tests.page import read_page
from tests.security_world import build_world, session_form_data


def _import_every_portal_module() -> None:
    for module in pkgutil.walk_packages(portal.__path__, prefix="portal."):
        if ".migrations." in module.name:
            continue
        importlib.import_module(module.name)


def _subclasses(cls) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def test_every_form_class_of_the_portal_mixes_in_the_text_rules():
    _import_every_portal_module()
    portal_forms = [
        cls
        for cls in _subclasses(forms.BaseForm)
        if cls.__module__.startswith("portal.") and cls is not TextInputMixin
    ]
    missing = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in portal_forms
        if not issubclass(cls, TextInputMixin)
    )

    assert len(portal_forms) > 30  # the walk found the forms
    assert not missing, "Forms without TextInputMixin: " + ", ".join(missing)


def test_every_admin_page_and_inline_mixes_in_the_text_rules():
    _import_every_portal_module()
    missing = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.__module__.startswith("portal."):
            continue
        for part in [type(model_admin), *model_admin.inlines]:
            if not issubclass(part, TextInputAdminMixin):
                missing.append(f"{part.__module__}.{part.__qualname__} ({model.__name__})")

    assert not missing, "Admins without TextInputAdminMixin: " + ", ".join(missing)


def test_the_admin_form_of_the_program_settings_limits_and_cleans_its_text(db, admin_user):
    model_admin = admin.site._registry[ProgramSettings]
    request = RequestFactory().get("/")
    request.user = admin_user
    form_class = model_admin.get_form(request, ProgramSettings.load())

    form = form_class(instance=ProgramSettings.load())

    assert form.fields["name"].clean("Riverbend\x00 Mentoring") == "Riverbend Mentoring"
    assert form.fields["mentor_agreement"].max_length == 20_000
    with pytest.raises(forms.ValidationError, match="at most 120 characters"):
        form.fields["name"].clean("x" * 121)


# --- What the rules do to typed text ------------------------------------------------------


def test_a_text_box_without_a_limit_of_its_own_gets_the_long_one(db):
    form = RaiseConcernForm({"description": "x" * (LONG_TEXT_MAX + 1)})

    assert not form.is_valid()
    assert form.errors["description"] == [
        "This can be at most 5,000 characters; it has 5,001. Shorten it and try again."
    ]


def test_a_staff_note_of_a_megabyte_is_refused_with_a_message():
    form = NoteForm({"text": "x" * 1_000_000})

    assert not form.is_valid()
    assert form.errors["text"] == [
        "This can be at most 2,000 characters; it has 1,000,000. Shorten it and try again."
    ]


def test_a_control_character_is_removed_and_a_word_processor_line_break_kept_as_one():
    form = ReplyForm({"reply": "Dear Ana,\x0bhere is\x00 a new link.\x0cThanks"})

    assert form.is_valid()
    assert form.cleaned_data["reply"] == "Dear Ana,\nhere is a new link.\nThanks"


def test_a_one_line_field_gets_the_short_limit_and_no_line_breaks(db):
    from portal.mentoring.models import Choice, ChoiceList

    reason = Choice.objects.filter(list=ChoiceList.CLOSURE_REASON).first()
    form = MatchCloseForm(
        {
            "end_date": "2026-06-12",
            "closed_by_whom": "family",
            "closure_choice": reason.pk,
            "talk_with_mentor": "yes",
            "talk_with_family": "yes",
            "notes": "Family\x00 moved",
        },
        match=build_match_stub(),
        today=dt.date(2026, 6, 12),
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["notes"] == "Family moved"


def build_match_stub():
    import datetime as dt

    from portal.mentoring.models import Match

    return Match(start_date=dt.date(2025, 9, 1))


def test_a_field_limit_of_its_own_is_kept_with_its_own_message():
    form = ContactForm(
        {"name": "Ana", "email": "ana@example.org", "topic": "other", "message": "x" * 5001}
    )

    assert not form.is_valid()
    assert form.errors["message"] == ["Keep your message under 5,000 characters."]


def test_a_line_break_in_the_contact_name_is_still_refused():
    form = ContactForm(
        {"name": "Eve\x0bBcc: x@example.org", "email": "a@example.org", "topic": "other",
         "message": "Hi"}
    )  # fmt: skip

    assert not form.is_valid()
    assert form.errors["name"] == ["Enter your name on one line."]


def test_a_search_box_has_the_short_limit():
    from portal.staff.forms import ChoiceAddForm

    assert ChoiceAddForm().fields["label"].max_length == 60
    assert NoSessionMonthForm().fields["details"].max_length == 500
    assert MatchCloseForm(match=build_match_stub()).fields["notes"].max_length == 250
    assert SHORT_TEXT_MAX == 200


def test_a_password_is_kept_exactly_as_typed(db):
    from portal.accounts.models import User
    from portal.enrollment.forms import AcceptInvitationForm

    user = User(email="new@example.org", full_name="New Mentor")
    secret = "\tcorrect horse\x0b battery staple "
    form = AcceptInvitationForm(
        {"password1": secret, "password2": secret, "agree": "on"}, user=user
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["password1"] == secret


# --- Session notes are shown back exactly as typed (RULES 4.6) -----------------------------


NOTES_AS_TYPED = "  Leading spaces stay.\n\tA tab stays.\n\nTwo line breaks stay.  "


def test_session_notes_keep_tabs_line_breaks_and_leading_spaces(db, request):
    world = build_world(request)
    client = world.client("mentor_a")
    data = session_form_data(world, notes=NOTES_AS_TYPED.replace("\n", "\r\n"))

    response = client.post("/sessions/new/", data)

    assert response.status_code == 302, read_page(response).errors
    saved = SessionLog.objects.filter(notes__contains="Leading spaces").get()
    assert saved.notes == NOTES_AS_TYPED


def test_a_word_processor_line_break_in_the_notes_becomes_a_line_break(db, request):
    world = build_world(request)
    client = world.client("mentor_a")
    data = session_form_data(world, notes="We read.\x0bThen we played.\x00")

    response = client.post("/sessions/new/", data)

    assert response.status_code == 302, read_page(response).errors
    assert SessionLog.objects.filter(notes="We read.\nThen we played.").exists()


def test_notes_over_the_limit_keep_the_rule_message(db, request):
    world = build_world(request)
    form = SessionLogForm(
        session_form_data(world, notes="x" * 5001),
        matches=[world.session.match],
        program=ProgramSettings.load(),
    )

    assert not form.is_valid()
    assert form.errors["notes"] == [
        "Notes can be at most 5,000 characters. Yours has 5,001: please shorten them."
    ]


def test_characters_that_reorder_or_hide_text_are_removed_and_joiners_kept():
    from portal.lib.text import clean_text, has_control_characters

    # "Reading\u202etxt.exe" shows as "Readingexe.txt"; a zero-width space hides in a name.
    assert clean_text("Reading\u202etxt.exe") == "Readingtxt.exe"
    assert clean_text("\ufeffAnn\u200b Lee\u2066x\u2069") == "Ann Leex"
    assert has_control_characters("a\u202eb") and has_control_characters("a\u200bb")
    family = "\U0001f469\u200d\U0001f467"  # an emoji family needs its joiner
    assert clean_text(family) == family and not has_control_characters(family)
    assert clean_text("\u05e9\u05dc\u05d5\u05dd\u200f!") == "\u05e9\u05dc\u05d5\u05dd\u200f!"


def test_a_form_field_drops_a_right_to_left_override(db):
    form = ContactForm(
        {"name": "Eve\u202eLee", "email": "a@example.org", "topic": "other", "message": "Hi"}
    )
    form.is_valid()
    assert form.cleaned_data.get("name") == "EveLee"
