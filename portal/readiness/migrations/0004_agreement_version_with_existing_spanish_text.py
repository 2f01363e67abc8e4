"""A program that already had a Spanish agreement: its current version held the English
text only. Record the next version holding both, so that the version mentors accept (and
the one a new mentor's enrollment records) is exactly what they read, in either language."""

import hashlib

from django.db import migrations
from django.utils import timezone


def _fingerprint(text: str, text_es: str) -> str:
    # As ProgramSettings.agreement_version.
    text = " ".join(text.split())
    text_es = " ".join(text_es.split())
    if text_es:
        text = f"{text}\n--- es ---\n{text_es}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def version_with_spanish_text(apps, schema_editor):
    ProgramSettings = apps.get_model("mentoring", "ProgramSettings")
    AgreementVersion = apps.get_model("readiness", "AgreementVersion")
    program = ProgramSettings.objects.filter(pk=1).first()
    current = AgreementVersion.objects.order_by("-number").first()
    if program is None or current is None:
        return
    if not program.mentor_agreement.strip() or not program.mentor_agreement_es.strip():
        return
    fingerprint = _fingerprint(program.mentor_agreement, program.mentor_agreement_es)
    if current.fingerprint == fingerprint:
        return
    AgreementVersion.objects.create(
        number=current.number + 1,
        fingerprint=fingerprint,
        text=program.mentor_agreement,
        text_es=program.mentor_agreement_es,
        created_at=timezone.now(),
        created_by=None,
    )


class Migration(migrations.Migration):
    dependencies = [("readiness", "0003_agreement_spanish_text_and_item_spanish_name")]

    operations = [migrations.RunPython(version_with_spanish_text, migrations.RunPython.noop)]
