"""The DuckDB database: short-lived connections (DuckDB's cross-process file lock), transactions."""
from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from core.paths import default_db_path

SCHEMA_SQL = Path(__file__).with_name("sql") / "schema.sql"

# DuckDB's own settings, applied on every connection (each SET is the database instance's, shared by
# the connections open at once). memory_limit bounds DuckDB's buffer manager — pages it read and
# query intermediates; unbounded it takes ~300 MB per province query (100 counties) and ~750 MB at
# 300 counties, 80 % of the machine's memory by default. 256 MB is measured enough for the heaviest
# query at 300 counties (a zone's school-level month pair; 192 MB fails there with DuckDB's "Out of
# Memory"); operators past it spill to <database>.tmp. threads stays DuckDB's default (the cores:
# 1 thread saved ~15 MB a query) and so does preserve_insertion_order (no measured effect).
DUCKDB_SETTINGS = {"memory_limit": "256MB"}


@contextmanager
def memory_limit(con: duckdb.DuckDBPyConnection, limit: str) -> Iterator[None]:
    """DuckDB's memory_limit set to `limit` for the queries inside, DUCKDB_SETTINGS' own after. The
    setting is the database instance's: a query that fits in less (core/indicators/detail.py) runs
    under it while the facts lock keeps the other facts queries out; a connection opened meanwhile
    sets the usual limit again, which only gives the query more."""
    con.execute(f"SET memory_limit = '{limit}'")
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = '{DUCKDB_SETTINGS['memory_limit']}'")


@contextmanager
def threads(con: duckdb.DuckDBPyConnection, n: int) -> Iterator[None]:
    """DuckDB's worker threads set to `n` for the statements inside, its default (the cores) after. Like
    memory_limit, the setting is the database instance's."""
    con.execute(f"SET threads = {int(n)}")
    try:
        yield
    finally:
        try:
            con.execute("RESET threads")
        except duckdb.Error:
            pass  # the connection is going anyway (an aborted transaction): its instance goes with it


# Streamlit runs sessions in threads of one process: serialise writes there.
WRITE_LOCK = threading.RLock()
# Two threads connecting to the same file at once race in DuckDB's instance cache
# ("Unique file handle conflict: … already attached"): connect one at a time.
_CONNECT_LOCK = threading.Lock()


class DatabaseUnavailable(RuntimeError):
    """The database cannot be used now; the message is Chinese and names no server path
    (pages show it to every user; `path` is there for the command line and the log)."""

    def __init__(self, path: Path, message: str):
        self.path = path
        super().__init__(message)


class DatabaseBusy(DatabaseUnavailable):
    """Another process holds DuckDB's file lock (e.g. the running dashboard)."""

    def __init__(self, path: Path):
        super().__init__(path, "数据库正被另一个程序(如看板)使用,请稍后重试。")


class DatabaseCorrupt(DatabaseUnavailable):
    """The database file is not a DuckDB database or a block of it is damaged."""

    def __init__(self, path: Path):
        super().__init__(path, "数据库文件已损坏或不是本系统的数据库,无法读取。请管理员停止看板,"
                               "从最近的备份恢复(python -m core restore 备份文件夹 --force)。")


# DuckDB's words for a file that is not a database or has a damaged block.
_CORRUPT_SIGNS = ("not a valid duckdb database", "corrupt database", "checksum", "failed to read database header")


def _is_corruption(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.Error) and any(s in str(exc).lower() for s in _CORRUPT_SIGNS)


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
    except duckdb.Error as exc:
        if _is_corruption(exc):  # a damaged block is found when a query reads it
            raise DatabaseCorrupt(path) from None
        raise
    finally:
        con.close()


def _connect(path: Path, timeout: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        try:
            with _CONNECT_LOCK:
                con = duckdb.connect(str(path))
            try:
                for name, value in DUCKDB_SETTINGS.items():
                    con.execute(f"SET {name} = '{value}'")
            except BaseException:
                con.close()
                raise
            return con
        except duckdb.Error as exc:
            if _is_corruption(exc):
                raise DatabaseCorrupt(path) from None
            if not isinstance(exc, duckdb.IOException) or "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusy(path) from None
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 1.0)


# The dashboard marks a database as in use for its whole lifetime (its connections are
# short-lived, so DuckDB's own lock says nothing between two clicks): a shared flock on
# `<database>.dashboard`, released by the kernel when the server process ends. A restore
# refuses while any process holds it.
_HELD: dict[Path, int] = {}


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".dashboard")


def hold_for_dashboard(path: Path | str | None = None) -> None:
    """Mark the database as used by this (dashboard) process until it exits; idempotent."""
    import fcntl

    path = Path(path) if path is not None else default_db_path()
    key = path.resolve()
    if key in _HELD:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(_marker(path), os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_SH)
    _HELD[key] = fd


def dashboard_holds(path: Path | str) -> bool:
    """True while a running dashboard marks the database as in use (see hold_for_dashboard)."""
    import fcntl

    marker = _marker(Path(path))
    if not marker.exists():
        return False
    fd = os.open(marker, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases a lock we may have taken
    return False


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
