"""Exports in CSV and Excel: the tables and their writers (tables.py), the sessions
export and its column specification (sessions.py), the report tables (reports.py)."""

from portal.staff.exports.reports import compliance_table, hours_table, mentor_hours_table
from portal.staff.exports.sessions import sessions_table
from portal.staff.exports.tables import (
    CHUNK_SIZE,
    CSV_TYPE,
    XLSX_TYPE,
    ExportFailed,
    Table,
    csv_chunks,
    guarded,
    neutralise,
    streaming_response,
    xlsx_chunks,
)

__all__ = [
    "CHUNK_SIZE",
    "CSV_TYPE",
    "XLSX_TYPE",
    "ExportFailed",
    "Table",
    "compliance_table",
    "csv_chunks",
    "guarded",
    "hours_table",
    "mentor_hours_table",
    "neutralise",
    "sessions_table",
    "streaming_response",
    "xlsx_chunks",
]
