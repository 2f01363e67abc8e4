"""Changes made in the Django admin are on the audit trail (issue 11, item 3): people,
roles, site contacts, mentors, mentees, matches and one-time-code devices, with old and
new values, and never a password hash or a code secret."""

import json

import pyotp
import pytest
from django.contrib import admin
from django.utils import timezone

from portal.accounts.models import Role, User
from portal.audit.admin import AuditedAdminMixin
from portal.audit.models import AuditEvent
from portal.lifecycle.services import mentee_erase
from portal.mentoring.models import Match, Mentee, Mentor, SchoolSite, SiteContact
from portal.security.models import TOTPDevice
from tests.page import read_page


def form_fields(response) -> dict:
    """What the admin's change form sends back as it is shown, to change one value in it."""
    page = read_page(response)
    data: dict = {}
    for tag in page.inputs:
        name, kind = tag.get("name"), (tag.get("type") or "text")
        if not name or kind in ("submit", "button", "file", "reset"):
            continue
        if kind in ("checkbox", "radio"):
            if "checked" in tag:
                data.setdefault(name, []).append(tag.get("value") or "on")
            continue
        data[name] = tag.get("value") or ""
    for name, options in page.selects.items():
        chosen = [option.value for option in options if option.selected]
        if chosen:
            data[name] = chosen if len(chosen) > 1 else chosen[0]
    data.update(page.textareas)
    return data


def change_in_admin(client, url: str, **changes) -> None:
    data = form_fields(client.get(url))
    data.update(changes)
    for name in [name for name, value in changes.items() if value is None]:
        data.pop(name)
    response = client.post(url, data)
    assert response.status_code == 302, read_page(response).text[:2000]


def events(action: str):
    return AuditEvent.objects.filter(action=action)


def nothing_secret_in(event: AuditEvent, *secrets: str) -> bool:
    stored = json.dumps([event.old_values, event.new_values]) + event.note
    return not any(secret in stored for secret in secrets) and "pbkdf2" not in stored


# --- People and roles -----------------------------------------------------------------------


def test_a_role_changed_in_the_admin_is_on_the_audit_trail_with_old_and_new(
    admin_client, admin_user, mentor_a
):
    change_in_admin(
        admin_client, f"/admin/accounts/user/{mentor_a.pk}/change/", role=Role.SITE_CONTACT
    )

    event = events("user.changed").get(object_id=mentor_a.pk)
    assert event.actor == admin_user
    assert event.old_values == {"role": Role.MENTOR}
    assert event.new_values == {"role": Role.SITE_CONTACT}
    assert nothing_secret_in(event, User.objects.get(pk=mentor_a.pk).password)


def test_staff_changing_a_mentors_email_in_the_admin_is_audited(client, staff_user, mentor_a):
    client.force_login(staff_user)
    change_in_admin(
        client, f"/admin/accounts/user/{mentor_a.pk}/change/", email="jane.mentor@example.org"
    )

    event = events("user.changed").get(object_id=mentor_a.pk)
    assert event.actor == staff_user
    assert event.old_values == {"email": "mentor-a@example.org"}
    assert event.new_values == {"email": "jane.mentor@example.org"}


def test_deactivating_a_user_in_the_admin_is_audited(admin_client, mentor_a):
    change_in_admin(admin_client, f"/admin/accounts/user/{mentor_a.pk}/change/", is_active=None)

    event = events("user.changed").get(object_id=mentor_a.pk)
    assert (event.old_values, event.new_values) == ({"is_active": True}, {"is_active": False})


def test_saving_the_admin_page_unchanged_writes_nothing(admin_client, mentor_a):
    change_in_admin(admin_client, f"/admin/accounts/user/{mentor_a.pk}/change/")

    assert not events("user.changed").exists()


def test_the_users_admin_page_shows_its_record_of_changes(admin_client, mentor_a):
    url = f"/admin/accounts/user/{mentor_a.pk}/change/"
    change_in_admin(admin_client, url, full_name="Jane Mentor")

    page = read_page(admin_client.get(url)).text
    assert "user.changed" in page
    assert "full_name: Mentor Jane → Jane Mentor" in page


# --- Site contacts (edited on their school's page) -----------------------------------------


def test_a_site_contact_added_in_the_admin_is_audited(admin_client, admin_user, school_a):
    url = f"/admin/mentoring/schoolsite/{school_a.pk}/change/"
    data = form_fields(admin_client.get(url))
    row = int(data["contacts-TOTAL_FORMS"])
    data.update(
        {
            "contacts-TOTAL_FORMS": str(row + 1),
            f"contacts-{row}-site": str(school_a.pk),
            f"contacts-{row}-name": "Pat Lee",
            f"contacts-{row}-role": "Nurse",
            f"contacts-{row}-email": "pat.lee@example.org",
            f"contacts-{row}-phone": "(312) 555-0199",
            f"contacts-{row}-position": "1",
        }
    )
    assert admin_client.post(url, data).status_code == 302

    contact = SiteContact.objects.get(email="pat.lee@example.org")
    event = events("sitecontact.created").get(object_id=contact.pk)
    assert event.actor == admin_user
    assert event.new_values["email"] == "pat.lee@example.org"
    assert event.new_values["site"] == "Lincoln Elementary"


def test_a_site_contacts_email_changed_in_the_admin_is_audited(
    admin_client, school_a, site_contact_a
):
    contact = SiteContact.objects.get(user=site_contact_a)
    url = f"/admin/mentoring/schoolsite/{school_a.pk}/change/"
    data = form_fields(admin_client.get(url))
    row = next(
        key for key, value in data.items() if key.endswith("-id") and value == str(contact.pk)
    )
    data[row.replace("-id", "-email")] = "dana.w@example.org"
    assert admin_client.post(url, data).status_code == 302

    event = events("sitecontact.changed").get(object_id=contact.pk)
    assert event.old_values == {"email": "contact-a@example.org"}
    assert event.new_values == {"email": "dana.w@example.org"}


# --- Mentors, mentees, matches --------------------------------------------------------------


def test_a_mentors_status_changed_in_the_admin_is_audited(admin_client, match_a):
    mentor = match_a.mentor
    change_in_admin(admin_client, f"/admin/mentoring/mentor/{mentor.pk}/change/", status="inactive")

    event = events("mentor.changed").get(object_id=mentor.pk)
    assert (event.old_values, event.new_values) == ({"status": "active"}, {"status": "inactive"})


def test_a_mentees_grade_changed_in_the_admin_is_audited(admin_client, match_a):
    mentee = match_a.mentee
    change_in_admin(admin_client, f"/admin/mentoring/mentee/{mentee.pk}/change/", grade="5")

    event = events("mentee.changed").get(object_id=mentee.pk)
    assert (event.old_values, event.new_values) == ({"grade": "4"}, {"grade": "5"})


def test_a_match_ended_in_the_admin_is_audited(admin_client, match_a):
    today = timezone.localdate().isoformat()
    change_in_admin(
        admin_client,
        f"/admin/mentoring/match/{match_a.pk}/change/",
        end_date=today,
        closure_reason="Family moved",
    )

    event = events("match.changed").get(object_id=match_a.pk)
    assert event.old_values == {"end_date": None, "closure_reason": ""}
    assert event.new_values == {"end_date": today, "closure_reason": "Family moved"}


def test_erasing_a_child_removes_their_name_from_the_matchs_admin_changes(
    admin_client, admin_user, match_a, school_b
):
    change_in_admin(
        admin_client, f"/admin/mentoring/match/{match_a.pk}/change/", closure_reason="Jane moved"
    )

    mentee_erase(mentee=match_a.mentee, user=admin_user, reason="The school asked on 3 March")

    stored = json.dumps(
        list(events("match.changed").values_list("old_values", "new_values", "note"))
    )
    assert "Jane" not in stored


# --- One-time-code devices ------------------------------------------------------------------


def test_removing_a_persons_code_device_in_the_admin_is_audited_without_its_secret(
    admin_client, admin_user, staff_user
):
    device = TOTPDevice.objects.create(
        user=staff_user, secret=pyotp.random_base32(), confirmed_at=timezone.now()
    )
    url = f"/admin/security/totpdevice/{device.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 302

    assert not TOTPDevice.objects.exists()
    event = events("totpdevice.deleted").get(object_id=device.pk)
    assert event.actor == admin_user
    assert event.old_values["user"] == str(staff_user)
    assert nothing_secret_in(event, device.secret)


def test_removing_code_devices_in_bulk_audits_each_one(admin_client, staff_user, admin_user):
    devices = [
        TOTPDevice.objects.create(user=user, secret=pyotp.random_base32())
        for user in (staff_user, admin_user)
    ]
    response = admin_client.post(
        "/admin/security/totpdevice/",
        {"action": "delete_selected", "_selected_action": [d.pk for d in devices], "post": "yes"},
    )
    assert response.status_code == 302

    assert set(events("totpdevice.deleted").values_list("object_id", flat=True)) == {
        d.pk for d in devices
    }
    for event in events("totpdevice.deleted"):
        assert nothing_secret_in(event, *(d.secret for d in devices))


def test_staff_cannot_remove_a_code_device(client, staff_user, admin_user):
    device = TOTPDevice.objects.create(user=admin_user, secret=pyotp.random_base32())
    client.force_login(staff_user)

    response = client.post(f"/admin/security/totpdevice/{device.pk}/delete/", {"post": "yes"})

    assert response.status_code in (302, 403)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not events("totpdevice.deleted").exists()


# --- None of these admins can lose the audit ------------------------------------------------


@pytest.mark.parametrize("model", [User, SchoolSite, Mentor, Mentee, Match, TOTPDevice])
def test_the_admin_of_each_record_of_people_and_matches_writes_the_audit_trail(model):
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, AuditedAdminMixin), f"{type(model_admin).__name__}"
    assert "audit_trail" in model_admin.readonly_fields


def test_site_contacts_are_edited_in_the_admin_only_on_their_audited_school():
    assert SiteContact not in admin.site._registry
    inline_models = [inline.model for inline in admin.site._registry[SchoolSite].inlines]
    assert SiteContact in inline_models
