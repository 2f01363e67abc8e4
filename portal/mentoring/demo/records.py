"""The demo's safety concerns and needs, invitations and Contact messages."""

import datetime as dt

from portal.accounts import site_contacts
from portal.accounts.models import User
from portal.audit.services import log_action
from portal.enrollment import services as enrollment
from portal.mentoring.demo import Demo
from portal.mentoring.demo.data import (
    CONCERN,
    DEMO_PASSWORD,
    MAIN_MENTOR_EMAIL,
    SITE_CONTACT_EMAIL,
    STAFF_EMAIL,
)
from portal.mentoring.models import Attendance, SchoolSite, SessionLog, SiteContact
from portal.notifications.models import Notification
from portal.safeguarding import services as safeguarding
from portal.safeguarding.models import NeedStatus, ResourceNeed, SafetyConcern
from portal.support import services as support
from portal.support.models import RequestStatus, SupportRequest


def _first_site_concerns(demo: Demo, first_site: SchoolSite) -> None:
    """The first school always has a new and an acknowledged concern, so its site contact
    (site@example.org) has something to read."""
    at_first_site = SessionLog.objects.filter(match__site=first_site)
    if at_first_site.filter(safety_concern=True).exists():
        return
    recent = at_first_site.filter(attendance=Attendance.MET).exclude(
        match__mentor__user__email=MAIN_MENTOR_EMAIL
    )
    picks = [recent.filter(starts_at__lte=demo.now - dt.timedelta(days=d)).first() for d in (1, 12)]
    for session in filter(None, picks):
        name = session.match.mentee.first_name
        SessionLog.objects.filter(pk=session.pk).update(
            safety_concern=True, safety_concern_details=CONCERN.format(name=name)
        )


def create_concerns(demo: Demo, first_site: SchoolSite) -> None:
    """A concern for each session that reports one; older ones acknowledged (by the first
    school's contact at that school, by staff elsewhere), the oldest closed."""
    _first_site_concerns(demo, first_site)
    staff = User.objects.get(email=STAFF_EMAIL)
    site_user = User.objects.get(email=SITE_CONTACT_EMAIL)
    sessions = SessionLog.objects.filter(safety_concern=True, concern__isnull=True)
    for session in sessions.select_related("match__site", "entered_by"):
        age = demo.now - session.entered_at
        # Raised as it was then; concern_raise would date it now and email it today.
        concern = SafetyConcern.objects.create(
            match=session.match,
            site=session.match.site,
            session=session,
            description=session.safety_concern_details,
            raised_by=session.entered_by,
            raised_at=session.entered_at,
        )
        log_action(actor=session.entered_by, action="concern.raised", obj=concern)
        responder = site_user if session.match.site_id == first_site.pk else staff
        if age > dt.timedelta(days=5):
            safeguarding.concern_acknowledge(
                concern=concern,
                user=responder,
                note="Spoke with the family and the school nurse.",
                now=session.entered_at + dt.timedelta(hours=3),
            )
        if age > dt.timedelta(days=30):
            safeguarding.concern_close(
                concern=concern,
                user=staff,
                outcome="School counselor followed up; no further action needed.",
                now=session.entered_at + dt.timedelta(days=6),
            )


NEED_STEPS = {
    NeedStatus.REFERRED: "Referred to the school's family liaison.",
    NeedStatus.CLOSED: "The family has what they needed.",
}


def create_needs(demo: Demo) -> None:
    """A need for each kind a session reports, opened and moved along by the safeguarding
    services: open when recent, referred by staff after 10 days, closed after 45."""
    staff = User.objects.get(email=STAFF_EMAIL)
    reported = SessionLog.objects.exclude(resource_needs=[]).filter(needs__isnull=True)
    for session in reported.select_related("match", "entered_by"):
        age = demo.now - session.entered_at
        status = NeedStatus.OPEN
        if age > dt.timedelta(days=45):
            status = NeedStatus.CLOSED
        elif age > dt.timedelta(days=10):
            status = NeedStatus.REFERRED
        needs = safeguarding.needs_sync_from_session(session=session, user=session.entered_by)
        # Raised when the session was entered; the service dates a need now.
        ResourceNeed.objects.filter(pk__in=[need.pk for need in needs]).update(
            raised_at=session.entered_at
        )
        if status == NeedStatus.OPEN:
            continue
        for need in needs:
            safeguarding.need_update(need=need, user=staff, status=status, note=NEED_STEPS[status])


INVITATIONS = [
    # email, name, sent (days ago), accepted (days ago)
    ("new.mentor@example.org", "Taylor Brooks", 2, None),
    ("expired.invite@example.org", "Morgan Reyes", 30, None),
    ("enrolled.mentor@example.org", "Casey Nguyen", 40, 38),
]


def create_invitations(demo: Demo) -> None:
    """One pending, one expired and one accepted invitation, and a school contact invited.
    Looked up by email, so a second run adds nothing."""
    staff = User.objects.get(email=STAFF_EMAIL)
    for email, name, sent_days_ago, accepted_days_ago in INVITATIONS:
        if User.objects.filter(email=email).exists():
            continue
        invitation = enrollment.invitation_create(
            email=email,
            full_name=name,
            created_by=staff,
            now=demo.now - dt.timedelta(days=sent_days_ago),
        )
        if accepted_days_ago is not None:
            path = Notification.objects.get(
                template="invitation", subject_id=invitation.pk
            ).context["path"]
            enrollment.invitation_accept(
                token=path.rstrip("/").rsplit("/", 1)[-1],
                password=DEMO_PASSWORD,
                now=demo.now - dt.timedelta(days=accepted_days_ago),
            )
    # Roosevelt's contact was invited three days ago and has not chosen a password; the
    # other schools' contacts were never invited (the dashboard flags their concerns).
    # Lincoln's (site@example.org) signs in with the demo password.
    roosevelt = SiteContact.objects.filter(
        email="mhill@roosevelt.example.org", user__isnull=True
    ).first()
    if roosevelt is not None:
        site_contacts.site_contact_invite(
            contact=roosevelt, actor=staff, now=demo.now - dt.timedelta(days=3)
        )


SUPPORT_REQUESTS = [
    # name, email, topic, status, staff's answer
    ("Lee Park", "lee.park@example.org", "sign_in", RequestStatus.NEW, ""),
    ("Jordan Nguyen", "jordan.nguyen@example.org", "mentee", RequestStatus.IN_PROGRESS, ""),
    (
        "Morgan Reyes",
        "expired.invite@example.org",
        "invitation",
        RequestStatus.ANSWERED,
        "I have sent you a new invitation: the link in it works for 14 days.",
    ),
]
SUPPORT_MESSAGES = {
    "sign_in": "I reset my password but the sign-in page still says it is not right.",
    "mentee": "I was matched last week but my home page says I have no mentee yet.",
    "invitation": "My invitation link says it has expired. Can you send a new one?",
}


def create_support_requests(demo: Demo) -> None:
    """A few messages from the Contact page, one in each state."""
    staff = User.objects.get(email=STAFF_EMAIL)
    for name, email, topic, status, reply in SUPPORT_REQUESTS:
        if SupportRequest.objects.filter(email=email, topic=topic).exists():
            continue
        item = support.support_request_create(
            name=name, email=email, topic=topic, message=SUPPORT_MESSAGES[topic]
        )
        if reply:
            support.support_request_reply(request=item, user=staff, reply=reply)
        elif status != item.status:
            support.support_request_set_status(request=item, user=staff, status=status)
