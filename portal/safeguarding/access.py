"""Who may see which concern or need. Outsiders get a 404.

Staff see every concern; a school site contact sees the concerns of their own school
only; mentors never see the queue (they see their own entries in their session pages).
"""

from django.http import Http404

from portal.accounts.models import User
from portal.mentoring.models import SiteContact
from portal.safeguarding.models import ResourceNeed, SafetyConcern


def sites_of_contact(user: User):
    return SiteContact.objects.filter(user=user).values("site_id")


def concerns_visible_to(user: User):
    concerns = SafetyConcern.objects.select_related("site", "match__mentee", "match__mentor__user")
    if not user.is_authenticated or not user.is_active:
        return concerns.none()
    if user.is_program_staff:
        return concerns
    if user.is_site_contact:
        return concerns.filter(site_id__in=sites_of_contact(user))
    return concerns.none()


def get_concern_for_user(user: User, pk: int) -> SafetyConcern:
    try:
        return concerns_visible_to(user).get(pk=pk)
    except SafetyConcern.DoesNotExist:
        raise Http404("No such concern.") from None


def concern_of_session_for_user(user: User, session) -> SafetyConcern | None:
    """The concern raised from ``session``, if there is one and ``user`` may see it."""
    return concerns_visible_to(user).select_related("withdrawn_by").filter(session=session).first()


def needs_visible_to(user: User):
    needs = ResourceNeed.objects.select_related(
        "match__mentee", "match__site", "match__mentor__user"
    )
    if user.is_authenticated and user.is_active and user.is_program_staff:
        return needs
    return needs.none()


def get_need_for_user(user: User, pk: int) -> ResourceNeed:
    try:
        return needs_visible_to(user).get(pk=pk)
    except ResourceNeed.DoesNotExist:
        raise Http404("No such need.") from None
