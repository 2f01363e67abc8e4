"""A mentor who chose Spanish, on a phone: the home page and the session form are in
Spanish (html lang="es"), with no serious or critical axe violation."""

from playwright.sync_api import expect

from portal.accounts.models import User
from portal.mentoring.models import Choice
from tests.browser.helpers import PHONE, describe, seed_sessions, serious_violations, shot


def _check(page, name: str, found: list[str]) -> None:
    page.wait_for_load_state()
    shot(page, f"spanish-{name}")
    assert page.locator("html").get_attribute("lang") == "es"
    violations = serious_violations(page)
    if violations:
        found.append(f"{name} ({page.url}):\n{describe(violations)}")


def test_spanish_home_and_session_form_at_phone_size(mentor_page, live_server, match_a):
    User.objects.filter(pk=match_a.mentor.user_id).update(language="es")
    Choice.objects.filter(label="Mentoring Hours").update(label_es="Horas de mentoría")
    seed_sessions(match_a)
    page = mentor_page
    page.set_viewport_size(PHONE)
    found: list[str] = []

    page.goto(f"{live_server.url}/mentor/")
    expect(page.get_by_role("link", name="Registrar una sesión")).to_be_visible()
    expect(page.get_by_role("heading", name="Próxima fecha límite")).to_be_visible()
    _check(page, "home", found)

    page.get_by_role("link", name="Registrar una sesión").click()
    expect(page.get_by_role("heading", name="Registrar una sesión")).to_be_visible()
    expect(page.get_by_label("Horas de mentoría")).to_be_checked()  # the program's Spanish
    expect(page.get_by_label("In-Person")).to_be_visible()  # no Spanish label: the English one
    _check(page, "form", found)

    page.get_by_label("Preocupación por la seguridad del niño").check()
    page.get_by_role("button", name="Guardar sesión").click()
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    assert page.title().startswith("Error: ")
    _check(page, "form-errors", found)

    page.goto(f"{live_server.url}/mentor/email/")
    expect(page.get_by_role("heading", name="Idioma")).to_be_visible()
    _check(page, "preferences", found)

    page.get_by_role("link", name="Seguridad de acceso").click()
    expect(page.get_by_role("heading", name="Verificación en dos pasos")).to_be_visible()
    _check(page, "sign-in-security", found)
    assert not found, "axe found serious or critical violations on\n" + "\n\n".join(found)


def test_spanish_readiness_page_at_phone_size(mentor_page, live_server, match_a, staff_user):
    """The mentor's readiness page in Spanish, with a hold and a training logged, on a phone."""
    from portal.readiness import services as readiness
    from portal.readiness.models import ReadinessItem, WhoRecords
    from tests.test_readiness import today

    User.objects.filter(pk=match_a.mentor.user_id).update(language="es")
    check = ReadinessItem.objects.create(name="Background check", valid_months=12)
    ReadinessItem.objects.create(
        name="Orientation training", who_records=WhoRecords.TRAINING, position=2
    )
    readiness.record_add(
        mentor=match_a.mentor, item=check, done_on=today().replace(day=1), user=staff_user
    )
    page = mentor_page
    page.set_viewport_size(PHONE)
    found: list[str] = []

    page.goto(f"{live_server.url}/mentor/readiness/")
    expect(page.get_by_role("heading", name="Mis requisitos y capacitaciones")).to_be_visible()
    expect(page.get_by_text("Requisitos pendientes")).to_be_visible()
    _check(page, "readiness", found)

    page.get_by_label("¿De qué trató la capacitación?").fill("Orientación para mentores")
    page.get_by_role("button", name="Guardar la capacitación").click()
    expect(page.get_by_text("Capacitación guardada: 1.00 horas")).to_be_visible()
    expect(page.get_by_role("region", name="Mis capacitaciones (se desplaza")).to_be_visible()
    _check(page, "readiness-saved", found)

    page.get_by_label("¿De qué trató la capacitación?").fill("")
    page.get_by_role("button", name="Guardar la capacitación").click()
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    _check(page, "readiness-errors", found)
    assert not found, "axe found serious or critical violations on\n" + "\n\n".join(found)


def test_spanish_offline_save_says_so_in_spanish(mentor_page, live_server, match_a):
    """Saved with no connection, the page says so in Spanish; back online it is sent."""
    from portal.mentoring.models import SessionLog

    User.objects.filter(pk=match_a.mentor.user_id).update(language="es")
    page = mentor_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/sessions/new/")
    expect(page.get_by_role("heading", name="Registrar una sesión", level=1)).to_be_visible()
    page.locator("#id_hours").select_option("1.00")
    page.locator("#id_notes").fill("Leímos un cuento juntos.")
    page.context.set_offline(True)
    page.get_by_role("button", name="Guardar sesión").click()
    status = page.get_by_role("status").filter(
        has_text="Guardado en este teléfono, todavía sin enviar"
    )
    expect(status).to_be_visible()
    expect(status).to_contain_text("Se enviará cuando vuelva a tener conexión.")
    found: list[str] = []
    _check(page, "offline-saved", found)
    page.context.set_offline(False)
    expect(page.get_by_text("Leímos un cuento juntos.")).to_be_visible()
    assert SessionLog.objects.filter(match=match_a).count() == 1
    assert not found, "axe found serious or critical violations on\n" + "\n\n".join(found)
