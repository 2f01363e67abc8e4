"""The staff's exports in CSV and Excel: the sessions export and its column specification
(sessions.py), the report tables (reports.py, the match reports among them); the tables and
their writers are shared with the mentor's pages (portal/downloads/tables.py)."""

from portal.downloads import tables
from portal.downloads.tables import (
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
from portal.staff.exports.reports import (
    checkin_compliance_table,
    closures_table,
    compliance_table,
    hours_table,
    retention_table,
    strength_table,
    training_table,
)
from portal.staff.exports.sessions import sessions_table

__all__ = [
    "tables",
    "CHUNK_SIZE",
    "CSV_TYPE",
    "XLSX_TYPE",
    "ExportFailed",
    "Table",
    "checkin_compliance_table",
    "closures_table",
    "compliance_table",
    "training_table",
    "csv_chunks",
    "guarded",
    "hours_table",
    "neutralise",
    "retention_table",
    "sessions_table",
    "streaming_response",
    "strength_table",
    "xlsx_chunks",
]
