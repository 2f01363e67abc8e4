"""The Invitation model, moved from the accounts app with its table (``accounts_invitation``,
made by ``accounts.0002_invitation``): on a new database and on one that has invitations
alike, nothing in the database changes but the name of its content type."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    """Keep the content type (and the permissions that point to it) of the moved model.
    On a new database there is none yet: Django makes it after migrating."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="enrollment", model="invitation").exists():
        ContentType.objects.filter(app_label="accounts", model="invitation").update(
            app_label="enrollment"
        )


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="accounts", model="invitation").exists():
        ContentType.objects.filter(app_label="enrollment", model="invitation").update(
            app_label="accounts"
        )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0003_invitation_moves_to_enrollment"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Invitation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("token_hash", models.CharField(editable=False, max_length=64, unique=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("expires_at", models.DateTimeField()),
                        ("accepted_at", models.DateTimeField(blank=True, null=True)),
                        ("retired_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="invitations",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_invitation",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(
                                fields=["user", "created_at"], name="accounts_in_user_id_b45831_idx"
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("expires_at__gt", models.F("created_at"))),
                                name="invitation_expires_after_creation",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("accepted_at__isnull", True),
                                    ("retired_at__isnull", True),
                                    _connector="OR",
                                ),
                                name="invitation_accepted_or_retired_not_both",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back, elidable=True),
    ]
