"""The data version (`data_key`), the one key of every cache, and the per-process indicator cache.

`data_key(con)` says what the database holds: the file (path, inode, size, mtime, and those of
its WAL) plus a fingerprint of the submission table (id, county, month, status, in-force flag,
review state, file hash), the row counts of the sheet tables and the newest audit-log entry.
The data tables are insert-only and every change of what is in force, of a review or of a
restore goes through the submission table or the audit log. Every cache keys on it: this
module's (the month pair of compute_indicators, projections), the pages' st.cache_data
(ui/data.py, which also serves the 月报 page). In-memory databases have no key (never cached).

compute_indicators is called once per level (zone, county, school) on short-lived
connections; each needs the same sums of the month and the month before: they are kept here,
computed once per data version. Bounded by total size; thread-safe (Streamlit sessions are
threads).
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Callable

import duckdb

MAX_BYTES = 256 * 1024 * 1024
_FINGERPRINT = """
SELECT count(*), coalesce(sum(hash(id, county, period, status, in_force, review_status, sha256)), 0),
       (SELECT coalesce(max(id), 0) FROM audit_log),
       (SELECT count(*) FROM school), (SELECT count(*) FROM pe), (SELECT count(*) FROM homework),
       (SELECT count(*) FROM quality), (SELECT count(*) FROM whole_child)
FROM submission"""

_lock = threading.Lock()
_entries: OrderedDict[tuple, tuple[object, int]] = OrderedDict()


def data_key(con: duckdb.DuckDBPyConnection) -> tuple | None:
    """The data version: what the connection's data is, for every cache key; None when it cannot be
    told (in-memory)."""
    try:
        rows = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
        path = rows[0][0] if rows else None
        if not path or path == ":memory:" or not os.path.isfile(path):
            return None
        files = []
        for name in (path, path + ".wal"):
            try:
                st = os.stat(name)
                files.append((st.st_ino, st.st_size, st.st_mtime_ns))
            except FileNotFoundError:
                files.append(None)
        return (os.path.realpath(path), tuple(files), tuple(con.execute(_FINGERPRINT).fetchall()[0]))
    except duckdb.Error:
        return None


def cached(key: tuple | None, compute: Callable[[], object], size: Callable[[object], int] = lambda _: 0):
    """compute() once per key (None = never cached); the least recently used entries go past MAX_BYTES."""
    if key is None:
        return compute()
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key][0]
    value = compute()
    nbytes = size(value)
    if nbytes > MAX_BYTES:
        return value
    with _lock:
        _entries[key] = (value, nbytes)
        while sum(n for _, n in _entries.values()) > MAX_BYTES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every cached result (tests and the benchmark's cold measurements)."""
    with _lock:
        _entries.clear()
