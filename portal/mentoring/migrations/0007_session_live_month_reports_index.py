"""A covering index for the month reports, on PostgreSQL only.

The dashboard, compliance and hours read a month of live entries and only these columns:
with them in the index, PostgreSQL answers from the index alone (an index-only scan of
the month, about 86,000 entries at real size). SQLite has no INCLUDE columns (Django
warns, W040, if the index is declared on the model), so it is made here, by hand, where
the database can use it; the model's other indexes serve SQLite.
"""

from django.db import migrations

INDEX = "session_live_month_reports"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON mentoring_sessionlog (starts_at) "
        "INCLUDE (match_id, quarter_hours, attendance, is_late, reviewed_at, "
        "type_of_mentoring_id, interaction_id) WHERE deleted_at IS NULL"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0006_match_latest_activity"),
    ]

    operations = [migrations.RunPython(create, drop)]
