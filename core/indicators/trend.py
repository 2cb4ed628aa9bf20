"""Indicator values over months, and the linear projection toward a target month."""
from __future__ import annotations

import duckdb
import pandas as pd

from core.indicators.aggregate import raw_records
from core.indicators.cache import cached, data_key, months_of
from core.indicators.catalog import load_catalog
from core.indicators.completeness import (
    NOT_COMPARABLE,
    PARTIAL,
    completeness,
    default_period,
    row_completeness,
    with_data,
)
from core.indicators.targets import judge, load_targets
from core.month import month_add, months_between, today

PROJECTION_MONTHS = 12
TREND_COLUMNS = ["indicator", "name", "period", "level", "county", "school_id", "school_name", "stage", "value",
                 "numerator", "denominator", "unit", "target", "direction", "expected", "status",
                 "counties_reporting", "counties_expected", "complete", "completeness", "counties_with_data",
                 "closed"]
COVERAGE_COLUMNS = TREND_COLUMNS[-6:]  # zone rows only


def project(points: list[tuple[str, float]], target_month: str) -> float | None:
    """Least-squares line over the last up to 12 (month, value) points, read at target_month."""
    pts = [(p, v) for p, v in sorted(points) if v is not None and v == v][-PROJECTION_MONTHS:]
    if len(pts) < 2:
        return None
    origin = pts[0][0]
    xs = [months_between(origin, p) for p, _ in pts]
    ys = [v for _, v in pts]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my + slope * (months_between(origin, target_month) - mx)


def history_periods(end: str, months: int) -> list[str]:
    """The `months` calendar months ending at `end`, ascending."""
    return [month_add(end, -k) for k in range(months - 1, -1, -1)]


def indicator_trend(con: duckdb.DuckDBPyConnection, indicator: str, level: str = "zone",
                    county: str | None = None, end: str | None = None, months: int = 24) -> pd.DataFrame:
    """One indicator month by month (up to `months` months ending at `end`), with target and status.

    Zone rows carry each month's completeness like compute_indicators' (a count of an
    incomplete month has status none; charts draw it hollow), including a month that reporting
    counties have no data for (counties_with_data). `end` None = the default month.
    """
    cat = load_catalog()
    ind = cat.get(indicator)
    if end is None:
        end = default_period(con)
        if end is None:
            return pd.DataFrame(columns=TREND_COLUMNS)
    if level == "zone" and county is not None:
        level = "county"
    periods = history_periods(end, months)
    raw = _monthly_records(con, periods, level, county, indicator, cat)
    cov = completeness(con, periods) if level == "zone" else {}
    covered = _with_data(con, periods, indicator, cat) if cov and ind.optional_data else {}
    targets = load_targets()
    rows = []
    for r in raw:
        t = targets.find(indicator, r["level"], r["county"], r["stage"])
        j = judge(r["value"], t, r["period"], ind.unit)
        row = {**r, "name": ind.name, "unit": ind.unit, "target": t.value if t else None,
               "direction": t.direction if t else ind.direction, "expected": j.expected,
               "status": j.status, **dict.fromkeys(COVERAGE_COLUMNS)}
        if r["period"] in cov:
            c = cov[r["period"]]
            kind = row_completeness(ind, c)
            if r["period"] in covered:
                kind, row["counties_with_data"] = with_data(ind, kind, covered[r["period"]], c)
            row.update(counties_reporting=c.n_reporting, counties_expected=len(c.expected),
                       complete=c.complete, completeness=kind, closed=c.closed())
            if kind == NOT_COMPARABLE:
                row["status"] = "none"
        rows.append(row)
    return pd.DataFrame({c: [r[c] for r in rows] for c in TREND_COLUMNS}, columns=TREND_COLUMNS, dtype=object)


def _monthly_records(con, periods: list[str], level: str, county: str | None, indicator: str, cat) -> list[dict]:
    """raw_records of one indicator and level for `periods`, each month's rows kept once per data
    version (a month change moves a trend's window by one month: one month computed, not 12 or 24)."""
    data = data_key(con)
    # the catalogue object changes when data/indicators.toml is edited (its thresholds shape the facts)
    key = None if data is None or level == "school" else (data, "trend_months", id(cat), (indicator,), level, county)
    return months_of(key, periods, lambda months: _by_month(
        raw_records(con, months, levels=[level], county=county, indicators=[indicator], cat=cat)))


def _with_data(con, periods: list[str], indicator: str, cat) -> dict[str, set[str]]:
    """Month -> the counties with a value of `indicator` (the county rows a trend chart loads anyway:
    the same cached months)."""
    out: dict[str, set[str]] = {}
    for r in _monthly_records(con, periods, "county", None, indicator, cat):
        if r["stage"] is None and r["value"] is not None and r["value"] == r["value"]:
            out.setdefault(r["period"], set()).add(r["county"])
    return out


def _by_month(rows: list[dict]) -> dict[str, list[dict]]:
    by_month: dict[str, list[dict]] = {}
    for r in rows:
        by_month.setdefault(r["period"], []).append(r)
    return by_month


def projections(con: duckdb.DuckDBPyConnection, period: str, keys: dict[tuple, str], level: str,
                county: str | None) -> dict[tuple, float | None]:
    """Projection to each key's target month; keys map (indicator, level, county, school_id, stage) → month."""
    if not keys:
        return {}
    data = data_key(con)
    # the catalogue object changes when data/indicators.toml is edited (its thresholds shape the facts)
    # today: an open month's partial rate is no point of the line until the month closes (provisional)
    key = None if data is None else (data, "projections", id(load_catalog()), today(), period, level, county,
                                     frozenset(keys.items()))
    return cached(key, lambda: _projections(con, period, keys, level, county))


def provisional(kind: str | None, closed: bool | None) -> bool:
    """A zone point the projection leaves out: a count of an incomplete month, or a rate or mean of a
    month still open over the counties reported so far (it moves as the others report)."""
    return kind == NOT_COMPARABLE or (kind == PARTIAL and closed is False)


def _projections(con, period: str, keys: dict[tuple, str], level: str, county: str | None) -> dict:
    """A count of an incomplete month, and a partial rate of an open month, are no points of the
    projection (indicators.md, Completeness)."""
    cat = load_catalog()
    inds = sorted({k[0] for k in keys})
    periods = history_periods(period, PROJECTION_MONTHS)
    data = data_key(con)
    months_key = None if data is None else (data, "trend_months", id(cat), tuple(inds), level, county)
    raw = months_of(months_key, periods, lambda months: _by_month(
        raw_records(con, months, levels=[level], county=county, indicators=inds)))
    cov = completeness(con, periods) if level == "zone" else {}
    series: dict[tuple, list[tuple[str, float]]] = {}
    for r in raw:
        key = (r["indicator"], r["level"], r["county"], r["school_id"], r["stage"])
        c = cov.get(r["period"])
        if c is not None and provisional(row_completeness(cat.get(r["indicator"]), c), c.closed()):
            continue
        if key in keys and r["value"] is not None:
            series.setdefault(key, []).append((r["period"], float(r["value"])))
    return {key: project(series.get(key, []), month) for key, month in keys.items()}
