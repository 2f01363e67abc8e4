"""Writing generated rows: COPY on PostgreSQL, executemany on SQLite.

Both take the same row tuples from ``generate.py`` and run inside the caller's
transaction, so a failed run leaves the database as it was.

Table and column names in the SQL below come from the models' metadata, never from
input (hence the S608 exceptions).
"""

import datetime as dt
import json
import time
from collections.abc import Iterable
from contextlib import contextmanager
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


def _json_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class PostgresWriter:
    """COPY ... FROM STDIN through psycopg 3: the fastest way in, by far (a million rows
    in seconds, against minutes for INSERTs)."""

    def __init__(self, connection):
        self.connection = connection
        self.cursor = connection.cursor()
        self.phases: dict[str, float] = {}  # seconds of the steps around the bulk COPY
        # The portal's 15-second statement timeout (settings.py) would stop a big COPY;
        # SET LOCAL lifts it for this transaction only.
        self.cursor.execute("SET LOCAL statement_timeout = 0")
        # The generator gives JSON columns as JSON text already: send it as it is.
        from psycopg.types.json import set_json_dumps  # only installed with PostgreSQL

        set_json_dumps(_json_text, context=self.cursor.cursor)
        # Index builds sort in memory rather than in temporary files.
        self.cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")

    def check_pending(self) -> None:
        """Run the foreign-key checks queued so far (Django's are deferred to commit):
        PostgreSQL refuses TRUNCATE or ALTER TABLE on a table with checks pending."""
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def reset(self, tables: list[str]) -> None:
        """TRUNCATE: instant whatever the size, and RESTART IDENTITY starts ids at 1."""
        self.check_pending()
        quoted = ", ".join(self.connection.ops.quote_name(t) for t in tables)
        self.cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")

    def write(
        self, table: str, columns: tuple[str, ...], rows: Iterable[tuple], bulk: bool = False
    ) -> int:
        """COPY the rows in. ``bulk`` (the million sessions): without the table's foreign
        keys and secondary indexes during the COPY, put back after it (see ``_lifted``)."""
        if not bulk:
            return self._copy(table, columns, rows)
        with self._lifted(table):
            began = time.perf_counter()
            count = self._copy(table, columns, rows)
            self.phases["copy"] = time.perf_counter() - began
        return count

    def _copy(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        """COPY in PostgreSQL's binary format: measured 3 to 4 times faster than text
        (write_row or our own text lines, the same) on the sessions: no timestamps or
        numbers printed and parsed again. Binary needs each column's exact type, read from
        the catalog. (psycopg's QueuedLibpqWriter, a writer thread, measured slower: on two
        cores it competes with the generator for the GIL.)"""
        names = ", ".join(self.connection.ops.quote_name(c) for c in columns)
        raw = self.cursor.cursor
        raw.execute(
            "SELECT attname, atttypid FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        types = dict(raw.fetchall())
        count = 0
        with raw.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([types[column] for column in columns])
            write_row = copy.write_row
            for row in rows:
                write_row(row)
                count += 1
        return count

    @contextmanager
    def _lifted(self, table: str):
        """Drop the table's foreign keys and non-unique indexes, then add them back.

        Measured on the default program (a million sessions, 2 cores, text COPY then):
        with everything in place, 42 s in all, 18 s of it at commit, where each row's four
        deferred foreign-key checks run one index lookup each; without the foreign keys,
        30 s; without the six secondary indexes too, 22 s (building the six from the
        loaded rows takes 4 to 5 s; adding a foreign key back checks every row in one
        join, 1 to 2 s for all four). With binary COPY as well: 19 s.
        The unique indexes stay: lifting them too measured no faster, and they keep the
        one-entry-per-match-and-time rule checked during the COPY. All of it is DDL inside
        the transaction: a failure leaves the table as it was.
        """
        self.check_pending()
        self.cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        foreign_keys = self.cursor.fetchall()
        self.cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = %s::regclass AND NOT indisunique AND NOT indisprimary "
            "ORDER BY 1",
            [table],
        )
        indexes = self.cursor.fetchall()
        quote = self.connection.ops.quote_name
        for name, _ in foreign_keys:
            self.cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _ in indexes:
            self.cursor.execute(f"DROP INDEX {quote(name)}")
        yield
        began = time.perf_counter()
        if table == "mentoring_sessionlog":
            self._in_time_order(table)
        self.phases["time_order"] = time.perf_counter() - began
        began = time.perf_counter()
        for _, definition in indexes:
            self.cursor.execute(definition)
        self.phases["indexes"] = time.perf_counter() - began
        began = time.perf_counter()
        for name, definition in foreign_keys:
            self.cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        self.phases["foreign_keys"] = time.perf_counter() - began

    def _in_time_order(self, table: str) -> None:
        """Store the sessions in the order they happened (CLUSTER), as two years of real
        entries would be: the generator writes them match by match, which would scatter
        a month's sessions over the whole table and make every month report read all of
        it. Done before the secondary indexes are built, so CLUSTER rebuilds only the
        unique ones."""
        self.cursor.execute(f"CREATE INDEX bench_time_order ON {table} (starts_at)")
        self.cursor.execute(f"CLUSTER {table} USING bench_time_order")
        self.cursor.execute("DROP INDEX bench_time_order")

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

    def after_commit(self, tables: list[str]) -> None:
        """VACUUM the new rows (about 1 s for a million sessions), as autovacuum would
        have by the time a real program is this size: it marks the pages all-visible, so
        counts can use index-only scans and the benchmark's first reads do not pay for it.
        Not possible inside a transaction (a test's): skipped there."""
        if self.connection.in_atomic_block:
            return
        with self.connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")  # as for the COPY
            try:
                for table in tables:
                    cursor.execute(f"VACUUM {table}")
            finally:
                cursor.execute("RESET statement_timeout")  # back to the connection's


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

    def write(
        self, table: str, columns: tuple[str, ...], rows: Iterable[tuple], bulk: bool = False
    ) -> int:
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

    def after_commit(self, tables: list[str]) -> None:
        pass

    def finish(self, tables: list[str]) -> None:
        # AUTOINCREMENT keeps sqlite_sequence at the largest id inserted: nothing to reset.
        self.cursor.execute("ANALYZE")


def writer_for(connection):
    if connection.vendor == "postgresql":
        return PostgresWriter(connection)
    if connection.vendor == "sqlite":
        return SQLiteWriter(connection)
    raise ValueError(f"bench_data supports PostgreSQL and SQLite, not {connection.vendor}.")
