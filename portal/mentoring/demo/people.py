"""The demo's program settings, accounts, schools, mentors, mentees and matches."""

import datetime as dt
import random

from portal.accounts.models import Role, User
from portal.mentoring.demo import Demo
from portal.mentoring.demo.data import (
    FIRST_NAMES,
    LAST_NAMES,
    MAIN_MENTOR_EMAIL,
    MENTEE_NAMES,
    SITE_CONTACT_EMAIL,
    SITES,
    SPANISH_AGREEMENT,
    SPANISH_HELP_VIDEOS,
    SPANISH_LABELS,
    SPANISH_MENTOR_EMAIL,
    SPANISH_PROMPT_WORDS,
    STAFF_EMAIL,
)
from portal.mentoring.models import (
    Choice,
    Match,
    MatchStatus,
    Mentee,
    Mentor,
    MentorStatus,
    SchoolSite,
    SiteContact,
)


def configure_program(demo: Demo) -> None:
    """Name the program and fill in its contact details, unless someone already has."""
    program = demo.program
    if program.name != "Mentoring Program":
        return
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


def configure_spanish(demo: Demo) -> None:
    """The Spanish an administrator would fill in; what someone already filled in stays."""
    program = demo.program
    for field, text in (
        ("mentor_agreement_es", SPANISH_AGREEMENT),
        ("help_video_links_es", SPANISH_HELP_VIDEOS),
        ("prompt_words_es", SPANISH_PROMPT_WORDS),
    ):
        if not getattr(program, field):
            setattr(program, field, text)
    program.save()
    for label, spanish in SPANISH_LABELS.items():
        Choice.objects.filter(label=label, label_es="").update(label_es=spanish)


def account(demo: Demo, email: str, full_name: str, role: str, phone: str = "") -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, full_name=full_name, role=role, phone=phone)
        user.password = demo.password
        user.save()
    return user


def create_sites(demo: Demo) -> list[SchoolSite]:
    """The staff and admin accounts, the four schools and their contacts; only the first
    school's contact has an account (site@example.org)."""
    account(demo, STAFF_EMAIL, "Robin Ellis", Role.STAFF, "(312) 555-0101")
    account(demo, "admin@example.org", "Alex Morgan", Role.ADMIN, "(312) 555-0102")
    sites = []
    for name, address, contact, role, email, phone in SITES:
        site, _ = SchoolSite.objects.get_or_create(name=name, defaults={"address": address})
        user = None
        if email == SITE_CONTACT_EMAIL:
            user = account(demo, email, contact, Role.SITE_CONTACT, phone)
        SiteContact.objects.get_or_create(
            site=site,
            email=email,
            defaults={"name": contact, "role": role, "phone": phone, "user": user},
        )
        sites.append(site)
    return sites


def mentor(demo: Demo, email: str, full_name: str, phone: str, enrolled: dt.date) -> Mentor:
    user = account(demo, email, full_name, Role.MENTOR, phone)
    record, _ = Mentor.objects.get_or_create(
        user=user,
        defaults={
            "status": MentorStatus.ACTIVE,
            "enrolled_on": enrolled,
            "agreement_accepted_at": dt.datetime.combine(enrolled, dt.time(18, 0), tzinfo=demo.tz),
        },
    )
    return record


def match(mentor, first_name, initial, site, grade, start, end=None, reason="") -> Match:
    mentee, _ = Mentee.objects.get_or_create(
        first_name=first_name, last_initial=initial, site=site, defaults={"grade": grade}
    )
    found, _ = Match.objects.get_or_create(
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
    return found


def create_matches(demo: Demo, sites: list[SchoolSite]) -> list[tuple[Match, str]]:
    """The two named demo mentors and forty others, each with a match and the way their
    sessions are logged: "regular", "silent" (nothing for weeks: needs support),
    "absent" (two absences in a row lately) or "late" (everything at once, after the
    deadline)."""
    rng = random.Random(2026)
    today = demo.today
    days = dt.timedelta
    main = mentor(demo, MAIN_MENTOR_EMAIL, "Jamie Rivera", "(312) 555-0150", today - days(260))
    second = mentor(demo, "mentor2@example.org", "Sam Chen", "(312) 555-0151", today - days(200))
    # Reads the portal and its emails in Spanish; her school's contact has no account yet.
    spanish = mentor(
        demo, SPANISH_MENTOR_EMAIL, "Lucía Hernández", "(312) 555-0152", today - days(150)
    )
    if not spanish.user.language:
        User.objects.filter(pk=spanish.user.pk).update(language="es")
    plans = [
        (match(main, "Jane", "D", sites[0], "4", today - days(240)), "regular"),
        (match(second, "Marcus", "T", sites[1], "7", today - days(180)), "regular"),
        (match(spanish, "Sofía", "M", sites[2], "3", today - days(130)), "regular"),
    ]
    for index in range(40):
        first = FIRST_NAMES[index]
        last = LAST_NAMES[index % len(LAST_NAMES)]
        start = today - days(rng.randint(45, 420))
        person = mentor(
            demo,
            f"{first.lower()}.{last.lower()}@example.org",
            f"{first} {last}",
            f"(312) 555-{2000 + index:04d}",
            start - days(14),
        )
        site = sites[index % len(sites)]
        mentee = (MENTEE_NAMES[index], "ABCDEFGHJKLMNPRSTVW"[index % 19])
        grade = str(rng.randint(1, 8))
        if index % 13 == 5:
            end = today - days(rng.randint(20, 40))
            found = match(
                person, *mentee, site, grade, start, end, "Family moved to another district"
            )
        else:
            found = match(person, *mentee, site, grade, start)
        style = "regular"
        if index % 7 == 3:
            style = "silent"
        elif index % 9 == 4:
            style = "absent"
        elif index % 5 == 2:
            style = "late"
        plans.append((found, style))
    return plans
