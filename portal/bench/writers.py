"""Writing generated rows: COPY on PostgreSQL, executemany on SQLite.

Both take the same row tuples from ``generate.py`` and run inside the caller's
transaction, so a failed run leaves the database as it was.

Table and column names in the SQL below come from the models' metadata, never from
input (hence the S608 exceptions).
"""

import datetime as dt
from collections.abc import Iterable
from itertools import islice

from django.apps import apps

# Configuration the program keeps across a reset: the settings row and the choice lists
# (sessions point at choices; the lists are the program's, not generated data).
KEPT_MODELS = {"mentoring.programsettings", "mentoring.choice"}
# Framework tables that are not the program's data.
KEPT_APPS = {"contenttypes", "auth", "migrations"}


def program_tables() -> list[str]:
    """Every table a reset empties: all models' tables but the framework's and the
    program's configuration (settings and choice lists)."""
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in KEPT_APPS or meta.label_lower in KEPT_MODELS:
            continue
        if meta.managed and not meta.proxy and meta.db_table not in tables:
            tables.append(meta.db_table)
    return tables


class PostgresWriter:
    """COPY ... FROM STDIN through psycopg 3: the fastest way in, by far (a million rows
    in seconds, against minutes for INSERTs)."""

    def __init__(self, connection):
        self.connection = connection
        self.cursor = connection.cursor()
        # The portal's 15-second statement timeout (settings.py) would stop a big COPY;
        # SET LOCAL lifts it for this transaction only.
        self.cursor.execute("SET LOCAL statement_timeout = 0")

    def reset(self, tables: list[str]) -> None:
        """TRUNCATE: instant whatever the size, and RESTART IDENTITY starts ids at 1."""
        quoted = ", ".join(self.connection.ops.quote_name(t) for t in tables)
        self.cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")

    def write(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        count = 0
        names = ", ".join(self.connection.ops.quote_name(c) for c in columns)
        with self.cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)
                count += 1
        return count

    def finish(self, tables: list[str]) -> None:
        """Point each id sequence past the explicit ids, so the next row the portal
        creates gets a free id; then refresh the planner's statistics."""
        for table in tables:
            self.cursor.execute(f"SELECT max(id) FROM {table}")  # noqa: S608 (see above)
            (last,) = self.cursor.fetchone()
            self.cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)",
                [table, last or 1, last is not None],
            )
        for table in tables:
            self.cursor.execute(f"ANALYZE {table}")


def sqlite_value(value):
    """What Django stores in SQLite: datetimes as naive UTC text, dates as ISO text."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class SQLiteWriter:
    """executemany in batches, in the caller's one transaction: small runs for tests.

    Django makes SQLite's foreign keys deferred, so the order of tables within the
    transaction does not matter; they are checked at commit.
    """

    BATCH = 5_000

    def __init__(self, connection):
        self.connection = connection
        self.cursor = connection.cursor()

    def reset(self, tables: list[str]) -> None:
        for table in tables:
            self.cursor.execute(f"DELETE FROM {self.connection.ops.quote_name(table)}")  # noqa: S608

    def write(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        names = ", ".join(self.connection.ops.quote_name(c) for c in columns)
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        count = 0
        rows = iter(rows)
        raw = self.cursor.cursor  # the sqlite3 cursor: its own placeholders, no rewriting
        while batch := list(islice(rows, self.BATCH)):
            raw.executemany(sql, [tuple(map(sqlite_value, row)) for row in batch])
            count += len(batch)
        return count

    def finish(self, tables: list[str]) -> None:
        # AUTOINCREMENT keeps sqlite_sequence at the largest id inserted: nothing to reset.
        self.cursor.execute("ANALYZE")


def writer_for(connection):
    if connection.vendor == "postgresql":
        return PostgresWriter(connection)
    if connection.vendor == "sqlite":
        return SQLiteWriter(connection)
    raise ValueError(f"bench_data supports PostgreSQL and SQLite, not {connection.vendor}.")
