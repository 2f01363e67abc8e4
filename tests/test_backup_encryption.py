"""Backups encrypted at rest: the server holds a public key only, the private key restores.

A throwaway GnuPG home with a key made without a passphrase (ed25519 and cv25519, fast)
stands for the program's backup key. Runs on SQLite and on PostgreSQL.
"""

import datetime as dt
import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path
from unittest import mock

import dj_database_url
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from portal.lifecycle import backups
from portal.lifecycle.gpg import PLAIN_MAGIC
from portal.mentoring.models import SessionLog
from tests.conftest import is_postgres, log_session
from tests.serialized import django_db_setup  # noqa: F401  (see tests/serialized.py)

pytestmark = pytest.mark.skipif(not shutil.which("gpg"), reason="gpg is not installed")
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)
needs_tools = pytest.mark.skipif(
    is_postgres() and not shutil.which("pg_dump"),
    reason="pg_dump is not installed (apt-get install postgresql-client)",
)
QUIET = {"stdout": open(os.devnull, "w"), "stderr": open(os.devnull, "w")}  # noqa: SIM115


GPG, GPGCONF = shutil.which("gpg") or "gpg", shutil.which("gpgconf") or "gpgconf"


def gpg(home: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  (fixed arguments)
        [GPG, "--homedir", str(home), "--batch", "--quiet", *args],
        capture_output=True,
        check=True,
        **kwargs,
    )


def kill_agent(home: Path) -> None:
    subprocess.run([GPGCONF, "--homedir", str(home), "--kill", "all"], check=False)  # noqa: S603


@pytest.fixture(scope="module")
def backup_key(tmp_path_factory):
    """(public key file, private key file) of a fresh key pair."""
    folder = tmp_path_factory.mktemp("key")
    home = folder / "home"
    home.mkdir(mode=0o700)
    uid = "Portal Backups <backups@example.org>"
    gpg(home, "--passphrase", "", "--quick-gen-key", uid, "future-default", "default", "never")
    public, secret = folder / "public.asc", folder / "secret.asc"
    public.write_bytes(gpg(home, "--armor", "--export", uid).stdout)
    secret.write_bytes(gpg(home, "--armor", "--export-secret-keys", uid).stdout)
    yield public, secret
    kill_agent(home)


@pytest.fixture
def encrypting(settings, tmp_path, backup_key, monkeypatch):
    """Backups to tmp_path/backups encrypted to the key; an empty keyring of one's own,
    so only the private key file given at restore can decrypt."""
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_GPG_RECIPIENT_FILES = [str(backup_key[0])]
    settings.VAR_DIR = tmp_path / "var"
    empty = tmp_path / "no-keys"
    empty.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(empty))
    return backup_key


@pytest.fixture
def scratch(monkeypatch):
    """Where the code takes its temporary folders: short, for gpg-agent's socket path."""
    folder = Path(tempfile.mkdtemp(prefix="pt-"))
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def plain_files_under(folder: Path) -> list[Path]:
    """Every file below ``folder`` that is a database or a dump in the clear."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            head = path.read_bytes()[:16]
            if any(head.startswith(magic) for magic in PLAIN_MAGIC):
                found.append(path)
    return found


def decrypt(path: Path, secret: Path, tmp_path: Path) -> bytes:
    home = tmp_path / "restorer"
    home.mkdir(mode=0o700)
    try:
        gpg(home, "--import", str(secret))
        return gpg(home, "--decrypt", str(path)).stdout
    finally:
        kill_agent(home)


def only_backup(settings) -> Path:
    [path] = list(Path(settings.BACKUP_DIR).iterdir())
    return path


@pytest.mark.django_db(transaction=True)
@needs_tools
def test_a_backup_is_encrypted_and_only_the_private_key_reads_it(
    settings, tmp_path, scratch, encrypting, match_a, choices
):
    log_session(match_a, timezone.now() - dt.timedelta(hours=2), notes="Jane seemed tired.")
    call_command("backup", **QUIET)

    path = only_backup(settings)
    assert path.name.endswith(".gpg")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = path.read_bytes()
    assert not any(data.startswith(magic) for magic in PLAIN_MAGIC)
    assert b"Jane seemed tired." not in data
    plain = decrypt(path, encrypting[1], tmp_path)
    assert plain.startswith(b"PGDMP" if is_postgres() else b"SQLite format 3\x00")
    # Nothing in the clear was left anywhere the backup wrote or took scratch space.
    assert plain_files_under(tmp_path) == []
    assert list(scratch.iterdir()) == []


@transactional
@needs_tools
def test_the_restore_drill_from_an_encrypted_backup(
    settings, tmp_path, scratch, encrypting, match_a
):
    start = timezone.now().replace(second=0, microsecond=0)
    kept = log_session(match_a, start - dt.timedelta(hours=3), notes="Before the backup.")
    call_command("backup", **QUIET)
    path = only_backup(settings)
    SessionLog.objects.filter(pk=kept.pk).update(notes="Changed after the backup.")
    log_session(match_a, start - dt.timedelta(hours=1), notes="Later.")

    call_command("restore", str(path), yes=True, identity=str(encrypting[1]), **QUIET)

    assert list(SessionLog.objects.values_list("pk", "notes")) == [(kept.pk, "Before the backup.")]
    log_session(match_a, start - dt.timedelta(hours=2), notes="After.")
    assert SessionLog.objects.count() == 2
    # The decrypted copy (PostgreSQL) and the throwaway keyring are gone.
    assert plain_files_under(tmp_path) == []
    assert list(scratch.iterdir()) == []
    assert not list(Path(settings.VAR_DIR).glob("portal-restore-*"))


@pytest.mark.django_db(transaction=True)
@needs_tools
def test_without_the_private_key_a_backup_cannot_be_restored(settings, encrypting):
    call_command("backup", **QUIET)
    with pytest.raises(CommandError, match="private key is not here: give it with --identity"):
        call_command("restore", str(only_backup(settings)), yes=True, **QUIET)


@pytest.mark.django_db
def test_a_missing_private_key_file_is_a_clear_error(settings, tmp_path, encrypting):
    path = tmp_path / "portal.sqlite3.gpg"
    path.write_bytes(b"\x85\x01\x0c not a database")
    with pytest.raises(CommandError, match="private key file .* does not exist"):
        call_command("restore", str(path), yes=True, identity=str(tmp_path / "nope"), **QUIET)


# SQLite's backup waits for a test's open transaction: these tests commit.
@pytest.mark.django_db(transaction=True)
def test_a_failed_encryption_leaves_no_file(settings, tmp_path, encrypting):
    not_a_key = tmp_path / "not-a-key.asc"
    not_a_key.write_text("hello")
    settings.BACKUP_GPG_RECIPIENT_FILES = [str(not_a_key)]
    with pytest.raises(CommandError, match="gpg failed"):
        call_command("backup", **QUIET)
    assert list(Path(settings.BACKUP_DIR).iterdir()) == []
    assert plain_files_under(tmp_path) == []


@pytest.mark.django_db
def test_production_refuses_plain_backups(settings, tmp_path, encrypting):
    settings.HTTPS = True
    with pytest.raises(CommandError, match="with HTTPS=on they are always encrypted"):
        call_command("backup", unencrypted=True, **QUIET)
    assert not Path(settings.BACKUP_DIR).exists()


@pytest.mark.django_db
def test_no_key_and_no_choice_is_a_clear_error(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    settings.BACKUP_GPG_RECIPIENT_FILES = []
    with pytest.raises(CommandError, match="set BACKUP_GPG_RECIPIENT_FILES.*--unencrypted"):
        call_command("backup", **QUIET)
    settings.BACKUP_GPG_RECIPIENT_FILES = [str(tmp_path / "gone.asc")]
    with pytest.raises(CommandError, match="gone.asc does not exist"):
        call_command("backup", **QUIET)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_a_backup_of_the_other_database_is_refused_clearly(tmp_path):
    path = tmp_path / "other"
    path.write_bytes(b"SQLite format 3\x00" if is_postgres() else b"PGDMP\x01\x0e")
    other, this = ("SQLite", "PostgreSQL") if is_postgres() else ("PostgreSQL", "SQLite")
    with pytest.raises(CommandError, match=f"backup of {other}; the portal runs on {this}"):
        call_command("restore", str(path), yes=True, **QUIET)


@pytest.mark.django_db(transaction=True)
@needs_tools
def test_only_the_newest_backups_are_kept(settings, tmp_path, encrypting):
    folder = Path(settings.BACKUP_DIR)
    folder.mkdir()
    old = [folder / f"portal-2026010{day}-020000.sqlite3.gpg" for day in (1, 2, 3)]
    for path in old:
        path.write_bytes(b"old")
    someone_elses = folder / "keep-me.txt"
    someone_elses.write_text("not ours")

    call_command("backup", keep=2, **QUIET)

    left = sorted(path.name for path in folder.iterdir())
    assert left == sorted([old[2].name, only_new(folder, old).name, "keep-me.txt"])


def only_new(folder: Path, old: list[Path]) -> Path:
    [new] = [p for p in folder.iterdir() if p.name.startswith("portal-2") and p not in old]
    return new


def test_keeping_no_backup_is_refused():
    with pytest.raises(backups.BackupError, match="at least one"):
        backups.prune(keep=0)


# --- The database's TLS options reach pg_dump ----------------------------------------

FAKE_PG_DUMP = """#!/bin/sh
env > "$(dirname "$0")/pg_dump.env"
printf 'PGDMP fake dump\\n'
"""


@pytest.mark.django_db
def test_the_database_tls_options_reach_pg_dump(settings, tmp_path, encrypting, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "pg_dump").write_text(FAKE_PG_DUMP)
    (tools / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    url = (
        "postgres://portal:s3cret@db.internal:6432/portal?sslmode=verify-full"
        "&sslrootcert=/etc/mentor-portal/db-ca.pem&sslcert=/etc/mentor-portal/client.crt"
        "&sslkey=/etc/mentor-portal/client.key"
    )
    database = dj_database_url.parse(url)  # as portal/settings.py reads DATABASE_URL
    database["OPTIONS"]["options"] = "-c statement_timeout=15000"

    with (
        mock.patch.object(backups, "is_postgres", return_value=True),
        mock.patch.dict(connection.settings_dict, database),
    ):
        call_command("backup", **QUIET)

    lines = (tools / "pg_dump.env").read_text().splitlines()
    seen = dict(line.split("=", 1) for line in lines if "=" in line)
    assert seen["PGSSLMODE"] == "verify-full"
    assert seen["PGSSLROOTCERT"] == "/etc/mentor-portal/db-ca.pem"
    assert seen["PGSSLCERT"] == "/etc/mentor-portal/client.crt"
    assert seen["PGSSLKEY"] == "/etc/mentor-portal/client.key"
    assert seen["PGPASSWORD"] == "s3cret"
    # The portal's statement timeout would cut a long dump short.
    assert "PGOPTIONS" not in seen
    path = only_backup(settings)
    assert decrypt(path, encrypting[1], tmp_path) == b"PGDMP fake dump\n"


def test_pg_dump_is_pointed_at_the_host_port_and_user():
    database = dj_database_url.parse("postgres://portal@db.internal:6432/portal?sslmode=require")
    with mock.patch.dict(connection.settings_dict, database):
        env, args = backups.pg_env_and_args()
    assert args == ["--host", "db.internal", "--port", "6432", "--username", "portal"]
    assert env["PGSSLMODE"] == "require"
