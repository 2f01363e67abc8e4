"""Invitations now belong to the enrollment app (portal/enrollment). Only Django's idea of
which app owns the model changes: the table ``accounts_invitation`` and its rows stay, and
``enrollment.0001_initial`` takes the model over."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_invitation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Invitation")],
            database_operations=[],
        ),
    ]
