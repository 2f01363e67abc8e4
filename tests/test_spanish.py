"""Spanish for mentors (issue 16, item 3): each person's language, chosen at enrollment
and in their preferences (the browser's until they choose); Spanish pages, messages,
emails, dates and program lists; English for staff and wherever no Spanish is given."""

import datetime as dt
import gettext
import io
import re

from django.test import Client
from django.utils import translation

from portal.accounts.models import User
from portal.followups import services as followups
from portal.lib.messages_mo import mo_bytes, parse_po
from portal.mentoring import rules
from portal.mentoring.models import Choice, ChoiceList, ProgramSettings
from portal.notifications.emails import build_message
from portal.notifications.models import Notification
from tests.conftest import log_session, signed_in, two_hours_ago
from tests.test_invitations import GOOD_PASSWORD, accept_form, invite, link_of
from tests.test_translation_coverage import SPANISH_PO

SPANISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9,en;q=0.5"}
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def spanish(user: User) -> User:
    User.objects.filter(pk=user.pk).update(language="es")
    user.refresh_from_db()
    return user


# --- Whose language -----------------------------------------------------------------------


def test_a_signed_out_visitor_gets_the_browsers_language(client, db):
    page = client.get("/accounts/sign-in/", **SPANISH_BROWSER)
    text = page.content.decode()
    assert page.headers["Content-Language"] == "es"
    assert '<html lang="es">' in text and "Entrar" in text and "¿Olvidó su contraseña?" in text
    assert "Accept-Language" in page.headers["Vary"]
    english = Client().get("/accounts/sign-in/", **ENGLISH_BROWSER).content.decode()
    assert '<html lang="en">' in english and "Forgot your password?" in english
    assert '<html lang="en">' in Client().get("/accounts/sign-in/").content.decode()


def test_a_mentor_who_has_not_chosen_gets_the_browsers_language(mentor_a):
    assert mentor_a.language == ""
    home = signed_in(mentor_a).get("/mentor/", **SPANISH_BROWSER).content.decode()
    assert "Registrar una sesión" in home


def test_the_mentors_choice_beats_the_browser(mentor_a):
    User.objects.filter(pk=mentor_a.pk).update(language="en")
    home = signed_in(mentor_a).get("/mentor/", **SPANISH_BROWSER).content.decode()
    assert '<html lang="en">' in home and "Log a session" in home
    spanish(mentor_a)
    home = signed_in(mentor_a).get("/mentor/", **ENGLISH_BROWSER).content.decode()
    assert '<html lang="es">' in home and "Registrar una sesión" in home


def test_staff_pages_stay_in_english_whatever_the_browser(staff_user):
    page = signed_in(staff_user).get("/staff/", **SPANISH_BROWSER)
    assert page.status_code == 200
    assert '<html lang="en">' in page.content.decode()


def test_the_mentor_chooses_spanish_in_the_preferences(mentor_a):
    client = signed_in(mentor_a)
    page = client.get("/mentor/email/").content.decode()
    assert "Language of the portal and its emails" in page and "Español" in page
    answer = client.post("/mentor/language/", {"language": "es"}, follow=True)
    mentor_a.refresh_from_db()
    assert mentor_a.language == "es"
    text = answer.content.decode()
    assert "Guardado: el portal y sus correos ahora están en español." in text
    assert '<html lang="es">' in text
    client.post("/mentor/language/", {"language": "en"})
    mentor_a.refresh_from_db()
    assert mentor_a.language == "en"


def test_an_unknown_language_is_refused_with_a_message(mentor_a):
    page = signed_in(mentor_a).post("/mentor/language/", {"language": "fr"})
    assert page.status_code == 200
    assert "Choose a language from the list." in page.content.decode()
    mentor_a.refresh_from_db()
    assert mentor_a.language == ""


def test_the_mentor_chooses_the_language_at_enrollment(staff_user):
    link = link_of(invite(staff_user))
    client = Client()
    page = client.get(link, **SPANISH_BROWSER).content.decode()
    assert "Bienvenido" in page
    assert re.search(r'<input[^>]*value="es"[^>]*checked', page)
    data = {**accept_form(), "language": "es"}
    home = client.post(link, data, follow=True, **ENGLISH_BROWSER)
    user = User.objects.get(email="new.mentor@example.org")
    assert user.language == "es"
    assert "Ya está inscrito" in home.content.decode()  # the welcome, in her language


def test_enrolling_without_choosing_keeps_the_pages_language(staff_user):
    link = link_of(invite(staff_user))
    Client().post(link, accept_form(GOOD_PASSWORD), **SPANISH_BROWSER)
    assert User.objects.get(email="new.mentor@example.org").language == "es"


# --- Spanish pages, dates and program texts ---------------------------------------------------


def test_a_spanish_mentors_home_and_form_are_in_spanish_with_spanish_dates(mentor_a, match_a):
    spanish(mentor_a)
    log_session(match_a, two_hours_ago())
    client = signed_in(mentor_a)
    home = client.get("/mentor/").content.decode()
    for words in ("Hola,", "Próxima fecha límite", "Sesiones recientes", "Su estudiante"):
        assert words in home
    assert " de " in home and "Next deadline" not in home
    with translation.override("es"):
        month = rules.Month(2026, 12)
        assert month.label == "diciembre de 2026"
        assert rules.format_day(dt.date(2026, 12, 3)) == "jueves 3 de diciembre de 2026"
    form = client.get("/sessions/new/").content.decode()
    for words in ("Fecha y hora", "Asistencia", "Nos reunimos", "Guardar sesión"):
        assert words in form


def test_english_labels_are_unchanged_for_english_mentors(mentor_a):
    form = signed_in(mentor_a).get("/sessions/new/", **ENGLISH_BROWSER).content.decode()
    for label in ("Date &amp; time", "Attendance", "We met", "Type of mentoring", "Interaction"):
        assert label in form
    assert "Save session" in form


def test_choice_labels_are_spanish_where_the_administrator_gave_one(mentor_a):
    spanish(mentor_a)
    Choice.objects.filter(label="Mentoring Hours").update(label_es="Horas de mentoría")
    form = signed_in(mentor_a).get("/sessions/new/").content.decode()
    assert "Horas de mentoría" in form
    assert "In-Person" in form  # no Spanish label yet: the English one
    english = Choice.objects.get(list=ChoiceList.TYPE_OF_MENTORING, label="Mentoring Hours")
    assert english.shown_label == "Mentoring Hours"
    with translation.override("es"):
        assert english.shown_label == "Horas de mentoría"


def test_the_administrator_fills_in_a_spanish_label(admin_user):
    choice = Choice.objects.get(list=ChoiceList.INTERACTION, label="In-Person")
    signed_in(admin_user).post(
        f"/staff/settings/choices/{choice.pk}/", {"action": "spanish", "label_es": " En persona "}
    )
    choice.refresh_from_db()
    assert choice.label_es == "En persona"


def test_the_agreement_and_prompt_words_have_spanish_versions(staff_user):
    program = ProgramSettings.load()
    program.mentor_agreement = "I will log every session."
    program.save()
    link = link_of(invite(staff_user))
    assert "I will log every session." in Client().get(link, **SPANISH_BROWSER).content.decode()
    program.mentor_agreement_es = "Registraré cada sesión."
    program.prompt_words_es = "hambre = food"
    program.save()
    page = Client().get(link, **SPANISH_BROWSER).content.decode()
    assert "Registraré cada sesión." in page
    english = Client().get(link, **ENGLISH_BROWSER).content.decode()
    assert "I will log every session." in english
    words = dict(rules.parse_prompt_words(program.all_prompt_words))
    assert words["hambre"] == "food" and words["hungry"] == "food"


# --- Emails ---------------------------------------------------------------------------------


def test_a_spanish_mentors_email_is_in_spanish_with_a_spanish_date(match_a, staff_user):
    mentor = spanish(match_a.mentor.user)
    session = log_session(match_a, two_hours_ago())
    followups.followup_ask(session=session, user=staff_user, question="¿Cómo le fue?")
    email = build_message(Notification.objects.get(template="followup-asked"))
    assert email.subject.startswith("Su coordinador preguntó sobre su registro del ")
    assert " de " in email.subject
    assert f"Hola, {mentor.get_short_name()}:" in email.body
    html = email.alternatives[0][0]
    assert '<html lang="es">' in html and "Leer y responder" in html


def test_an_english_mentors_email_stays_english(match_a, staff_user):
    session = log_session(match_a, two_hours_ago())
    followups.followup_ask(session=session, user=staff_user, question="How did it go?")
    email = build_message(Notification.objects.get(template="followup-asked"))
    assert email.subject.startswith("Your coordinator asked about your entry of ")
    assert '<html lang="en">' in email.alternatives[0][0]


# --- The catalogue --------------------------------------------------------------------------


def test_the_python_compiler_writes_what_gettext_reads():
    catalogue = gettext.GNUTranslations(
        io.BytesIO(mo_bytes(parse_po(SPANISH_PO.read_text(encoding="utf-8"))))
    )
    assert catalogue.gettext("Log a session") == "Registrar una sesión"
    assert catalogue.ngettext("%(days)s day left.", "%(days)s days left.", 3) == (
        "Quedan %(days)s días."
    )
    assert catalogue.pgettext("hours", "h") == "h"
    assert catalogue.gettext("not in the catalogue") == "not in the catalogue"


def test_fuzzy_and_empty_entries_are_left_out():
    po = """msgid ""
msgstr "Content-Type: text/plain; charset=UTF-8\\n"

#, fuzzy
msgid "Home"
msgstr "Inicio"

msgid "Help"
msgstr ""

msgid "Sign out"
msgstr "Salir"
"""
    catalogue = gettext.GNUTranslations(io.BytesIO(mo_bytes(parse_po(po))))
    assert catalogue.gettext("Home") == "Home"
    assert catalogue.gettext("Help") == "Help"
    assert catalogue.gettext("Sign out") == "Salir"


def test_a_contact_message_from_a_spanish_page_is_acknowledged_and_answered_in_spanish(
    client, db, staff_user
):
    from django.core.cache import cache

    cache.clear()  # the Contact form's rate limit counts live in the shared cache
    client.post(
        "/contact/",
        {
            "name": "Ana Díaz",
            "email": "ana@example.org",
            "topic": "invitation",
            "message": "Mi enlace venció.",
        },
        **SPANISH_BROWSER,
    )
    email = build_message(Notification.objects.get(template="support-received"))
    assert email.subject.startswith("Recibimos su mensaje")
    assert "Mi invitación venció o se perdió" in email.body

    # Staff answer in English pages; the answer's email keeps the sender's language.
    from portal.support import services as support
    from portal.support.models import SupportRequest

    support.support_request_reply(
        request=SupportRequest.objects.get(), user=staff_user, reply="Le enviamos un enlace."
    )
    answer = build_message(Notification.objects.get(template="support-reply"))
    assert answer.subject.startswith("Una respuesta a su mensaje")
    assert "Le enviamos un enlace." in answer.body and "Mi invitación venció" in answer.body
    cache.clear()


def test_spanish_numbers_and_times_are_written_the_latin_american_way():
    from decimal import Decimal

    from django.utils.formats import date_format, number_format
    from django.utils.translation import gettext

    with translation.override("es"):
        assert number_format(Decimal("1.50"), 2) == "1.50"  # as on the session form
        moment = dt.datetime(2026, 12, 3, 14, 30)
        assert date_format(moment, gettext("l j F Y, g:i A")) == (
            "jueves 3 de diciembre de 2026, 2:30 p.m."
        )


def test_the_weekly_reminder_link_opens_in_the_mentors_language(client, mentor_a):
    from portal.mentoring import reminders

    spanish(mentor_a)
    path = reminders.weekly_off_path(mentor_a.mentor)
    page = client.get(path, **ENGLISH_BROWSER).content.decode()
    assert '<html lang="es">' in page and "Correo de recordatorio semanal" in page


# --- Readiness, text messages and offline saving, in the mentor's language ----------------


def _held_match(match_a, staff_user):
    """match_a on hold: its mentor's background check expired, under "refuse"."""
    from portal.readiness import services as readiness
    from portal.readiness.models import NotReadyPolicy, ReadinessItem
    from tests.test_readiness import policy, today

    check = ReadinessItem.objects.create(name="Background check", valid_months=12)
    done = today() - dt.timedelta(days=400)
    readiness.record_add(mentor=match_a.mentor, item=check, done_on=done, user=staff_user)
    policy(NotReadyPolicy.BLOCK)
    readiness.readiness_check()
    return match_a


def test_a_spanish_mentors_readiness_page_is_in_spanish(mentor_a, staff_user, match_a):
    _held_match(match_a, staff_user)
    page = signed_in(spanish(mentor_a)).get("/mentor/readiness/").content.decode()
    assert '<html lang="es">' in page
    assert "<h1>Mis requisitos y capacitaciones</h1>" in page
    assert "Requisitos vencidos" in page and "El requisito “background check” venció el " in page
    assert " de " in page and "Su coordinador le ayudará a renovarlo." in page
    assert "Registrar una capacitación" in page and "Día de la capacitación" in page
    assert "Guardar la capacitación" in page and "Todavía no ha registrado ninguna" in page
    assert "Log a training" not in page and "expired on" not in page


def test_an_english_mentors_readiness_page_is_unchanged(client_a, mentor_a, staff_user, match_a):
    _held_match(match_a, staff_user)
    page = client_a.get("/mentor/readiness/").content.decode()
    assert "<h1>My readiness and training</h1>" in page
    assert "Your background check expired on " in page and "Log a training" in page
    assert "Your coordinator will help you renew it." in page and "Requisitos" not in page


def test_a_spanish_mentors_training_is_saved_with_spanish_words(mentor_a):
    client = signed_in(spanish(mentor_a))
    answer = client.post("/mentor/readiness/", {"on_date": "", "hours": "1.00", "topic": ""})
    text = answer.content.decode()
    assert "Escriba el día de la capacitación." in text
    day = dt.date.today().isoformat()
    saved = client.post(
        "/mentor/readiness/",
        {"on_date": day, "hours": "1.50", "topic": "Primeros auxilios"},
        follow=True,
    )
    assert "Capacitación guardada: 1.50 horas, Primeros auxilios." in saved.content.decode()


def test_the_agreement_page_is_in_spanish_for_a_spanish_mentor(admin_client, mentor_a):
    from tests.test_readiness import change_agreement

    change_agreement(admin_client, "Me reuniré con mi estudiante.")
    client = signed_in(spanish(mentor_a))
    page = client.get("/mentor/agreement/").content.decode()
    assert "<h1>El acuerdo del mentor cambió</h1>" in page
    assert "Acuerdo del mentor, versión " in page and "Aceptar y continuar" in page
    assert "He leído el acuerdo del mentor y lo acepto" in page
    refused = client.post("/mentor/agreement/", {"version": "1"}).content.decode()
    assert "Marque la casilla para aceptar el acuerdo del mentor." in refused
    english = signed_in(spanish_off(mentor_a)).get("/mentor/agreement/").content.decode()
    assert "<h1>The mentor agreement has changed</h1>" in english


def spanish_off(user: User) -> User:
    User.objects.filter(pk=user.pk).update(language="en")
    user.refresh_from_db()
    return user


def test_the_hold_banner_and_page_are_in_spanish(mentor_a, staff_user, match_a):
    _held_match(match_a, staff_user)
    client = signed_in(spanish(mentor_a))
    home = client.get("/mentor/").content.decode()
    name = match_a.mentee.display_name
    paused = f"El registro de sesiones con {name} está en pausa: "
    assert paused + "el requisito “background check” venció el " in home
    assert "Su coordinador le ayudará a renovarlo." in home and ">Mis requisitos</a>" in home
    held = client.get("/sessions/new/").content.decode()
    assert "<h1>El registro de sesiones está en pausa</h1>" in held
    assert "Ver mis requisitos" in held and "is on hold" not in held
    english = signed_in(spanish_off(mentor_a)).get("/mentor/").content.decode()
    assert f"Logging for your match with {name} is on hold: your background check expired" in (
        english
    )


def test_the_texts_section_is_in_spanish_and_stores_the_spanish_consent(mentor_a):
    from portal.texts import rules as text_rules
    from portal.texts.models import TextSubscription

    client = signed_in(spanish(mentor_a))
    page = client.get("/mentor/email/").content.decode()
    assert "Preferencias de correo y mensajes de texto" in page
    assert '<h2 id="texts-title">Mensajes de texto</h2>' in page
    assert "Su número de celular" in page and "Activar los mensajes de texto" in page
    with translation.override("es"):
        wording = text_rules.consent_wording(ProgramSettings.load().name)
    assert wording.startswith("Acepto recibir mensajes de texto de ")
    assert wording in page and len(wording) <= text_rules.CONSENT_MAX
    refused = client.post("/mentor/texts/", {"texts": "on", "phone": "12"}).content.decode()
    assert "Escriba un número de celular como 312 555 0123" in refused
    assert "Marque la casilla para aceptar recibir mensajes de texto" in refused
    answer = client.post(
        "/mentor/texts/", {"texts": "on", "phone": "312 555 0123", "consent": "on"}, follow=True
    )
    text = answer.content.decode()
    assert "Mensajes de texto activados." in text and "<strong>activados</strong>" in text
    assert TextSubscription.objects.get(mentor__user=mentor_a).consent_wording == wording
    english = signed_in(spanish_off(mentor_a)).get("/mentor/email/").content.decode()
    assert "Texts are <strong>on</strong>" in english


def test_an_english_mentor_ticks_and_stores_the_english_consent(mentor_a):
    from portal.texts import rules as text_rules
    from portal.texts.models import TextSubscription

    client = signed_in(mentor_a)
    client.post("/mentor/texts/", {"texts": "on", "phone": "312 555 0123", "consent": "on"})
    stored = TextSubscription.objects.get(mentor__user=mentor_a).consent_wording
    assert stored == text_rules.CONSENT_WORDING.format(program=ProgramSettings.load().name)


def _texted(mentor, staff_user):
    from portal.notifications.models import Channel
    from portal.texts.delivery import TextSender
    from portal.texts.services import texts_opt_in

    texts_opt_in(mentor=mentor.mentor, phone="+13125550123", wording="I agree.", actor=mentor)
    session = log_session(mentor.mentor.matches.get(), two_hours_ago())
    followups.followup_ask(session=session, user=staff_user, question="¿Y la tarea?")
    text = Notification.objects.get(channel=Channel.TEXT)
    return TextSender().build(text)


def test_a_text_to_a_spanish_mentor_is_in_spanish(mentor_a, staff_user):
    body = _texted(spanish(mentor_a), staff_user)
    assert ": su coordinador le hizo una pregunta sobre su registro del " in body
    assert " de " in body and body.endswith("Responda STOP para no recibir más mensajes.")
    assert "tarea" not in body


def test_a_text_to_an_english_mentor_stays_english(mentor_a, staff_user):
    body = _texted(mentor_a, staff_user)
    assert ": your coordinator asked you about your entry of " in body
    assert body.endswith("Reply STOP to stop texts.")


def test_the_readiness_expiry_reminder_is_in_the_mentors_language(mentor_a, staff_user):
    from portal.readiness import services as readiness
    from portal.readiness.models import ReadinessItem
    from tests.test_readiness import today

    check = ReadinessItem.objects.create(name="Background check", required=True, valid_months=24)
    soon = today().replace(year=today().year - 2) + dt.timedelta(days=10)
    readiness.record_add(mentor=mentor_a.mentor, item=check, done_on=soon, user=staff_user)
    spanish(mentor_a)
    assert readiness.expiry_reminders_send() == 1
    email = build_message(Notification.objects.get(template="reminder-readiness-expiring"))
    assert email.subject.startswith("Vigente hasta el ") and " de " in email.subject
    assert "está vigente hasta el" in email.body and "Ver mis requisitos" not in email.body
    html = email.alternatives[0][0]
    assert '<html lang="es">' in html and "Ver mis requisitos" in html


def test_the_offline_messages_come_from_the_page_in_the_mentors_language(mentor_a):
    page = signed_in(spanish(mentor_a)).get("/sessions/new/").content.decode()
    assert 'data-say-not-sent="Guardado en este teléfono, todavía sin enviar"' in page
    english = signed_in(spanish_off(mentor_a)).get("/sessions/new/").content.decode()
    assert 'data-say-not-sent="Saved on this phone, not sent yet"' in english


def test_staff_invite_a_mentor_in_spanish_and_the_email_and_page_are_spanish(staff_user):
    staff = signed_in(staff_user)
    response = staff.post(
        "/staff/invitations/new/",
        {"full_name": "Ana Ruiz", "email": "ana.ruiz@example.org", "language": "es"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="ana.ruiz@example.org")
    assert user.language == "es"
    email = Notification.objects.get(template="invitation", recipient_user=user)
    message = build_message(email)
    assert message.subject.startswith("Lo invitamos a inscribirse como mentor")
    page = Client().get(email.context["path"], **ENGLISH_BROWSER).content.decode()
    assert '<html lang="es">' in page and "Bienvenido" in page


def test_an_invitation_left_in_english_leaves_the_choice_to_the_mentor(staff_user):
    staff = signed_in(staff_user)
    staff.post("/staff/invitations/new/", {"full_name": "Bo Lee", "email": "bo@example.org"})
    user = User.objects.get(email="bo@example.org")
    assert user.language == ""  # not chosen: the enrollment page follows the browser
    email = Notification.objects.get(template="invitation", recipient_user=user)
    page = Client().get(email.context["path"], **SPANISH_BROWSER).content.decode()
    assert '<html lang="es">' in page


def test_a_forged_invitation_language_is_refused_on_the_page(staff_user):
    response = signed_in(staff_user).post(
        "/staff/invitations/new/",
        {"full_name": "Cy Day", "email": "cy@example.org", "language": "fr"},
    )
    assert response.status_code == 200
    assert "Choose a language from the list." in response.content.decode()
    assert not User.objects.filter(email="cy@example.org").exists()
