"""Spanish in readiness (issue 16 item 3, issue 15 item 5): agreement versions hold the
English and the Spanish text, a Spanish-speaking mentor reads and accepts the Spanish one
(kept: which language), and readiness items have a Spanish name that mentors read on their
pages, hold notices and reminders; staff pages stay English."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from portal.mentoring.models import ProgramSettings
from portal.notifications.models import Notification
from portal.readiness import agreements, selectors, services
from portal.readiness.models import AgreementAcceptance, AgreementVersion, ReadinessItem
from tests.conftest import signed_in
from tests.test_readiness import today
from tests.test_spanish import _held_match, spanish

ENGLISH = "I will meet my mentee as agreed."
SPANISH = "Me reuniré con mi estudiante según lo acordado."


def change_texts(admin_client, text: str, text_es: str) -> None:
    from portal.staff.forms import ProgramSettingsForm

    form = ProgramSettingsForm(instance=ProgramSettings.objects.get(pk=1), prefix="settings")
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[f"settings-{name}"] = "" if value is None else value
    data["settings-mentor_agreement"] = text
    data["settings-mentor_agreement_es"] = text_es
    response = admin_client.post(reverse("staff:program_settings"), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def accept(client, version: AgreementVersion):
    return client.post(reverse("readiness:agreement"), {"version": version.number, "agree": "on"})


# --- Agreement versions in two languages ----------------------------------------------------


def test_a_version_holds_both_texts_and_each_mentor_reads_their_own(
    admin_client, mentor_a, mentor_b
):
    change_texts(admin_client, ENGLISH, SPANISH)
    version = AgreementVersion.objects.get()
    assert version.text == ENGLISH and version.text_es == SPANISH
    spanish_page = signed_in(spanish(mentor_a)).get("/mentor/agreement/").content.decode()
    assert SPANISH in spanish_page and ENGLISH not in spanish_page
    assert "todavía no ha escrito este acuerdo en español" not in spanish_page
    english_page = signed_in(mentor_b).get("/mentor/agreement/").content.decode()
    assert ENGLISH in english_page and SPANISH not in english_page


def test_the_acceptance_keeps_the_language_of_the_text_read(admin_client, mentor_a, mentor_b):
    change_texts(admin_client, ENGLISH, SPANISH)
    version = AgreementVersion.objects.get()
    assert accept(signed_in(spanish(mentor_a)), version).status_code == 302
    assert accept(signed_in(mentor_b), version).status_code == 302
    assert AgreementAcceptance.objects.get(mentor=mentor_a.mentor).language == "es"
    assert AgreementAcceptance.objects.get(mentor=mentor_b.mentor).language == "en"
    # The staff mentor page says which text was accepted.
    html = render_to_string(
        "staff/_mentor_readiness.html",
        {
            "readiness": selectors.readiness_for_mentor(mentor_a.mentor),
            "agreement": selectors.agreement_standing(mentor_a.mentor),
        },
    )
    assert f"version {version.number} (Spanish text), accepted on" in html
    html = render_to_string(
        "staff/_mentor_readiness.html",
        {
            "readiness": selectors.readiness_for_mentor(mentor_b.mentor),
            "agreement": selectors.agreement_standing(mentor_b.mentor),
        },
    )
    assert f"version {version.number}, accepted on" in html and "Spanish text" not in html


def test_without_a_spanish_text_a_spanish_mentor_reads_the_english_with_a_note(
    admin_client, mentor_a
):
    change_texts(admin_client, ENGLISH, "")
    version = AgreementVersion.objects.get()
    client = signed_in(spanish(mentor_a))
    page = client.get("/mentor/agreement/").content.decode()
    assert ENGLISH in page
    assert "El programa todavía no ha escrito este acuerdo en español" in page
    assert accept(client, version).status_code == 302
    # What they accepted is the English text they read.
    assert AgreementAcceptance.objects.get().language == "en"


def test_changing_only_the_spanish_text_makes_a_new_version(admin_client, mentor_a):
    change_texts(admin_client, ENGLISH, SPANISH)
    first = AgreementVersion.objects.get()
    accept(signed_in(spanish(mentor_a)), first)
    change_texts(admin_client, ENGLISH, SPANISH + " Registraré cada sesión.")
    second = AgreementVersion.objects.order_by("-number").first()
    assert second.number == first.number + 1 and second.fingerprint != first.fingerprint
    assert second.text == ENGLISH and second.text_es.endswith("Registraré cada sesión.")
    # The mentor accepts the new version at their next sign-in.
    assert signed_in(mentor_a).get(reverse("mentoring:home")).status_code == 302
    # Saving again with the same texts is no new version.
    change_texts(admin_client, ENGLISH, SPANISH + " Registraré cada sesión.")
    assert AgreementVersion.objects.count() == 2


def test_without_a_spanish_text_the_fingerprint_is_the_english_texts_alone():
    """Versions and enrollments recorded before there was a Spanish text keep matching."""
    import hashlib

    program = ProgramSettings(mentor_agreement=ENGLISH, mentor_agreement_es="")
    assert program.agreement_version == hashlib.sha256(ENGLISH.encode()).hexdigest()[:12]
    program.mentor_agreement_es = SPANISH
    assert program.agreement_version != hashlib.sha256(ENGLISH.encode()).hexdigest()[:12]


def test_a_spanish_text_without_an_english_one_makes_no_version(admin_client):
    change_texts(admin_client, "", SPANISH)
    assert not AgreementVersion.objects.exists()


# --- Readiness item names in Spanish --------------------------------------------------------


@pytest.fixture
def named_check(db):
    return ReadinessItem.objects.create(
        name="Background check", name_es="Verificación de antecedentes", valid_months=12
    )


def test_an_administrator_writes_the_spanish_name_on_the_requirements_form(admin_client):
    response = admin_client.post(
        reverse("readiness:item_create"),
        {"name": "Interview", "name_es": "  Entrevista  ", "required": "no",
         "who_records": "staff"},
    )  # fmt: skip
    assert response.status_code == 302
    item = ReadinessItem.objects.get()
    assert item.name_es == "Entrevista"
    form = admin_client.get(reverse("readiness:item_edit", args=[item.pk])).content.decode()
    assert 'value="Entrevista"' in form and "Name in Spanish" in form
    # The shared text rules: control characters go, a name too long is refused.
    admin_client.post(
        reverse("readiness:item_edit", args=[item.pk]),
        {"name": "Interview", "name_es": "Entre\x07vista\x00", "required": "no",
         "who_records": "staff"},
    )  # fmt: skip
    item.refresh_from_db()
    assert item.name_es == "Entrevista"
    too_long = admin_client.post(
        reverse("readiness:item_edit", args=[item.pk]),
        {"name": "Interview", "name_es": "x" * 121, "required": "no", "who_records": "staff"},
    )
    assert too_long.status_code == 200 and "120" in too_long.content.decode()
    item.refresh_from_db()
    assert item.name_es == "Entrevista"


def _hold(match_a, staff_user, name_es: str):
    _held_match(match_a, staff_user)
    ReadinessItem.objects.filter(name="Background check").update(name_es=name_es)


def test_a_spanish_mentors_readiness_page_and_hold_use_the_spanish_name(
    mentor_a, staff_user, match_a
):
    _hold(match_a, staff_user, "Verificación de antecedentes")
    client = signed_in(spanish(mentor_a))
    page = client.get("/mentor/readiness/").content.decode()
    assert "<strong>Verificación de antecedentes</strong>" in page
    assert "El requisito “verificación de antecedentes” venció el " in page
    assert "background check" not in page.lower()
    home = client.get(reverse("mentoring:home")).content.decode()
    assert "el requisito “verificación de antecedentes” venció el " in home
    held = client.get(reverse("mentoring:session_create"), follow=True).content.decode()
    assert "el requisito “verificación de antecedentes” venció el " in held
    assert "background check" not in held.lower()


def test_an_english_mentor_and_staff_read_the_english_name(client_a, mentor_a, staff_user, match_a):
    _hold(match_a, staff_user, "Verificación de antecedentes")
    page = client_a.get("/mentor/readiness/").content.decode()
    assert "<strong>Background check</strong>" in page and "Verificación" not in page
    html = render_to_string(
        "staff/_mentor_readiness.html",
        {"readiness": selectors.readiness_for_mentor(mentor_a.mentor)},
    )
    assert "Background check" in html and "Verificación" not in html


def test_without_a_spanish_name_a_spanish_mentor_reads_the_english_one(
    mentor_a, staff_user, match_a
):
    _hold(match_a, staff_user, "")
    page = signed_in(spanish(mentor_a)).get("/mentor/readiness/").content.decode()
    assert "<strong>Background check</strong>" in page
    assert "El requisito “background check” venció el " in page


def test_the_expiry_reminder_uses_the_spanish_name(mentor_a, mentor_b, staff_user, named_check):
    spanish(mentor_a)
    soon = today().replace(year=today().year - 1) + dt.timedelta(days=10)
    for mentor in (mentor_a, mentor_b):
        services.record_add(mentor=mentor.mentor, item=named_check, done_on=soon, user=staff_user)
    assert services.expiry_reminders_send() == 2
    emails = {n.to: n for n in Notification.objects.filter(template="reminder-readiness-expiring")}
    assert emails[mentor_a.email].context["item"] == "verificación de antecedentes"
    assert emails[mentor_b.email].context["item"] == "background check"


def test_the_expiry_reminder_falls_back_to_the_english_name(mentor_a, staff_user):
    check = ReadinessItem.objects.create(name="Background check", valid_months=12)
    spanish(mentor_a)
    soon = today().replace(year=today().year - 1) + dt.timedelta(days=10)
    services.record_add(mentor=mentor_a.mentor, item=check, done_on=soon, user=staff_user)
    assert services.expiry_reminders_send() == 1
    assert Notification.objects.get().context["item"] == "background check"


def test_a_program_with_a_spanish_text_before_versions_held_one_gets_a_version_with_both(
    admin_user,
):
    """The data migration: the current version held the English text only."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "portal.readiness.migrations.0004_agreement_version_with_existing_spanish_text"
    )
    ProgramSettings.objects.filter(pk=1).update(mentor_agreement=ENGLISH, mentor_agreement_es="")
    agreements.agreement_version_record(user=admin_user)
    ProgramSettings.objects.filter(pk=1).update(mentor_agreement_es=SPANISH)
    migration.version_with_spanish_text(apps, None)
    latest = selectors.current_agreement()
    assert latest.number == 2 and latest.text_es == SPANISH
    assert latest.fingerprint == ProgramSettings.objects.get(pk=1).agreement_version
    migration.version_with_spanish_text(apps, None)  # run again: nothing more
    assert AgreementVersion.objects.count() == 2
