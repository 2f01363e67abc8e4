"""The rules of text messages, pure: a mobile number in E.164, the replies that stop and
start texts, the consent a mentor gives, and the quiet hours when no text goes out.

Tested in tests/test_text_rules.py with explicit numbers, replies and times (midnight,
the end of quiet hours, the changes of daylight saving time).
"""

import datetime as dt
import re
import zoneinfo

from django.utils.translation import gettext, gettext_noop

# E.164: a plus, a country code that does not start with 0, at most 15 digits in all.
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
# A number of the North American plan (+1): area code and exchange do not start with 0 or 1.
NANP = re.compile(r"^\+1[2-9]\d{2}[2-9]\d{6}$")
PHONE_MAX = 16  # "+" and 15 digits
# What people type between the digits of a number: spaces, dashes, dots, brackets.
_SEPARATORS = re.compile(r"[\s\-.()/\u00a0]")

BAD_NUMBER = gettext_noop(
    "Enter a mobile number like 312 555 0123, or with its country code like +44 7700 900123."
)

# The replies the provider treats as "stop" and "start again" (Twilio's defaults), matched
# on the whole message, whatever the case and the spaces around it.
STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
START_WORDS = frozenset({"START", "UNSTOP", "YES"})
STOP, START = "stop", "start"

# The consent a mentor ticks, shown on the page and stored, word for word, with the time.
# Marked for translation (portal/texts/views.py shows it in the mentor's language, and the
# wording stored is the one they saw).
CONSENT_WORDING = gettext_noop(
    "I agree to get text messages from {program} at this number: reminders to log my "
    "sessions and a note when a coordinator asks me about an entry. A few a month at most. "
    "Message and data rates may apply. Reply STOP to stop them, START to start them again."
)
CONSENT_MAX = 500

# A text is one line of plain words and a link: two SMS segments at most in the usual case.
TEXT_MAX = 320


class BadQuietHours(ValueError):
    """The quiet hours setting is not "HH:MM-HH:MM"."""


def normalize_phone(raw: str) -> str | None:
    """The number in E.164 (``+13125550123``), or None when it cannot be one.

    Ten digits are a North American number (the program's); eleven starting with 1 too.
    Other countries need their code with a plus (``+44 7700 900123``) or ``00``.
    """
    value = _SEPARATORS.sub("", raw or "")
    if value.startswith("00"):
        value = "+" + value[2:]
    if not value.startswith("+"):
        if not value.isdigit():
            return None
        if len(value) == 10:
            value = "+1" + value
        elif len(value) == 11 and value.startswith("1"):
            value = "+" + value
        else:
            return None
    if not E164.match(value):
        return None
    if value.startswith("+1") and not NANP.match(value):
        return None
    return value


def format_phone(number: str) -> str:
    """A number as people write it: ``(312) 555-0123`` for a North American number, the
    E.164 form (``+447700900123``) for the others."""
    if NANP.match(number or ""):
        return f"({number[2:5]}) {number[5:8]}-{number[8:]}"
    return number


def consent_wording(program_name: str) -> str:
    """The consent in the language of the page: a Spanish-speaking mentor ticks, and has
    stored, the Spanish words they read."""
    return gettext(CONSENT_WORDING).format(program=program_name)


def reply_keyword(body: str) -> str | None:
    """``STOP`` or ``START`` when a reply is one of their words, else None."""
    word = " ".join((body or "").split()).upper()
    if word in STOP_WORDS:
        return STOP
    if word in START_WORDS:
        return START
    return None


def parse_quiet_hours(value: str) -> tuple[dt.time, dt.time] | None:
    """``"21:00-08:00"`` as (start, end); an empty value means no quiet hours."""
    value = (value or "").strip()
    if not value:
        return None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", value)
    if not match:
        raise BadQuietHours(f"Quiet hours are written 21:00-08:00, not {value!r}.")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise BadQuietHours(f"Quiet hours are written 21:00-08:00, not {value!r}.")
    start, end = dt.time(h1, m1), dt.time(h2, m2)
    return None if start == end else (start, end)


def quiet_hours_end(
    moment: dt.datetime, *, tz: zoneinfo.ZoneInfo, quiet: tuple[dt.time, dt.time] | None
) -> dt.datetime | None:
    """When the quiet hours that hold ``moment`` end, or None when ``moment`` is outside
    them. Quiet hours are read on the program's clock, so 21:00-08:00 stays 21:00-08:00
    across a change of daylight saving time; they may span midnight."""
    if quiet is None:
        return None
    start, end = quiet
    local = moment.astimezone(tz)
    now = local.time().replace(tzinfo=None)
    day = local.date()
    if start < end:
        inside = start <= now < end
        end_day = day
    else:  # over midnight: the evening part ends tomorrow, the morning part today
        inside = now >= start or now < end
        end_day = day + dt.timedelta(days=1) if now >= start else day
    if not inside:
        return None
    return dt.datetime.combine(end_day, end, tzinfo=tz)


def next_send_time(
    moment: dt.datetime, *, tz: zoneinfo.ZoneInfo, quiet: tuple[dt.time, dt.time] | None
) -> dt.datetime:
    """``moment``, or the end of the quiet hours it falls in: texts wait, never drop."""
    return quiet_hours_end(moment, tz=tz, quiet=quiet) or moment
