"""The restore drill (ASVS 5.0 V14.2): back up, change data, restore, the data is back.

Runs on the database of the test run: SQLite's online backup API, or pg_dump and
pg_restore on PostgreSQL (CI installs postgresql-client).
"""

import datetime as dt
import shutil
import stat

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.mentoring.models import SessionLog
from portal.safeguarding.models import SafetyConcern
from tests.conftest import is_postgres, log_session
from tests.serialized import django_db_setup  # noqa: F401  (see tests/serialized.py)

# The backup tools read committed data from another connection or process.
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)
needs_tools = pytest.mark.skipif(
    is_postgres() and not shutil.which("pg_dump"),
    reason="pg_dump is not installed (apt-get install postgresql-client)",
)


@transactional
@needs_tools
def test_a_backup_restores_what_was_there(tmp_path, match_a, choices):
    start = timezone.now().replace(second=0, microsecond=0)
    kept = log_session(
        match_a,
        start - dt.timedelta(hours=3),
        notes="Before the backup.",
        safety_concern=True,
        safety_concern_details="Worried about home.",
    )
    path = tmp_path / "portal.backup"
    call_command("backup", output=str(path), unencrypted=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert path.stat().st_size > 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    # After the backup: one entry changed, one added, one concern more.
    SessionLog.objects.filter(pk=kept.pk).update(notes="Changed after the backup.")
    log_session(match_a, start - dt.timedelta(hours=1), notes="Later.")
    assert SessionLog.objects.count() == 2

    call_command("restore", str(path), yes=True, stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert list(SessionLog.objects.values_list("pk", "notes")) == [(kept.pk, "Before the backup.")]
    assert SafetyConcern.objects.filter(session_id=kept.pk).count() == 1
    assert kept.revisions.count() == 1
    # The portal keeps working on the restored data.
    log_session(match_a, start - dt.timedelta(hours=2), notes="After.")
    assert SessionLog.objects.count() == 2


def test_a_restore_needs_confirmation(tmp_path):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "x"))


@pytest.mark.django_db
def test_a_missing_backup_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No backup"):
        call_command("restore", str(tmp_path / "missing"), yes=True)
