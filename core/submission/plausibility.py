"""Allowed but implausible values, and how to say so to a county clerk.

Three checks, on one county's schools in one month (limits: data/indicators.toml [data_quality]):
- far from the county's other schools (minutes columns): modified z-score
  M = 0.6745·(x − median) / MAD (Iglewicz & Hoaglin), |M| > z_limit; when MAD is 0 (over half the
  schools report the same value) M = (x − median) / (1.253314·MeanAD). Counties with fewer than
  min_schools values are not checked;
- a jump from the school's own previous month (minutes by more than the limit or by a factor of
  jump_ratio; 在校生数 by more than students_jump_share);
- minutes that look like hours (0 < x ≤ hours_like_max).
The upload gate runs them on a workbook before storing it (warnings on the cells), the 报送情况 page
on stored data (core.indicators.dataquality). The words name the value, the county's median or last
month's value and what to check; no statistics word reaches the user.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from core.indicators.catalog import DataQuality

# column -> (name, unit, sheet key)
METRICS: dict[str, tuple[str, str, str]] = {
    "activity_minutes": ("日均校内体育活动时间", "分钟", "pe"),
    "g36_minutes": ("三至六年级日均书面作业时长", "分钟", "homework"),
    "g79_minutes": ("初中日均书面作业时长", "分钟", "homework"),
    "students": ("在校生数", "人", "school"),
}
MINUTES = ("activity_minutes", "g36_minutes", "g79_minutes")
KINDS = ("outlier", "jump", "hours")  # one cell's findings, most telling first

REASONS: dict[str, str] = {
    "outlier_low": "{name}{x}{unit},远低于{county}其他学校(中位数{ref}{unit}),{ask}",
    "outlier_high": "{name}{x}{unit},远高于{county}其他学校(中位数{ref}{unit}),{ask}",
    "jump_minutes": "{name}由上月{ref}{unit}变为{x}{unit}({change}{diff}{unit}),变化较大,{ask}",
    "jump_ratio": "{name}由上月{ref}{unit}变为{x}{unit}({ratio}),变化较大,{ask}",
    "jump_share": "{name}由上月{ref}{unit}变为{x}{unit}({change}{share:.0%}),变化较大,{ask}",
    "hours": "{name}{x}{unit},不到{limit}{unit},是否按小时填写?({x}小时应填{hours}分钟)",
}
ASK = "请核实"
ASK_HOURS = "是否按小时填写?"


@dataclass(frozen=True)
class Finding:
    """One implausible value: which school and column, what was found, and the clerk's sentence."""

    school_id: str
    metric: str
    kind: str  # outlier | jump | hours
    value: float
    reference: float | None  # the county's median (outlier), last month's value (jump)
    score: float | None  # modified z-score (outlier), change from last month (jump)
    reason: str


def number(x: float) -> str:
    """A value as the clerk typed it: 62, 1.1 (at most one decimal)."""
    return f"{x:.0f}" if abs(x - round(x)) < 1e-9 else f"{x:.1f}"


def looks_like_hours(metric: str, x: float, dq: DataQuality) -> bool:
    return metric in MINUTES and 0 < x <= dq.hours_like_max


def find(county: str, values: dict[str, dict[str, float]], previous: dict[str, dict[str, float]],
         dq: DataQuality) -> list[Finding]:
    """Findings for one county-month: values[metric][school_id] this month, previous[...] last month."""
    out: list[Finding] = []
    for metric in MINUTES:
        out += _outliers(county, metric, values.get(metric, {}), dq)
    for metric in METRICS:
        before = previous.get(metric, {})
        now = values.get(metric, {})
        if before and now:
            sids = list(now)
            x, px = _arrays(now, before, sids)
            out += [f for i in np.flatnonzero(_may_jump(metric, x, px, dq))
                    for f in [_jump(sids[i], metric, now[sids[i]], before[sids[i]], dq)] if f is not None]
    for metric in MINUTES:
        now = values.get(metric, {})
        if now:
            sids = list(now)
            x = np.fromiter(now.values(), dtype=float, count=len(sids))
            out += [_hours(sids[i], metric, now[sids[i]], dq)
                    for i in np.flatnonzero((x > 0) & (x <= dq.hours_like_max))]  # looks_like_hours
    return out


def _arrays(now: dict[str, float], before: dict[str, float], sids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """This month's values and last month's (NaN for a school without one), in the order of sids."""
    x = np.fromiter(now.values(), dtype=float, count=len(sids))
    px = np.fromiter(map(before.get, sids, repeat(math.nan)), dtype=float, count=len(sids))
    return x, px


def _may_jump(metric: str, x: np.ndarray, px: np.ndarray, dq: DataQuality) -> np.ndarray:
    """The schools for which _jump finds something, found with whole-array tests (the same float arithmetic;
    NaN, no value last month, compares False), so that _jump runs on those only."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "students":
            return (px > 0) & (np.abs(x - px) / px > dq.students_jump_share)
        limit = dq.activity_jump_minutes if metric == "activity_minutes" else dq.homework_jump_minutes
        return ((np.abs(x - px) > limit) | ((x > px) & (px > 0) & (x / px >= dq.jump_ratio))
                | ((px > x) & (x > 0) & (px / x >= dq.jump_ratio)))


def first_per_cell(findings: list[Finding]) -> list[Finding]:
    """The most telling finding of each school and column (outlier, then jump, then hours)."""
    best: dict[tuple[str, str], Finding] = {}
    for f in sorted(findings, key=lambda f: KINDS.index(f.kind)):
        best.setdefault((f.school_id, f.metric), f)
    return list(best.values())


def _reason(key: str, metric: str, x: float, ref: float | None, dq: DataQuality, **kw: object) -> str:
    name, unit, _ = METRICS[metric]
    ask = ASK_HOURS if looks_like_hours(metric, x, dq) else ASK
    return REASONS[key].format(name=name, unit=unit, x=number(x), ref=number(ref) if ref is not None else "",
                               ask=ask, **kw)


def _outliers(county: str, metric: str, values: dict[str, float], dq: DataQuality) -> list[Finding]:
    if len(values) < dq.min_schools:
        return []
    med = statistics.median(values.values())
    dev = [abs(x - med) for x in values.values()]
    mad, mean_ad = statistics.median(dev), statistics.fmean(dev)
    if mad > 0:
        scale = mad / 0.6745
    elif mean_ad > 0:
        scale = 1.253314 * mean_ad
    else:
        return []
    out = []
    for sid, x in values.items():
        z = (x - med) / scale
        if abs(z) > dq.z_limit:
            key = "outlier_high" if z > 0 else "outlier_low"
            out.append(Finding(sid, metric, "outlier", x, med, z, _reason(key, metric, x, med, dq, county=county)))
    return out


def _jump(sid: str, metric: str, x: float, px: float, dq: DataQuality) -> Finding | None:
    change = "增加" if x >= px else "减少"
    if metric == "students":
        if px <= 0 or abs(x - px) / px <= dq.students_jump_share:
            return None
        share = (x - px) / px
        return Finding(sid, metric, "jump", x, px, share,
                       _reason("jump_share", metric, x, px, dq, change=change, share=abs(share)))
    limit = dq.activity_jump_minutes if metric == "activity_minutes" else dq.homework_jump_minutes
    if abs(x - px) > limit:
        reason = _reason("jump_minutes", metric, x, px, dq, change=change, diff=number(abs(x - px)))
    elif x > px > 0 and x / px >= dq.jump_ratio:
        reason = _reason("jump_ratio", metric, x, px, dq, ratio=f"是上月的{number(x / px)}倍")
    elif px > x > 0 and px / x >= dq.jump_ratio:
        reason = _reason("jump_ratio", metric, x, px, dq, ratio=f"只有上月的{x / px:.0%}")
    else:
        return None
    return Finding(sid, metric, "jump", x, px, x - px, reason)


def _hours(sid: str, metric: str, x: float, dq: DataQuality) -> Finding:
    reason = _reason("hours", metric, x, None, dq, limit=number(dq.hours_like_max), hours=number(x * 60))
    return Finding(sid, metric, "hours", x, None, None, reason)
