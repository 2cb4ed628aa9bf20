"""How each demo county behaves, and when it sends what (missing month, late, correction).

County i behaves like BEHAVIOURS[i % 8]: the embedded 8-county demo has one county of
each kind, the benchmark scale repeats them. Trend attributes are (start, end) pairs,
interpolated linearly over the generated months.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from core.month import month_add, of
from core.month import today as month_today


@dataclass(frozen=True)
class Behaviour:
    """A county's profile: trends of its monthly figures, its workbook layout and fitness-test month."""

    kind: str
    layout: str
    fitness_month: int = 10
    pe_short: tuple[float, float] = (0.10, 0.07)  # share of schools one PE lesson short in one band
    activity_shift: tuple[float, float] = (0.0, 2.0)  # minutes added to the school's base
    fitness_shift: tuple[float, float] = (0.0, 0.005)
    g12_written: tuple[float, float] = (0.04, 0.02)  # share of schools giving grade 1–2 written homework
    hw_shift: tuple[float, float] = (0.0, -1.0)  # homework minutes added (3–6; ×1.4 for 7–9)
    no_publicity: tuple[float, float] = (0.05, 0.03)
    afterschool: tuple[float, float] = (0.88, 0.90)  # share of students in after-school service
    resources: tuple[float, float] = (1.0, 1.03)  # multiplier of resource levels
    upgrade_rate: float = 0.05  # share of schools moving up one 优质学校 level per certification round
    # 综合育人 (sent each September): 专职心理健康教师 per 10 classes, share of schools with any
    # mental-health teacher, share short of 1 labour lesson a week, shares with 家长学校 / 家长委员会
    psych_per_10: tuple[float, float] = (0.35, 0.45)
    psych_any: tuple[float, float] = (0.80, 0.88)
    labor_short: tuple[float, float] = (0.10, 0.06)
    parent_school: tuple[float, float] = (0.88, 0.94)
    parent_committee: tuple[float, float] = (0.95, 0.98)
    instructions_sheet: bool = True  # filename layout: a 填报说明 sheet with instructions only


BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour("good", "template", pe_short=(0.04, 0.02), activity_shift=(4, 6), fitness_shift=(0.01, 0.015),
              g12_written=(0.0, 0.0), hw_shift=(-5, -6), no_publicity=(0.0, 0.0), afterschool=(0.93, 0.95),
              resources=(1.1, 1.12), upgrade_rate=0.06, psych_per_10=(0.5, 1.1), psych_any=(0.9, 1.0),
              labor_short=(0.03, 0.0), parent_school=(0.95, 1.0), parent_committee=(1.0, 1.0)),
    Behaviour("homework_lag", "titled", g12_written=(0.22, 0.2), hw_shift=(15, 13), no_publicity=(0.2, 0.18),
              afterschool=(0.74, 0.76), resources=(0.95, 0.97), parent_school=(0.5, 0.56),
              parent_committee=(0.85, 0.88)),
    Behaviour("pe_lag", "retyped", pe_short=(0.38, 0.35), activity_shift=(-14, -12),
              fitness_shift=(-0.035, -0.03), resources=(0.88, 0.9), upgrade_rate=0.03),
    Behaviour("improves", "filename", pe_short=(0.45, 0.05), activity_shift=(-12, 3),
              fitness_shift=(-0.04, 0.0), g12_written=(0.3, 0.02), hw_shift=(14, -3), no_publicity=(0.3, 0.02),
              afterschool=(0.62, 0.9), resources=(0.85, 1.0), upgrade_rate=0.09, instructions_sheet=False,
              psych_per_10=(0.15, 0.85), psych_any=(0.6, 0.95), labor_short=(0.25, 0.04)),
    Behaviour("missing_month", "template"),
    Behaviour("late", "titled"),
    Behaviour("december_fitness", "retyped", fitness_month=12, psych_per_10=(0.3, 0.8)),
    Behaviour("homework_mild_lag", "filename", fitness_month=12, g12_written=(0.08, 0.07), hw_shift=(6, 5),
              no_publicity=(0.08, 0.06)),
)


def behaviour_for(i: int) -> Behaviour:
    """The profile of county number i (0-based)."""
    return BEHAVIOURS[i % len(BEHAVIOURS)]


# Counties that send the open month's workbook before the month is over (about 3 of 8): the
# demo's newest month is then reported by only some counties (indicators.md, Completeness).
EARLY_KINDS = ("good", "improves", "december_fitness")


def latest_complete_month(today: date) -> str:
    """'YYYY-MM' of the month before today's month: the demo's newest closed (fully reported) month."""
    return month_add(of(today), -1)


def open_month(today: date) -> str:
    """'YYYY-MM' of today's month: the demo's open month, partly reported."""
    return of(today)


def periods_ending(end: str, months: int) -> list[str]:
    """The `months` consecutive periods ending with `end`, ascending."""
    return [month_add(end, k) for k in range(1 - months, 1)]


def missing_period(periods: list[str]) -> str | None:
    """The month the 'missing_month' county never sends: the last inner February (春节), else the middle."""
    if len(periods) < 3:
        return None
    inner = [p for p in periods[1:-1] if p.endswith("-02")]
    return inner[-1] if inner else periods[len(periods) // 2]


def plan_submissions(names: list[str], behaviours: list[Behaviour], periods: list[str],
                     rng: np.random.Generator, open_period: str | None = None,
                     today: date | None = None) -> pd.DataFrame:
    """Every workbook to send: county, period, version (only/first/correction), received_at.

    Mostly received on day 1–5 of M+1; the 'late' county sends its last month on the 9th;
    the 'good' county sends its second-to-last month twice (a correction on the 12th);
    the 'missing_month' county skips one month. `open_period` (after `periods`) is sent only
    by the EARLY_KINDS counties, in the days before `today`. Nothing is received after 08:00 on
    `today` (a later date is moved to then).
    """
    rows = []
    if open_period is not None:
        rows += _early_rows(names, behaviours, open_period, today or month_today(), rng)
    for ci, (county, beh) in enumerate(zip(names, behaviours)):
        for k, period in enumerate(periods):
            if beh.kind == "missing_month" and period == missing_period(periods):
                continue
            year, month = (int(x) for x in month_add(period, 1).split("-"))
            day = int(rng.integers(1, 6)) if beh.kind != "late" else int(rng.integers(2, 6))
            hour, minute = int(rng.integers(8, 18)), int(rng.integers(0, 60))
            received = datetime(year, month, day, hour, minute)
            if beh.kind == "late" and k == len(periods) - 1:
                received = datetime(year, month, 9, 10, 20)
            if beh.kind == "good" and len(periods) > 1 and k == len(periods) - 2:
                rows.append((ci, county, period, "first", datetime(year, month, min(day, 3), hour, minute)))
                rows.append((ci, county, period, "correction", datetime(year, month, 12, 15, 40)))
                continue
            rows.append((ci, county, period, "only", received))
    if today is not None:  # nothing received after the demo is built: early in a month (before the 9th,
        # the 12th) the newest closed month's late workbooks would carry tomorrow's date, and 数据截至 with them
        cutoff = datetime.combine(today, time(8, 0))
        rows = [(*r[:4], min(r[4], cutoff - timedelta(minutes=r[0]))) for r in rows]
    frame = pd.DataFrame(rows, columns=["county_idx", "county", "period", "version", "received_at"])
    frame["received_at"] = pd.to_datetime(frame["received_at"])
    frame["layout"] = [behaviours[i].layout for i in frame["county_idx"]]
    return frame.sort_values(["received_at", "county_idx"], kind="stable").reset_index(drop=True)


def _early_rows(names: list[str], behaviours: list[Behaviour], period: str, today: date,
                rng: np.random.Generator) -> list[tuple]:
    """The open month's workbooks of the early counties: one to three days before `today`, never
    before the month's first day."""
    first = date.fromisoformat(f"{period}-01")
    rows = []
    for ci, (county, beh) in enumerate(zip(names, behaviours)):
        if beh.kind not in EARLY_KINDS:
            continue
        day = max(first, today - timedelta(days=int(rng.integers(1, 4))))
        received = datetime(day.year, day.month, day.day, int(rng.integers(8, 12)), int(rng.integers(0, 60)))
        rows.append((ci, county, period, "only", received))
    return rows
