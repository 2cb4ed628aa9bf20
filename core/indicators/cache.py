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


def data_key(con: duckdb.DuckDBPyConnection) -> tuple | None:
    """The data version: what the connection's data is, for every cache key; None when it cannot be
    told (in-memory)."""
    try:
        rows = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
        path = rows[0][0] if rows else None
        if not path or path == ":memory:" or not os.path.isfile(path):
            return None
        return (os.path.realpath(path), file_state(path), tuple(con.execute(_FINGERPRINT).fetchall()[0]))
    except duckdb.Error:
        return None


def file_state(path: str) -> tuple:
    """(inode, size, mtime) of the database file and of its WAL (None when absent): every commit
    changes one of them, so while they stay the same the data version does too (ui/data.py
    checks this before it asks the database)."""
    files = []
    for name in (path, path + ".wal"):
        try:
            st = os.stat(name)
            files.append((st.st_ino, st.st_size, st.st_mtime_ns))
        except FileNotFoundError:
            files.append(None)
    return tuple(files)


class BoundedCache:
    """compute() once per key, kept until the least recently used entries pass `max_bytes`
    (as told by each entry's `size`); thread-safe. Values are shared, never copied: callers
    must not change them."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._total = 0

    def get(self, key: tuple, default=None):
        """The value kept for `key` (marked as recently used), else `default`."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key][0]
        return default

    def put(self, key: tuple, value, nbytes: int) -> None:
        """Keep `value` under `key` (not when it alone is larger than the bound)."""
        if nbytes > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            self._total += nbytes - (old[1] if old else 0)
            self._entries[key] = (value, nbytes)
            while self._total > self.max_bytes:
                self._total -= self._entries.popitem(last=False)[1][1]

    def cached(self, key: tuple | None, compute: Callable[[], object],
               size: Callable[[object], int] = lambda _: 0):
        """compute() once per key (None = never cached)."""
        if key is None:
            return compute()
        missing = object()
        value = self.get(key, missing)
        if value is not missing:
            return value
        value = compute()
        self.put(key, value, size(value))
        return value

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._total = 0


_indicators = BoundedCache(MAX_BYTES)


def cached(key: tuple | None, compute: Callable[[], object], size: Callable[[object], int] = lambda _: 0):
    """compute() once per key (None = never cached); the least recently used entries go past MAX_BYTES."""
    return _indicators.cached(key, compute, size)


def clear() -> None:
    """Forget every cached result (tests and the benchmark's cold measurements)."""
    _indicators.clear()
