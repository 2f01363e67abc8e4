"""The environment of a worker started as a separate process by a test: it must reach the
test's own database (PostgreSQL's test database by name, or the SQLite file), which the
settings alone would not name."""

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection


def worker_database_env(**values: str) -> dict[str, str]:
    """os.environ with ``values``, unbuffered output and the test database; skips the
    test where a subprocess cannot see that database (SQLite in memory)."""
    env = {**os.environ, **values, "PYTHONUNBUFFERED": "1"}
    if connection.vendor == "postgresql":
        url = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{connection.settings_dict['NAME']}"))
    elif connection.is_in_memory_db():
        pytest.skip("the SQLite test database is in memory: a subprocess cannot see it")
    else:
        env["SQLITE_PATH"] = connection.settings_dict["NAME"]
    return env
