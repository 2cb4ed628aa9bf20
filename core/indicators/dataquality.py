"""Data-quality warnings shown beside the numbers: outlier schools and implausible monthly jumps.

Outliers: modified z-score M = 0.6745·(x − median) / MAD (Iglewicz & Hoaglin), |M| > 3.5,
among the schools of one county in one month, on activity minutes and homework minutes.
When MAD is 0 (over half the schools report the same value) the mean absolute deviation
is used instead: M = (x − median) / (1.253314·MeanAD). Counties with fewer than
`min_schools` values are not checked. Jumps: a school's value against its own previous
month (activity/homework minutes by more than 40 minutes or by a factor of 2; 在校生数 by
more than 30 %). Limits live in data/indicators.toml [data_quality].
"""
from __future__ import annotations

import duckdb
import pandas as pd

from core.indicators.base import facts_cte, lit
from core.indicators.catalog import load_catalog
from core.month import month_add

WARNING_COLUMNS = ["county", "school_id", "school_name", "kind", "metric", "metric_name", "value", "reference",
                   "score", "reason"]
METRICS = {  # metric -> (Chinese name, unit, SQL condition for the school to be in scope)
    "activity_minutes": ("日均校内体育活动时间", "分钟", "TRUE"),
    "g36_minutes": ("三至六年级日均书面作业时长", "分钟", "covers_g36"),
    "g79_minutes": ("初中日均书面作业时长", "分钟", "covers_g79"),
}


def _values_sql(period_filter: str, county: str | None) -> str:
    where = f" AND county = {lit(county)}" if county is not None else ""
    parts = [f"SELECT period, county, school_id, school_name, '{m}' AS metric, CAST({m} AS DOUBLE) AS x "
             f"FROM facts WHERE {cond} AND {m} IS NOT NULL AND {period_filter}{where}"
             for m, (_, _, cond) in METRICS.items()]
    parts.append(f"SELECT period, county, school_id, school_name, 'students' AS metric, students AS x "
                 f"FROM facts WHERE {period_filter}{where}")
    return " UNION ALL ".join(parts)


def _fmt(x: float) -> str:
    return f"{x:.0f}" if abs(x - round(x)) < 1e-9 else f"{x:.1f}"


def outliers(con: duckdb.DuckDBPyConnection, period: str, county: str | None = None) -> list[dict]:
    """Schools whose minutes are far from their county's median this month (modified z-score)."""
    dq = load_catalog().data_quality
    sql = facts_cte([period]) + f""",
v AS ({_values_sql('TRUE', county)}),
s AS (SELECT county, metric, median(x) AS med, count(*) AS n FROM v WHERE metric <> 'students' GROUP BY ALL),
d AS (SELECT v.*, s.med, s.n, abs(v.x - s.med) AS dev FROM v JOIN s USING (county, metric)),
m AS (SELECT county, metric, median(dev) AS mad, avg(dev) AS meanad FROM d GROUP BY ALL),
z AS (
    SELECT d.*, CASE WHEN m.mad > 0 THEN 0.6745 * (d.x - d.med) / m.mad
                     WHEN m.meanad > 0 THEN (d.x - d.med) / (1.253314 * m.meanad) END AS z
    FROM d JOIN m USING (county, metric) WHERE d.n >= {dq.min_schools}
)
SELECT county, school_id, school_name, metric, x, med, z FROM z WHERE abs(z) > {lit(dq.z_limit)}
ORDER BY county, metric, abs(z) DESC, school_id"""
    out = []
    for cty, sid, name, metric, x, med, z in con.execute(sql).fetchall():
        label, unit, _ = METRICS[metric]
        side = "高于" if z > 0 else "低于"
        out.append({"county": cty, "school_id": sid, "school_name": name, "kind": "outlier", "metric": metric,
                    "metric_name": label, "value": x, "reference": med, "score": z,
                    "reason": f"{label}{_fmt(x)}{unit},明显{side}本县区学校中位数{_fmt(med)}{unit}"
                              f"(修正z分数{z:.2f},超过±{dq.z_limit:g}),请核实"})
    return out


def jumps(con: duckdb.DuckDBPyConnection, period: str, county: str | None = None) -> list[dict]:
    """Schools whose value changed implausibly from the previous month."""
    dq = load_catalog().data_quality
    prev = month_add(period, -1)
    sql = facts_cte([prev, period]) + f""",
v AS ({_values_sql('TRUE', county)})
SELECT c.county, c.school_id, c.school_name, c.metric, c.x, p.x
FROM v c JOIN v p ON p.county = c.county AND p.school_id = c.school_id AND p.metric = c.metric AND p.period = {lit(prev)}
WHERE c.period = {lit(period)}
ORDER BY c.county, c.school_id, c.metric"""
    out = []
    for cty, sid, name, metric, x, px in con.execute(sql).fetchall():
        if metric == "students":
            if px <= 0 or abs(x - px) / px <= dq.students_jump_share:
                continue
            share = (x - px) / px
            reason = (f"在校生数由上月{_fmt(px)}人变为{_fmt(x)}人(变化{share:+.0%},"
                      f"超过±{dq.students_jump_share:.0%}),请核实")
            out.append(_jump(cty, sid, name, metric, "在校生数", x, px, share, reason))
            continue
        label, unit, _ = METRICS[metric]
        limit = dq.activity_jump_minutes if metric == "activity_minutes" else dq.homework_jump_minutes
        big = abs(x - px) > limit
        ratio = (x / px if px > 0 else None) if x >= px else (px / x if x > 0 else None)
        if not big and not (ratio is not None and ratio >= dq.jump_ratio):
            continue
        why = f"变化{x - px:+.0f}{unit}" if big else f"变为上月的{x / px:.1f}倍"
        reason = f"{label}由上月{_fmt(px)}{unit}变为{_fmt(x)}{unit}({why}),变化异常,请核实"
        out.append(_jump(cty, sid, name, metric, label, x, px, x - px, reason))
    return out


def _jump(cty, sid, name, metric, label, x, px, score, reason) -> dict:
    return {"county": cty, "school_id": sid, "school_name": name, "kind": "jump", "metric": metric,
            "metric_name": label, "value": x, "reference": px, "score": score, "reason": reason}


def data_quality_warnings(con: duckdb.DuckDBPyConnection, period: str, county: str | None = None) -> pd.DataFrame:
    """Outliers and month-over-month jumps for `period` (WARNING_COLUMNS; reason in Chinese)."""
    rows = outliers(con, period, county) + jumps(con, period, county)
    return pd.DataFrame(rows, columns=WARNING_COLUMNS)
