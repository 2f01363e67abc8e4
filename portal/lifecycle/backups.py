"""Back up and restore the whole database, on SQLite or PostgreSQL, encrypted at rest.

SQLite uses its online backup API (a consistent copy while the portal runs). PostgreSQL
uses ``pg_dump --format=custom`` and ``pg_restore --clean --single-transaction``, the
tools of the server's own version; install ``postgresql-client`` beside the portal.

Backups are encrypted to the public keys in ``BACKUP_GPG_RECIPIENT_FILES``
(``portal/lifecycle/gpg.py``). The plain copy never touches the disk: pg_dump streams
into gpg, and SQLite's copy is made in memory. A plain backup is made only when asked
for (``--unencrypted``, for the demo) and never with ``HTTPS=on``.
"""

import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404  (fixed argument lists, never a shell)
import tempfile
from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

from portal.lifecycle import gpg

# The backups this command names itself; only these are ever pruned.
OWN_NAME = re.compile(r"^portal-\d{8}-\d{6}\.(sqlite3|pgdump)(\.gpg)?$")

# libpq's connection parameters that pg_dump and pg_restore read from the environment:
# the TLS options of DATABASE_URL (?sslmode=verify-full&sslrootcert=...) must hold for
# the backup as they do for the portal. The portal's "options" (a statement timeout)
# are left out on purpose: a dump may take longer than a page.
LIBPQ_ENVIRONMENT = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "sslcrldir": "PGSSLCRLDIR",
    "sslsni": "PGSSLSNI",
    "ssl_min_protocol_version": "PGSSLMINPROTOCOLVERSION",
    "ssl_max_protocol_version": "PGSSLMAXPROTOCOLVERSION",
    "channel_binding": "PGCHANNELBINDING",
    "gssencmode": "PGGSSENCMODE",
    "requirepeer": "PGREQUIREPEER",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class BackupError(RuntimeError):
    """The backup or restore could not be made; the message says why."""


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def default_path(now: dt.datetime | None = None, *, encrypted: bool = True) -> Path:
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S")
    suffix = "pgdump" if is_postgres() else "sqlite3"
    return backup_dir() / f"portal-{stamp}.{suffix}{'.gpg' if encrypted else ''}"


def pg_env_and_args() -> tuple[dict, list[str]]:
    """The environment and arguments that point pg_dump and pg_restore at the portal's
    database, the same way and with the same TLS checks as the portal connects."""
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    for option, value in (db.get("OPTIONS") or {}).items():
        if option in LIBPQ_ENVIRONMENT and value not in (None, ""):
            env[LIBPQ_ENVIRONMENT[option]] = str(value)
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return env, args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed: apt-get install postgresql-client")
    return path


def recipient_files() -> list[Path]:
    return [Path(path) for path in settings.BACKUP_GPG_RECIPIENT_FILES]


def backup_create(*, path: Path | None = None, unencrypted: bool = False) -> Path:
    """Write a consistent copy of the database to ``path`` (private) and return it.

    Encrypted to ``BACKUP_GPG_RECIPIENT_FILES`` unless ``unencrypted``, which production
    (``HTTPS=on``) refuses. The file appears whole or not at all: it is written beside
    its final name and renamed once gpg and pg_dump both succeeded.
    """
    if unencrypted and settings.HTTPS:
        raise BackupError(
            "Backups hold notes about children: with HTTPS=on they are always encrypted. "
            "Set BACKUP_GPG_RECIPIENT_FILES and leave out --unencrypted."
        )
    try:
        recipients = [] if unencrypted else gpg.check_recipients(recipient_files())
    except gpg.GpgError as error:
        raise BackupError(f"{error} (or, for the demo only, --unencrypted)") from None
    path = Path(path or default_path(encrypted=not unencrypted))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        # Private from the first byte: it holds notes about children.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as output:
            if is_postgres():
                _dump_postgres(output, recipients)
            else:
                _dump_sqlite(output, recipients)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _dump_postgres(output, recipients: list[Path]) -> None:
    env, args = pg_env_and_args()
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", *args]
    command.append(connection.settings_dict["NAME"])
    if not recipients:
        _run(command, stdout=output, env=env, what="pg_dump")
        return
    with gpg.throwaway_home() as home, tempfile.TemporaryFile() as dump_errors:
        dump = subprocess.Popen(  # noqa: S603
            command, stdout=subprocess.PIPE, stderr=dump_errors, env=env
        )
        try:
            encrypt = gpg.encrypt_command(recipients, home, compress=False)
            result = subprocess.run(  # noqa: S603
                encrypt, stdin=dump.stdout, stdout=output, stderr=subprocess.PIPE, check=False
            )
        finally:
            dump.stdout.close()
            dump.wait()
        # gpg first: when it stops, pg_dump fails too, on a closed pipe.
        if result.returncode:
            raise BackupError(f"gpg failed: {result.stderr.decode(errors='replace').strip()}")
        if dump.returncode:
            dump_errors.seek(0)
            message = dump_errors.read().decode(errors="replace").strip()
            raise BackupError(f"pg_dump failed: {message}")


def _dump_sqlite(output, recipients: list[Path]) -> None:
    connection.ensure_connection()
    copy = sqlite3.connect(":memory:")
    try:
        connection.connection.backup(copy)
        data = copy.serialize()
    finally:
        copy.close()
    if not recipients:
        output.write(data)
        return
    with gpg.throwaway_home() as home:
        encrypt = gpg.encrypt_command(recipients, home, compress=True)
        result = subprocess.run(  # noqa: S603
            encrypt, input=data, stdout=output, stderr=subprocess.PIPE, check=False
        )
    if result.returncode:
        raise BackupError(f"gpg failed: {result.stderr.decode(errors='replace').strip()}")


def _run(command: list[str], *, what: str, **kwargs) -> None:
    result = subprocess.run(command, stderr=subprocess.PIPE, check=False, **kwargs)  # noqa: S603
    if result.returncode:
        raise BackupError(f"{what} failed: {result.stderr.decode(errors='replace').strip()}")


def prune(*, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups this command named in BACKUP_DIR
    (their names sort by time); other files there are never touched."""
    if keep < 1:
        raise BackupError("Keep at least one backup.")
    folder = backup_dir()
    if not folder.is_dir():
        return []
    own = sorted(p for p in folder.iterdir() if p.is_file() and OWN_NAME.match(p.name))
    old = own[:-keep]
    for path in old:
        path.unlink()
    return old


def backup_restore(*, path: Path, identity: str | Path | None = None) -> None:
    """Replace the whole database with the backup at ``path``.

    An encrypted backup is decrypted with the private key file ``identity`` (or the
    operator's own keyring when None). Stop the web servers and the worker first: on
    PostgreSQL ``pg_restore --clean`` waits for their locks, and on SQLite they would
    keep writing to the old data.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    for conn in connections.all():
        conn.close()
    try:
        if gpg.plain_kind(path):
            _check_kind(gpg.plain_kind(path))
            _restore_file(path)
        else:
            _restore_encrypted(path, identity)
    except gpg.GpgError as error:
        raise BackupError(str(error)) from None
    for conn in connections.all():
        conn.close()


def _check_kind(kind: str | None) -> None:
    expected = "postgresql" if is_postgres() else "sqlite"
    if kind != expected:
        names = {"postgresql": "PostgreSQL", "sqlite": "SQLite", None: "an unknown database"}
        raise BackupError(
            f"This is a backup of {names[kind]}; the portal runs on {names[expected]}."
        )


def _restore_encrypted(path: Path, identity) -> None:
    # Without a key file, gpg uses the operator's own keyring (GNUPGHOME, a smartcard).
    with gpg.throwaway_home(identity) if identity else nullcontext() as home:
        decrypt = [*gpg.decrypt_command(home), str(path)]
        if not is_postgres():
            # SQLite: decrypted in memory, never written out in the clear.
            result = subprocess.run(decrypt, capture_output=True, check=False)  # noqa: S603
            if result.returncode:
                raise gpg.decrypt_error(result.stderr.decode(errors="replace"))
            _check_kind(gpg.plain_kind_of(result.stdout[:16]))
            _restore_sqlite_bytes(result.stdout)
            return
        # pg_restore needs a file it can seek in: a private folder, removed at once.
        private = Path(tempfile.mkdtemp(prefix="portal-restore-", dir=_scratch_dir()))
        try:
            plain = private / "restore.pgdump"
            fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as output:
                result = subprocess.run(  # noqa: S603
                    decrypt, stdout=output, stderr=subprocess.PIPE, check=False
                )
            # gpg checks the message's integrity at its end: nothing is restored before.
            if result.returncode:
                raise gpg.decrypt_error(result.stderr.decode(errors="replace"))
            _check_kind(gpg.plain_kind(plain))
            _restore_file(plain)
        finally:
            shutil.rmtree(private, ignore_errors=True)


def _scratch_dir() -> Path:
    """Beside the backups (room for a dump), on the server's own disk."""
    folder = Path(settings.VAR_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _restore_file(path: Path) -> None:
    if is_postgres():
        env, args = pg_env_and_args()
        command = [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *args,
            "--dbname",
            connection.settings_dict["NAME"],
            str(path),
        ]
        _run(command, env=env, what="pg_restore")
    else:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()


def _restore_sqlite_bytes(data: bytes) -> None:
    # The copy of a WAL database says so in its header (bytes 18 and 19); a database in
    # memory cannot use WAL and would not open. 1 and 1 is the ordinary journal.
    if data[18:20] == b"\x02\x02":
        data = data[:18] + b"\x01\x01" + data[20:]
    source = sqlite3.connect(":memory:")
    try:
        source.deserialize(data)
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()
