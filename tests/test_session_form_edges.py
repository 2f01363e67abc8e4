"""Edges of the session form: ended matches, the choice lists in the service, clock changes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from portal.mentoring import services
from portal.mentoring.models import Choice, ChoiceList, MatchStatus, SessionLog
from tests.conftest import chicago, frozen_at, session_form, session_input
from tests.paths import NEW_SESSION


def _post(client, match, **overrides):
    form = session_form(
        match, starts_at="2026-11-16T15:30", notes="We played cards.", submission_token=None
    )
    return client.post(NEW_SESSION, {**form, **overrides})


def test_a_mentor_can_log_the_last_session_of_a_match_that_just_ended(client_a, match_a):
    match_a.status = MatchStatus.CLOSED
    match_a.end_date = dt.date(2026, 11, 17)
    match_a.save()
    with frozen_at(chicago(2026, 11, 18, 10, 0)):
        response = _post(client_a, match_a)
    assert response.status_code == 302
    assert SessionLog.objects.filter(match=match_a).count() == 1


def test_a_match_that_ended_long_ago_is_not_offered(client_a, match_a):
    match_a.status = MatchStatus.CLOSED
    match_a.end_date = dt.date(2026, 6, 1)
    match_a.save()
    with frozen_at(chicago(2026, 11, 18, 10, 0)):
        response = client_a.get(NEW_SESSION)
    assert "You have no active match yet" in response.content.decode()


def test_a_time_skipped_by_the_clock_change_gets_a_plain_message(client_a, match_a):
    with frozen_at(chicago(2026, 3, 20, 10, 0)):
        response = _post(client_a, match_a, starts_at="2026-03-08T02:30")
    page = response.content.decode()
    assert response.status_code == 200
    assert "when the clocks change" in page
    assert not SessionLog.objects.exists()


@pytest.mark.parametrize("field", ["type_of_mentoring", "interaction"])
def test_the_service_refuses_a_choice_from_the_wrong_list(match_a, mentor_a, choices, field):
    wrong = choices["in_person"] if field == "type_of_mentoring" else choices["mentoring"]
    data = session_input(match_a, chicago(2026, 11, 16, 15, 30), notes="We played cards.")
    setattr(data, field, wrong)
    with pytest.raises(ValidationError) as refused:
        services.session_log_create(user=mentor_a, data=data, now=chicago(2026, 11, 18, 10))
    assert field in refused.value.message_dict
    assert not SessionLog.objects.exists()


def test_a_retired_choice_is_refused_on_new_entries_but_kept_on_old_ones(
    match_a, mentor_a, choices
):
    group = choices["group"]
    data = session_input(
        match_a, chicago(2026, 11, 16, 15, 30), type_of_mentoring=group, notes="We played cards."
    )
    session = services.session_log_create(user=mentor_a, data=data, now=chicago(2026, 11, 18))
    Choice.objects.filter(pk=group.pk).update(is_retired=True)
    group.refresh_from_db()
    data.notes = "We played cards and read."
    services.session_log_update(
        session=session, user=mentor_a, data=data, now=chicago(2026, 11, 18)
    )
    session.refresh_from_db()
    assert session.type_of_mentoring == group
    data.starts_at = chicago(2026, 11, 17, 15, 30)
    with pytest.raises(ValidationError) as refused:
        services.session_log_create(user=mentor_a, data=data, now=chicago(2026, 11, 18))
    assert "type_of_mentoring" in refused.value.message_dict
    assert Choice.objects.filter(list=ChoiceList.TYPE_OF_MENTORING, pk=group.pk).exists()
