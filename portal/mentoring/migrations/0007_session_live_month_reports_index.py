"""The index of live entries by time, which the month reports read.

The dashboard, compliance and hours read a month of live entries and only a few columns:
on PostgreSQL they are included in the index, which then answers alone (an index-only
scan of the month, about 86,000 entries at real size: 18 ms instead of 33 ms through the
plain index on starts_at and the table). SQLite has no INCLUDE columns (Django warns,
W040, if such an index is declared on the model), so the index is made here, by hand:
covering on PostgreSQL, plain on SQLite. Migration 0008 then drops the plain index on
starts_at, which the planner would otherwise prefer.
"""

from django.db import migrations

INDEX = "session_live_month_reports"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON mentoring_sessionlog (starts_at) "
            "WHERE deleted_at IS NULL"
        )
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON mentoring_sessionlog (starts_at) "
        "INCLUDE (match_id, quarter_hours, attendance, is_late, reviewed_at, "
        "type_of_mentoring_id, interaction_id) WHERE deleted_at IS NULL"
    )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0006_match_latest_activity"),
    ]

    operations = [migrations.RunPython(create, drop)]
