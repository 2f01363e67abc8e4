"""The program's starting list of why a match closed (SPEC 8); administrators change it in
the program settings. Matches closed before keep their free-text reason as their notes."""

from django.db import migrations

STARTING_REASONS = [
    "Mentor moved or schedule changed",
    "Mentee changed school",
    "Family request",
    "Program ended",
    "Mentor no longer available",
    "Other",
]


def add_reasons(apps, schema_editor):
    Choice = apps.get_model("mentoring", "Choice")
    if Choice.objects.filter(list="closure_reason").exists():
        return
    Choice.objects.bulk_create(
        Choice(list="closure_reason", label=label, position=position)
        for position, label in enumerate(STARTING_REASONS)
    )


def remove_reasons(apps, schema_editor):
    Choice = apps.get_model("mentoring", "Choice")
    Choice.objects.filter(list="closure_reason", label__in=STARTING_REASONS).delete()


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0013_match_closure_answers")]

    operations = [migrations.RunPython(add_reasons, remove_reasons)]
