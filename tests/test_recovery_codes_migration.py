"""Recovery codes made before passkeys belong to the person of their app after the
migration that made codes the person's (so they keep working at the code step)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from portal.security import recovery
from portal.security.models import RecoveryCode
from tests.serialized import django_db_setup  # noqa: F401  (see tests/serialized.py)

BEFORE = [("security", "0004_passkeys")]
AFTER = [("security", "0005_recovery_codes_of_the_person")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_codes_made_with_an_app_belong_to_its_person():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    old_user = old_apps.get_model("accounts", "User")
    old_device = old_apps.get_model("security", "TOTPDevice")
    old_code = old_apps.get_model("security", "RecoveryCode")
    people = [
        old_user.objects.create(email=f"{name}@example.org", role="staff", password="!")
        for name in ("ana", "ben")
    ]
    for person in people:
        device = old_device.objects.create(user=person, secret="S", confirmed_at=timezone.now())
        old_code.objects.create(device=device, code_hash=recovery._hash("123412341234"))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    owners = dict(RecoveryCode.objects.values_list("device__user_id", "user_id"))
    assert owners == {person.pk: person.pk for person in people}
