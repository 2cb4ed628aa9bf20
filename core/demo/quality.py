"""The demo's 优质学校 sheets: certification levels rising over time, resources near the thresholds.

A county sends the sheet in the first month, after each certification round (June and
December) and each September (new school year); other months carry it forward.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

LEVELS = ("无", "县级", "市级", "省级")
ROUND_MONTHS = (6, 12)  # certification results announced at the end of each term
UPDATE_MONTH = 9  # annual resource update with the new school year

# Resource items (indicators.md r1–r6; r7 follows the number of classes):
# DB column, junior threshold per student unit, primary threshold, median multiple, spread.
ITEMS = (
    ("higher_degree_teachers", 5.3 / 100, 4.2 / 100, 1.25, 0.14),
    ("backbone_teachers", 1.0 / 100, 1.0 / 100, 1.9, 0.36),
    ("pe_art_teachers", 0.9 / 100, 0.9 / 100, 1.7, 0.32),
    ("teaching_area", 5.8, 4.5, 1.55, 0.30),
    ("sports_area", 10.2, 7.5, 1.65, 0.36),
    ("equipment_value", 2500 / 10000, 2000 / 10000, 1.7, 0.36),  # 万元 per student
)
SPORTS_LOCALE = {"城区": -0.25, "镇区": 0.0, "乡村": 0.2}  # town-centre schools lack playground space
INITIAL_SHARES = (0.55, 0.25, 0.15, 0.05)  # 无, 县级, 市级, 省级 at the start


def quality_sheets(roster: pd.DataFrame, monthly: pd.DataFrame, beh: pd.Series, periods: list[str],
                   submitted: set[tuple[str, str]], rng: np.random.Generator) -> pd.DataFrame:
    """优质学校 rows for every (county, period) in which the county sends the sheet."""
    n, n_t = len(roster), len(periods)
    levels = _levels(roster, beh, periods, rng)
    start_year = int(periods[0][:4])
    years = np.zeros((n, n_t), dtype=int)
    years[:, 0] = np.where(levels[:, 0] > 0, rng.integers(2015, start_year, n) + levels[:, 0] - 1, 0)
    years[:, 0] = np.minimum(years[:, 0], start_year - 1)
    for k in range(1, n_t):
        up = levels[:, k] > levels[:, k - 1]
        years[:, k] = np.where(up, int(periods[k][:4]), years[:, k - 1])
    noise = rng.normal(0, 1, (len(ITEMS), n))
    rooms_per_class = rng.uniform(0.95, 1.45, n)
    frames = []
    roster = roster.assign(primary=roster["school_type"].eq("小学").to_numpy(),
                           sports_shift=roster["locale"].map(SPORTS_LOCALE).to_numpy(dtype=float))
    by_key = dict(iter(monthly.groupby(["county", "period"], sort=False)))
    for county_idx, county_rows in roster.groupby("county_idx", sort=False):
        county = county_rows["county"].iloc[0]
        months = (*ROUND_MONTHS, UPDATE_MONTH)
        for k in send_months(county, periods, submitted, months, delay=int(county_idx) % 3 == 1):
            month = by_key[(county, periods[k])]
            idx = month["idx"].to_numpy()
            frames.append(_sheet(roster, month, idx, levels[idx, k], years[idx, k], levels[idx, : k + 1],
                                 noise[:, idx], rooms_per_class[idx], beh.iloc[idx[0]], k / max(1, n_t - 1)))
    return pd.concat(frames, ignore_index=True)


def _levels(roster: pd.DataFrame, beh: pd.Series, periods: list[str], rng: np.random.Generator) -> np.ndarray:
    """Level index (0=无 … 3=省级) per school × month: initial by resources, upgrades at each round."""
    n = len(roster)
    score = roster["wealth"].to_numpy() + rng.normal(0, 0.08, n)
    rank = roster.assign(s=score).groupby("county_idx")["s"].rank(pct=True).to_numpy()
    cuts = np.cumsum(INITIAL_SHARES)[:-1]
    levels = np.zeros((n, len(periods)), dtype=int)
    levels[:, 0] = np.searchsorted(cuts, rank)
    rate = np.array([b.upgrade_rate for b in beh])
    for k in range(1, len(periods)):
        levels[:, k] = levels[:, k - 1]
        if int(periods[k][5:]) in ROUND_MONTHS:
            chance = rate * np.where(score > np.median(score), 1.6, 0.4)
            levels[:, k] += (rng.random(n) < chance) & (levels[:, k] < 3)
    return levels


def send_months(county: str, periods: list[str], submitted: set[tuple[str, str]], months: tuple[int, ...],
                delay: int = 0) -> list[int]:
    """Month indexes the county sends an optional sheet: the first month, then each of `months` (+delay)
    of the year; a month the county sent no workbook moves on to its next one."""
    wanted = [0] + [k + delay for k, p in enumerate(periods) if k > 0 and int(p[5:]) in months]
    months: list[int] = []
    for k in wanted:
        while k < len(periods) and (county, periods[k]) not in submitted:
            k += 1
        if k < len(periods) and k not in months:
            months.append(k)
    return months


def _sheet(roster, month, idx, level, year, history, noise, rooms_per_class, beh, t) -> pd.DataFrame:
    """One county's 优质学校 rows for one month, resources derived from that month's roster."""
    students = month["students"].to_numpy().astype(float)
    teachers = month["teachers"].to_numpy()
    primary = roster["primary"].to_numpy()[idx]
    wealth = roster["wealth"].to_numpy()[idx]
    upgrades = (history[:, -1] - history[:, 0]).astype(float)
    growth = beh.resources[0] + (beh.resources[1] - beh.resources[0]) * t
    base = np.log(growth) + 1.5 * wealth + 0.05 * upgrades
    out = pd.DataFrame({"period": month["period"].to_numpy(), "county": month["county"].to_numpy(),
                        "school_id": month["school_id"].to_numpy(),
                        "level": np.array(LEVELS)[level],
                        "year": pd.array(np.where(level > 0, year, np.nan), dtype="Int64")})
    locale = roster["sports_shift"].to_numpy()[idx]
    for j, (col, junior, prim, mult, spread) in enumerate(ITEMS):
        per_student = np.where(primary, prim, junior) * mult
        shift = locale if col == "sports_area" else 0.0
        value = per_student * students * np.exp(base + shift + spread * noise[j])
        if col.endswith("teachers"):
            out[col] = np.minimum(teachers, np.maximum(0, np.round(value))).astype(int)
        elif col == "equipment_value":
            out[col] = np.round(value, 2)
        else:
            out[col] = np.round(value, 1)
    out["multimedia_rooms"] = np.maximum(1, np.round(month["classes"].to_numpy() * rooms_per_class
                                                     * np.exp(0.3 * base))).astype(int)
    return out
