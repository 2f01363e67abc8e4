"""Volunteer readiness as coordinators, administrators and mentors use it (issue 15, after
review): the requirements page shows the agreement's versions; an agreement cannot become
empty; the dashboard and the match page show every match whose mentor is not ready;
a mentor whose match is on hold is told on their home page; a training saved once."""

import pytest
from django.urls import reverse

from portal.mentoring.models import ProgramSettings
from portal.readiness import services
from portal.readiness.models import AgreementVersion
from tests.page import read_page
from tests.test_admin_audit import form_fields
from tests.test_readiness import (  # noqa: F401  # noqa: F401
    background,
    change_agreement,
    coordinated,
    orientation,
    policy,
    today,
)

# --- 1. The requirements page ---------------------------------------------------------------


def test_the_requirements_page_shows_the_agreement_versions_in_the_page_not_the_title(
    admin_client,
):
    change_agreement(admin_client, "Version one of the agreement.")
    html = admin_client.get(reverse("readiness:requirements")).content.decode()
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("Readiness requirements ·")
    assert "Versions" not in title
    body = html.split("<main", 1)[1]
    assert "Versions of the mentor agreement" in body
    assert "Version 1," in body


# --- 2. An agreement cannot become empty ---------------------------------------------------


def settings_post(admin_client, text: str):
    from portal.staff.forms import ProgramSettingsForm

    form = ProgramSettingsForm(instance=ProgramSettings.objects.get(pk=1), prefix="settings")
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[f"settings-{name}"] = "" if value is None else value
    data["settings-mentor_agreement"] = text
    return admin_client.post(reverse("staff:program_settings"), data)


@pytest.mark.parametrize("empty", ["", "   \r\n  "])
def test_the_settings_page_refuses_an_empty_agreement(admin_client, empty):
    change_agreement(admin_client, "I will meet my mentee weekly.")
    response = settings_post(admin_client, empty)
    assert response.status_code == 200
    page = read_page(response)
    assert "Enter the text of the mentor agreement" in page.text
    assert AgreementVersion.objects.count() == 1
    assert ProgramSettings.objects.get(pk=1).mentor_agreement == "I will meet my mentee weekly."


def test_the_settings_page_still_saves_other_settings_before_any_agreement(admin_client):
    # A new program has no agreement yet: its other settings can be saved.
    response = settings_post(admin_client, "")
    assert response.status_code == 302
    assert not AgreementVersion.objects.exists()


def test_the_administration_site_refuses_an_empty_agreement(admin_client):
    change_agreement(admin_client, "I will meet my mentee weekly.")
    url = reverse("admin:mentoring_programsettings_change", args=[1])
    data = form_fields(admin_client.get(url))
    data["mentor_agreement"] = "  "
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Enter the text of the mentor agreement" in response.content.decode()
    assert AgreementVersion.objects.count() == 1
    assert ProgramSettings.objects.get(pk=1).mentor_agreement == "I will meet my mentee weekly."


def test_no_version_is_ever_made_without_text(admin_user):
    from django.core.exceptions import ValidationError

    ProgramSettings.objects.filter(pk=1).update(mentor_agreement=" ")
    with pytest.raises(ValidationError):
        services.agreement_version_record(user=admin_user)
    assert not AgreementVersion.objects.exists()


def test_the_mentor_reads_exactly_the_stored_version(admin_client, mentor_a):
    from tests.conftest import signed_in

    change_agreement(admin_client, "Only these words.")
    # A version stored without text (before empty texts were refused) shows no other words.
    AgreementVersion.objects.update(text="")
    page = signed_in(mentor_a).get(reverse("readiness:agreement")).content.decode()
    assert "I will meet my mentee as agreed" not in page
    assert "saved without any text" in page
