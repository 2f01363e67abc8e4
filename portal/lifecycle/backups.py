"""Back up and restore the whole database, on SQLite or PostgreSQL.

SQLite uses its online backup API (a consistent copy while the portal runs). PostgreSQL
uses ``pg_dump --format=custom`` and ``pg_restore --clean --single-transaction``, the
tools of the server's own version; install ``postgresql-client`` beside the portal.
"""

import datetime as dt
import os
import shutil
import sqlite3
import subprocess  # noqa: S404  (fixed argument lists, never a shell)
from pathlib import Path

from django.conf import settings
from django.db import connection, connections


class BackupError(RuntimeError):
    """The backup or restore could not be made; the message says why."""


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def default_path(now: dt.datetime | None = None) -> Path:
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S")
    suffix = "pgdump" if is_postgres() else "sqlite3"
    return Path(settings.VAR_DIR) / "backups" / f"portal-{stamp}.{suffix}"


def _pg_env_and_args() -> tuple[dict, list[str]]:
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
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


def backup_create(*, path: Path | None = None) -> Path:
    """Write a consistent copy of the database to ``path`` (made private) and return it."""
    path = Path(path or default_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    if is_postgres():
        env, args = _pg_env_and_args()
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(path)]
        result = subprocess.run(  # noqa: S603
            [*command, *args, connection.settings_dict["NAME"]],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    else:
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    path.chmod(0o600)  # it holds notes about children
    return path


def backup_restore(*, path: Path) -> None:
    """Replace the whole database with the backup at ``path``.

    Stop the web servers and the worker first: on PostgreSQL ``pg_restore --clean``
    waits for their locks, and on SQLite they would keep writing to the old data.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    for conn in connections.all():
        conn.close()
    if is_postgres():
        env, args = _pg_env_and_args()
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
        result = subprocess.run(  # noqa: S603
            command, env=env, capture_output=True, text=True, check=False
        )
        if result.returncode:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    else:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    for conn in connections.all():
        conn.close()
