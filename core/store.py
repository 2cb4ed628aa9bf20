"""The DuckDB store: short-lived connections, atomic submission loads, in-force switching."""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from core.audit import record
from core.parsed import SHEET_NAMES, ParsedSubmission
from core.paths import default_db_path

SCHEMA_SQL = Path(__file__).with_name("sql") / "schema.sql"

# Streamlit runs sessions in threads of one process: serialise writes there.
WRITE_LOCK = threading.RLock()

# Test hook (tests/test_crash.py): seconds to sleep inside the store transaction.
PAUSE_ENV = "PILOT_STORE_PAUSE"


class DatabaseBusy(RuntimeError):
    """Another process holds DuckDB's file lock (e.g. the running dashboard)."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(f"数据库正被另一个程序(如看板)使用,请稍后重试({path})")


class StoreError(ValueError):
    """A store action that cannot be done (e.g. restoring a rejected submission); Chinese message."""


@contextmanager
def open_db(path: Path | str | None = None, *, timeout: float = 10.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a short-lived connection to the database file (created with its schema if new)."""
    path = Path(path) if path is not None else default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(path, timeout)
    try:
        with WRITE_LOCK:  # idempotent (IF NOT EXISTS), ~4 ms; survives the file being replaced
            con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
        yield con
    finally:
        con.close()


def _connect(path: Path, timeout: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                if "lock" in str(exc).lower():
                    raise DatabaseBusy(path) from None
                raise
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 1.0)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN … COMMIT under the process write lock; ROLLBACK on any error."""
    with WRITE_LOCK:
        con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


def store_submission(con: duckdb.DuckDBPyConnection, parsed: ParsedSubmission, *, file_name: str,
                     sha256: str, received_at: datetime, archive_path: str,
                     actor: str) -> tuple[int, int | None]:
    """Store one workbook (row, issues, data if accepted) in one transaction; return (id, replaces)."""
    accepted = parsed.ok and parsed.county is not None and parsed.period is not None
    n_errors = sum(1 for i in parsed.issues if i.severity == "error")
    n_warnings = len(parsed.issues) - n_errors
    now = datetime.now()
    with transaction(con):
        sub_id = con.execute(
            "INSERT INTO submission (county, period, file_name, sha256, received_at, ingested_at,"
            " status, archive_path, n_errors, n_warnings, rows_json, submitted_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [parsed.county, parsed.period, file_name, sha256, received_at, now,
             "accepted" if accepted else "rejected", archive_path, n_errors, n_warnings,
             json.dumps(parsed.rows if accepted else {}, ensure_ascii=False), actor],
        ).fetchone()[0]
        _insert_issues(con, sub_id, parsed)
        replaces = None
        if accepted:
            for key, df in parsed.tables.items():
                _insert_table(con, key, sub_id, df)
            replaces = _switch_in_force(con, sub_id, parsed.county, parsed.period)
            if replaces is not None:
                con.execute("UPDATE submission SET replaces = ? WHERE id = ?", [replaces, sub_id])
        _pause_for_crash_test()
        record(con, actor, "ingest", submission_id=sub_id, county=parsed.county, period=parsed.period,
               sha256=sha256, detail={"file": file_name, "status": "accepted" if accepted else "rejected",
                "replaces": replaces, "received_at": received_at.isoformat()})
    return sub_id, replaces


def restore_submission(con: duckdb.DuckDBPyConnection, submission_id: int, actor: str) -> int | None:
    """Make an earlier accepted submission the one in force again; return the one it replaced."""
    with transaction(con):
        row = con.execute("SELECT county, period, status, in_force, sha256 FROM submission WHERE id = ?",
                          [submission_id]).fetchone()
        if row is None:
            raise StoreError(f"找不到第{submission_id}号报送")
        county, period, status, in_force, sha = row
        if status != "accepted":
            raise StoreError(f"第{submission_id}号报送未通过校验,不能恢复为现行版本")
        if in_force:
            return None
        previous = _current(con, county, period)
        con.execute("UPDATE submission SET in_force = FALSE WHERE county = ? AND period = ? AND in_force",
                    [county, period])
        con.execute("UPDATE submission SET in_force = TRUE WHERE id = ?", [submission_id])
        record(con, actor, "restore", submission_id=submission_id, county=county, period=period,
               sha256=sha, detail={"replaces": previous})
    return previous


def find_by_sha(con: duckdb.DuckDBPyConnection, sha256: str) -> dict | None:
    """The earliest stored submission of a file with this SHA-256 (any status), or None."""
    row = con.execute(
        "SELECT id, status, county, period, received_at, ingested_at, file_name FROM submission"
        " WHERE sha256 = ? ORDER BY id LIMIT 1", [sha256]).fetchone()
    if row is None:
        return None
    keys = ("id", "status", "county", "period", "received_at", "ingested_at", "file_name")
    return dict(zip(keys, row))


def _current(con, county: str, period: str) -> int | None:
    row = con.execute("SELECT id FROM submission WHERE county = ? AND period = ? AND in_force",
                      [county, period]).fetchone()
    return row[0] if row else None


def _switch_in_force(con, sub_id: int, county: str, period: str) -> int | None:
    """Put sub_id in force if it is the newest accepted (received_at, then id); return what it replaced.

    A workbook back-loaded with an older --received-at than the one in force
    joins the history without displacing it.
    """
    newest = con.execute(
        "SELECT id FROM submission WHERE county = ? AND period = ? AND status = 'accepted'"
        " ORDER BY received_at DESC, id DESC LIMIT 1", [county, period]).fetchone()[0]
    if newest != sub_id:
        return None
    previous = _current(con, county, period)
    con.execute("UPDATE submission SET in_force = FALSE WHERE county = ? AND period = ? AND in_force",
                [county, period])
    con.execute("UPDATE submission SET in_force = TRUE WHERE id = ?", [sub_id])
    return previous


def _insert_issues(con, sub_id: int, parsed: ParsedSubmission) -> None:
    if not parsed.issues:
        return
    df = pd.DataFrame([{"submission_id": sub_id, "seq": n, "severity": i.severity, "sheet": i.sheet,
                        "excel_row": i.row, "column_name": i.column, "value": i.value,
                        "message": i.message} for n, i in enumerate(parsed.issues, start=1)])
    df["excel_row"] = df["excel_row"].astype("Int64")
    _insert_frame(con, "submission_issue", df)


def _insert_table(con, key: str, sub_id: int, df: pd.DataFrame) -> None:
    if key not in SHEET_NAMES:
        raise ValueError(f"unknown table {key!r}")
    if df is None or df.empty:
        return
    frame = df.copy()
    frame.insert(0, "submission_id", sub_id)
    _insert_frame(con, key, frame)


def _insert_frame(con, table: str, frame: pd.DataFrame) -> None:
    """Bulk insert by column name (INSERT … SELECT FROM a registered frame, never executemany)."""
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    view = f"_load_{table}"
    con.register(view, frame)
    try:
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {view}")
    finally:
        con.unregister(view)


def _pause_for_crash_test() -> None:
    pause = os.environ.get(PAUSE_ENV)
    if pause:
        print("STORE-PAUSED", file=sys.stderr, flush=True)
        time.sleep(float(pause))
