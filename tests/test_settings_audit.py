"""Changes to program settings and lists are written to the audit trail and shown."""

from portal.audit.models import AuditEvent
from portal.mentoring.models import Choice, ProgramSettings


def _settings_form(program, **changes):
    data = {
        "name": program.name,
        "time_zone": program.time_zone,
        "activity_mode": program.activity_mode,
        "max_hours": str(program.max_hours),
        "deadline_rule": program.deadline_rule,
        "deadline_weekday": program.deadline_weekday,
        "deadline_day": program.deadline_day,
        "late_policy": program.late_policy,
        "concern_acknowledge_hours": program.concern_acknowledge_hours,
        "contact_email": program.contact_email,
        "contact_phone": program.contact_phone,
        "help_video_links": program.help_video_links,
        "mentor_agreement": program.mentor_agreement,
        "prompt_words": program.prompt_words,
        "deadline_reminder_days_before": program.deadline_reminder_days_before,
        "reminder_hour": program.reminder_hour,
        "weekly_reminder_weekday": program.weekly_reminder_weekday,
        "invitation_valid_days": program.invitation_valid_days,
        "session_notes_retention_years": "",
    }
    data.update(changes)
    return data


def test_an_administrator_changing_settings_leaves_old_and_new_values(client, admin_user, program):
    client.force_login(admin_user)
    url = f"/admin/mentoring/programsettings/{program.pk}/change/"
    response = client.post(url, _settings_form(program, max_hours="6.00"))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="programsettings.changed")
    assert event.actor == admin_user
    assert event.old_values == {"max_hours": "8.00"}
    assert event.new_values == {"max_hours": "6.00"}
    page = client.get(url).content.decode()
    assert "programsettings.changed" in page
    assert "max_hours: 8.00 → 6.00" in page


def test_staff_cannot_open_the_program_settings(client, staff_user, program):
    client.force_login(staff_user)
    response = client.get(f"/admin/mentoring/programsettings/{program.pk}/change/")
    assert response.status_code in (302, 403)
    assert ProgramSettings.load().max_hours == program.max_hours


def test_staff_retiring_a_choice_is_audited(client, staff_user, choices):
    client.force_login(staff_user)
    group = choices["group"]
    response = client.post(
        f"/admin/mentoring/choice/{group.pk}/change/",
        {
            "list": group.list,
            "label": group.label,
            "is_default": "",
            "is_retired": "on",
            "position": group.position,
        },
    )
    assert response.status_code == 302
    assert Choice.objects.get(pk=group.pk).is_retired
    event = AuditEvent.objects.get(action="choice.changed")
    assert event.old_values == {"is_retired": False}
    assert event.new_values == {"is_retired": True}
