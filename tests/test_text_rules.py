"""The rules of text messages (portal/texts/rules.py): numbers, replies, quiet hours."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portal.texts import rules

CHICAGO = ZoneInfo("America/Chicago")
EVENING_TO_MORNING = (dt.time(21, 0), dt.time(8, 0))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("312 555 0123", "+13125550123"),
        ("(312) 555-0123", "+13125550123"),
        ("312.555.0123", "+13125550123"),
        ("1 312 555 0123", "+13125550123"),
        ("+1 312-555-0123", "+13125550123"),
        ("+44 7700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("+1 555 555 0123", "+15555550123"),
    ],
)
def test_a_number_is_stored_in_e164(typed, stored):
    assert rules.normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "555-0123",
        "call me",
        "312 555 012",
        "+0 312 555 0123",
        "+1 112 555 0123",
        "+1 312 155 0123",
        "+1234567890123456",
        "312 555 0123 ext 4",
    ],
)
def test_it_refuses_what_cannot_be_a_mobile_number(typed):
    assert rules.normalize_phone(typed) is None


@pytest.mark.parametrize(
    "reply", ["STOP", "stop", " Stop ", "STOPALL", "unsubscribe", "CANCEL", "END", "QUIT"]
)
def test_the_stop_words_stop(reply):
    assert rules.reply_keyword(reply) == rules.STOP


@pytest.mark.parametrize("reply", ["START", "unstop", "Start "])
def test_the_start_words_start(reply):
    assert rules.reply_keyword(reply) == rules.START


@pytest.mark.parametrize("reply", ["Please stop texting me at night", "OK", "", "stopp"])
def test_other_replies_change_nothing(reply):
    assert rules.reply_keyword(reply) is None


def test_quiet_hours_are_read_from_the_setting():
    assert rules.parse_quiet_hours("21:00-08:00") == EVENING_TO_MORNING
    assert rules.parse_quiet_hours(" 22:30 - 7:00 ") == (dt.time(22, 30), dt.time(7, 0))
    assert rules.parse_quiet_hours("") is None
    assert rules.parse_quiet_hours("08:00-08:00") is None
    for bad in ("9pm-8am", "25:00-08:00", "21:00"):
        with pytest.raises(rules.BadQuietHours):
            rules.parse_quiet_hours(bad)


def at(*args):
    return dt.datetime(*args, tzinfo=CHICAGO)


@pytest.mark.parametrize(
    ("moment", "ends"),
    [
        (at(2026, 12, 3, 20, 59), None),
        (at(2026, 12, 3, 21, 0), at(2026, 12, 4, 8, 0)),
        (at(2026, 12, 3, 23, 59), at(2026, 12, 4, 8, 0)),
        (at(2026, 12, 4, 0, 0), at(2026, 12, 4, 8, 0)),
        (at(2026, 12, 4, 7, 59), at(2026, 12, 4, 8, 0)),
        (at(2026, 12, 4, 8, 0), None),
        (at(2026, 12, 4, 12, 0), None),
        # New Year's Eve: the quiet night ends in the next year.
        (at(2026, 12, 31, 22, 0), at(2027, 1, 1, 8, 0)),
    ],
)
def test_quiet_hours_span_midnight_on_the_programs_clock(moment, ends):
    assert rules.quiet_hours_end(moment, tz=CHICAGO, quiet=EVENING_TO_MORNING) == ends


def test_quiet_hours_are_read_on_the_programs_clock_whatever_the_servers():
    # 03:00 UTC on 4 December is 21:00 in Chicago: quiet; 14:00 UTC is 8 AM: not.
    utc = dt.UTC
    assert rules.quiet_hours_end(
        dt.datetime(2026, 12, 4, 3, 0, tzinfo=utc), tz=CHICAGO, quiet=EVENING_TO_MORNING
    ) == at(2026, 12, 4, 8, 0)
    assert (
        rules.quiet_hours_end(
            dt.datetime(2026, 12, 4, 14, 0, tzinfo=utc), tz=CHICAGO, quiet=EVENING_TO_MORNING
        )
        is None
    )


def test_quiet_hours_keep_their_local_times_across_daylight_saving_changes():
    # The night clocks go back (1 November 2026) is an hour longer, not shifted.
    end = rules.quiet_hours_end(at(2026, 10, 31, 22, 0), tz=CHICAGO, quiet=EVENING_TO_MORNING)
    assert end == at(2026, 11, 1, 8, 0)
    # (in UTC: Python subtracts two times of one zone by their wall clocks)
    assert end.astimezone(dt.UTC) - at(2026, 10, 31, 22, 0).astimezone(dt.UTC) == dt.timedelta(
        hours=11
    )
    # The night they go forward (8 March 2026) is an hour shorter.
    end = rules.quiet_hours_end(at(2026, 3, 7, 22, 0), tz=CHICAGO, quiet=EVENING_TO_MORNING)
    assert end.astimezone(dt.UTC) == dt.datetime(2026, 3, 8, 13, 0, tzinfo=dt.UTC)


def test_quiet_hours_within_one_day_and_none_at_all():
    early = (dt.time(0, 0), dt.time(7, 0))
    assert rules.quiet_hours_end(at(2026, 12, 4, 6, 0), tz=CHICAGO, quiet=early) == at(
        2026, 12, 4, 7, 0
    )
    assert rules.quiet_hours_end(at(2026, 12, 4, 22, 0), tz=CHICAGO, quiet=early) is None
    assert rules.next_send_time(at(2026, 12, 4, 23, 0), tz=CHICAGO, quiet=None) == at(
        2026, 12, 4, 23, 0
    )


def test_the_consent_names_the_program_and_fits_its_field():
    wording = rules.consent_wording("Riverbend Mentoring")
    assert wording.startswith("I agree to get text messages from Riverbend Mentoring")
    assert "Reply STOP" in wording
    assert len(rules.consent_wording("x" * 120)) <= rules.CONSENT_MAX
