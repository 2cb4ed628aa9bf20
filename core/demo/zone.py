"""The demo zone's synthetic data: counties, schools and their monthly figures, as DataFrames.

Deterministic: everything is drawn from one numpy Generator seeded with `seed`.
Column names are the DB columns of core/sql/schema.sql, plus `period` and `county`.
What varies where (which county lags, improves, is late...) is BEHAVIOURS and the
submission plan in core/demo/plan.py; 优质学校 sheets come from core/demo/quality.py, 综合育人
sheets from core/demo/whole_child.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from core.demo.names import county_names, school_names
from core.demo.plan import (
    Behaviour,
    behaviour_for,
    latest_complete_month,
    periods_ending,
    plan_submissions,
)
from core.demo.quality import quality_sheets
from core.demo.whole_child import whole_child_sheets
from core.month import today as month_today
from core.submission.bands import SCHOOL_TYPES, STAGE_GROUPS, covers

DEMO_SEED = 20241101

# School mix of a county (a few 十二年一贯制学校).
TYPE_SHARES = {"小学": 0.55, "初级中学": 0.18, "九年一贯制学校": 0.12, "完全中学": 0.05,
               "高级中学": 0.07, "十二年一贯制学校": 0.03}
LOCALE_SHARES = {"县": (0.22, 0.35, 0.43), "区": (0.60, 0.28, 0.12)}  # 城区, 镇区, 乡村
LOCALES = ("城区", "镇区", "乡村")
# Median 在校生数 by type and locale (城区, 镇区, 乡村).
STUDENTS = {"小学": (1400, 800, 220), "初级中学": (1500, 1000, 480), "九年一贯制学校": (1800, 1100, 420),
            "完全中学": (2200, 1600, 1000), "高级中学": (2500, 1800, 1200), "十二年一贯制学校": (2800, 2000, 1200)}
CLASS_SIZE = (45.0, 40.0, 28.0)
PUPILS_PER_TEACHER = {"小学": 16.0, "高级中学": 12.5}  # others 13
# Weekly PE lessons by band: the standard (indicators.md).
PE_STANDARD = {"1-2": 4.0, "3-6": 3.0, "7-9": 3.0, "10-12": 2.0}
PE_COLUMNS = {"1-2": "lessons_g12", "3-6": "lessons_g36", "7-9": "lessons_g79", "10-12": "lessons_g1012"}
# Winter months: less outdoor activity.
SEASON_MINUTES = {12: -7.0, 1: -9.0, 2: -6.0, 11: -3.0, 3: -2.0, 7: -3.0, 8: -3.0}


@dataclass
class DemoZone:
    """The generated zone: one DataFrame per sheet (period × school rows) plus the submission plan."""

    counties: pd.DataFrame
    school: pd.DataFrame
    pe: pd.DataFrame
    homework: pd.DataFrame
    quality: pd.DataFrame  # only the months a county sends its 优质学校 sheet
    whole_child: pd.DataFrame  # only the months a county sends its 综合育人 sheet
    submissions: pd.DataFrame  # county, period, version, received_at, file_tag
    patches: pd.DataFrame = field(default_factory=pd.DataFrame)  # first-version errors of corrections
    periods: list[str] = field(default_factory=list)  # every generated month, the open one last
    open_period: str | None = None  # the newest month, reported only by the early counties
    notes: list[tuple[str, str]] = field(default_factory=list)  # (county, planted outlier) for the summary


def generate_zone(n_counties: int = 8, schools_per_county: int | None = None, months: int = 24,
                  seed: int = DEMO_SEED, end_period: str | None = None, today: date | None = None,
                  open_period: str | None = None) -> DemoZone:
    """Generate a synthetic zone: n counties × schools (40–120 each when None) × months.

    The `months` fully reported months end with end_period, else with the latest complete
    month before `today`. With `open_period` (the month after them) the zone has one more
    month, sent only by the early counties in the days before `today` (plan.EARLY_KINDS).
    """
    rng = np.random.default_rng(seed)
    end = end_period or latest_complete_month(today or month_today())
    closed = periods_ending(end, months)
    periods = closed + ([open_period] if open_period else [])
    names = county_names(n_counties)
    behaviours = [behaviour_for(i) for i in range(n_counties)]
    sizes = [schools_per_county or int(rng.integers(40, 121)) for _ in names]
    roster = _roster(names, sizes, rng)
    _open_new_school(roster, behaviours, periods)
    monthly = _monthly_roster(roster, periods, rng)
    beh = roster["county_idx"].map(lambda i: behaviours[i])
    pe = _pe(roster, monthly, beh, periods, rng)
    homework = _homework(roster, monthly, beh, periods, rng)
    submissions = plan_submissions(names, behaviours, closed, rng, open_period, today or month_today())
    sent = set(zip(submissions["county"], submissions["period"]))
    quality = quality_sheets(roster, monthly, beh, periods, sent, rng)
    with_quality = set(zip(quality["county"], quality["period"]))
    submissions["with_quality"] = [(c, p) in with_quality
                                   for c, p in zip(submissions["county"], submissions["period"])]
    whole_child = whole_child_sheets(roster, monthly, beh, periods, sent, seed)
    notes = _add_outliers(monthly, pe, homework, behaviours, closed, rng)
    patches = _first_version_patches(pe, submissions, rng)
    counties = pd.DataFrame({"county": names, "n_schools": sizes,
                             "behaviour": [b.kind for b in behaviours],
                             "layout": [b.layout for b in behaviours],
                             "fitness_month": [b.fitness_month for b in behaviours]})
    notes += _whole_child_notes(names, behaviours)
    return DemoZone(counties=counties, school=monthly.drop(columns=["idx", "t"]), pe=pe, homework=homework,
                    quality=quality, whole_child=whole_child, submissions=submissions, patches=patches,
                    periods=periods, open_period=open_period, notes=notes)


def _whole_child_notes(names: list[str], behaviours: list[Behaviour]) -> list[tuple[str, str]]:
    """Where the 综合育人 sheets differ from the rest, for the demo summary."""
    usual = Behaviour("usual", "template")
    notes = []
    for county, b in zip(names, behaviours):
        if b.psych_per_10[1] - b.psych_per_10[0] > 2 * (usual.psych_per_10[1] - usual.psych_per_10[0]):
            notes.append((county, "综合育人:每年9月报送,专职心理健康教师逐年增加"))
        if b.parent_school[1] < usual.parent_school[0] - 0.1:
            notes.append((county, "综合育人:合格家长学校建成率落后"))
    return notes


def _roster(names: list[str], sizes: list[int], rng: np.random.Generator) -> pd.DataFrame:
    """The static part of every school: code, name, type, locale, base size, opening month."""
    frames = []
    types = list(TYPE_SHARES)
    for ci, (county, n) in enumerate(zip(names, sizes)):
        school_types = list(rng.choice(types, size=n, p=list(TYPE_SHARES.values())))
        school_types[-1] = "十二年一贯制学校" if n >= 40 else school_types[-1]
        shares = LOCALE_SHARES[county[-1]] if county[-1] in LOCALE_SHARES else LOCALE_SHARES["县"]
        locales = list(rng.choice(LOCALES, size=n, p=shares))
        for k, t in enumerate(school_types):  # upper-secondary schools sit in towns
            if t in ("完全中学", "高级中学", "十二年一贯制学校") and locales[k] == "乡村":
                locales[k] = "镇区"
        loc_i = np.array([LOCALES.index(x) for x in locales])
        median = np.array([STUDENTS[t][li] for t, li in zip(school_types, loc_i)], dtype=float)
        students = np.clip(median * np.exp(rng.normal(0, 0.45, n)), 30, 6000).round()
        frames.append(pd.DataFrame({
            "county_idx": ci, "county": county,
            "school_id": [f"52{ci + 1:03d}{k + 1:05d}" for k in range(n)],
            "name": school_names(county, school_types, locales, rng),
            "school_type": school_types, "locale": locales, "base_students": students,
            "class_size": np.array(CLASS_SIZE)[loc_i] * np.exp(rng.normal(0, 0.08, n)),
            "pupils_per_teacher": [PUPILS_PER_TEACHER.get(t, 13.0) * (0.8 if li == 2 else 1.0)
                                   for t, li in zip(school_types, loc_i)],
            "wealth": rng.normal(0, 0.12, n) + np.array([0.05, 0.0, -0.08])[loc_i],
            "opens": 0,
        }))
    roster = pd.concat(frames, ignore_index=True)
    roster["stage"] = roster["school_type"].map(STAGE_GROUPS)
    return roster


def _open_new_school(roster: pd.DataFrame, behaviours: list[Behaviour], periods: list[str]) -> None:
    """The 'good' county opens a new primary school with the first new school year in range (in place)."""
    septembers = [k for k, p in enumerate(periods) if k > 0 and p.endswith("-09")]
    for ci, beh in enumerate(behaviours):
        rows = roster.index[(roster["county_idx"] == ci) & (roster["school_type"] == "小学")]
        if beh.kind == "good" and septembers and len(rows):
            roster.loc[rows[-1], "opens"] = septembers[0]


def _monthly_roster(roster: pd.DataFrame, periods: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """学校名册 per month: students change each September, slightly month to month."""
    n = len(roster)
    years = np.cumsum([1 if p.endswith("-09") else 0 for p in periods])
    yearly = np.exp(np.cumsum(rng.normal(-0.01, 0.04, (n, years[-1] + 1)), axis=1))
    frames = []
    for k, period in enumerate(periods):
        students = roster["base_students"].to_numpy() * yearly[:, years[k]]
        students = np.maximum(20, (students * (1 + rng.normal(0, 0.002, n))).round()).astype(int)
        size = roster["class_size"].to_numpy() * (1 + 0.02 * np.sin(years[k] + np.arange(n)))
        classes = np.maximum(1, np.round(students / size)).astype(int)
        teachers = np.maximum(3, np.round(students / roster["pupils_per_teacher"].to_numpy()
                                          * np.exp(0.03 * np.cos(np.arange(n) + years[k])))).astype(int)
        frames.append(pd.DataFrame({
            "period": period, "idx": np.arange(n), "county": roster["county"], "school_id": roster["school_id"],
            "name": roster["name"], "school_type": roster["school_type"], "locale": roster["locale"],
            "students": students, "classes": classes, "teachers": teachers,
            "t": k / max(1, len(periods) - 1)})[roster["opens"].to_numpy() <= k])
    return pd.concat(frames, ignore_index=True)


def _covering(types: np.ndarray, band: str) -> np.ndarray:
    """Per row: does the school type cover the grade band (vectorised core.submission.bands.covers)."""
    return np.isin(types, [t for t in SCHOOL_TYPES if covers(t, band)])


def _trend(beh: pd.Series, monthly: pd.DataFrame, periods: list[str], attr: str) -> np.ndarray:
    """Per row: the county's value of behaviour attribute `attr` (a (start, end) pair) at that month."""
    t = monthly["t"].to_numpy()
    pairs = np.array([getattr(b, attr) for b in beh])[monthly["idx"].to_numpy()]
    return pairs[:, 0] + (pairs[:, 1] - pairs[:, 0]) * t


def _pe(roster, monthly, beh, periods, rng) -> pd.DataFrame:
    """体育 per month: lessons (persistently short in some schools), activity minutes, annual fitness."""
    idx = monthly["idx"].to_numpy()
    n_rows = len(monthly)
    u_short = rng.random(len(roster))[idx] + rng.normal(0, 0.02, n_rows)
    short = u_short < _trend(beh, monthly, periods, "pe_short")
    pick = rng.integers(0, 4, len(roster))
    short_band = np.array([[b for b in PE_COLUMNS if covers(t, b)][p % len([b for b in PE_COLUMNS if covers(t, b)])]
                           for t, p in zip(roster["school_type"], pick)])[idx]
    out = pd.DataFrame({"period": monthly["period"], "county": monthly["county"],
                        "school_id": monthly["school_id"], "name": monthly["name"]})
    types = monthly["school_type"].to_numpy()
    for band, col in PE_COLUMNS.items():
        has = _covering(types, band)
        value = PE_STANDARD[band] - (short & (short_band == band)) * 1.0
        out[col] = np.where(has, value, np.nan)
    base = rng.normal(68, 10, len(roster))[idx]
    month = monthly["period"].str[5:].astype(int).map(SEASON_MINUTES).fillna(0.0).to_numpy()
    minutes = base + _trend(beh, monthly, periods, "activity_shift") + month + rng.normal(0, 3, n_rows)
    out["activity_minutes"] = np.clip(np.round(minutes * 2) / 2, 20, 150)
    fit_month = np.array([b.fitness_month for b in beh])[idx]
    tested_now = monthly["period"].str[5:].astype(int).to_numpy() == fit_month
    students = monthly["students"].to_numpy()
    tested = np.round(students * rng.uniform(0.93, 1.0, n_rows))
    pass_rate = np.clip(rng.normal(0.935, 0.03, len(roster))[idx] + _trend(beh, monthly, periods, "fitness_shift")
                        + rng.normal(0, 0.01, n_rows), 0.7, 1.0)
    good_rate = np.clip(rng.normal(0.50, 0.08, len(roster))[idx] + 2 * _trend(beh, monthly, periods, "fitness_shift")
                        + rng.normal(0, 0.02, n_rows), 0.15, 0.9)
    passed = np.minimum(tested, np.round(tested * pass_rate))
    good = np.minimum(passed, np.round(tested * good_rate))
    for col, values in (("fitness_tested", tested), ("fitness_passed", passed), ("fitness_good", good)):
        out[col] = pd.array(np.where(tested_now, values, np.nan), dtype="Int64")
    return out


def _homework(roster, monthly, beh, periods, rng) -> pd.DataFrame:
    """作业 per month: written homework in grades 1–2, minutes 3–6 and 7–9, publicity, after-school."""
    idx = monthly["idx"].to_numpy()
    n_rows = len(monthly)
    types = monthly["school_type"].to_numpy()
    out = pd.DataFrame({"period": monthly["period"], "county": monthly["county"],
                        "school_id": monthly["school_id"], "name": monthly["name"]})
    u = rng.random((3, len(roster)))[:, idx] + rng.normal(0, 0.02, (3, n_rows))
    g12 = _covering(types, "1-2")
    out["g12_written"] = pd.array(np.where(g12, u[0] < _trend(beh, monthly, periods, "g12_written"), None),
                                  dtype="boolean")
    shift = _trend(beh, monthly, periods, "hw_shift")
    g36 = rng.normal(45, 8, len(roster))[idx] + shift + rng.normal(0, 3, n_rows)
    g79 = rng.normal(72, 10, len(roster))[idx] + 1.4 * shift + rng.normal(0, 4, n_rows)
    out["g36_minutes"] = np.where(_covering(types, "3-6"), np.clip(np.round(g36), 10, 200), np.nan)
    out["g79_minutes"] = np.where(_covering(types, "7-9"), np.clip(np.round(g79), 15, 240), np.nan)
    out["publicity"] = u[1] >= _trend(beh, monthly, periods, "no_publicity")
    share = np.clip(rng.normal(0, 0.05, len(roster))[idx] + _trend(beh, monthly, periods, "afterschool")
                    + rng.normal(0, 0.01, n_rows), 0.3, 1.0)
    compulsory = _covering(types, "1-2") | _covering(types, "7-9")
    out["afterschool"] = pd.array(np.where(compulsory, np.round(monthly["students"].to_numpy() * share), np.nan),
                                  dtype="Int64")
    return out


def _pick(frame: pd.DataFrame, county: str, period: str, rng, mask=None) -> int | None:
    """Row label of a random school of county × period (optionally among mask), or None."""
    rows = frame.index[(frame["county"] == county) & (frame["period"] == period)
                       & (True if mask is None else mask)]
    return int(rows[int(rng.integers(len(rows)))]) if len(rows) else None


def _add_outliers(monthly, pe, homework, behaviours, periods, rng) -> list[tuple[str, str]]:
    """A few implausible but valid values for the data-quality warnings to flag (in place); (county, note)s."""
    names = list(dict.fromkeys(monthly["county"]))
    kinds: dict[str, str] = {}
    for i, b in enumerate(behaviours):
        kinds.setdefault(b.kind, names[i])
    at = lambda back: periods[max(0, len(periods) - back)]  # noqa: E731
    notes = []

    def name(frame, row) -> str:
        return str(frame.loc[row, "name"])

    if "homework_lag" in kinds and (row := _pick(pe, kinds["homework_lag"], at(10), rng)) is not None:
        pe.loc[row, "activity_minutes"] = 240.0  # 4 hours a day in school: a typo
        notes.append((kinds["homework_lag"], f"{at(10)} {name(pe, row)}日均校内体育活动时间填为240分钟(异常值)"))
    if "december_fitness" in kinds:
        row = _pick(homework, kinds["december_fitness"], at(6), rng, homework["g79_minutes"].notna())
        if row is not None:
            homework.loc[row, "g79_minutes"] = 180.0
            notes.append((kinds["december_fitness"], f"{at(6)} {name(homework, row)}初中作业时长180分钟(异常值)"))
    if "late" in kinds:
        row = _pick(monthly, kinds["late"], at(8), rng, monthly["students"] < 900)
        if row is not None:  # one extra zero typed, in one month only
            monthly.loc[row, "students"] = monthly.loc[row, "students"] * 10
            notes.append((kinds["late"], f"{at(8)} {name(monthly, row)}在校生数多录一个0(突变)"))
    if "pe_lag" in kinds:  # 大班额: one town-centre school above 80 pupils per class all along
        city = monthly["locale"].eq("城区") & monthly["students"].between(1500, 6000)
        row = _pick(monthly, kinds["pe_lag"], periods[0], rng, city)
        if row is not None:
            same = monthly["school_id"] == monthly.loc[row, "school_id"]
            monthly.loc[same, "classes"] = (monthly.loc[same, "students"] // 82).clip(lower=1)
            notes.append((kinds["pe_lag"], f"{name(monthly, row)}每班超过80人(大班额,每月校验警告)"))
    if "improves" in kinds:
        row = _pick(pe, kinds["improves"], periods[-1], rng, pe["fitness_tested"].notna())
        if row is not None:
            pe.loc[row, "fitness_passed"] = pe.loc[row, "fitness_tested"]  # every pupil passed: check it
            notes.append((kinds["improves"], f"{periods[-1]} {name(pe, row)}体质健康及格率100%"))
    return notes


def _first_version_patches(pe: pd.DataFrame, submissions: pd.DataFrame, rng) -> pd.DataFrame:
    """Values of a first version later corrected: activity time typed in hours for six schools."""
    rows = []
    for _, sub in submissions[submissions["version"] == "first"].iterrows():
        mine = pe[(pe["county"] == sub["county"]) & (pe["period"] == sub["period"])]
        for label in rng.choice(mine.index.to_numpy(), size=min(6, len(mine)), replace=False):
            rows.append((sub["county"], sub["period"], "pe", mine.loc[label, "school_id"], "activity_minutes",
                         round(float(mine.loc[label, "activity_minutes"]) / 60, 1)))
    return pd.DataFrame(rows, columns=["county", "period", "sheet", "school_id", "column", "value"])



