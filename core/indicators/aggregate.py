"""Raw indicator values (no targets yet) for a set of months and levels, in a few set-based queries.

All school-summed indicators come out of one GROUPING SETS query over the `facts` CTE
(zone = every county with data for M, county, school); the 差异系数 rows come from
resource.py and the on-time rate from reporting.py. Ratio of sums, never mean of ratios;
a zero denominator gives a null value.
"""
from __future__ import annotations

import duckdb
import numpy as np
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
    cat = cat or load_catalog()
    wanted = [i for i in cat.indicator if indicators is None or i.id in indicators]
    levels = [lv for lv in levels if not (county is not None and lv == "zone")]
    frames = []
    summed = [i for i in wanted if i.id in MEASURES and set(i.levels) & set(levels)]
    if summed and periods:
        frames.append(_summed(con, periods, levels, county, summed, cat))
    if any(i.kind == "cv" for i in wanted) and set(levels) & {"zone", "county"}:
        frames.append(pd.DataFrame(cv_rows(item_stats(con, periods, county, cat)), columns=RAW_COLUMNS))
    if any(i.id == "submission_on_time_rate" for i in wanted) and set(levels) & {"zone", "county"}:
        counties = [c for c in zone_counties(con) if county is None or c == county]
        frames.append(pd.DataFrame(reporting.on_time_rows(con, periods, counties), columns=RAW_COLUMNS))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=RAW_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    allowed = {(i.id, lv) for i in wanted for lv in i.levels if lv in levels}
    keep = [(ind, lv) in allowed for ind, lv in zip(out["indicator"], out["level"])]
    out = out[keep]
    order = {ind_id: n for n, ind_id in enumerate(cat.ids)}
    level_order = {"zone": 0, "county": 1, "school": 2}
    out = out.assign(_o=out["indicator"].map(order), _l=out["level"].map(level_order))
    out = out.sort_values(["period", "_o", "_l", "county", "stage", "school_id"], na_position="first",
                          kind="stable")
    return out.drop(columns=["_o", "_l"]).reset_index(drop=True)[RAW_COLUMNS]


def _summed(con, periods, levels, county, inds, cat) -> pd.DataFrame:
    sets = ", ".join(_GROUPING[lv] for lv in levels)
    # GROUPING() only accepts columns that are grouped in some set.
    by_county, by_school = bool(set(levels) & {"county", "school"}), "school" in levels
    g_county = "GROUPING(county)" if by_county else "1"
    g_school = "GROUPING(school_id)" if by_school else "1"
    cols = f"{'county' if by_county else 'NULL::VARCHAR AS county'}, " \
           f"{'school_id' if by_school else 'NULL::VARCHAR AS school_id'}"
    sums = ",\n    ".join(
        f"CAST(SUM({MEASURES[i.id][0]}) AS DOUBLE) AS \"n__{i.id}\", "
        f"CAST(SUM({MEASURES[i.id][1]}) AS DOUBLE) AS \"d__{i.id}\"" for i in inds)
    where = f"WHERE county = {lit(county)}" if county is not None else ""
    sql = facts_cte(periods, cat) + f"""
SELECT period, {cols}, any_value(school_name) AS school_name,
    2 * {g_county} + {g_school} AS g,
    {sums}
FROM facts {where}
GROUP BY GROUPING SETS ({sets})"""
    wide = con.execute(sql).df()
    level = wide["g"].map(_LEVEL_OF_GROUPING)
    frames = []
    for ind in inds:
        num = wide[f"n__{ind.id}"].to_numpy(dtype=float)
        den = wide[f"d__{ind.id}"].to_numpy(dtype=float)
        has = den > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            if ind.kind == "rate":
                value = np.where(has, 100.0 * num / den, np.nan)
            elif ind.kind == "mean":
                value = np.where(has, num / den, np.nan)
            else:  # count
                value = np.where(has, num, np.nan)
        ratio = ind.kind == "rate"
        frame = pd.DataFrame({
            "indicator": ind.id, "period": wide["period"], "level": level,
            "county": wide["county"], "school_id": wide["school_id"], "school_name": wide["school_name"],
            "stage": None, "value": value,
            "numerator": num if ratio else np.nan, "denominator": den if ratio else np.nan})
        # A school outside an indicator's scope (e.g. a 小学 for 初中作业) has no row at school level.
        frame = frame[(frame["level"] != "school") | has]
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["school_name"] = out["school_name"].where(out["level"] == "school", None)
    return out.astype({"value": object, "numerator": object, "denominator": object}).where(
        out.notna(), None)
