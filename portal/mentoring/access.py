"""Who may see which mentoring records. Every view fetches through here.

Outsiders get a 404, not a 403: they should not learn that a record exists.
"""

import datetime as dt

from django.db.models import Q
from django.http import Http404

from portal.accounts.models import User
from portal.mentoring.models import Match, MatchStatus, SessionLog


def matches_visible_to(user: User):
    """Matches a user may see: their own for a mentor, all for staff, none otherwise."""
    if user.is_authenticated and user.is_program_staff:
        return Match.objects.select_related("mentee", "site", "mentor__user")
    if user.is_authenticated and user.is_mentor:
        mentor = getattr(user, "mentor", None)  # read with the user (security/backends.py)
        if mentor is None:
            return Match.objects.none()
        # Through the mentor's own matches, each match's mentor (and its user) is this
        # one, already in memory: no join to read them again on every mentor page.
        return mentor.matches.select_related("mentee", "site")
    return Match.objects.none()


def active_matches_for_mentor(user: User):
    return (
        matches_visible_to(user)
        .filter(status=MatchStatus.ACTIVE)
        .order_by("mentee__first_name", "pk")
    )


RECENTLY_ENDED_DAYS = 45


def loggable_matches_for_mentor(user: User, *, today: dt.date):
    """Matches a mentor may log a session for: active ones, and ones that ended recently
    (the last sessions of a match are often logged after it closes)."""
    return (
        matches_visible_to(user)
        .filter(
            Q(status=MatchStatus.ACTIVE)
            | Q(end_date__gte=today - dt.timedelta(days=RECENTLY_ENDED_DAYS))
        )
        .order_by("status", "mentee__first_name", "pk")
    )


def sessions_visible_to(user: User):
    """Session logs a user may see (deleted ones excluded)."""
    sessions = SessionLog.objects.live().select_related(
        "match__mentee", "match__site", "type_of_mentoring", "interaction"
    )
    if user.is_authenticated and user.is_program_staff:
        return sessions
    if user.is_authenticated and user.is_mentor:
        mentor = getattr(user, "mentor", None)  # read with the user (security/backends.py)
        # By the mentor's id on the match: no join to the mentor's row to find the user.
        return sessions.filter(match__mentor=mentor) if mentor else sessions.none()
    return sessions.none()


def get_session_for_user(user: User, pk: int) -> SessionLog:
    try:
        return sessions_visible_to(user).get(pk=pk)
    except SessionLog.DoesNotExist:
        raise Http404("No such session.") from None
