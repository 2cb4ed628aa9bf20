"""优质均衡 resource statistics: student-weighted 差异系数 per county × stage group.

X̄ = Σ P_i·X_i / Σ P_i ;  S = √( Σ P_i·(X_i − X̄)² / Σ P_i ) ;  CV = S / X̄, over the
compulsory schools with (carried-forward) resource data of one county and stage group,
weighted by 在校生数. Fewer than 2 schools → no CV. Zone figures are the largest county value.
"""
from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from core.indicators.base import FACTS_LOCK, facts_cte, lit
from core.indicators.catalog import Catalog, load_catalog

STAGE_NAMES = {"primary": "小学", "junior": "初中"}
TABLE_COLUMNS = ["county", "stage", "stage_name", "code", "item", "name", "unit", "n_schools", "mean", "std",
                 "cv", "cv_limit", "cv_ok", "standard", "n_meeting"]


def item_stats(con: duckdb.DuckDBPyConnection, periods: list[str], county: str | None = None,
               cat: Catalog | None = None, source: str | None = None) -> pd.DataFrame:
    """One row per month × county × stage × item: n, weighted mean, weighted std, CV, schools meeting the standard.

    `source`: a table (or parenthesised query) already holding the facts of `periods`.
    """
    cat = cat or load_catalog()
    ids = [it.id for it in cat.resource_item]
    where = f" AND county = {lit(county)}" if county is not None else ""
    prefix = "WITH" if source is not None else facts_cte(periods, cat, {"quality"}, county) + ","
    # Two passes over the schools with the 7 items side by side (not unpivoted): weighted means
    # per group, then deviations from them. A blank item leaves the school out of that item only.
    means = ", ".join(f"count({i}) AS n_{i}, sum(w) FILTER (WHERE {i} IS NOT NULL) AS sw_{i}, "
                      f"sum(w * {i}) / sum(w) FILTER (WHERE {i} IS NOT NULL) AS m_{i}" for i in ids)
    devs = ", ".join(
        f"sqrt(sum(x.w * (x.{it.id} - g.m_{it.id}) * (x.{it.id} - g.m_{it.id}))"
        f" / any_value(g.sw_{it.id})) AS s_{it.id}, "
        f"count(*) FILTER (WHERE x.{it.id} >= CASE x.stage WHEN 'primary' THEN {lit(it.threshold['primary'])}"
        f" ELSE {lit(it.threshold['junior'])} END) AS k_{it.id}" for it in cat.resource_item)
    sql = prefix + f"""
x AS (
    SELECT period, county, stage_group AS stage, students AS w, {', '.join(ids)}
    FROM {source or 'facts'} AS f WHERE compulsory AND has_resource AND students > 0{where}
),
g AS (SELECT period, county, stage, {means} FROM x GROUP BY period, county, stage)
SELECT g.*, {devs}
FROM x JOIN g USING (period, county, stage)
GROUP BY ALL"""
    with FACTS_LOCK:
        wide = con.execute(sql + "\nORDER BY period, county, stage").fetchnumpy()
    # long format, ordered by month, county, stage, item; items a group has no value for left out
    order = sorted(ids)
    n_groups = len(wide["period"])
    n = np.column_stack([np.asarray(wide[f"n_{i}"], dtype=np.int64) for i in order]).ravel()
    keep = n > 0

    def long(prefix: str) -> np.ndarray:
        return np.column_stack([np.ma.filled(np.ma.asarray(wide[f"{prefix}_{i}"], dtype=float), np.nan)
                                for i in order]).ravel()[keep]

    df = pd.DataFrame({c: np.repeat(np.asarray(wide[c], dtype=object), len(order))[keep]
                       for c in ("period", "county", "stage")})
    df["item"] = np.tile(np.array(order, dtype=object), n_groups)[keep]
    df["n"], df["mean"], df["std"], df["n_meeting"] = n[keep], long("m"), long("s"), long("k")
    ok = (df["n"] >= 2) & (df["mean"] > 0)
    df["cv"] = (df["std"] / df["mean"]).where(ok)
    df["cv"] = df["cv"].astype(object).where(ok, None)
    return df


def cv_rows(stats: pd.DataFrame) -> list[dict]:
    """resource_cv_max / resource_cv_composite rows (county and zone level) from item_stats."""
    rows: list[dict] = []
    zone: dict[tuple[str, str, str], list[float]] = {}
    for (period, county, stage), grp in stats.groupby(["period", "county", "stage"], sort=True):
        cvs = [v for v in grp["cv"] if v is not None and not pd.isna(v)]
        complete = len(cvs) == len(grp) and len(cvs) > 0
        values = {"resource_cv_max": max(cvs) if complete else None,
                  "resource_cv_composite": sum(cvs) / len(cvs) if complete else None}
        for ind, value in values.items():
            rows.append(_row(ind, period, "county", county, stage, value))
            zone.setdefault((ind, period, stage), [])
            if value is not None:
                zone[(ind, period, stage)].append(value)
    for (ind, period, stage), values in sorted(zone.items()):
        rows.append(_row(ind, period, "zone", None, stage, max(values) if values else None))
    return rows


def _row(ind: str, period: str, level: str, county: str | None, stage: str, value: float | None) -> dict:
    return {"indicator": ind, "period": period, "level": level, "county": county, "school_id": None,
            "school_name": None, "stage": stage, "value": value, "numerator": None, "denominator": None}


def resource_table(con: duckdb.DuckDBPyConnection, period: str, county: str | None = None) -> pd.DataFrame:
    """The 优质均衡 table officers know: per county × stage, items L1–L7 (平均值/标准差/差异系数) plus 综合."""
    cat = load_catalog()
    stats = item_stats(con, [period], county, cat)
    items = {it.id: it for it in cat.resource_item}
    out = []
    for (cty, stage), grp in stats.groupby(["county", "stage"], sort=True):
        limit = cat.thresholds.cv_max[stage]
        cvs = []
        for it in cat.resource_item:
            r = grp[grp["item"] == it.id]
            if r.empty:
                continue
            r = r.iloc[0]
            cv = None if r["cv"] is None or pd.isna(r["cv"]) else float(r["cv"])
            cvs.append(cv)
            out.append({"county": cty, "stage": stage, "stage_name": STAGE_NAMES[stage], "code": it.code,
                        "item": it.id, "name": it.name, "unit": it.unit, "n_schools": int(r["n"]),
                        "mean": float(r["mean"]), "std": float(r["std"]), "cv": cv, "cv_limit": limit,
                        "cv_ok": None if cv is None else cv <= limit, "standard": it.threshold[stage],
                        "n_meeting": int(r["n_meeting"])})
        comp = sum(cvs) / len(cvs) if cvs and None not in cvs and len(cvs) == len(items) else None
        out.append({"county": cty, "stage": stage, "stage_name": STAGE_NAMES[stage], "code": "综合",
                    "item": "composite", "name": "综合差异系数", "unit": "系数",
                    "n_schools": int(grp["n"].max()), "mean": None, "std": None, "cv": comp, "cv_limit": limit,
                    "cv_ok": None if comp is None else comp <= limit, "standard": None, "n_meeting": None})
    return pd.DataFrame(out, columns=TABLE_COLUMNS)
