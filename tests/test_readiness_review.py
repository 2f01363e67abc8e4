"""Volunteer readiness as coordinators, administrators and mentors use it (issue 15, after
review): the requirements page shows the agreement's versions; an agreement cannot become
empty; the dashboard and the match page show every match whose mentor is not ready;
a mentor whose match is on hold is told on their home page; a training saved once."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.mentoring.models import Match, ProgramSettings
from portal.readiness import agreements, services
from portal.readiness.models import AgreementVersion, NotReadyPolicy, ReadinessItem, WhoRecords
from tests.page import read_page
from tests.test_admin_audit import form_fields
from tests.test_readiness import change_agreement, policy, today


@pytest.fixture
def background(db) -> ReadinessItem:
    return ReadinessItem.objects.create(name="Background check", required=True, valid_months=24)


@pytest.fixture
def orientation(db) -> ReadinessItem:
    return ReadinessItem.objects.create(
        name="Orientation training",
        required=True,
        who_records=WhoRecords.TRAINING,
        position=2,
    )


@pytest.fixture
def coordinated(match_a, staff_user):
    Match.objects.filter(pk=match_a.pk).update(coordinator=staff_user)
    match_a.refresh_from_db()
    return match_a


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
        agreements.agreement_version_record(user=admin_user)
    assert not AgreementVersion.objects.exists()


def test_the_mentor_reads_exactly_the_stored_version(admin_client, mentor_a):
    from tests.conftest import signed_in

    change_agreement(admin_client, "Only these words.")
    # A version stored without text (before empty texts were refused) shows no other words.
    AgreementVersion.objects.update(text="")
    page = signed_in(mentor_a).get(reverse("readiness:agreement")).content.decode()
    assert "I will meet my mentee as agreed" not in page
    assert "saved without any text" in page


# --- 3. The dashboard shows every active match whose mentor is not ready --------------------


def test_the_dashboard_shows_a_match_whose_mentor_lacks_a_required_item(
    staff_client, coordinated, background
):
    page = read_page(staff_client.get(reverse("staff:dashboard"))).text
    assert "Active matches whose mentor is not ready: 1" in page
    assert coordinated.mentor.user.full_name in page
    assert "Match with Jane D." in page
    assert "Missing: Background check." in page
    assert "Logging goes on (the program only warns)" in page
    policy(NotReadyPolicy.BLOCK)
    page = read_page(staff_client.get(reverse("staff:dashboard"))).text
    assert "Logging goes on hold at the next nightly check" in page


def test_the_dashboard_says_which_matches_are_on_hold(
    staff_client, coordinated, background, staff_user
):
    policy(NotReadyPolicy.BLOCK)
    services.readiness_check()
    page = read_page(staff_client.get(reverse("staff:dashboard"))).text
    assert "Active matches whose mentor is not ready: 1" in page
    assert "Logging on hold" in page
    # Ready again: the match leaves the list.
    services.record_add(
        mentor=coordinated.mentor, item=background, done_on=today(), user=staff_user
    )
    page = read_page(staff_client.get(reverse("staff:dashboard"))).text
    assert "Active matches whose mentor is not ready: 0" in page
    assert "Every mentor with an active match is ready." in page


def test_the_dashboard_reads_the_same_queries_for_more_mentors_missing_or_expired(
    staff_user, school_a, background, orientation
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.readiness import matches as selectors
    from tests.conftest import make_match

    day = today()
    policy(NotReadyPolicy.BLOCK)

    def more(first: int, count: int) -> None:
        for n in range(first, first + count):
            match = make_match(f"m{n}@example.org", school_a, f"Kid{n}", day - dt.timedelta(400))
            if n % 2:  # an expired check; the others have nothing recorded
                services.record_add(
                    mentor=match.mentor, item=background, done_on=day - dt.timedelta(800),
                    user=staff_user,
                )  # fmt: skip
        services.readiness_check()

    more(0, 3)
    with CaptureQueriesContext(connection) as few:
        found = selectors.dashboard_readiness(today=day)
    assert found.not_ready_count == 3 and all(row.on_hold for row in found.not_ready)
    more(3, 12)
    with CaptureQueriesContext(connection) as many:
        found = selectors.dashboard_readiness(today=day)
    assert found.not_ready_count == 15 and len(found.not_ready) == selectors.DASHBOARD_ROWS
    assert len(many) == len(few)


# --- 4. The staff match page and list say when a match is on hold ---------------------------


def test_the_match_page_says_logging_is_on_hold_with_the_reason_and_the_way_to_record(
    staff_client, coordinated, background
):
    policy(NotReadyPolicy.BLOCK)
    services.readiness_check()
    response = staff_client.get(reverse("staff:match_detail", args=[coordinated.pk]))
    page = read_page(response)
    assert "Logging is on hold: Missing: Background check." in page.text
    record = reverse("readiness:record", args=[coordinated.mentor.pk])
    assert f"{record}?item={background.pk}" in page.hrefs()
    # The record page opens with that item chosen.
    form = read_page(staff_client.get(f"{record}?item={background.pk}"))
    assert form.selected_values("item") == [str(background.pk)]
    # The match list shows a badge.
    listing = read_page(staff_client.get(reverse("staff:match_list") + "?coordinator=all"))
    assert "On hold" in listing.text


def test_the_match_page_warns_when_the_mentor_is_not_ready_under_the_warn_setting(
    staff_client, coordinated, background
):
    policy(NotReadyPolicy.WARN)
    page = read_page(staff_client.get(reverse("staff:match_detail", args=[coordinated.pk])))
    assert "Mentor not ready: Missing: Background check." in page.text
    assert "Logging is on hold" not in page.text
    listing = read_page(staff_client.get(reverse("staff:match_list") + "?coordinator=all"))
    assert "On hold" not in listing.text


def test_the_match_page_of_a_ready_mentor_says_nothing_about_readiness(
    staff_client, coordinated, background, staff_user
):
    services.record_add(
        mentor=coordinated.mentor, item=background, done_on=today(), user=staff_user
    )
    page = read_page(staff_client.get(reverse("staff:match_detail", args=[coordinated.pk])))
    assert "not ready" not in page.text and "on hold" not in page.text


# --- 6. A mentor whose match is on hold is told on their home page --------------------------


def test_the_mentors_home_says_their_match_is_on_hold_and_why(coordinated, staff_user):
    from tests.conftest import signed_in

    check = ReadinessItem.objects.create(name="Background check", valid_months=12)
    done = today() - dt.timedelta(days=400)
    services.record_add(mentor=coordinated.mentor, item=check, done_on=done, user=staff_user)
    policy(NotReadyPolicy.BLOCK)
    services.readiness_check()
    mentor = signed_in(coordinated.mentor.user)
    page = read_page(mentor.get(reverse("mentoring:home"))).text
    from portal.readiness.rules import plain_day, valid_until

    expired_on = plain_day(valid_until(done, 12) + dt.timedelta(days=1))
    assert (
        f"Logging for your match with Jane D. is on hold: your background check expired on "
        f"{expired_on}. Your coordinator will help you renew it."
    ) in page
    # The hold page speaks to the mentor too, never of them.
    held = read_page(mentor.get(reverse("mentoring:session_create"))).text
    assert "your background check expired on" in held
    assert "is not ready" not in held and coordinated.mentor.user.full_name not in held


def test_a_mentor_missing_a_training_is_told_to_log_it(coordinated, orientation):
    from tests.conftest import signed_in

    policy(NotReadyPolicy.BLOCK)
    services.readiness_check()
    page = read_page(signed_in(coordinated.mentor.user).get(reverse("mentoring:home"))).text
    assert "the program has no record yet of your orientation training" in page
    assert "Log the training on your readiness page once you have attended it." in page


def test_no_hold_no_banner(client_a, coordinated, background):
    policy(NotReadyPolicy.WARN)
    services.readiness_check()
    assert "is on hold" not in read_page(client_a.get(reverse("mentoring:home"))).text


# --- 8. A training sent twice is saved once -------------------------------------------------


def test_the_training_form_sent_twice_saves_one_training(client_a, mentor_a, orientation):
    from portal.readiness.models import ReadinessRecord, TrainingLog

    form = read_page(client_a.get(reverse("readiness:mine")))
    token = form.input("submission_token")["value"]
    assert token
    data = {
        "on_date": today().isoformat(),
        "hours": "1.50",
        "topic": "Orientation evening",
        "item": str(orientation.pk),
        "submission_token": token,
    }
    first = client_a.post(reverse("readiness:mine"), data)
    second = client_a.post(reverse("readiness:mine"), data)
    assert first.status_code == second.status_code == 302
    assert TrainingLog.objects.filter(mentor=mentor_a.mentor).count() == 1
    assert ReadinessRecord.objects.filter(mentor=mentor_a.mentor).count() == 1
    # A new form is a new token: another training the same day is saved.
    again = read_page(client_a.get(reverse("readiness:mine"))).input("submission_token")["value"]
    assert again != token
    client_a.post(reverse("readiness:mine"), {**data, "submission_token": again})
    assert TrainingLog.objects.filter(mentor=mentor_a.mentor).count() == 2


def test_another_mentors_token_never_returns_their_training(mentor_a, mentor_b):
    import uuid

    from portal.readiness.models import TrainingLog

    token = uuid.uuid4()
    theirs = services.training_log(
        mentor=mentor_b.mentor, user=mentor_b, on_date=today(), quarter_hours=4,
        topic="CPR", submission_token=token,
    )  # fmt: skip
    mine = services.training_log(
        mentor=mentor_a.mentor, user=mentor_a, on_date=today(), quarter_hours=4,
        topic="CPR", submission_token=token,
    )  # fmt: skip
    assert mine.pk != theirs.pk and mine.mentor == mentor_a.mentor
    assert TrainingLog.objects.count() == 2


# --- 5. A new requirement under "refuse" asks first ----------------------------------------

NEW_ITEM = {"name": "Two references", "required": "yes", "valid_months": "", "who_records": "staff"}


def test_a_new_required_item_under_refuse_asks_before_holding_matches(
    admin_client, match_a, match_b
):
    policy(NotReadyPolicy.BLOCK)
    response = admin_client.post(reverse("readiness:item_create"), NEW_ITEM)
    assert response.status_code == 200
    page = read_page(response).text
    assert "2 mentors with an active match do not have this yet" in page
    assert "goes on hold at the next nightly check (02:30)" in page
    assert not ReadinessItem.objects.exists()
    # Confirmed: saved as required.
    response = admin_client.post(
        reverse("readiness:item_create"), {**NEW_ITEM, "confirm": "required"}
    )
    assert response.status_code == 302
    assert ReadinessItem.objects.get().required


def test_a_new_required_item_under_refuse_can_be_saved_as_optional(admin_client, match_a):
    policy(NotReadyPolicy.BLOCK)
    response = admin_client.post(
        reverse("readiness:item_create"), {**NEW_ITEM, "confirm": "optional"}
    )
    assert response.status_code == 302
    assert not ReadinessItem.objects.get().required


def test_making_an_item_required_asks_only_about_mentors_who_lack_it(
    admin_client, coordinated, match_b, staff_user
):
    item = ReadinessItem.objects.create(name="Two references", required=False)
    services.record_add(mentor=coordinated.mentor, item=item, done_on=today(), user=staff_user)
    policy(NotReadyPolicy.BLOCK)
    url = reverse("readiness:item_edit", args=[item.pk])
    response = admin_client.post(url, NEW_ITEM)
    assert "1 mentor with an active match does not have this yet" in read_page(response).text
    item.refresh_from_db()
    assert not item.required
    # Once every mentor has it, or under "warn", nothing is asked.
    services.record_add(mentor=match_b.mentor, item=item, done_on=today(), user=staff_user)
    assert admin_client.post(url, NEW_ITEM).status_code == 302
    item.refresh_from_db()
    assert item.required


def test_under_warn_a_new_required_item_is_saved_at_once(admin_client, match_a):
    policy(NotReadyPolicy.WARN)
    assert admin_client.post(reverse("readiness:item_create"), NEW_ITEM).status_code == 302


# --- 7. The mentor's own readiness page ----------------------------------------------------


def test_the_mentors_page_shows_optional_items_as_optional(client_a, background):
    ReadinessItem.objects.create(name="First aid", required=False, position=5)
    html = client_a.get(reverse("readiness:mine")).content.decode()
    page = read_page(html).text
    assert "First aid (optional)\nNot recorded" in page
    first_aid = html.split("First aid", 1)[1].split("</li>", 1)[0]
    assert "badge--readiness-missing" not in first_aid


def test_the_mentors_page_says_what_to_do_for_a_training_they_log(client_a, orientation):
    page = read_page(client_a.get(reverse("readiness:mine"))).text
    assert "Your coordinator records these items" not in page
    assert "Not ready yet" in page
    assert "The program has no record yet of your orientation training." in page
    assert "Log the training on your readiness page once you have attended it." in page


def test_the_mentors_page_says_not_ready_without_yet_when_something_expired(
    client_a, mentor_a, staff_user
):
    check = ReadinessItem.objects.create(name="Background check", valid_months=12)
    services.record_add(
        mentor=mentor_a.mentor, item=check, done_on=today() - dt.timedelta(400), user=staff_user
    )
    page = read_page(client_a.get(reverse("readiness:mine"))).text
    assert "Not ready yet" not in page
    assert "Not ready Your background check expired on" in page
    assert "Your coordinator will help you renew it." in page


# --- 9. Wording and links -------------------------------------------------------------------


def test_a_refused_match_links_to_record_what_is_missing(
    staff_client, staff_user, mentor_a, background, school_a
):
    from portal.mentoring.models import Mentee

    mentee = Mentee.objects.create(first_name="Lena", last_initial="R", site=school_a, grade="3")
    policy(NotReadyPolicy.BLOCK)
    response = staff_client.post(
        reverse("staff:match_create"),
        {"mentor": mentor_a.mentor.pk, "mentee": mentee.pk, "site": school_a.pk,
         "start_date": today().isoformat(), "coordinator": staff_user.pk},
    )  # fmt: skip
    page = read_page(response)
    record = reverse("readiness:record", args=[mentor_a.mentor.pk])
    assert f"{record}?item={background.pk}" in page.hrefs()
    assert f"Record what is missing for {mentor_a.full_name}" in page.text
    assert "is not ready. Missing: Background check." in page.text


def test_the_staff_mentor_page_shows_which_agreement_version_was_accepted_and_when(
    admin_user, staff_client, mentor_a
):
    from tests.conftest import signed_in

    url = reverse("staff:mentor_detail", args=[mentor_a.mentor.pk])
    change_agreement(signed_in(admin_user), "Version one.")
    assert "The current version is 1" in read_page(staff_client.get(url)).text
    signed_in(mentor_a).post(reverse("readiness:agreement"), {"version": "1", "agree": "on"})
    page = read_page(staff_client.get(url)).text
    day = timezone.localtime().strftime("%-d %b %Y")
    assert f"Mentor agreement: version 1, accepted on {day}." in page
    assert "The current version is" not in page
    record_page = reverse("readiness:record", args=[mentor_a.mentor.pk])
    assert "Mentor agreement: version 1" in read_page(staff_client.get(record_page)).text


def test_an_old_training_says_what_the_mentor_can_do(client_a):
    response = client_a.post(
        reverse("readiness:mine"),
        {"on_date": "2015-03-01", "hours": "1.00", "topic": "CPR"},
    )
    page = read_page(response).text
    assert "Ask staff" not in page
    assert "ask your coordinator: they can record the requirement itself" in page
