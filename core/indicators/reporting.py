"""按时报送率 (compute = "on_time"): per county, not a sum over schools.

(学校数据覆盖率 is a sum over schools like the others: its catalogue entry says what it counts —
the roster schools with a row in both 体育 and 作业; the rule-checker may accept a workbook where
a roster school lacks one of them, with a warning.)
"""
from __future__ import annotations

import duckdb

from core.indicators.base import in_list
from core.month import on_time
from core.zone import load_zone

def on_time_rows(con: duckdb.DuckDBPyConnection, periods: list[str], counties: list[str]) -> list[dict]:
    """submission_on_time_rate rows (zone + one per zone county) for each month in `periods`."""
    zone = load_zone()
    first = con.execute(
        f"SELECT county, period, min(received_at) FROM submission WHERE status = 'accepted'"
        f" AND period IN {in_list(periods)} AND county IS NOT NULL GROUP BY county, period").fetchall()
    first_at = {(c, p): at for c, p, at in first}
    rows = []
    for period in periods:
        n_on_time = 0
        for county in counties:
            ok = on_time(first_at.get((county, period)), period, zone.due_day)
            n_on_time += ok
            rows.append(_row(period, "county", county, 1.0 if ok else 0.0, 1.0))
        rows.append(_row(period, "zone", None, float(n_on_time), float(len(counties))))
    return rows


def _row(period: str, level: str, county: str | None, num: float, den: float) -> dict:
    return {"indicator": "submission_on_time_rate", "period": period, "level": level, "county": county,
            "school_id": None, "school_name": None, "stage": None,
            "value": 100.0 * num / den if den else None, "numerator": num, "denominator": den}
