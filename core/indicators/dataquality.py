"""Data-quality warnings shown beside the numbers: stored values that are allowed but implausible.

The checks and their words are those of the upload gate (core.submission.plausibility): a school
far from its county's other schools, a jump from its own previous month (in the same county),
minutes that look like hours. Here they run on the data in force for a month (one finding per school
and column, as at upload).
"""
from __future__ import annotations

from collections import defaultdict

import duckdb
import pandas as pd

from core.indicators.base import FACTS_LOCK, facts_cte, lit
from core.indicators.catalog import load_catalog
from core.month import month_add
from core.submission.plausibility import KINDS, METRICS, MINUTES, find, first_per_cell

WARNING_COLUMNS = ["county", "school_id", "school_name", "kind", "metric", "metric_name", "value", "reference",
                   "score", "reason"]
SCOPE = {"activity_minutes": "TRUE", "g36_minutes": "covers_g36", "g79_minutes": "covers_g79"}  # schools checked


def _values_sql(county: str | None) -> str:
    where = f" AND county = {lit(county)}" if county is not None else ""
    parts = [f"SELECT period, county, school_id, school_name, '{m}' AS metric, CAST({m} AS DOUBLE) AS x "
             f"FROM facts WHERE {SCOPE[m]} AND {m} IS NOT NULL{where}" for m in MINUTES]
    parts.append(f"SELECT period, county, school_id, school_name, 'students' AS metric, students AS x "
                 f"FROM facts WHERE TRUE{where}")
    return " UNION ALL ".join(parts)


def data_quality_warnings(con: duckdb.DuckDBPyConnection, period: str, county: str | None = None) -> pd.DataFrame:
    """Implausible values of `period` (WARNING_COLUMNS; reason in plain Chinese), by county, kind, column."""
    dq = load_catalog().data_quality
    prev = month_add(period, -1)
    with FACTS_LOCK:
        rows = con.execute(facts_cte([prev, period], county=county) + f"\nSELECT * FROM ({_values_sql(county)})").fetchall()
    values: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    previous: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    names: dict[tuple[str, str], str] = {}
    for p, cty, sid, name, metric, x in rows:
        if p == period:
            values[cty][metric][sid] = x
            names[(cty, sid)] = name
        else:
            previous[cty][metric][sid] = x
    found = [(cty, f) for cty in values for f in first_per_cell(find(cty, values[cty], previous[cty], dq))]
    found.sort(key=lambda cf: (cf[0], KINDS.index(cf[1].kind), list(METRICS).index(cf[1].metric),
                               -abs(cf[1].score or 0), cf[1].school_id))
    return pd.DataFrame([{"county": cty, "school_id": f.school_id, "school_name": names[(cty, f.school_id)],
                          "kind": f.kind, "metric": f.metric, "metric_name": METRICS[f.metric][0], "value": f.value,
                          "reference": f.reference, "score": f.score, "reason": f.reason} for cty, f in found],
                        columns=WARNING_COLUMNS)
