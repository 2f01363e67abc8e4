"""The lists of the staff workspace: what each page shows for the filters its address asks
for. Views read the address (portal/lib/query.py) into these filters and call these; they
build no query themselves. The reports (months, hours, the dashboard's figures) are in
``selectors``; the compliance report in ``compliance``."""

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from portal.accounts import site_contacts
from portal.mentoring.models import (
    Choice,
    ChoiceList,
    Match,
    MatchStatus,
    Mentee,
    Mentor,
    ProgramSettings,
    SchoolSite,
    SessionLog,
    SiteContact,
)
from portal.readiness.models import MatchReadinessFlag, NotReadyPolicy
from portal.staff import selectors

# --- Sessions -----------------------------------------------------------------------------


def session_list(*, filters: selectors.SessionFilters, program: ProgramSettings) -> QuerySet:
    """The entries the filters ask for, newest first (the exports order them their way)."""
    sessions = selectors.filter_sessions(selectors.staff_sessions(), filters, program=program)
    return sessions.order_by("-starts_at", "-pk")


def sessions_with_ids(*, ids) -> QuerySet:
    """Live entries among ``ids``: those a review form names (any others are ignored)."""
    return selectors.staff_sessions().filter(pk__in=ids)


def session_revisions(*, session: SessionLog) -> QuerySet:
    return session.revisions.select_related("changed_by")


def correction_matches(*, session: SessionLog) -> QuerySet:
    """The matches a correction may move the entry to: its mentor's."""
    return Match.objects.filter(mentor_id=session.match.mentor_id).select_related("mentee", "site")


# --- School sites and their people --------------------------------------------------------


@dataclass(frozen=True)
class SiteFilters:
    q: str = ""  # part of the name or the address


def site_list(*, filters: SiteFilters) -> QuerySet:
    sites = SchoolSite.objects.annotate(
        n_contacts=Count("contacts", distinct=True),
        n_active=Count("matches", filter=Q(matches__status=MatchStatus.ACTIVE), distinct=True),
    )
    if filters.q:
        sites = sites.filter(Q(name__icontains=filters.q) | Q(address__icontains=filters.q))
    return sites.order_by("name", "pk")


def site_matches(*, site: SchoolSite, limit: int = 100) -> QuerySet:
    return site.matches.select_related("mentor__user", "mentee").order_by("status", "-start_date")[
        :limit
    ]


def site_people(*, site: SchoolSite) -> list[site_contacts.ContactAccess]:
    """The school's contacts, each with whether they can sign in."""
    return site_contacts.contacts_with_access(site.contacts.all())


def contact_access(*, contact: SiteContact) -> site_contacts.ContactAccess:
    [access] = site_contacts.contacts_with_access(SiteContact.objects.filter(pk=contact.pk))
    return access


def school_sites() -> QuerySet:
    """Every school site, for the filters' choice of one."""
    return SchoolSite.objects.all()


# --- Mentors, mentees and matches ---------------------------------------------------------


def _active_matches_of(person: str) -> Subquery:
    """How many active matches the row's mentor (or mentee) has, as a correlated count."""
    active = (
        Match.objects.filter(**{person: OuterRef("pk")}, status=MatchStatus.ACTIVE)
        .order_by()
        .values(person)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(active, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class MentorFilters:
    q: str = ""  # part of the name or the email
    status: str = ""  # a MentorStatus, or "" for every mentor


def mentor_list(*, filters: MentorFilters) -> QuerySet:
    # The count as a subquery, not a GROUP BY of every mentor with their matches: the page
    # is read in name order through the index and counts only its own 50.
    mentors = Mentor.objects.select_related("user").annotate(n_active=_active_matches_of("mentor"))
    if filters.q:
        mentors = mentors.filter(
            Q(user__full_name__icontains=filters.q) | Q(user__email__icontains=filters.q)
        )
    if filters.status:
        mentors = mentors.filter(status=filters.status)
    return mentors.order_by("user__full_name", "pk")


@dataclass(frozen=True)
class MenteeFilters:
    q: str = ""  # part of the first name
    site: int | None = None
    status: str = ""  # a MenteeStatus, or "" for every mentee


def mentee_list(*, filters: MenteeFilters) -> QuerySet:
    mentees = Mentee.objects.select_related("site").annotate(n_active=_active_matches_of("mentee"))
    if filters.q:
        mentees = mentees.filter(first_name__icontains=filters.q)
    if filters.site is not None:
        mentees = mentees.filter(site_id=filters.site)
    if filters.status:
        mentees = mentees.filter(status=filters.status)
    return mentees.order_by("first_name", "last_initial", "pk")


@dataclass(frozen=True)
class MatchFilters:
    q: str = ""  # part of the mentor's name or email, or of the mentee's first name
    status: str = MatchStatus.ACTIVE  # a MatchStatus; anything else shows every match
    site: int | None = None
    # Whose caseload: a staff member's record number, UNASSIGNED, or "" for everyone's.
    coordinator: str = ""


UNASSIGNED = "none"


def match_list(*, filters: MatchFilters) -> QuerySet:
    matches = Match.objects.select_related("mentor__user", "mentee", "site", "coordinator")
    # The nightly readiness check holds the match: a badge on the list, no query per row.
    matches = matches.annotate(
        on_hold=Exists(
            MatchReadinessFlag.objects.filter(match=OuterRef("pk"), policy=NotReadyPolicy.BLOCK)
        )
    )
    if filters.coordinator == UNASSIGNED:
        matches = matches.filter(coordinator__isnull=True)
    elif filters.coordinator:
        matches = matches.filter(coordinator_id=int(filters.coordinator))
    if filters.q:
        matches = matches.filter(
            Q(mentor__user__full_name__icontains=filters.q)
            | Q(mentor__user__email__icontains=filters.q)
            | Q(mentee__first_name__icontains=filters.q)
        )
    if filters.status in MatchStatus.values:
        matches = matches.filter(status=filters.status)
    if filters.site is not None:
        matches = matches.filter(site_id=filters.site)
    return matches.order_by("mentor__user__full_name", "pk")


def match_figures(*, match: Match) -> dict:
    """The match's live entries and their quarter hours: one query."""
    return match.sessions.filter(deleted_at__isnull=True).aggregate(
        sessions=Count("pk"), quarters=Coalesce(Sum("quarter_hours"), 0)
    )


def match_recent_sessions(*, match: Match, limit: int = 10) -> QuerySet:
    return selectors.staff_sessions().filter(match=match).order_by("-starts_at")[:limit]


# --- Program settings ---------------------------------------------------------------------


def choices_of(*, list_name: str) -> QuerySet:
    """One list's choices, for the filters' choice of one."""
    return Choice.objects.filter(list=list_name)


def choice_lists() -> list[tuple[str, list[Choice]]]:
    """Every list with its choices, as the settings page shows them: one query."""
    choices = Choice.objects.all()
    return [(label, [c for c in choices if c.list == value]) for value, label in ChoiceList.choices]
