"""People and matches: create, change, close with a reason, deactivate; program settings."""

from django.utils import timezone

from portal.accounts import people
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.mentoring.models import (
    Choice,
    ChoiceList,
    Match,
    Mentee,
    Mentor,
    ProgramSettings,
    SchoolSite,
)


def test_add_a_school_and_a_person_there(staff_client, db):
    response = staff_client.post("/staff/schools/new/", {"name": "Hayes High", "address": "9 Elm"})
    site = SchoolSite.objects.get(name="Hayes High")
    assert response["Location"] == f"/staff/schools/{site.pk}/"
    staff_client.post(
        f"/staff/schools/{site.pk}/people/new/",
        {
            "name": "Kim Park",
            "role": "Nurse",
            "email": "kim@example.org",
            "phone": "555",
            "position": 0,
        },
    )
    assert site.contacts.get().name == "Kim Park"
    assert AuditEvent.objects.filter(action="sitecontact.created").exists()


def test_add_and_change_a_mentor(staff_client, db):
    staff_client.post(
        "/staff/mentors/new/",
        {"full_name": "Pat Lee", "email": "Pat@Example.org", "phone": "", "status": "invited"},
    )
    user = User.objects.get(email="pat@example.org")
    assert user.is_mentor and not user.has_usable_password()
    staff_client.post(
        f"/staff/mentors/{user.mentor.pk}/edit/",
        {"full_name": "Pat Lee-Smith", "email": "pat@example.org", "phone": "", "status": "active"},
    )
    event = AuditEvent.objects.get(action="mentor.changed")
    assert event.old_values == {"full_name": "Pat Lee", "status": "invited"}


def test_a_mentor_email_already_used_is_refused(staff_client, mentor_a):
    response = staff_client.post(
        "/staff/mentors/new/",
        {"full_name": "X", "email": "mentor-a@example.org", "status": "invited"},
    )
    assert people.ENROLLED in response.content.decode()


def test_an_email_taken_between_the_check_and_the_save_is_a_message_not_an_error(
    staff_client, mentor_a, monkeypatch
):
    """Two people adding the same mentor at once: the second one's form passed its check
    before the first one's account existed."""
    monkeypatch.setattr(people, "email_in_use", lambda *args, **kwargs: "")
    response = staff_client.post(
        "/staff/mentors/new/",
        {"full_name": "X", "email": "mentor-a@example.org", "status": "invited"},
    )
    assert response.status_code == 200
    assert "Add a mentor" in response.content.decode()
    assert people.ENROLLED in response.content.decode()
    assert Mentor.objects.filter(user__email="mentor-a@example.org").count() == 1


def test_deactivate_a_mentor(staff_client, mentor_a):
    response = staff_client.post(f"/staff/mentors/{mentor_a.mentor.pk}/", {"reason": "Moved"})
    assert response.status_code == 302
    mentor_a.refresh_from_db()
    assert mentor_a.mentor.status == "inactive" and not mentor_a.is_active
    assert AuditEvent.objects.get(action="mentor.deactivated").note == "Moved"


def test_mentees_keep_only_a_first_name_and_an_initial(staff_client, school_a):
    staff_client.post(
        "/staff/mentees/new/",
        {
            "first_name": "Zoe",
            "last_initial": "q",
            "site": school_a.pk,
            "grade": "3",
            "status": "active",
        },
    )
    mentee = Mentee.objects.get(first_name="Zoe")
    assert mentee.display_name == "Zoe Q."
    response = staff_client.post(
        "/staff/mentees/new/",
        {
            "first_name": "Amy",
            "last_initial": "Smith",
            "site": school_a.pk,
            "grade": "3",
            "status": "active",
        },
    )
    assert "Enter one letter." in response.content.decode()


def test_create_a_match_at_the_mentees_school(staff_client, match_a, school_b):
    mentee = Mentee.objects.create(first_name="Zoe", last_initial="Q", site=school_b, grade="3")
    data = {
        "mentor": match_a.mentor.pk,
        "mentee": mentee.pk,
        "site": match_a.site.pk,
        "start_date": "2026-09-01",
    }
    response = staff_client.post("/staff/matches/new/", data)
    assert "Zoe Q. is at Roosevelt Middle." in response.content.decode()
    data["site"] = school_b.pk
    response = staff_client.post("/staff/matches/new/", data)
    assert Match.objects.filter(mentee=mentee).count() == 1


def test_close_a_match_with_a_reason(staff_client, match_a):
    response = staff_client.post(
        f"/staff/matches/{match_a.pk}/close/", {"end_date": "", "closure_choice": ""}
    )
    text = response.content.decode()
    assert "Enter the last day of the match." in text and "Choose why the match is closing." in text
    today = timezone.localdate(timezone.now(), ProgramSettings.load().tz).isoformat()
    reason = Choice.objects.get(list=ChoiceList.CLOSURE_REASON, label="Family request")
    staff_client.post(
        f"/staff/matches/{match_a.pk}/close/",
        {
            "end_date": today,
            "closed_by_whom": "family",
            "closure_choice": reason.pk,
            "talk_with_mentor": "yes",
            "talk_with_family": "no",
            "notes": "Family moved",
        },
    )
    match_a.refresh_from_db()
    assert (match_a.status, match_a.closure_reason) == ("closed", "Family moved")
    assert match_a.closure_choice == reason
    event = AuditEvent.objects.get(action="match.closed")
    assert event.old_values["status"] == "active" and event.new_values["status"] == "closed"


def test_lists_search(staff_client, match_a, match_b):
    response = staff_client.get("/staff/matches/?q=Jane")
    assert [m.pk for m in response.context["page"].object_list] == [match_a.pk]
    response = staff_client.get("/staff/mentors/?q=mentor-b")
    assert [m.pk for m in response.context["page"].object_list] == [match_b.mentor.pk]


def test_settings_changes_are_audited_with_old_and_new_values(admin_client, program):
    form = admin_client.get("/staff/settings/").context["form"]
    data = {
        f"settings-{name}": "" if form[name].value() is None else form[name].value()
        for name in form.fields
    }
    data.update({"settings-max_hours": "6.00", "settings-deadline_rule": "day_of_month"})
    data["settings-reminder_hour"] = "9" if form["reminder_hour"].value() != 9 else "10"
    response = admin_client.post("/staff/settings/", data)
    assert response.status_code == 302
    program = ProgramSettings.load()
    assert (program.max_hours, program.deadline_rule) == (6, "day_of_month")
    event = AuditEvent.objects.get(action="programsettings.changed")
    assert event.old_values["max_hours"] == "8.00" and event.new_values["max_hours"] == "6.00"
    # A setting added to the model after this page was written is saved and audited too.
    assert program.reminder_hour == int(data["settings-reminder_hour"])
    assert "reminder_hour" in event.new_values


def test_add_and_retire_choices(admin_client, program):
    admin_client.post(
        "/staff/settings/choices/", {"choice-list": ChoiceList.INTERACTION, "choice-label": "Text"}
    )
    text = Choice.objects.get(label="Text")
    admin_client.post(f"/staff/settings/choices/{text.pk}/", {"action": "retire"})
    text.refresh_from_db()
    assert text.is_retired
    default = Choice.objects.get(list=ChoiceList.INTERACTION, is_default=True)
    response = admin_client.post(
        f"/staff/settings/choices/{default.pk}/", {"action": "retire"}, follow=True
    )
    assert "Make another choice the default" in response.content.decode()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"choice.created", "choice.retired"} <= actions


def test_staff_cannot_change_program_settings(staff_client, program):
    assert staff_client.get("/staff/settings/").status_code == 403
    assert staff_client.post("/staff/settings/choices/", {}).status_code == 403
