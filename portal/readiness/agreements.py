"""The mentor agreement's versions (SPEC 8): a new version each time the program changes
its text (English or Spanish), and each mentor's acceptance of the version they read, at
enrollment or at their next sign-in. Audited in the transaction that makes each change."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from portal.audit.services import log_action
from portal.mentoring.models import Mentor, ProgramSettings
from portal.readiness import rules, selectors
from portal.readiness.models import AgreementAcceptance, AgreementVersion


def agreement_texts_changed(program: ProgramSettings, changed_data) -> bool:
    """Whether a save of the program settings changed the agreement: the English text, or
    the Spanish one of an agreement that has an English text (a version holds both)."""
    changed = set(changed_data)
    if "mentor_agreement" in changed:
        return True
    return "mentor_agreement_es" in changed and bool(program.mentor_agreement.strip())


def agreement_version_record(*, user, now: dt.datetime | None = None) -> AgreementVersion | None:
    """A new version when the program's agreement text is not the current version's."""
    program = ProgramSettings.objects.get(pk=1)
    if not program.mentor_agreement.strip():
        # Never a version without text: mentors accept exactly what is stored.
        raise ValidationError({"mentor_agreement": rules.AGREEMENT_EMPTY})
    current = selectors.current_agreement()
    if current is not None and current.fingerprint == program.agreement_version:
        return None
    with transaction.atomic():
        # Versions are numbered in turn: take the program's row lock so that two changes
        # at once number theirs one after the other.
        list(ProgramSettings.objects.select_for_update().filter(pk=1).values_list("pk"))
        current = selectors.current_agreement()
        if current is not None and current.fingerprint == program.agreement_version:
            return None
        version = AgreementVersion.objects.create(
            number=(current.number + 1) if current else 1,
            fingerprint=program.agreement_version,
            text=program.mentor_agreement,
            text_es=program.mentor_agreement_es,
            created_at=now or timezone.now(),
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        log_action(
            actor=user,
            action="agreement.version_created",
            obj=version,
            new={"number": version.number, "fingerprint": version.fingerprint},
        )
    return version


def agreement_accept(
    *,
    mentor: Mentor,
    version: AgreementVersion,
    user,
    language: str = "en",
    now: dt.datetime | None = None,
) -> AgreementAcceptance:
    """The mentor accepts ``version``, in the ``language`` of the text they were shown:
    kept which, in which language and when (once per version)."""
    now = now or timezone.now()
    language = version.language_for(language)
    with transaction.atomic():
        acceptance, created = AgreementAcceptance.objects.get_or_create(
            mentor=mentor, version=version, defaults={"accepted_at": now, "language": language}
        )
        if created:
            Mentor.objects.filter(pk=mentor.pk).update(
                agreement_accepted_at=now, agreement_version=version.fingerprint
            )
            mentor.agreement_accepted_at = now
            mentor.agreement_version = version.fingerprint
            log_action(
                actor=user,
                action="agreement.accepted",
                obj=mentor,
                new={
                    "version": version.number,
                    "fingerprint": version.fingerprint,
                    "language": language,
                },
            )
    return acceptance


def agreement_accepted_at_enrollment(*, mentor: Mentor, now: dt.datetime) -> None:
    """Enrollment accepts the text shown: keep it against its version, when there is one,
    with the language of the page the mentor read it on."""
    version = selectors.current_agreement()
    if version is not None and version.fingerprint == mentor.agreement_version:
        AgreementAcceptance.objects.get_or_create(
            mentor=mentor,
            version=version,
            defaults={
                "accepted_at": now,
                "language": version.language_for(translation.get_language()),
            },
        )
