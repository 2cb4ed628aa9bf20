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

import dataclasses
import os
import sys
import threading
import time
from collections import OrderedDict
from typing import Callable

import duckdb
import numpy as np

# Memory bounds of the server's caches, all in one place (real bytes, core.indicators.cache.nbytes_of).
# A month pair's school level is ~12 MB at 100 counties × 300 schools (36 MB at 300 counties), its zone
# and county levels ~1 MB (3 MB). Measured over the browser bench: the indicator cache held at most
# ~70 MB at 100 counties and ~116 MB at 300. The pages' results (ui/data.py) are kept in two tiers so
# that whole-school frames (LARGE_ENTRY and above) never push out what pages show (county and zone
# rows, figures, tables); a frame above LARGE_MAX_ENTRY is not kept at all (at 300 counties a month's
# school_detail as objects was ~90 MB: each one evicted the other and nearly all the tier at every month
# change; it is kept coded now, 34 MB: ui/data.py KEPT_AS).
MB = 1024 * 1024
MAX_BYTES = 200 * MB  # the indicator cache (month pairs, projections, trends)
RESULT_BYTES = 160 * MB  # the pages' results smaller than LARGE_ENTRY (rows, figures, tables)
LARGE_RESULT_BYTES = 128 * MB  # the pages' results of LARGE_ENTRY and more (school frames of a province)
LARGE_ENTRY = 4 * MB
LARGE_MAX_ENTRY = LARGE_RESULT_BYTES // 2
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


SAMPLE = 256  # object cells looked at per column when sizing an entry


def nbytes_of(value) -> int:
    """The memory an entry holds, by its real bytes: numpy buffers exactly; object cells as their
    pointers plus the distinct objects of an evenly spaced sample scaled to the column (cells that
    share one object, as interned strings and to_objects' floats do, count once in the sample);
    Arrow-backed columns by their buffers; a DataFrame column by column (never pandas' deep
    memory_usage: it visits every cell)."""
    import pandas as pd

    if isinstance(value, np.ndarray):
        if value.dtype != object or not len(value):
            return value.nbytes
        step = max(1, len(value) // SAMPLE)
        sample = value[::step]
        seen = {id(v): sys.getsizeof(v) for v in sample}
        return value.nbytes + sum(seen.values()) * len(value) // len(sample)
    if isinstance(value, pd.DataFrame):
        return 1000 + sum(nbytes_of(value.iloc[:, k]) for k in range(value.shape[1]))
    if isinstance(value, pd.Series):  # Arrow-backed strings (pandas 3) and numbers: their buffers exactly
        return 200 + (nbytes_of(value.to_numpy()) if value.dtype == object else int(value.nbytes))
    if isinstance(value, (bytes, str)):
        return sys.getsizeof(value)
    if isinstance(value, dict):
        return 64 * len(value) + sum(nbytes_of(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return 56 + 8 * len(value) + sum(nbytes_of(v) for v in value)
    if hasattr(value, "nbytes") and not isinstance(value, type):
        return int(value.nbytes)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return 64 + sum(nbytes_of(getattr(value, f.name)) for f in dataclasses.fields(value))
    if type(value).__module__.startswith("plotly"):
        return _figure_bytes(value)
    return sys.getsizeof(value)


def _figure_bytes(fig) -> int:
    """A plotly figure and the specs shown from it (ui/figcache.py), from its data points and
    annotations (measured: ~150 bytes a point and ~600 an annotation in the figure, as much again in
    a shown spec); 1 MB when it cannot be told."""
    try:
        points = sum(len(v) for trace in fig._data for v in trace.values() if isinstance(v, (list, tuple, np.ndarray)))
        notes = len(fig._layout.get("annotations", ()) or ())
    except Exception:  # noqa: BLE001 - not a figure as plotly builds them
        return 1 << 20
    return 40_000 + 2 * (150 * points + 600 * notes)


TRIM_AFTER = 0.2  # seconds: a computation this long leaves freed heap worth giving back (trim_heap)
_libc = None


def trim_heap() -> None:
    """Give the heap's free pages back to the system (glibc's malloc_trim; nothing elsewhere): a large
    computation's freed intermediates otherwise stay resident, and the next one's peak adds to them."""
    global _libc
    if _libc is None:
        try:
            import ctypes

            _libc = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _libc = False
    if _libc:
        _libc(0)


TRIM_EVERY = 2.0  # seconds between two trims by the server's trimming thread (start_trimming)
_trimmer: threading.Thread | None = None
_trimmer_lock = threading.Lock()


def start_trimming() -> None:
    """Trim the heap every TRIM_EVERY seconds in a daemon thread (the dashboard server; idempotent).

    Streamlit runs each session's script in its own thread, and glibc gives threads their own heaps
    (arenas): what a page run frees (frames, figures, protobuf) stays resident in its arena, where
    another thread's computation cannot reuse it. Measured at 300 counties mid-benchmark: 625 MB
    taken from the system, 185 MB in use; one malloc_trim took the server from 1,006 to 676 MB. A trim
    costs about a millisecond per few MB it gives back."""
    global _trimmer
    with _trimmer_lock:
        if _trimmer is not None and _trimmer.is_alive():
            return

        def loop() -> None:
            while True:
                time.sleep(TRIM_EVERY)
                trim_heap()

        _trimmer = threading.Thread(target=loop, name="heap-trim", daemon=True)
        _trimmer.start()


LOG_ENV = "PILOT_CACHE_LOG"  # a file: one line per cache event (hit, miss, put, evict, skip), for the benchmark
_log_lock = threading.Lock()


def log_event(cache: str, event: str, key: str, seconds: float = 0.0, nbytes: int = 0, total: int = 0) -> None:
    """Append one tab-separated line to $PILOT_CACHE_LOG (nothing when it is not set):
    wall time, cache, event, key, seconds of the computation, bytes of the entry, bytes kept."""
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    line = f"{time.time():.3f}\t{cache}\t{event}\t{key}\t{seconds:.3f}\t{nbytes}\t{total}\n"
    with _log_lock, open(path, "a", encoding="utf-8") as out:
        out.write(line)


class BoundedCache:
    """compute() once per key, kept until the least recently used entries pass `max_bytes`
    (as told by each entry's `size`; an entry above `max_entry` is not kept); thread-safe. Values are
    shared, never copied: callers must not change them. `name` and `label(key)` name the cache and an entry in the event log."""

    def __init__(self, max_bytes: int, name: str = "cache", label: Callable[[tuple], str] = repr,
                 max_entry: int | None = None):
        self.max_bytes = max_bytes
        self.max_entry = max_bytes if max_entry is None else max_entry
        self.name, self.label = name, label
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._total = 0

    def _log(self, event: str, key: tuple, seconds: float = 0.0, nbytes: int = 0) -> None:
        if os.environ.get(LOG_ENV):
            log_event(self.name, event, self.label(key)[:300], seconds, nbytes, self._total)

    def get(self, key: tuple, default=None):
        """The value kept for `key` (marked as recently used), else `default`."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                value = self._entries[key][0]
            else:
                value = default
        self._log("hit" if value is not default else "miss", key)
        return value

    def put(self, key: tuple, value, nbytes: int, seconds: float = 0.0) -> None:
        """Keep `value` under `key` (not when it is larger than `max_entry`); `seconds` it took (log)."""
        if nbytes > self.max_entry:
            self._log("skip", key, seconds, nbytes)
            return
        evicted = []
        with self._lock:
            old = self._entries.pop(key, None)
            self._total += nbytes - (old[1] if old else 0)
            self._entries[key] = (value, nbytes)
            while self._total > self.max_bytes:
                gone, entry = self._entries.popitem(last=False)
                self._total -= entry[1]
                evicted.append((gone, entry[1]))
            old = entry = None  # replaced and evicted values are freed here (unless a caller holds them)
        self._log("put", key, seconds, nbytes)
        for gone, size in evicted:
            self._log("evict", gone, 0.0, size)
        if seconds >= TRIM_AFTER or evicted:
            trim_heap()

    def cached(self, key: tuple | None, compute: Callable[[], object],
               size: Callable[[object], int] = lambda _: 0):
        """compute() once per key (None = never cached)."""
        if key is None:
            return compute()
        missing = object()
        value = self.get(key, missing)
        if value is not missing:
            return value
        start = time.perf_counter()
        value = compute()
        self.put(key, value, size(value), time.perf_counter() - start)
        return value

    @property
    def total(self) -> int:
        """Bytes kept (as told by the entries' sizes)."""
        return self._total

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._total = 0


def _label(key: tuple) -> str:
    """An indicator-cache key in the log: what it is (month_pair, projections…) and its short parts."""
    return " ".join(str(k) for k in key[1:] if len(str(k)) <= 80)


_indicators = BoundedCache(MAX_BYTES, "indicators", _label)


def cached(key: tuple | None, compute: Callable[[], object], size: Callable[[object], int] = lambda _: 0):
    """compute() once per key (None = never cached); the least recently used entries go past MAX_BYTES."""
    return _indicators.cached(key, compute, size)


ROW_BYTES = 1000  # one row as a dict of ten keys (raw_records) with its values


def months_of(key: tuple | None, periods: list[str], compute: Callable[[list[str]], dict[str, list[dict]]]) -> list:
    """Rows of `periods` (ascending), month by month: each month's rows, computed by
    `compute(months)` -> {month: rows} for the months not kept yet, are kept under `key` (None =
    never kept). For results whose rows of a month do not depend on the other months asked for
    (trends): a window of months ending one month later reuses every month but one."""
    if key is None:
        rows = compute(periods)
        return [r for p in periods for r in rows.get(p, [])]
    known = _indicators.get(key) or {}
    missing = [p for p in periods if p not in known]
    if missing:
        start = time.perf_counter()
        new = compute(missing)
        known = {**known, **{p: new.get(p, []) for p in missing}}
        _indicators.put(key, known, ROW_BYTES * sum(map(len, known.values())), time.perf_counter() - start)
    return [r for p in periods for r in known[p]]


def clear() -> None:
    """Forget every cached result (tests and the benchmark's cold measurements)."""
    _indicators.clear()
