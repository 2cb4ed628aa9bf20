"""Raw indicator values (no targets yet) for a set of months and levels, in a few set-based queries.

All school-summed indicators come out of one GROUPING SETS query over the `facts` CTE
(zone = every county with data for M, county, school); the 差异系数 rows come from
resource.py and the on-time rate from reporting.py. Ratio of sums, never mean of ratios;
a zero denominator gives a null value.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from core.catalog import Catalog, load_catalog
from core.indicators import homework, pe, quality, reporting
from core.indicators.base import facts_cte, lit, zone_counties
from core.indicators.resource import cv_rows, item_stats

MEASURES: dict[str, tuple[str, str]] = {**quality.MEASURES, **pe.MEASURES, **homework.MEASURES,
                                        **reporting.MEASURES}
RAW_COLUMNS = ["indicator", "period", "level", "county", "school_id", "school_name", "stage", "value",
               "numerator", "denominator"]
_GROUPING = {"zone": "(period)", "county": "(period, county)", "school": "(period, county, school_id)"}
_LEVEL_OF_GROUPING = {3: "zone", 1: "county", 0: "school"}


def raw_rows(con: duckdb.DuckDBPyConnection, periods: list[str], levels=("zone", "county", "school"),
             county: str | None = None, indicators=None, cat: Catalog | None = None) -> pd.DataFrame:
    """Unrated indicator rows (RAW_COLUMNS) for every month in `periods` at the given levels."""
    recs = raw_records(con, periods, levels, county, indicators, cat)
    return pd.DataFrame({c: [r[c] for r in recs] for c in RAW_COLUMNS}, columns=RAW_COLUMNS, dtype=object)


def raw_records(con: duckdb.DuckDBPyConnection, periods: list[str], levels=("zone", "county", "school"),
                county: str | None = None, indicators=None, cat: Catalog | None = None) -> list[dict]:
    """raw_rows as plain dicts (no pandas on the hot path), sorted by month, catalogue order, level."""
    cat = cat or load_catalog()
    wanted = [i for i in cat.indicator if indicators is None or i.id in indicators]
    levels = [lv for lv in levels if not (county is not None and lv == "zone")]
    recs: list[dict] = []
    summed = [i for i in wanted if i.id in MEASURES and set(i.levels) & set(levels)]
    if summed and periods:
        recs += _summed(con, periods, levels, county, summed, cat)
    if any(i.kind == "cv" for i in wanted) and set(levels) & {"zone", "county"}:
        recs += cv_rows(item_stats(con, periods, county, cat))
    if any(i.id == "submission_on_time_rate" for i in wanted) and set(levels) & {"zone", "county"}:
        counties = [c for c in zone_counties(con) if county is None or c == county]
        recs += reporting.on_time_rows(con, periods, counties)
    allowed = {(i.id, lv) for i in wanted for lv in i.levels if lv in levels}
    order = {ind_id: n for n, ind_id in enumerate(cat.ids)}
    level_order = {"zone": 0, "county": 1, "school": 2}
    recs = [r for r in recs if (r["indicator"], r["level"]) in allowed]
    recs.sort(key=lambda r: (r["period"], order[r["indicator"]], level_order[r["level"]], r["county"] or "",
                             r["stage"] or "", r["school_id"] or ""))
    return recs


def _summed(con, periods, levels, county, inds, cat) -> list[dict]:
    sets = ", ".join(_GROUPING[lv] for lv in levels)
    # GROUPING() only accepts columns that are grouped in some set.
    by_county, by_school = bool(set(levels) & {"county", "school"}), "school" in levels
    g_county = "GROUPING(county)" if by_county else "1"
    g_school = "GROUPING(school_id)" if by_school else "1"
    cols = f"{'county' if by_county else 'NULL::VARCHAR AS county'}, " \
           f"{'school_id' if by_school else 'NULL::VARCHAR AS school_id'}"
    sums = ",\n    ".join(
        f"CAST(SUM({MEASURES[i.id][0]}) AS DOUBLE), CAST(SUM({MEASURES[i.id][1]}) AS DOUBLE)" for i in inds)
    where = f"WHERE county = {lit(county)}" if county is not None else ""
    sql = facts_cte(periods, cat) + f"""
SELECT period, {cols}, any_value(school_name) AS school_name,
    2 * {g_county} + {g_school} AS g,
    {sums}
FROM facts {where}
GROUP BY GROUPING SETS ({sets})"""
    out = []
    for row in con.execute(sql).fetchall():
        period, cty, school_id, school_name, g = row[:5]
        level = _LEVEL_OF_GROUPING[g]
        if level != "school":
            school_name = None
        for k, ind in enumerate(inds):
            num, den = row[5 + 2 * k] or 0.0, row[6 + 2 * k] or 0.0
            if den <= 0:
                if level == "school":
                    continue  # outside the indicator's scope (e.g. a 小学 for 初中作业): no school row
                val = None
            elif ind.kind == "rate":
                val = 100.0 * num / den
            elif ind.kind == "mean":
                val = num / den
            else:  # count
                val = num
            ratio = ind.kind == "rate"
            out.append({"indicator": ind.id, "period": period, "level": level, "county": cty,
                        "school_id": school_id, "school_name": school_name, "stage": None, "value": val,
                        "numerator": num if ratio else None, "denominator": den if ratio else None})
    return out
