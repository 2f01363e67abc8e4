"""Invitations moved from the accounts app to enrollment without touching their table: a
database that has invitations keeps them, and the way back works too."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from portal.enrollment.models import Invitation
from tests.serialized import django_db_setup  # noqa: F401  (see tests/serialized.py)

BEFORE = [("accounts", "0002_invitation")]


# serialized_rollback: the starting lists of the data migrations are back for later tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_invitations_made_before_the_enrollment_app_are_kept():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    old_user = old_apps.get_model("accounts", "User")
    old_invitation = old_apps.get_model("accounts", "Invitation")
    now = timezone.now()
    user = old_user.objects.create(
        email="nia@example.org", full_name="Nia Okafor", role="mentor", password="!"
    )
    pk = old_invitation.objects.create(
        user=user, token_hash="a" * 64, created_at=now, expires_at=now + dt.timedelta(days=14)
    ).pk
    assert ContentType.objects.filter(app_label="accounts", model="invitation").exists()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    assert Invitation._meta.db_table == "accounts_invitation"
    assert Invitation.objects.get(pk=pk).user.email == "nia@example.org"
    assert ContentType.objects.get_for_model(Invitation).app_label == "enrollment"
    assert not ContentType.objects.filter(app_label="accounts", model="invitation").exists()
