"""The DuckDB database: short-lived connections (DuckDB's cross-process file lock), transactions."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from core.paths import default_db_path

SCHEMA_SQL = Path(__file__).with_name("sql") / "schema.sql"

# Streamlit runs sessions in threads of one process: serialise writes there.
WRITE_LOCK = threading.RLock()
# Two threads connecting to the same file at once race in DuckDB's instance cache
# ("Unique file handle conflict: … already attached"): connect one at a time.
_CONNECT_LOCK = threading.Lock()


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
            with _CONNECT_LOCK:
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
