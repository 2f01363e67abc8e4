"""Load the demo program of RULES section 7. Running it again adds nothing.

Everything is looked up by a natural key before it is created, and a match's sessions are
generated only while it has none, so a second run finds everything in place.
"""

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import Role, User
from portal.audit.services import log_action
from portal.mentoring import rules
from portal.mentoring.activity import refresh_all_match_activity
from portal.mentoring.models import (
    Attendance,
    Choice,
    ChoiceList,
    Match,
    MatchStatus,
    Mentee,
    Mentor,
    MentorStatus,
    ProgramSettings,
    ResourceNeedKind,
    RevisionAction,
    SchoolSite,
    SessionLog,
    SessionLogRevision,
    SiteContact,
)
from portal.safeguarding.models import ConcernStatus, NeedStatus, ResourceNeed, SafetyConcern
from portal.security.demo import prepare_demo_codes

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 (the published demo password)

SITES = [
    (
        "Lincoln Elementary",
        "1200 Maple Ave",
        "Dana Whitfield",
        "School counselor",
        "site@example.org",
        "(312) 555-0141",
    ),
    (
        "Roosevelt Middle School",
        "88 Harbor St",
        "Marcus Hill",
        "Assistant principal",
        "mhill@roosevelt.example.org",
        "(312) 555-0177",
    ),
    (
        "Washington Elementary",
        "450 Elm St",
        "Priya Natarajan",
        "Social worker",
        "pnatarajan@washington.example.org",
        "(312) 555-0122",
    ),
    (
        "Jefferson Academy",
        "9 Lakeview Dr",
        "Tom Baker",
        "Dean of students",
        "tbaker@jefferson.example.org",
        "(312) 555-0190",
    ),
]

FIRST_NAMES = [
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Avery",
    "Quinn",
    "Jamie",
    "Drew",
    "Reese",
    "Parker",
    "Rowan",
    "Skyler",
    "Emerson",
    "Hayden",
    "Logan",
    "Peyton",
    "Cameron",
    "Dakota",
    "Elliot",
    "Finley",
    "Harper",
    "Kendall",
    "Lane",
    "Micah",
    "Noel",
    "Oakley",
    "Payton",
    "Remy",
    "Sage",
    "Tatum",
    "Val",
    "Wren",
    "Blair",
    "Charlie",
    "Devon",
    "Ellis",
    "Frankie",
    "Gray",
    "Hollis",
]
LAST_NAMES = [
    "Nguyen",
    "Patel",
    "Garcia",
    "Johnson",
    "Kim",
    "Okafor",
    "Smith",
    "Brown",
    "Lopez",
    "Cohen",
    "Murphy",
    "Singh",
    "Walker",
    "Young",
    "Adams",
    "Baker",
    "Clark",
    "Diaz",
    "Evans",
    "Foster",
]
MENTEE_NAMES = [
    "Aiden",
    "Bella",
    "Carlos",
    "Destiny",
    "Elijah",
    "Fatima",
    "Gabriel",
    "Hana",
    "Isaiah",
    "Jasmine",
    "Kevin",
    "Luna",
    "Mateo",
    "Nia",
    "Omar",
    "Paige",
    "Rafael",
    "Sofia",
    "Tyrese",
    "Uma",
    "Victor",
    "Willow",
    "Xavier",
    "Yara",
    "Zion",
    "Amara",
    "Brandon",
    "Chloe",
    "Diego",
    "Emma",
    "Felix",
    "Grace",
    "Hector",
    "Ivy",
    "Jayden",
    "Kiara",
    "Leo",
    "Maya",
    "Noah",
    "Olivia",
]

MET_NOTES = [
    "We played a card game and talked about the weekend. {name} was in a good mood and "
    "laughed a lot.",
    "Worked on reading together for most of the time. {name} was focused and proud of "
    "finishing a chapter.",
    "We shot hoops at recess and talked about friends at school. {name} seemed a little "
    "tired but opened up by the end.",
    "Did a drawing project. {name} was quieter than usual and didn't want to talk much about home.",
    "Talked about goals for the semester and made a list together. {name} was upbeat.",
    "Played chess. {name} is getting better and was excited to win a game.",
]
ABSENT_NOTES = {
    Attendance.MENTEE_ABSENT: "{name} was absent today; the office said they were out sick.",
    Attendance.MENTOR_ABSENT: "I was sick and could not make it this week.",
    Attendance.CANCELLED: "School was closed for a teacher in-service day.",
}
CONCERN = (
    "{name} had a bruise on the arm and said an older cousin grabbed them. "
    "I told the school counselor right away."
)
NEED_NOTES = {
    ResourceNeedKind.FOOD: "{name} said there is not much food at home at the end of the month.",
    ResourceNeedKind.CLOTHING: "{name} has no winter coat and was cold at recess.",
    ResourceNeedKind.HOUSEHOLD: "Their washing machine broke, so they wash clothes in the bathtub.",
    ResourceNeedKind.SCHOOL_SUPPLIES: "{name} needs a backpack and notebooks.",
}


class Command(BaseCommand):
    help = "Load the demo program (idempotent): demo accounts, schools, matches, sessions."

    def handle(self, *args, **options):
        self.password = make_password(DEMO_PASSWORD)  # hash once: it is the same for all
        self.program = ProgramSettings.load()
        self.tz = self.program.tz
        self.now = timezone.now()
        self.today = timezone.localtime(self.now, self.tz).date()
        with transaction.atomic():
            self.configure_program()
            sites = self.create_sites()
            created = self.create_people_and_matches(sites)
            self.create_safeguarding_records(sites[0])
            prepare_demo_codes()
            self.create_invitations_and_support_requests()
        self.stdout.write(
            f"Demo program ready: {User.objects.count()} accounts, "
            f"{Match.objects.count()} matches, {SessionLog.objects.count()} sessions "
            f"({created} new)."
        )

    # --- Program ---------------------------------------------------------------------

    def configure_program(self) -> None:
        program = self.program
        if program.name == "Mentoring Program":
            program.name = "Riverbend Youth Mentoring"
            program.contact_email = "help@riverbend-mentoring.example.org"
            program.contact_phone = "(312) 555-0100"
            program.help_video_links = (
                "Logging a session in one minute | https://videos.example.org/log-a-session\n"
                "What to do about a safety concern | https://videos.example.org/safety"
            )
            program.mentor_agreement = (
                "I will meet my mentee weekly at school, log every session by the deadline, "
                "and report any immediate safety concern to the school site contact."
            )
            program.save()

    def user(self, email: str, full_name: str, role: str, phone: str = "") -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, full_name=full_name, role=role, phone=phone)
            user.password = self.password
            user.save()
        return user

    def create_sites(self) -> list[SchoolSite]:
        self.user("staff@example.org", "Robin Ellis", Role.STAFF, "(312) 555-0101")
        self.user("admin@example.org", "Alex Morgan", Role.ADMIN, "(312) 555-0102")
        sites = []
        for index, (name, address, contact, role, email, phone) in enumerate(SITES):
            site, _ = SchoolSite.objects.get_or_create(name=name, defaults={"address": address})
            account = None
            if index == 0:
                account = self.user(email, contact, Role.SITE_CONTACT, phone)
            SiteContact.objects.get_or_create(
                site=site,
                email=email,
                defaults={"name": contact, "role": role, "phone": phone, "user": account},
            )
            sites.append(site)
        return sites

    # --- People, matches and sessions ---------------------------------------------------

    def mentor(self, email: str, full_name: str, phone: str, enrolled: dt.date) -> Mentor:
        user = self.user(email, full_name, Role.MENTOR, phone)
        mentor, _ = Mentor.objects.get_or_create(
            user=user,
            defaults={
                "status": MentorStatus.ACTIVE,
                "enrolled_on": enrolled,
                "agreement_accepted_at": dt.datetime.combine(
                    enrolled, dt.time(18, 0), tzinfo=self.tz
                ),
            },
        )
        return mentor

    def match(self, mentor, first_name, initial, site, grade, start, end=None, reason=""):
        mentee, _ = Mentee.objects.get_or_create(
            first_name=first_name, last_initial=initial, site=site, defaults={"grade": grade}
        )
        match, _ = Match.objects.get_or_create(
            mentor=mentor,
            mentee=mentee,
            defaults={
                "site": site,
                "start_date": start,
                "end_date": end,
                "closure_reason": reason,
                "status": MatchStatus.CLOSED if end else MatchStatus.ACTIVE,
            },
        )
        return match

    def create_people_and_matches(self, sites: list[SchoolSite]) -> int:
        rng = random.Random(2026)
        plans = []
        main = self.mentor(
            "mentor@example.org",
            "Jamie Rivera",
            "(312) 555-0150",
            self.today - dt.timedelta(days=260),
        )
        plans.append(
            (
                self.match(main, "Jane", "D", sites[0], "4", self.today - dt.timedelta(days=240)),
                "regular",
            )
        )
        second = self.mentor(
            "mentor2@example.org",
            "Sam Chen",
            "(312) 555-0151",
            self.today - dt.timedelta(days=200),
        )
        plans.append(
            (
                self.match(
                    second, "Marcus", "T", sites[1], "7", self.today - dt.timedelta(days=180)
                ),
                "regular",
            )
        )
        for index in range(40):
            first = FIRST_NAMES[index]
            last = LAST_NAMES[index % len(LAST_NAMES)]
            email = f"{first.lower()}.{last.lower()}@example.org"
            start = self.today - dt.timedelta(days=rng.randint(45, 420))
            mentor = self.mentor(
                email,
                f"{first} {last}",
                f"(312) 555-{2000 + index:04d}",
                start - dt.timedelta(days=14),
            )
            site = sites[index % len(sites)]
            mentee_name = MENTEE_NAMES[index]
            initial = "ABCDEFGHJKLMNPRSTVW"[index % 19]
            grade = str(rng.randint(1, 8))
            if index % 13 == 5:
                end = self.today - dt.timedelta(days=rng.randint(20, 40))
                match = self.match(
                    mentor,
                    mentee_name,
                    initial,
                    site,
                    grade,
                    start,
                    end,
                    "Family moved to another district",
                )
            else:
                match = self.match(mentor, mentee_name, initial, site, grade, start)
            style = "regular"
            if index % 7 == 3:
                style = "silent"  # nothing logged for weeks: needs support
            elif index % 9 == 4:
                style = "absent"  # two absences in a row lately
            elif index % 5 == 2:
                style = "late"  # logs everything in one go after the deadline
            plans.append((match, style))
        created = 0
        for match, style in plans:
            if not SessionLog.objects.filter(match=match).exists():
                created += self.create_sessions(match, style, random.Random(match.pk))
        return created

    def create_sessions(self, match: Match, style: str, rng: random.Random) -> int:
        choices = {(c.list, c.label): c for c in Choice.objects.all()}
        mentoring = choices[(ChoiceList.TYPE_OF_MENTORING, "Mentoring Hours")]
        group = choices[(ChoiceList.TYPE_OF_MENTORING, "Group Activity")]
        in_person = choices[(ChoiceList.INTERACTION, "In-Person")]
        virtual = choices[(ChoiceList.INTERACTION, "Virtual")]
        name = match.mentee.first_name
        weekday = rng.randint(0, 4)
        hour = rng.choice([11, 12, 14, 15])
        first = match.start_date + dt.timedelta(days=(weekday - match.start_date.weekday()) % 7)
        last_day = match.end_date or self.today
        if style == "silent":
            last_day = min(last_day, self.today - dt.timedelta(days=rng.randint(35, 60)))
        days = []
        day = first
        while day <= last_day - dt.timedelta(days=1):
            days.append(day)
            day += dt.timedelta(days=7)
        mentor_user = match.mentor.user
        sessions = []
        for number, day in enumerate(days):
            starts_at = dt.datetime.combine(day, dt.time(hour, 30), tzinfo=self.tz)
            if starts_at > self.now:
                continue
            attendance = Attendance.MET
            roll = rng.random()
            if (style == "absent" and number >= len(days) - 2) or roll < 0.06:
                attendance = Attendance.MENTEE_ABSENT
            elif roll < 0.09:
                attendance = Attendance.MENTOR_ABSENT
            elif roll < 0.11:
                attendance = Attendance.CANCELLED
            elif style == "regular" and roll > 0.93 and number < len(days) - 1:
                continue  # a forgotten week
            met = attendance == Attendance.MET
            notes = (rng.choice(MET_NOTES) if met else ABSENT_NOTES[attendance]).format(name=name)
            concern = met and rng.random() < 0.025
            needs = []
            if met and rng.random() < 0.05:
                kind = rng.choice(list(NEED_NOTES))
                needs = [kind]
                notes += " " + NEED_NOTES[kind].format(name=name)
            delay = dt.timedelta(hours=rng.randint(2, 96))
            if style == "late" or rng.random() < 0.04:
                deadline = rules.deadline_for_session(starts_at, self.program.deadline_policy)
                delay = deadline.due_by - starts_at + dt.timedelta(hours=rng.randint(5, 80))
            entered_at = min(starts_at + delay, self.now)
            sessions.append(
                SessionLog(
                    match=match,
                    starts_at=starts_at,
                    quarter_hours=rng.choice([2, 3, 4, 4, 4, 5, 6]) if met else 0,
                    type_of_mentoring=group if met and rng.random() < 0.08 else mentoring,
                    interaction=virtual if met and rng.random() < 0.05 else in_person,
                    attendance=attendance,
                    notes=notes,
                    safety_concern=concern,
                    safety_concern_details=CONCERN.format(name=name) if concern else "",
                    resource_needs=needs,
                    resource_needs_details=NEED_NOTES[needs[0]].format(name=name) if needs else "",
                    entered_by=mentor_user,
                    entered_at=entered_at,
                    is_late=rules.is_late(
                        starts_at=starts_at,
                        entered_at=entered_at,
                        policy=self.program.deadline_policy,
                    ),
                )
            )
        SessionLog.objects.bulk_create(sessions)
        refresh_all_match_activity()
        SessionLogRevision.objects.bulk_create(
            SessionLogRevision(
                session=session,
                action=RevisionAction.CREATED,
                changed_by=mentor_user,
                changed_at=session.entered_at,
                new_values=session.snapshot(),
            )
            for session in SessionLog.objects.filter(match=match).select_related(
                "type_of_mentoring", "interaction"
            )
        )
        return len(sessions)

    # --- Invitations and support requests --------------------------------------------

    def create_invitations_and_support_requests(self) -> None:
        """One pending, one expired and one accepted invitation, a school contact invited,
        and a few messages from the Contact page in each state. Looked up by email, so a
        second run adds nothing."""
        from portal.accounts import site_contacts
        from portal.enrollment import services as enrollment
        from portal.notifications.models import Notification
        from portal.support import services as support
        from portal.support.models import RequestStatus, SupportRequest

        staff = User.objects.get(email="staff@example.org")
        invitations = [
            ("new.mentor@example.org", "Taylor Brooks", 2, None),
            ("expired.invite@example.org", "Morgan Reyes", 30, None),
            ("enrolled.mentor@example.org", "Casey Nguyen", 40, 38),
        ]
        for email, name, sent_days_ago, accepted_days_ago in invitations:
            if User.objects.filter(email=email).exists():
                continue
            invitation = enrollment.invitation_create(
                email=email,
                full_name=name,
                created_by=staff,
                now=self.now - dt.timedelta(days=sent_days_ago),
            )
            if accepted_days_ago is not None:
                path = Notification.objects.get(
                    template="invitation", subject_id=invitation.pk
                ).context["path"]
                enrollment.invitation_accept(
                    token=path.rstrip("/").rsplit("/", 1)[-1],
                    password=DEMO_PASSWORD,
                    now=self.now - dt.timedelta(days=accepted_days_ago),
                )
        # Roosevelt's contact was invited three days ago and has not chosen a password;
        # the other schools' contacts were never invited (the dashboard flags their
        # concerns). Lincoln's (site@example.org) signs in with the demo password.
        roosevelt = SiteContact.objects.filter(
            email="mhill@roosevelt.example.org", user__isnull=True
        ).first()
        if roosevelt is not None:
            site_contacts.site_contact_invite(
                contact=roosevelt, actor=staff, now=self.now - dt.timedelta(days=3)
            )
        requests = [
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
        messages = {
            "sign_in": "I reset my password but the sign-in page still says it is not right.",
            "mentee": "I was matched last week but my home page says I have no mentee yet.",
            "invitation": "My invitation link says it has expired. Can you send a new one?",
        }
        for name, email, topic, status, reply in requests:
            if SupportRequest.objects.filter(email=email, topic=topic).exists():
                continue
            item = support.support_request_create(
                name=name, email=email, topic=topic, message=messages[topic]
            )
            if reply:
                support.support_request_reply(request=item, user=staff, reply=reply)
            elif status != item.status:
                support.support_request_set_status(request=item, user=staff, status=status)

    # --- Concerns and needs ----------------------------------------------------------

    def create_safeguarding_records(self, first_site: SchoolSite) -> None:
        """Concern and need records for the demo sessions that report them.

        The first school always has a new and an acknowledged concern, so its site contact
        (site@example.org) has something to read.
        """
        at_first_site = SessionLog.objects.filter(match__site=first_site)
        if not at_first_site.filter(safety_concern=True).exists():
            recent = at_first_site.filter(attendance=Attendance.MET).exclude(
                match__mentor__user__email="mentor@example.org"
            )
            picks = [
                recent.filter(starts_at__lte=self.now - dt.timedelta(days=d)).first()
                for d in (1, 12)
            ]
            for session in filter(None, picks):
                name = session.match.mentee.first_name
                SessionLog.objects.filter(pk=session.pk).update(
                    safety_concern=True, safety_concern_details=CONCERN.format(name=name)
                )
        staff = User.objects.get(email="staff@example.org")
        site_user = User.objects.get(email="site@example.org")
        sessions = SessionLog.objects.filter(safety_concern=True, concern__isnull=True)
        for session in sessions.select_related("match__site", "entered_by"):
            age = self.now - session.entered_at
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
                concern.status = ConcernStatus.ACKNOWLEDGED
                concern.acknowledged_by = responder
                concern.acknowledged_at = session.entered_at + dt.timedelta(hours=3)
                concern.acknowledgement_note = "Spoke with the family and the school nurse."
            if age > dt.timedelta(days=30):
                concern.status = ConcernStatus.CLOSED
                concern.closed_by = staff
                concern.closed_at = session.entered_at + dt.timedelta(days=6)
                concern.outcome = "School counselor followed up; no further action needed."
            concern.save()
        for session in SessionLog.objects.exclude(resource_needs=[]).filter(needs__isnull=True):
            age = self.now - session.entered_at
            status = NeedStatus.OPEN
            if age > dt.timedelta(days=45):
                status = NeedStatus.CLOSED
            elif age > dt.timedelta(days=10):
                status = NeedStatus.REFERRED
            for kind in session.resource_needs:
                ResourceNeed.objects.create(
                    session=session,
                    match_id=session.match_id,
                    kind=kind,
                    details=session.resource_needs_details,
                    status=status,
                    raised_at=session.entered_at,
                )
