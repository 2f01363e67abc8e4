"""Each match's latest activity, kept on the match itself.

"Matches needing support" (RULES 4.16: two absences in a row, or nothing logged for 30
days) must look at every active match's last two entries. Looking them up on each page
costs one index probe per match: tens of milliseconds for 20,000 matches on every
dashboard. The two latest live entries are instead copied onto the match whenever its
sessions change (one UPDATE), and the reports read three columns.
"""

from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from portal.mentoring.models import Match, SessionLog


def refresh_match_activity(*match_ids: int) -> int:
    """Copy the latest two live entries of these matches onto them; one query.

    Call it in the transaction that changes a match's sessions (create, change, move to
    another match, delete), and after any bulk load.
    """
    ids = {pk for pk in match_ids if pk}
    if not ids:
        return 0
    return _refresh(Match.objects.filter(pk__in=ids))


def match_activity_after_create(session: SessionLog) -> None:
    """After a new live entry: when it is the match's latest (the usual case, a session
    just logged), the columns move along by one, in one UPDATE without reading the
    sessions again; otherwise (an earlier session logged late, or the match's first) they
    are read again (``refresh_match_activity``).

    The UPDATE's condition is checked on the row as it is when the UPDATE runs, so two
    entries saved at once for one match still leave the later one as the latest. A new
    entry has the highest id: at the same time as the latest, it is the latest.
    """
    moved = Match.objects.filter(
        pk=session.match_id, last_session_at__lte=session.starts_at
    ).update(
        previous_attendance=F("last_attendance"),  # the value before this UPDATE
        last_attendance=session.attendance,
        last_session_at=session.starts_at,
    )
    if not moved:
        refresh_match_activity(session.match_id)


def refresh_all_match_activity() -> int:
    """The same for every match: after a bulk load or an import of sessions."""
    return _refresh(Match.objects.all())


def _refresh(matches) -> int:
    latest = (
        SessionLog.objects.live().filter(match=OuterRef("pk")).order_by("-starts_at", "-pk").values
    )
    return matches.update(
        last_session_at=Subquery(latest("starts_at")[:1]),
        last_attendance=Coalesce(Subquery(latest("attendance")[:1]), Value("")),
        previous_attendance=Coalesce(Subquery(latest("attendance")[1:2]), Value("")),
    )
