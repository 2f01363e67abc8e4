"""The program's starting lists (SPEC 4.4) and its settings row."""

from django.db import migrations

STARTING_LISTS = {
    "type_of_mentoring": ["Mentoring Hours", "Group Activity", "Training"],
    "interaction": ["In-Person", "Virtual", "Phone"],
}


def create(apps, schema_editor):
    Choice = apps.get_model("mentoring", "Choice")
    ProgramSettings = apps.get_model("mentoring", "ProgramSettings")
    ProgramSettings.objects.get_or_create(pk=1)
    for list_name, labels in STARTING_LISTS.items():
        for position, label in enumerate(labels):
            Choice.objects.get_or_create(
                list=list_name,
                label=label,
                defaults={"position": position, "is_default": position == 0},
            )


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
