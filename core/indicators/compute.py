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

from core.indicators.aggregate import frame_of, raw_columns, shown_sums, value_of
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
           "projection", "gap", "target_month", "completeness",
           "counties_with_data"]  # zone rows: reporting counties with data for the indicator (carried-forward sheets)
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
    prev_value, covered = cur["prev_value"], None
    if level == "zone":  # a change compares the same counties: those with data in both months (3 not with 8)
        covered, common = _coverage(con, period, prev_period, cat, indicator)
        if common:  # the month before restated on this month's counties: value − the like-for-like change
            prev_value = np.array([v - (common[k][0] - common[k][1]) if k in common else p for k, v, p in
                                   zip(zip(cur["indicator"], cur["stage"]), cur["value"], prev_value)], dtype=float)
    if level != "school":  # school rows carry no mean's sums (aggregate.SUMMED_KINDS)
        cur = {**cur, **shown_sums(cur, cat)}
    out = rate_frame(cur, prev_value, period, cat, load_targets(), groups=cur["_group"])
    cov = completeness(con, [prev_period, period])
    mark_rows(out, cat, cov[period], cov[prev_period], covered=covered)
    _add_projections(con, out, period, level, county)
    return frame_of(out, COLUMNS)


def _coverage(con, period: str, prev_period: str, cat, indicator: str | None
              ) -> tuple[dict[str, frozenset], dict[tuple, tuple[float, float]]]:
    """From the county rows of both months (the cached pair: no new query):
    - indicator -> the counties with a value this month, of the indicators a county may send no data
      for (catalog optional_data: a county without 体质健康 results in the last 12 months, or that
      never sent its 综合育人 sheet, has none);
    - (indicator, stage) -> (this month's, the month before's) zone value over the counties with a
      value in both months, where either month has others (NaN when that cannot be summed: no
      common county, or an indicator that is not a ratio of sums)."""
    ids = [i.id for i in cat.indicator if i.counties != "expected" and indicator in (None, i.id)]  # not 按时报送率
    if not ids:
        return {}, {}
    sets: dict[tuple, tuple[set, set]] = {}
    sums: dict[tuple, tuple[dict, dict]] = {}
    for k, (month, other) in enumerate(((period, prev_period), (prev_period, period))):
        rows = raw_columns(con, [month], levels=["county"], indicators=ids, cat=cat, prev=other)
        has = ~np.isnan(rows["value"])
        for ind, stage, county, ok, num, den in zip(rows["indicator"], rows["stage"], rows["county"], has,
                                                    rows["numerator"], rows["denominator"]):
            if ok:
                sets.setdefault((ind, stage), (set(), set()))[k].add(county)
                sums.setdefault((ind, stage), ({}, {}))[k][county] = (num, den)
    covered = {ind: frozenset(now) for (ind, stage), (now, _) in sets.items()
               if stage is None and cat.get(ind).optional_data}  # else: no value = no school in scope
    for ind in ids:  # no county with a value: 0 of them (a 差异系数 has its rows by stage only)
        if cat.get(ind).optional_data and cat.get(ind).kind != "cv":
            covered.setdefault(ind, frozenset())
    common = {}
    for key, (a, b) in sets.items():
        if a != b:
            common[key] = tuple(_summed_over(cat.get(key[0]).kind, sums[key][k], a & b) for k in (0, 1))
    return covered, common


def _summed_over(kind: str, sums: dict[str, tuple[float, float]], counties: set) -> float:
    """The zone value over some counties from their numerator and denominator sums (NaN if none, or
    an indicator without sums)."""
    num, den = (np.array([sums[c][j] for c in counties], dtype=float) for j in (0, 1))
    if not counties or np.isnan(num).any() or np.isnan(den).any():
        return np.nan
    return float(value_of(kind, np.array([num.sum()]), np.array([den.sum()]))[0])


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

