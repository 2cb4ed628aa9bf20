"""compute_indicators: every indicator for one month and level, with target, status, change and rating."""
from __future__ import annotations

import duckdb
import pandas as pd

from core.catalog import load_catalog
from core.indicators import change as chg
from core.indicators.aggregate import raw_records
from core.indicators.base import available_periods, month_add
from core.indicators.trend import projections
from core.targets import judge, load_targets

COLUMNS = ["indicator", "name", "period", "level", "county", "school_id", "stage", "value", "numerator",
           "denominator", "unit", "target", "direction", "expected", "status",
           # extras for pages and the report
           "school_name", "prev_value", "change", "change_direction", "improving", "rating", "remaining",
           "projection", "gap", "target_month"]
LEVELS = ("zone", "county", "school")


def _key(r: dict) -> tuple:
    return (r["indicator"], r["level"], r["county"], r["school_id"], r["stage"])


def compute_indicators(con: duckdb.DuckDBPyConnection, period: str | None = None, level: str = "zone",
                       county: str | None = None, indicator: str | None = None) -> pd.DataFrame:
    """All indicators (or one) for a month at one level; a county given with level zone means county level.

    period None = the latest month with data. Rows are in catalogue order; see COLUMNS.
    """
    if level not in LEVELS:
        raise ValueError(f"未知层级「{level}」,应为 zone、county 或 school")
    cat = load_catalog()
    if indicator is not None:
        cat.get(indicator)  # KeyError with a Chinese message for an unknown id
    if period is None:
        periods = available_periods(con)
        if not periods:
            return pd.DataFrame(columns=COLUMNS)
        period = periods[-1]
    if level == "zone" and county is not None:
        level = "county"
    prev_period = month_add(period, -1)
    records = raw_records(con, [prev_period, period], levels=[level], county=county,
                          indicators=[indicator] if indicator else None, cat=cat)
    prev = {_key(r): r["value"] for r in records if r["period"] == prev_period}
    current = [r for r in records if r["period"] == period]
    targets = load_targets()
    rating = cat.rating
    meta = {i.id: i for i in cat.indicator}
    rows, wants_projection = [], {}
    found: dict[tuple, object] = {}  # targets.find per (indicator, level, county, stage), not per school
    for r in current:
        ind = meta[r["indicator"]]
        tkey = (ind.id, r["level"], r["county"], r["stage"])
        if tkey not in found:
            found[tkey] = targets.find(*tkey)
        t = found[tkey]
        j = judge(r["value"], t, period, ind.unit)
        p = prev.get(_key(r))
        delta = r["value"] - p if r["value"] is not None and p is not None else None
        direction = t.direction if t else ind.direction
        cls = chg.change_class(delta, p, ind.unit, direction, rating)
        if t is not None and t.target_month is not None and r["level"] != "school":
            wants_projection[_key(r)] = t.target_month
        rows.append({**r, "name": ind.name, "unit": ind.unit, "target": t.value if t else None,
                     "direction": direction, "expected": j.expected, "status": j.status,
                     "prev_value": p, "change": delta, "change_direction": chg.change_direction(delta),
                     "improving": chg.improving(cls), "rating": chg.rate(j.status, cls, rating),
                     "remaining": j.remaining, "projection": None, "gap": j.gap,
                     "target_month": t.target_month if t else None})
    if wants_projection:
        proj = projections(con, period, wants_projection, level, county)
        for row in rows:
            if _key(row) in proj:
                row["projection"] = proj[_key(row)]
    return pd.DataFrame({c: [r[c] for r in rows] for c in COLUMNS}, columns=COLUMNS, dtype=object)
