"""Volunteer readiness (SPEC 8, issue 15): staff record items and a mentor becomes ready;
the program's warn or refuse setting on new matches and in the nightly check; expiry
reminders sent once; training logged by mentors; agreement versions accepted at sign-in;
each mentor sees only their own readiness and training."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.mentoring.models import Match, Mentee, ProgramSettings
from portal.notifications.models import Notification
from portal.readiness import agreements, selectors, services
from portal.readiness import matches as readiness_matches
from portal.readiness.models import (
    AgreementAcceptance,
    AgreementVersion,
    MatchReadinessFlag,
    NotReadyPolicy,
    ReadinessItem,
    ReadinessRecord,
    ReadinessSettings,
    TrainingLog,
    WhoRecords,
)
from portal.readiness.rules import Status
from tests.conftest import session_form, signed_in


def today(program=None) -> dt.date:
    return timezone.localdate(timezone.now(), (program or ProgramSettings.load()).tz)


@pytest.fixture
def background(db) -> ReadinessItem:
    return ReadinessItem.objects.create(name="Background check", required=True, valid_months=24)


@pytest.fixture
def orientation(db) -> ReadinessItem:
    return ReadinessItem.objects.create(
        name="Orientation training",
        required=True,
        valid_months=None,
        who_records=WhoRecords.TRAINING,
        position=2,
    )


def policy(value: str) -> None:
    ReadinessSettings.objects.update_or_create(pk=1, defaults={"not_ready_matches": value})


def new_match_form(mentor, mentee, staff_user) -> dict:
    return {
        "mentor": mentor.pk,
        "mentee": mentee.pk,
        "site": mentee.site_id,
        "start_date": today().isoformat(),
        "coordinator": staff_user.pk,
    }


@pytest.fixture
def second_mentee(school_a) -> Mentee:
    return Mentee.objects.create(first_name="Lena", last_initial="R", site=school_a, grade="3")


# --- Recording an item, and being ready -------------------------------------------------


def test_staff_record_a_background_check_and_the_mentor_becomes_ready(
    staff_client, mentor_a, background
):
    mentor = mentor_a.mentor
    assert not selectors.readiness_for_mentor(mentor).ready
    response = staff_client.post(
        reverse("readiness:record", args=[mentor.pk]),
        {"item": background.pk, "done_on": today().isoformat(), "note": "File 2026-114"},
    )
    assert response.status_code == 302
    readiness = selectors.readiness_for_mentor(mentor)
    assert readiness.ready
    [state] = readiness.states
    assert state.status == Status.CURRENT
    assert state.recorded_by.email == "staff@example.org"
    assert state.valid_until == today().replace(year=today().year + 2) or state.valid_until
    event = AuditEvent.objects.get(action="readiness.recorded")
    assert event.new_values["note"] == "File 2026-114"


def test_the_same_item_recorded_twice_the_same_day_is_one_record(staff_user, mentor_a, background):
    for _ in range(2):
        services.record_add(
            mentor=mentor_a.mentor, item=background, done_on=today(), user=staff_user
        )
    assert ReadinessRecord.objects.count() == 1


def test_a_record_refuses_a_future_day_and_control_characters(staff_client, mentor_a, background):
    url = reverse("readiness:record", args=[mentor_a.mentor.pk])
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    response = staff_client.post(url, {"item": background.pk, "done_on": tomorrow})
    assert "cannot be in the future" in response.content.decode()
    response = staff_client.post(
        url, {"item": background.pk, "done_on": today().isoformat(), "note": "x" * 251}
    )
    assert "at most 250 characters" in response.content.decode()
    response = staff_client.post(
        url, {"item": background.pk, "done_on": today().isoformat(), "note": "ok\x00\x1bok"}
    )
    assert response.status_code == 302
    assert ReadinessRecord.objects.get().note == "okok"


def test_an_expired_item_makes_the_mentor_not_ready(staff_user, mentor_a, background):
    long_ago = today() - dt.timedelta(days=800)
    services.record_add(mentor=mentor_a.mentor, item=background, done_on=long_ago, user=staff_user)
    readiness = selectors.readiness_for_mentor(mentor_a.mentor)
    assert not readiness.ready
    assert readiness.states[0].status == Status.EXPIRED
    assert "Background check expired on" in readiness.sentence


def test_an_optional_or_retired_item_does_not_stop_readiness(mentor_a, background):
    ReadinessItem.objects.create(name="Reference", required=False)
    background.is_retired = True
    background.save()
    assert selectors.readiness_for_mentor(mentor_a.mentor).ready


def test_readiness_for_a_mentor_takes_the_same_queries_however_many_records(
    staff_user, mentor_a, background, orientation
):
    mentor = mentor_a.mentor
    day = today()
    with CaptureQueriesContext(connection) as few:
        selectors.readiness_for_mentor(mentor, today=day)
    for days in range(5):
        for item in (background, orientation):
            services.record_add(
                mentor=mentor,
                item=item,
                done_on=today() - dt.timedelta(days=days * 40),
                user=staff_user,
            )
    for n in range(3):
        ReadinessItem.objects.create(name=f"Item {n}")
    with CaptureQueriesContext(connection) as many:
        readiness = selectors.readiness_for_mentor(mentor, today=day)
    assert len(many) == len(few) == 2
    assert readiness.states[0].done_on == today()


def test_the_staff_mentor_page_block_shows_each_item(staff_user, mentor_a, background):
    from django.template.loader import render_to_string

    services.record_add(mentor=mentor_a.mentor, item=background, done_on=today(), user=staff_user)
    ReadinessItem.objects.create(name="Reference", position=5)
    html = render_to_string(
        "staff/_mentor_readiness.html",
        {"readiness": selectors.readiness_for_mentor(mentor_a.mentor)},
    )
    assert "Background check" in html and "Current" in html and "Robin Ellis" in html
    assert "Reference" in html and "Missing" in html and "Not ready" in html
    assert reverse("readiness:record", args=[mentor_a.mentor.pk]) in html


def test_staff_remove_a_record_entered_by_mistake_with_the_reason_audited(
    staff_client, staff_user, mentor_a, background
):
    record = services.record_add(
        mentor=mentor_a.mentor, item=background, done_on=today(), user=staff_user
    )
    url = reverse("readiness:record_remove", args=[record.pk])
    staff_client.post(url, {"reason": ""})
    assert ReadinessRecord.objects.exists()
    response = staff_client.post(url, {"reason": "Entered for the wrong mentor"})
    assert response.status_code == 302
    assert not ReadinessRecord.objects.exists()
    event = AuditEvent.objects.get(action="readiness.record_removed")
    assert (
        event.note == "Entered for the wrong mentor" and event.old_values["item"] == background.pk
    )
    assert signed_in(mentor_a).post(url, {"reason": "x"}).status_code == 403


# --- Warn or refuse: a new match --------------------------------------------------------


def test_warn_a_match_for_a_mentor_who_is_not_ready_is_saved_with_a_warning(
    staff_client, staff_user, mentor_a, background, second_mentee
):
    policy(NotReadyPolicy.WARN)
    response = staff_client.post(
        reverse("staff:match_create"), new_match_form(mentor_a.mentor, second_mentee, staff_user),
        follow=True,
    )  # fmt: skip
    assert Match.objects.filter(mentee=second_mentee).exists()
    page = response.content.decode()
    assert "is not ready. Missing: Background check." in page


def test_block_a_match_for_a_mentor_who_is_not_ready_is_refused_with_the_reason(
    staff_client, staff_user, mentor_a, background, second_mentee
):
    policy(NotReadyPolicy.BLOCK)
    response = staff_client.post(
        reverse("staff:match_create"), new_match_form(mentor_a.mentor, second_mentee, staff_user)
    )
    assert response.status_code == 200
    assert not Match.objects.filter(mentee=second_mentee).exists()
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Missing: Background check" in page
    assert "does not match mentors who are not ready" in page


def test_block_a_ready_mentor_is_matched(
    staff_client, staff_user, mentor_a, background, second_mentee
):
    policy(NotReadyPolicy.BLOCK)
    services.record_add(mentor=mentor_a.mentor, item=background, done_on=today(), user=staff_user)
    response = staff_client.post(
        reverse("staff:match_create"), new_match_form(mentor_a.mentor, second_mentee, staff_user),
        follow=True,
    )  # fmt: skip
    assert Match.objects.filter(mentee=second_mentee).exists()
    assert "not ready" not in response.content.decode()


def test_block_changing_another_field_of_an_existing_match_is_not_refused(
    staff_client, match_a, background
):
    policy(NotReadyPolicy.BLOCK)
    response = staff_client.post(
        reverse("staff:match_edit", args=[match_a.pk]),
        {
            "mentor": match_a.mentor_id,
            "mentee": match_a.mentee_id,
            "site": match_a.site_id,
            "start_date": match_a.start_date.isoformat(),
        },
    )
    assert response.status_code == 302


def test_block_reopening_a_closed_match_of_a_mentor_who_is_not_ready_is_refused(
    admin_client, match_a, background
):
    policy(NotReadyPolicy.BLOCK)
    Match.objects.filter(pk=match_a.pk).update(status="closed", end_date=today())
    response = admin_client.post(reverse("staff:match_reopen", args=[match_a.pk]), follow=True)
    assert "Missing: Background check" in response.content.decode()
    match_a.refresh_from_db()
    assert match_a.status == "closed"
    policy(NotReadyPolicy.WARN)
    response = admin_client.post(reverse("staff:match_reopen", args=[match_a.pk]), follow=True)
    match_a.refresh_from_db()
    assert match_a.status == "active"
    assert "Missing: Background check" in response.content.decode()


# --- Warn or refuse: the nightly check --------------------------------------------------


@pytest.fixture
def coordinated(match_a, staff_user):
    Match.objects.filter(pk=match_a.pk).update(coordinator=staff_user)
    match_a.refresh_from_db()
    return match_a


def test_warn_the_nightly_check_flags_the_match_and_tells_its_coordinator_once(
    coordinated, background, client
):
    policy(NotReadyPolicy.WARN)
    assert services.readiness_check() == 1
    assert services.readiness_check() == 0
    flag = MatchReadinessFlag.objects.get(match=coordinated)
    assert not flag.holds
    assert "Missing: Background check" in flag.reasons
    emails = Notification.objects.filter(template="readiness-match-flagged")
    assert emails.count() == 1 and emails.get().to == "staff@example.org"
    assert "Jane D." not in str(emails.get().context)  # the child is never in the email
    # Warned only: the mentor still logs sessions.
    mentor = signed_in(coordinated.mentor.user)
    response = mentor.get(reverse("mentoring:session_create"))
    assert response.status_code == 200 and "Logging is on hold" not in response.content.decode()


def test_block_the_nightly_check_holds_the_match_until_the_mentor_is_ready(
    coordinated, background, staff_user
):
    policy(NotReadyPolicy.BLOCK)
    services.readiness_check()
    assert MatchReadinessFlag.objects.get(match=coordinated).holds
    mentor = signed_in(coordinated.mentor.user)
    response = mentor.get(reverse("mentoring:session_create"))
    page = response.content.decode()
    assert "Logging is on hold" in page and "no record yet of your background check" in page
    response = mentor.post(reverse("mentoring:session_create"), session_form(coordinated))
    assert "Logging is on hold" in response.content.decode()
    # Recording the check lifts the hold at once (the nightly check would too).
    services.record_add(
        mentor=coordinated.mentor, item=background, done_on=today(), user=staff_user
    )
    assert not MatchReadinessFlag.objects.exists()
    assert mentor.get(reverse("mentoring:session_create")).status_code == 200
    assert services.readiness_check() == 0


def test_the_nightly_check_lifts_a_flag_once_the_match_closes(coordinated, background):
    services.readiness_check()
    Match.objects.filter(pk=coordinated.pk).update(status="closed", end_date=today())
    assert services.readiness_check() == 1
    assert not MatchReadinessFlag.objects.exists()
    assert AuditEvent.objects.filter(action="readiness.flag_lifted").count() == 1


def test_the_dashboard_lists_mentors_with_an_expired_item_and_their_matches(
    staff_client, coordinated, staff_user, background, orientation
):
    services.record_add(
        mentor=coordinated.mentor,
        item=background,
        done_on=today() - dt.timedelta(days=900),
        user=staff_user,
    )
    page = staff_client.get(reverse("staff:dashboard")).content.decode()
    assert "Active matches whose mentor is not ready: 1" in page
    assert reverse("staff:match_detail", args=[coordinated.pk]) in page
    assert "Expiring in the next 30 days: 0" in page


def test_the_dashboard_lists_items_expiring_in_30_days(
    staff_client, coordinated, staff_user, background
):
    services.record_add(
        mentor=coordinated.mentor,
        item=background,
        done_on=today().replace(year=today().year - 2) + dt.timedelta(days=10),
        user=staff_user,
    )
    page = staff_client.get(reverse("staff:dashboard")).content.decode()
    assert "Expiring in the next 30 days: 1" in page
    assert "Active matches whose mentor is not ready: 0" in page


def test_the_dashboard_reads_the_same_queries_for_more_mentors(
    staff_user, school_a, background, orientation
):
    from tests.conftest import make_match

    day = today()

    def mentors_with_expired_checks(first: int, count: int) -> None:
        for n in range(first, first + count):
            match = make_match(
                f"m{n}@example.org", school_a, f"Kid{n}", day - dt.timedelta(days=400)
            )
            services.record_add(
                mentor=match.mentor, item=background, done_on=day - dt.timedelta(days=800),
                user=staff_user,
            )  # fmt: skip

    mentors_with_expired_checks(0, 2)
    with CaptureQueriesContext(connection) as few:
        assert readiness_matches.dashboard_readiness(today=day).not_ready_count == 2
    mentors_with_expired_checks(2, 6)
    with CaptureQueriesContext(connection) as many:
        assert readiness_matches.dashboard_readiness(today=day).not_ready_count == 8
    assert len(many) == len(few)


# --- Expiry reminders -------------------------------------------------------------------


def test_expiry_reminders_run_twice_send_nothing_twice(mentor_a, staff_user, background):
    soon = today().replace(year=today().year - 2) + dt.timedelta(days=10)
    later = today() - dt.timedelta(days=10)
    services.record_add(mentor=mentor_a.mentor, item=background, done_on=soon, user=staff_user)
    assert services.expiry_reminders_send() == 1
    assert services.expiry_reminders_send() == 0
    [email] = Notification.objects.filter(template="reminder-readiness-expiring")
    assert email.to == mentor_a.email and email.context["item"] == "background check"
    # A renewed check is not expiring: nothing more.
    services.record_add(mentor=mentor_a.mentor, item=background, done_on=later, user=staff_user)
    assert services.expiry_reminders_send() == 0


def test_no_reminder_for_an_item_far_from_expiry_or_without_expiry(
    mentor_a, staff_user, background, orientation
):
    services.record_add(mentor=mentor_a.mentor, item=background, done_on=today(), user=staff_user)
    services.record_add(
        mentor=mentor_a.mentor, item=orientation, done_on=today() - dt.timedelta(days=3000),
        user=staff_user,
    )  # fmt: skip
    assert services.expiry_reminders_send() == 0


# --- Training -------------------------------------------------------------------------


def test_a_mentor_logs_a_training_that_completes_a_requirement(client_a, mentor_a, orientation):
    response = client_a.post(
        reverse("readiness:mine"),
        {
            "on_date": today().isoformat(),
            "hours": "1.75",
            "topic": "New mentor orientation",
            "item": orientation.pk,
        },
    )
    assert response.status_code == 302
    training = TrainingLog.objects.get()
    assert training.quarter_hours == 7 and training.mentor == mentor_a.mentor
    record = ReadinessRecord.objects.get()
    assert record.item == orientation and record.source == "training"
    assert selectors.readiness_for_mentor(mentor_a.mentor).ready


def test_training_hours_are_quarter_hours_from_the_list(client_a):
    for hours in ("0.30", "0.00", "-1", "abc", "1e9", "12.25"):
        response = client_a.post(
            reverse("readiness:mine"),
            {"on_date": today().isoformat(), "hours": hours, "topic": "Safety"},
        )
        assert response.status_code == 200
        assert "Choose the hours from the list" in response.content.decode()
    assert not TrainingLog.objects.exists()


def test_a_mentor_cannot_complete_an_item_only_staff_record(client_a, background):
    response = client_a.post(
        reverse("readiness:mine"),
        {"on_date": today().isoformat(), "hours": "1.00", "topic": "x", "item": background.pk},
    )
    # The form offers no such item: the training is kept, no item is recorded.
    assert response.status_code == 302
    assert TrainingLog.objects.exists() and not ReadinessRecord.objects.exists()


def test_a_mentor_sees_only_their_own_readiness_and_training(
    mentor_a, mentor_b, staff_user, background
):
    services.record_add(
        mentor=mentor_a.mentor, item=background, done_on=today(), user=staff_user,
        note="File A-secret",
    )  # fmt: skip
    services.training_log(
        mentor=mentor_a.mentor, user=mentor_a, on_date=today(), quarter_hours=4,
        topic="Trauma-informed care A",
    )  # fmt: skip
    own = signed_in(mentor_a).get(reverse("readiness:mine")).content.decode()
    assert "Trauma-informed care A" in own and "Ready" in own
    assert "File A-secret" not in own  # staff's note stays with staff
    other = signed_in(mentor_b).get(reverse("readiness:mine")).content.decode()
    assert "Trauma-informed care A" not in other and "Not ready yet" in other
    # No page of a mentor takes another mentor's number.
    assert (
        signed_in(mentor_b).get(reverse("readiness:record", args=[mentor_a.mentor.pk])).status_code
        == 403
    )
    assert signed_in(mentor_b).get(reverse("readiness:training_list")).status_code == 403


def test_site_contacts_and_visitors_see_no_readiness(client, site_contact_a, mentor_a):
    for name in ("readiness:mine", "readiness:list", "readiness:training_list"):
        assert signed_in(site_contact_a).get(reverse(name)).status_code == 403
        assert client.get(reverse(name)).status_code == 302


def test_staff_see_every_training(staff_client, mentor_a, mentor_b):
    for user, topic in ((mentor_a, "CPR"), (mentor_b, "Boundaries")):
        services.training_log(
            mentor=user.mentor, user=user, on_date=today(), quarter_hours=2, topic=topic
        )
    page = staff_client.get(reverse("readiness:training_list")).content.decode()
    assert "CPR" in page and "Boundaries" in page


# --- The program's requirements --------------------------------------------------------


def test_an_administrator_adds_a_requirement_and_sets_the_policy(admin_client):
    response = admin_client.post(
        reverse("readiness:item_create"),
        {"name": "Child safety training", "required": "yes", "valid_months": "12",
         "who_records": "training"},
    )  # fmt: skip
    assert response.status_code == 302
    item = ReadinessItem.objects.get()
    assert item.valid_months == 12 and item.who_records == "training"
    response = admin_client.post(reverse("readiness:requirements"), {"not_ready_matches": "block"})
    assert ReadinessSettings.load().blocks
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"readiness.item_created", "readiness.settings_changed"} <= actions
    # The same name twice is refused.
    response = admin_client.post(
        reverse("readiness:item_create"),
        {"name": "child safety  training", "required": "no", "who_records": "staff"},
    )
    assert "already a requirement" in response.content.decode()


def test_staff_who_are_not_administrators_cannot_change_requirements(staff_client):
    assert staff_client.get(reverse("readiness:requirements")).status_code == 403


# --- Agreement versions ---------------------------------------------------------------


def change_agreement(admin_client, text: str):
    from portal.staff.forms import ProgramSettingsForm

    program = ProgramSettings.objects.get(pk=1)
    form = ProgramSettingsForm(instance=program, prefix="settings")
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[f"settings-{name}"] = "" if value is None else value
    data["settings-mentor_agreement"] = text
    response = admin_client.post(reverse("staff:program_settings"), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_changed_agreement_is_accepted_at_the_next_sign_in(admin_client, mentor_a):
    mentor = signed_in(mentor_a)
    assert mentor.get(reverse("mentoring:home")).status_code == 200
    change_agreement(admin_client, "Version two: I will also complete yearly training.")
    version = AgreementVersion.objects.get()
    assert version.number == 1 and "yearly training" in version.text
    response = mentor.get(reverse("mentoring:home"))
    assert response.status_code == 302 and reverse("readiness:agreement") in response["Location"]
    response = mentor.get(reverse("mentoring:session_create"))
    assert reverse("readiness:agreement") in response["Location"]
    page = mentor.get(response["Location"]).content.decode()
    assert "yearly training" in page
    response = mentor.post(reverse("readiness:agreement"), {"version": "1"})
    assert "Tick the box to accept the mentor agreement." in response.content.decode()
    response = mentor.post(
        reverse("readiness:agreement"),
        {"version": "1", "agree": "on", "next": reverse("mentoring:session_create")},
    )
    assert response["Location"] == reverse("mentoring:session_create")
    acceptance = AgreementAcceptance.objects.get()
    assert acceptance.version == version and acceptance.mentor == mentor_a.mentor
    mentor_a.mentor.refresh_from_db()
    assert mentor_a.mentor.agreement_version == version.fingerprint
    assert mentor.get(reverse("mentoring:home")).status_code == 200
    # A second change asks again.
    change_agreement(admin_client, "Version three.")
    assert mentor.get(reverse("mentoring:home")).status_code == 302
    assert AgreementVersion.objects.count() == 2


def test_the_agreement_page_sends_nowhere_outside_the_portal(admin_client, mentor_a):
    change_agreement(admin_client, "New text")
    response = signed_in(mentor_a).post(
        reverse("readiness:agreement"),
        {"version": "1", "agree": "on", "next": "https://evil.example.com/"},
    )
    assert response["Location"] == reverse("mentoring:home")


def test_an_agreement_accepted_at_enrollment_counts_for_its_version(mentor_a, admin_user):
    program = ProgramSettings.objects.get(pk=1)
    program.mentor_agreement = "Current text"
    program.save()
    version = agreements.agreement_version_record(user=admin_user)
    mentor = mentor_a.mentor
    mentor.agreement_version = program.agreement_version
    mentor.save()
    assert selectors.agreement_to_accept(mentor) is None
    agreements.agreement_accepted_at_enrollment(mentor=mentor, now=timezone.now())
    assert AgreementAcceptance.objects.get().version == version


# --- Import and export ----------------------------------------------------------------


def test_readiness_records_import_with_the_same_preview_and_skip_repeats(
    staff_client, mentor_a, background
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    day = today().isoformat()
    text = (
        "mentor_email,item,done_on,note\n"
        f"mentor-a@example.org,background CHECK,{day},Clearance 77\n"
        f"mentor-a@example.org,Background check,{day},again\n"
        f"nobody@example.org,Background check,{day},\n"
        f"mentor-a@example.org,Fingerprints,{day},\n"
        "mentor-a@example.org,Background check,2999-01-01,\n"
    )
    upload = reverse("staff:import_upload", args=["readiness"])

    def send(body: str):
        return staff_client.post(
            upload, {"file": SimpleUploadedFile("r.csv", body.encode(), "text/csv")}
        )

    page = send(text).content.decode()
    assert "No mentor signs in with this email" in page
    assert "No requirement is called this" in page
    assert "cannot be in the future" in page
    assert not ReadinessRecord.objects.exists()
    good = "\n".join(text.splitlines()[:3]) + "\n"
    page = send(good).content.decode()
    assert "Same as row 2" in page
    response = staff_client.post(reverse("staff:import_save", args=["readiness"]))
    assert response.status_code == 302
    record = ReadinessRecord.objects.get()
    assert record.source == "import" and record.note == "Clearance 77"
    assert AuditEvent.objects.filter(action="import.readiness").exists()
    # The same file again adds nothing.
    send(good)
    staff_client.post(reverse("staff:import_save", args=["readiness"]))
    assert ReadinessRecord.objects.count() == 1


def test_staff_export_training_hours_audited(staff_client, mentor_a):
    services.training_log(
        mentor=mentor_a.mentor, user=mentor_a, on_date=today(), quarter_hours=5, topic="CPR"
    )
    response = staff_client.get(
        reverse("staff:export"), {"report": "training", "file_format": "csv"}
    )
    body = b"".join(response.streaming_content).decode()
    assert "CPR" in body and "1.25" in body and "mentor-a@example.org" in body
    event = AuditEvent.objects.get(action="export.deidentified")
    assert event.new_values["report"] == "training"
