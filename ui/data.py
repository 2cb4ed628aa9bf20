"""Cached access to core from the pages: one short-lived connection per call, cache keyed on data version.

The cache key is (database path, data version, today): the data version is
core.indicators.cache.data_key, the same key the indicator cache uses — an upload, a review
or a restore changes it, a widget change does not, so figures are never recomputed on every
rerun; today, because a month closes when its due date passes.
"""
from __future__ import annotations

import importlib
import threading
import time
from typing import Callable

import pandas as pd
import streamlit as st

from core.db import DatabaseUnavailable, open_db
from core.indicators.cache import (LARGE_ENTRY, LARGE_MAX_ENTRY, LARGE_RESULT_BYTES, RESULT_BYTES, BoundedCache,
                                   nbytes_of, start_trimming)
from core.month import today
from core.paths import default_db_path

# Core functions the pages may call through `load`, by name -> "module:function".
CORE_FUNCTIONS = {
    "compute_indicators": "core.indicators:compute_indicators",
    "indicator_trend": "core.indicators:indicator_trend",
    "available_periods": "core.indicators:available_periods",
    "month_choices": "core.indicators:month_choices",
    "zone_counties": "core.indicators:zone_counties",
    "resource_table": "core.indicators:resource_table",
    "data_quality_warnings": "core.indicators:data_quality_warnings",
    "school_detail": "core.indicators:school_detail",
    "school_detail_coded": "core.indicators.detail:school_detail_coded",
    "school_history": "core.indicators:school_history",
    "missing_counties": "core.indicators:missing_counties",
    "submission_matrix": "core.submission.status:submission_matrix",
    "county_list_unset": "core.submission.status:county_list_unset",
    "latest_submission_id": "core.submission.status:latest_submission_id",
    "unassigned_submissions": "core.submission.status:unassigned_submissions",
    "review_queue": "core.submission.review:review_queue",
    "list_audit": "core.access.audit:list_audit",
    "collect_report_data": "core.report.data:collect_report_data",
}


def db_path() -> str:
    """The database the app reads (env PILOT_DB, else data/pilot.duckdb)."""
    return str(default_db_path())


def _resolve(name: str):
    module, func = CORE_FUNCTIONS[name].split(":")
    return getattr(importlib.import_module(module), func)


_UNKNOWN_TTL = 3.0  # seconds an unknown data version (in-memory database) is kept
_versions: dict[str, tuple[tuple, tuple, float]] = {}  # path -> (file state, data version, when)
_versions_lock = threading.Lock()
# Results and figures of every session, shared and never copied (st.cache_data pickled them on every
# hit: a school table of a province cost more to unpickle than to draw). Bounded by real size, in two
# tiers: whole-school frames of a province (LARGE_ENTRY and more) evict only each other, never the
# small results pages show (county and zone rows, figures, tables); bounds in core/indicators/cache.py.
_results = BoundedCache(RESULT_BYTES, "results", lambda key: repr(key[3:]))
_large = BoundedCache(LARGE_RESULT_BYTES, "large", lambda key: repr(key[3:]), max_entry=LARGE_MAX_ENTRY)
_computing: dict[tuple, threading.Lock] = {}  # one computation per key at a time (sessions are threads)
SPINNER = "正在计算指标…"  # shown while a page waits for a computation
start_trimming()  # what page runs free goes back to the system (core/indicators/cache.py)


def _version(path: str) -> tuple:
    """The data version of the database at `path`, asking the database only when its files changed.

    Every commit changes the size or mtime of the database file or its WAL (cache.file_state), so
    a rerun that finds them as they were reuses the version without opening DuckDB.
    """
    from core.indicators.cache import data_key, file_state

    state = file_state(path)
    with _versions_lock:
        known = _versions.get(path)
    if known is not None and known[0] == state and (known[1][0] != "unknown"
                                                    or time.monotonic() - known[2] < _UNKNOWN_TTL):
        return known[1]
    with open_db(path) as con:  # the state was read first: a commit in between is seen next time
        version = data_key(con) or ("unknown", time.monotonic())  # unknown: recomputed every few seconds
    with _versions_lock:
        _versions[path] = (state, version, time.monotonic())
    return version


def remember(key: tuple, compute: Callable[[], object], spinner: str | None = None):
    """compute() once per key (which must include the data version), shared by every session.

    One session computes a key at a time; the others wait for its result instead of computing it too.
    """
    missing = object()
    value = _kept(key, missing)
    if value is not missing:
        return value
    with _versions_lock:
        lock = _computing.setdefault(key, threading.Lock())
    try:
        with lock:
            value = _kept(key, missing)
            if value is missing:
                start = time.perf_counter()
                if spinner:
                    with st.spinner(spinner):
                        value = compute()
                else:
                    value = compute()
                size = nbytes_of(value)
                (_large if size >= LARGE_ENTRY else _results).put(key, value, size, time.perf_counter() - start)
    finally:
        with _versions_lock:
            _computing.pop(key, None)
    return value


def _kept(key: tuple, default):
    """The value kept for `key` in either tier, else `default`."""
    value = _results.get(key, default)
    return _large.get(key, default) if value is default else value


def _call(path: str, name: str, args: tuple, kwargs: tuple):
    with open_db(path) as con:
        return _resolve(name)(con, *args, **dict(kwargs))


def data_version() -> tuple:
    """The database's data version (core.indicators.cache.data_key); stops the page if it is busy or damaged."""
    return _or_stop(lambda: _version(db_path()))


def cache_key(*parts) -> tuple:
    """A key for `remember`: the database, its data version and today (a month closes when its due
    date passes, with no change to the data), then `parts`."""
    return (db_path(), data_version(), today().isoformat(), *parts)


# Core functions whose result is kept here in a smaller form: name -> the function giving that form,
# whose frame() is the result. A month's school_detail of 300 counties is ~53 MB as objects, above what
# the large tier keeps (it was remade, +400 MB, at every page showing it), 34 MB coded.
KEPT_AS = {"school_detail": "school_detail_coded"}


def load(name: str, *args, **kwargs):
    """Call a core function by name on a short-lived connection, cached until the data changes.

    The result is shared by every session: a DataFrame comes back as a shallow copy (pandas'
    copy-on-write keeps the cached one as it is whatever the page does with it), or made anew from
    the form KEPT_AS keeps.
    """
    kw = tuple(sorted(kwargs.items()))
    path = db_path()
    kept = KEPT_AS.get(name, name)
    value = _or_stop(lambda: remember(cache_key(kept, args, kw), lambda: _call(path, kept, args, kw),
                                      spinner=SPINNER))
    if kept != name:
        return value.frame()
    return value.copy(deep=False) if isinstance(value, pd.DataFrame) else value


def _unkept(name: str, **kwargs):
    """Call a core function by name on a short-lived connection, its result not kept here (for
    results core's own cache makes quickly)."""
    def compute():
        with st.spinner(SPINNER):
            return _call(db_path(), name, (), tuple(sorted(kwargs.items())))
    return _or_stop(compute)


def _or_stop(compute: Callable[[], object]):
    """compute(); a busy or damaged database stops the page with its Chinese message."""
    try:
        return compute()
    except DatabaseUnavailable as exc:
        st.error(str(exc))
        st.stop()


def forget() -> None:
    """Forget every cached result and data version (tests; a change the file state would not show)."""
    _results.clear()
    _large.clear()
    with _versions_lock:
        _versions.clear()


def month_choices():
    """Months with data, newest first, with completeness and closed/open as of today."""
    return load("month_choices")


def indicators(period: str, level: str = "zone", county: str | None = None,
               indicator: str | None = None) -> pd.DataFrame:
    """compute_indicators, cached.

    One indicator of the zone or county level is the rows of the level's whole frame (computed
    once per month and level, with every projection at once): a month change on a page of
    several charts is then one computation, not one per chart. (tests/test_indicator_cache.py
    checks that the rows are the same as compute_indicators' own.)
    """
    if level == "school" and county is None and indicator is not None:
        # The zone's school rows of an indicator (30,000 rows at 100 counties, 12 MB as objects; 41 MB at
        # 300) are picked from the month pair core keeps (0.1-0.3 s): kept here too, they pushed the
        # school_detail frames (1-3 s to remake) out of the large tier. (The 综合育人 lists keep theirs.)
        return _unkept("compute_indicators", period=period, level=level, county=county, indicator=indicator)
    if indicator is None or level == "school":
        return load("compute_indicators", period=period, level=level, county=county, indicator=indicator)
    frame = load("compute_indicators", period=period, level=level, county=county, indicator=None)
    rows = remember(cache_key("indicator_rows", period, level, county, indicator),
                    lambda: frame[frame["indicator"] == indicator].reset_index(drop=True))
    return rows.copy(deep=False)


def as_of(period: str) -> str:
    """数据截至: the date the newest submission in force for the month was received (once per data
    version: every chart caption and table note asks)."""
    def compute() -> str:
        matrix = load("submission_matrix", period=period)
        if matrix is None or matrix.empty or "received_at" not in matrix:
            return ""
        in_force = matrix[matrix["submission_id"].notna()]
        received = pd.to_datetime(in_force["received_at"], errors="coerce").dropna()
        return received.max().strftime("%Y-%m-%d") if len(received) else ""

    return remember(cache_key("as_of", period), compute)
