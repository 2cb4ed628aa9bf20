"""compute_indicators: every indicator for one month and level, with target, status, change and rating.

Column-wise: the raw values come from aggregate.raw_frame as arrays; targets are looked up
once per (indicator, level, county, stage) group and the status, change and rating rules of
core/targets.py and change.py are applied to whole arrays by rated.py. Per-row Python only
for the few zone/county rows that get a projection.
"""
from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from core.indicators.aggregate import frame_of, raw_columns
from core.indicators.catalog import load_catalog
from core.indicators.completeness import completeness, default_period, mark_rows
from core.indicators.rated import KEY_COLUMNS, rate_frame
from core.indicators.targets import load_targets
from core.indicators.trend import projections
from core.month import month_add

COLUMNS = ["indicator", "name", "period", "level", "county", "school_id", "stage", "value", "numerator",
           "denominator", "unit", "target", "direction", "expected", "status",
           "counties_reporting", "counties_expected", "complete",  # zone rows only (indicators.md, Completeness)
           # extras for pages and the report
           "school_name", "prev_value", "change", "change_direction", "improving", "rating", "remaining",
           "projection", "gap", "target_month", "completeness"]
LEVELS = ("zone", "county", "school")


def compute_indicators(con: duckdb.DuckDBPyConnection, period: str | None = None, level: str = "zone",
                       county: str | None = None, indicator: str | None = None) -> pd.DataFrame:
    """All indicators (or one) for a month at one level; a county given with level zone means county level.

    period None = the default month (the newest closed month, completeness.default_period).
    Rows are in catalogue order; see COLUMNS. Zone rows carry the month's completeness, and
    those of an incomplete month follow completeness.row_completeness (status none and no
    change for a count; `completeness` = 'partial' for a rate over the reporting counties).
    Every column is object dtype with None for null (the CLI JSON contract).
    """
    if level not in LEVELS:
        raise ValueError(f"未知层级「{level}」,应为 zone、county 或 school")
    cat = load_catalog()
    if indicator is not None:
        cat.get(indicator)  # KeyError with a Chinese message for an unknown id
    if period is None:
        period = default_period(con)
        if period is None:
            return pd.DataFrame(columns=COLUMNS)
    if level == "zone" and county is not None:
        level = "county"
    prev_period = month_add(period, -1)
    cur = raw_columns(con, [period], levels=[level], county=county,
                      indicators=[indicator] if indicator else None, cat=cat, prev=prev_period)
    out = rate_frame(cur, cur["prev_value"], period, cat, load_targets(), groups=cur["_group"])
    cov = completeness(con, [prev_period, period])
    mark_rows(out, cat, cov[period], cov[prev_period])
    _add_projections(con, out, period, level, county)
    return frame_of(out, COLUMNS)


def _add_projections(con, out: dict[str, np.ndarray], period: str, level: str, county: str | None) -> None:
    """Projection to the target month for zone/county rows whose target names one (few rows)."""
    if level == "school":
        return
    rows = [i for i, tm in enumerate(out["target_month"]) if tm is not None]
    if not rows:
        return
    key_of = {i: tuple(out[c][i] for c in KEY_COLUMNS) for i in rows}
    proj = projections(con, period, {k: out["target_month"][i] for i, k in key_of.items()}, level, county)
    for i, k in key_of.items():
        out["projection"][i] = proj.get(k)

