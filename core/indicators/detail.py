"""Per-school drill-down: raw values and yes/no compliance flags, for one month or over months."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from core.db import memory_limit
from core.indicators.aggregate import _Coded
from core.indicators.base import FACTS_LOCK, available_periods, facts_cte, lit
from core.indicators.catalog import load_catalog

# Columns of school_detail / school_history (school_history adds `period` first).
DETAIL_COLUMNS = [
    "county", "school_id", "school_name", "school_type", "locale", "stage_group", "students", "classes",
    "teachers", "has_pe", "has_hw",
    "lessons_g12", "lessons_g36", "lessons_g79", "lessons_g1012", "lessons_ok",
    "activity_minutes", "activity_ok",
    "fitness_period", "fitness_tested", "fitness_passed", "fitness_good", "fitness_pass_rate", "fitness_good_rate",
    "g12_written", "hw_g12_ok", "g36_minutes", "hw_g36_ok", "g79_minutes", "hw_g79_ok", "publicity",
    "afterschool", "afterschool_rate",
    "quality_level", "quality_year", "quality_period", "is_quality", "is_provincial", "has_resource",
    "r1", "r2", "r3", "r4", "r5", "r6", "r7", "resource_items_ok", "meets_rule",
    "has_whole_child", "whole_child_period", "labor_lessons", "psych_fulltime", "psych_parttime",
    "parent_school", "parent_committee",
]
_DERIVED = """
    CASE WHEN covers_g12 AND g12_written IS NOT NULL THEN NOT g12_written END AS hw_g12_ok,
    CASE WHEN covers_g36 THEN hw_g36_ok END AS hw_g36_ok_scoped,
    CASE WHEN covers_g79 THEN hw_g79_ok END AS hw_g79_ok_scoped,
    CASE WHEN fitness_tested > 0 THEN 100.0 * fitness_passed / fitness_tested END AS fitness_pass_rate,
    CASE WHEN fitness_tested > 0 THEN 100.0 * fitness_good / fitness_tested END AS fitness_good_rate,
    CASE WHEN afterschool_type AND afterschool IS NOT NULL AND students > 0
         THEN 100.0 * afterschool / students END AS afterschool_rate"""


# DuckDB's memory for the query of these rows: they need less than the school-level sums (measured at
# 300 counties, a month's rows: 128 MB is enough and takes the query's peak over the process from +430
# to +310 MB, 0.2-0.7 s slower); past it the query runs again under the connection's own limit (core.db).
QUERY_MEMORY = "128MB"


def _result(con: duckdb.DuckDBPyConnection, periods: list[str], county: str | None, where: str = "TRUE"):
    """The query's rows (of `county`'s schools, or all) as the typed frame DuckDB gives, columns `period`
    + DETAIL_COLUMNS. The caller holds FACTS_LOCK."""
    sql = facts_cte(periods, load_catalog(), county=county) + f"""
SELECT period, * EXCLUDE (period, hw_g36_ok, hw_g79_ok)
    RENAME (hw_g36_ok_scoped AS hw_g36_ok, hw_g79_ok_scoped AS hw_g79_ok)
FROM (SELECT *, {_DERIVED} FROM facts) WHERE {where}
ORDER BY period, county, school_id"""
    try:
        with memory_limit(con, QUERY_MEMORY):
            return con.execute(sql).df()
    except duckdb.OutOfMemoryException:
        return con.execute(sql).df()


def _query(con: duckdb.DuckDBPyConnection, periods: list[str], county: str | None, where: str = "TRUE") -> pd.DataFrame:
    with FACTS_LOCK:
        df = _result(con, periods, county, where)
        return pd.DataFrame({c: pd.Series(_objects(df[c]), dtype=object, copy=False) for c in ["period"] + DETAIL_COLUMNS})


def _objects(column: pd.Series) -> np.ndarray:
    """The column as Python objects, None for null, each distinct value ONE object: a province's
    30,000 schools repeat a few types, counties, levels and months (one object per cell was ~47 MB
    a month, ~18 MB shared). The same values as `column.astype(object)` with None for null."""
    return _Coded.of(column).take()


@dataclass(frozen=True)
class CodedDetail:
    """school_detail's rows kept small: each column as codes into its distinct values (_Coded).
    A month of 300 counties (90,000 schools): 34 MB, against ~53 MB as the object frame, which the
    pages' cache could not keep (sized 90 MB): remade, 1.3-2.6 s and +384 MB, at every page showing it."""

    columns: dict  # name -> _Coded, in DETAIL_COLUMNS order

    def frame(self) -> pd.DataFrame:
        """school_detail's frame: the same values, the same Python objects."""
        return pd.DataFrame({c: pd.Series(v.take(), dtype=object, copy=False) for c, v in self.columns.items()},
                            copy=False)  # not consolidated into one block: a copy of every cell, 2x slower

    @property
    def nbytes(self) -> int:
        """Memory held, by its real bytes (for the cache bound)."""
        return 1000 + sum(v.nbytes for v in self.columns.values())


def school_detail(con: duckdb.DuckDBPyConnection, period: str, county: str | None = None) -> pd.DataFrame:
    """One row per school of `period` (optionally one county): raw values and per-school yes/no flags."""
    return _query(con, [period], county).drop(columns=["period"]).reset_index(drop=True)


def school_detail_coded(con: duckdb.DuckDBPyConnection, period: str, county: str | None = None) -> CodedDetail:
    """school_detail as CodedDetail (what the pages' cache keeps; `.frame()` is school_detail's frame)."""
    with FACTS_LOCK:
        df = _result(con, [period], county)
        return CodedDetail({c: _Coded.of(df.pop(c)) for c in DETAIL_COLUMNS})


def school_history(con: duckdb.DuckDBPyConnection, school_id: str, county: str | None = None,
                   end: str | None = None) -> pd.DataFrame:
    """One school's values month by month (every month with data, up to `end` when given: the month
    a page shows, never a later one), `period` first. With `county`, only that county's rows: a code
    another county also used (stored before the ownership rule) never mixes two schools' months."""
    periods = [p for p in available_periods(con) if end is None or p <= end]
    return _query(con, periods, county, f"school_id = {lit(str(school_id))}").reset_index(drop=True)
