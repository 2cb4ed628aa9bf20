"""Cached access to core from the pages: one short-lived connection per call, cache keyed on data version.

The cache key is (database path, data version, today): the data version is
core.indicators.cache.data_key, the same key the indicator cache uses — an upload, a review
or a restore changes it, a widget change does not, so figures are never recomputed on every
rerun; today, because a month closes when its due date passes.
"""
from __future__ import annotations

import importlib
import time

import pandas as pd
import streamlit as st

from core.db import DatabaseUnavailable, open_db
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
    "school_history": "core.indicators:school_history",
    "missing_counties": "core.indicators:missing_counties",
    "submission_matrix": "core.submission.status:submission_matrix",
    "latest_submission_id": "core.submission.status:latest_submission_id",
    "collect_report_data": "core.report.data:collect_report_data",
}


def db_path() -> str:
    """The database the app reads (env PILOT_DB, else data/pilot.duckdb)."""
    return str(default_db_path())


def _resolve(name: str):
    module, func = CORE_FUNCTIONS[name].split(":")
    return getattr(importlib.import_module(module), func)


@st.cache_data(ttl=3, show_spinner=False)
def _version(path: str) -> tuple:
    from core.indicators.cache import data_key
    with open_db(path) as con:
        return data_key(con) or ("unknown", time.monotonic())  # unknown: recomputed every few seconds


@st.cache_data(max_entries=512, show_spinner="正在计算指标…")
def _cached(path: str, version: tuple, day: str, name: str, args: tuple, kwargs: tuple):
    # `day`: a month closes when its due date passes, with no change to the data
    with open_db(path) as con:
        return _resolve(name)(con, *args, **dict(kwargs))


def data_version() -> tuple:
    """The database's data version (core.indicators.cache.data_key); stops the page if it is busy or damaged."""
    try:
        return _version(db_path())
    except DatabaseUnavailable as exc:
        st.error(str(exc))
        st.stop()


def load(name: str, *args, **kwargs):
    """Call a core function by name on a short-lived connection, cached until the data changes."""
    version = data_version()
    try:
        return _cached(db_path(), version, today().isoformat(), name, args, tuple(sorted(kwargs.items())))
    except DatabaseUnavailable as exc:
        st.error(str(exc))
        st.stop()


def month_choices():
    """Months with data, newest first, with completeness and closed/open as of today."""
    return load("month_choices")


def indicators(period: str, level: str = "zone", county: str | None = None,
               indicator: str | None = None) -> pd.DataFrame:
    """compute_indicators, cached."""
    return load("compute_indicators", period=period, level=level, county=county,
                indicator=indicator)


def as_of(period: str) -> str:
    """数据截至: the date the newest submission in force for the month was received."""
    matrix = load("submission_matrix", period=period)
    if matrix is None or matrix.empty or "received_at" not in matrix:
        return ""
    in_force = matrix[matrix["submission_id"].notna()]
    received = pd.to_datetime(in_force["received_at"], errors="coerce").dropna()
    return received.max().strftime("%Y-%m-%d") if len(received) else ""
