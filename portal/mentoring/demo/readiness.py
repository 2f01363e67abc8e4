"""The demo's volunteer readiness (SPEC 8): the program's four requirements, every mentor's
records (most ready; some with a reference missing, some with a background check expired,
some expiring within 30 days), a few trainings, and the current agreement version accepted
by every demo mentor, so the demo accounts log sessions at once.

Written directly rather than through ``readiness.services``: the service dates a record as
recorded now and audits each one; the demo's records are in the past. A mentor who has
records already is left as they are, so a second run adds nothing.
"""

import datetime as dt

from portal.accounts.models import User
from portal.mentoring.demo import Demo
from portal.mentoring.demo.data import MAIN_MENTOR_EMAIL, STAFF_EMAIL
from portal.mentoring.models import Mentor
from portal.readiness.models import (
    AgreementAcceptance,
    AgreementVersion,
    ReadinessItem,
    ReadinessRecord,
    RecordSource,
    TrainingLog,
    WhoRecords,
)

ITEMS = [
    # name, required, valid months, who records it
    ("Background check", True, 24, WhoRecords.STAFF),
    ("Two references", True, None, WhoRecords.STAFF),
    ("Orientation training", True, None, WhoRecords.TRAINING),
    ("Annual child-safety training", True, 12, WhoRecords.TRAINING),
    ("Interview", False, None, WhoRecords.STAFF),
]
# The names Spanish-speaking mentors read (filled in by an administrator in a program).
SPANISH_NAMES = {
    "Background check": "Verificación de antecedentes",
    "Two references": "Dos referencias",
    "Orientation training": "Capacitación de orientación",
    "Annual child-safety training": "Capacitación anual en protección infantil",
    "Interview": "Entrevista",
}
NAMED = {MAIN_MENTOR_EMAIL, "mentor2@example.org", "mentor.es@example.org"}


def create_items() -> dict[str, ReadinessItem]:
    items = {}
    for position, (name, required, months, who) in enumerate(ITEMS):
        items[name], _ = ReadinessItem.objects.get_or_create(
            name=name,
            defaults={
                "required": required,
                "valid_months": months,
                "who_records": who,
                "position": position,
                "name_es": SPANISH_NAMES[name],
            },
        )
    # A demo loaded before items had Spanish names gets them; a name an administrator
    # wrote is kept.
    for name, name_es in SPANISH_NAMES.items():
        ReadinessItem.objects.filter(name=name, name_es="").update(name_es=name_es)
        items[name].name_es = items[name].name_es or name_es
    return items


def _pattern(index: int, email: str) -> str:
    """How each mentor stands: the named demo mentors are ready; of the others, about one
    in seven has a reference missing, one in nine an expired check, one in eight a check
    expiring within 30 days."""
    if email in NAMED:
        return "ready"
    if index % 7 == 3:
        return "missing"
    if index % 9 == 4:
        return "expired"
    if index % 8 == 6:
        return "expiring"
    return "ready"


def create_readiness(demo: Demo) -> None:
    items = create_items()
    staff = User.objects.get(email=STAFF_EMAIL)
    today = demo.today
    days = dt.timedelta
    check_days_ago = {"ready": 200, "missing": 120, "expired": 760, "expiring": 705}
    records, trainings = [], []
    mentors = Mentor.objects.select_related("user").order_by("pk")
    done_already = set(ReadinessRecord.objects.values_list("mentor_id", flat=True).distinct())
    for index, mentor in enumerate(mentors):
        if mentor.pk in done_already:
            continue
        pattern = _pattern(index, mentor.user.email)
        enrolled = mentor.enrolled_on or today - days(300)
        start = min(enrolled, today - days(30))

        def add(name: str, done_on: dt.date, source=RecordSource.STAFF, note="", mentor=mentor):
            records.append(
                ReadinessRecord(
                    mentor=mentor,
                    item=items[name],
                    done_on=done_on,
                    recorded_by=staff if source == RecordSource.STAFF else mentor.user,
                    recorded_at=dt.datetime.combine(done_on, dt.time(17, 0), tzinfo=demo.tz),
                    note=note,
                    source=source,
                )
            )

        # A check older than the enrollment, for those whose check has run out.
        add(
            "Background check",
            today - days(check_days_ago[pattern] + index % 10),
            note=f"Clearance no. BC-{2026000 + mentor.pk}",
        )
        if pattern != "missing":
            add("Two references", start - days(10), note="Both references called")
        add("Orientation training", start - days(3), RecordSource.TRAINING)
        add("Annual child-safety training", today - days(40 + index % 90), RecordSource.TRAINING)
        if index % 2 == 0:
            add("Interview", start - days(12))
        trainings.append(
            TrainingLog(
                mentor=mentor,
                on_date=today - days(40 + index % 90),
                quarter_hours=6,
                topic="Annual child-safety training",
                item=items["Annual child-safety training"],
                entered_by=mentor.user,
                entered_at=dt.datetime.combine(today, dt.time(9, 0), tzinfo=demo.tz),
            )
        )
        if mentor.user.email == MAIN_MENTOR_EMAIL:
            trainings.append(
                TrainingLog(
                    mentor=mentor,
                    on_date=today - days(21),
                    quarter_hours=3,
                    topic="Reading games for grades 3 to 5",
                    entered_by=mentor.user,
                    entered_at=dt.datetime.combine(today, dt.time(9, 0), tzinfo=demo.tz),
                )
            )
    TrainingLog.objects.bulk_create(trainings)
    ReadinessRecord.objects.bulk_create(records, ignore_conflicts=True)
    _accept_agreement(demo)


def _accept_agreement(demo: Demo) -> None:
    """Version 1 is the demo's agreement texts (English and Spanish), accepted by every
    mentor at enrollment; on a demo loaded before, the current version."""
    program = demo.program
    version = AgreementVersion.objects.order_by("-number").first()
    if version is None:
        version = AgreementVersion.objects.create(
            number=1,
            fingerprint=program.agreement_version,
            text=program.mentor_agreement,
            text_es=program.mentor_agreement_es,
            created_at=demo.now - dt.timedelta(days=400),
        )
    accepted = set(
        AgreementAcceptance.objects.filter(version=version).values_list("mentor_id", flat=True)
    )
    new = []
    for mentor in Mentor.objects.exclude(pk__in=accepted).select_related("user"):
        at = mentor.agreement_accepted_at or demo.now - dt.timedelta(days=30)
        language = version.language_for(mentor.user.language)
        new.append(
            AgreementAcceptance(mentor=mentor, version=version, accepted_at=at, language=language)
        )
    AgreementAcceptance.objects.bulk_create(new)
    Mentor.objects.exclude(agreement_version=version.fingerprint).update(
        agreement_version=version.fingerprint
    )
