"""The tests' own sample zone: 3 counties × 8 months of county workbooks in the four real layouts.

Shaped like the zone office's reference samples (../shared/samples, when present): 松溪县, 白石县
and 望江区 send one workbook a month for 2026-03 … 2026-10, each month in the next of the four
layouts (template, titled, retyped, filename — written by core.demo.layouts); two schools open in
2026-07; the 优质学校 sheet is sent in March (every school) and September (with upgrades); the
体质健康 results are filled in October; the 综合育人 sheet is sent in March and September (松溪县 and
望江区 add 专职心理健康教师 in September, 白石县 lags on 家长学校). Deterministic: the same bytes on every run.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from core.demo.layouts import file_name, workbook_bytes
from core.month import month_add, month_range
from core.submission.bands import SCHOOL_BANDS

COUNTIES = ("松溪县", "白石县", "望江区")
PERIODS = month_range("2026-03", "2026-10")
LAYOUTS = ("template", "titled", "retyped", "filename")
TYPES = ("小学", "小学", "初级中学", "九年一贯制学校", "小学", "完全中学", "高级中学", "小学",
         "初级中学", "十二年一贯制学校", "小学", "九年一贯制学校", "小学", "初级中学", "小学", "小学")
LOCALES = ("城区", "镇区", "乡村")
OPENS = {("白石县", 16): "2026-07", ("望江区", 16): "2026-07"}  # (county, school index) -> first month
QUALITY_MONTHS = ("2026-03", "2026-09")
FITNESS_MONTH = "2026-10"
WHOLE_CHILD_MONTHS = ("2026-03", "2026-09")
PSYCH_IMPROVING = ("松溪县", "望江区")  # more 专职心理健康教师 from September
PARENT_SCHOOL_LAG = "白石县"
LESSON_STANDARD = {"1-2": 4, "3-6": 3, "7-9": 3, "10-12": 2}
LESSON_COLUMNS = {"1-2": "lessons_g12", "3-6": "lessons_g36", "7-9": "lessons_g79", "10-12": "lessons_g1012"}


def layout_of(county: str, period: str) -> str:
    """Each county moves to the next layout every month (as the reference samples do)."""
    return LAYOUTS[(COUNTIES.index(county) + PERIODS.index(period)) % len(LAYOUTS)]


def _schools(county: str, ci: int) -> list[dict]:
    rng = np.random.default_rng([7, ci])
    out = []
    for k in range(17):
        stype = TYPES[k % len(TYPES)] if k < 16 else "小学"
        students = int(rng.integers(300, 2400))
        out.append({"school_id": f"21{ci + 1:03d}{k + 1:05d}", "name": f"{county}第{k + 1}{_word(stype)}",
                    "county": county, "school_type": stype, "locale": LOCALES[int(rng.integers(3))],
                    "students": students, "classes": max(1, students // 45), "teachers": max(10, students // 13),
                    "opens": OPENS.get((county, k), "2026-03" if k < 16 else "2099-01")})
    return out


def _word(stype: str) -> str:
    return "小学" if stype == "小学" else "中学" if stype in ("初级中学", "完全中学", "高级中学") else "学校"


def _sheets(county: str, ci: int, period: str) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng([ci, int(period.replace("-", ""))])
    t = PERIODS.index(period)
    roster = [s for s in _schools(county, ci) if s["opens"] <= period]
    pe, hw, quality = [], [], []
    for k, s in enumerate(roster):
        bands = SCHOOL_BANDS[s["school_type"]]
        lessons = {col: None for col in LESSON_COLUMNS.values()}
        for b in bands:
            short = (k + t + ci) % 7 == 0  # now and then a school misses the lesson standard
            lessons[LESSON_COLUMNS[b]] = float(LESSON_STANDARD[b] - (1 if short else 0))
        minutes = float(round(48 + 20 * rng.random() + 2 * t + 3 * ci))
        fit = {"fitness_tested": None, "fitness_passed": None, "fitness_good": None}
        if period == FITNESS_MONTH:
            tested = int(s["students"] * 0.95)
            passed = int(tested * (0.9 + 0.08 * rng.random()))
            fit = {"fitness_tested": tested, "fitness_passed": passed, "fitness_good": int(passed * 0.55)}
        pe.append({"school_id": s["school_id"], "name": s["name"], **lessons, "activity_minutes": minutes, **fit})
        compulsory = s["school_type"] != "高级中学"
        hw.append({"school_id": s["school_id"], "name": s["name"],
                   "g12_written": (k + ci) % 9 == 0 if "1-2" in bands else None,
                   "g36_minutes": float(40 + (k * 7 + t * 3 + ci * 5) % 30) if "3-6" in bands else None,
                   "g79_minutes": float(65 + (k * 11 + t + ci * 3) % 35) if "7-9" in bands else None,
                   "publicity": (k + t) % 11 != 0,
                   "afterschool": int(s["students"] * (0.8 + 0.15 * rng.random()))
                   if compulsory and s["school_type"] in ("小学", "初级中学", "九年一贯制学校") else
                   (int(s["students"] * 0.5) if compulsory else None)})
        if period in QUALITY_MONTHS:
            upgraded = period == "2026-09" and k % 5 == 1
            level = ("市级" if k % 4 == 0 else "省级" if k % 9 == 0 else "县级" if k % 3 == 0 else "无")
            level = "市级" if upgraded and level in ("无", "县级") else level
            quality.append({"school_id": s["school_id"], "level": level,
                            "year": None if level == "无" else (2026 if upgraded else 2019 + k % 6),
                            "higher_degree_teachers": int(s["teachers"] * 0.4),
                            "backbone_teachers": max(1, s["teachers"] // 12),
                            "pe_art_teachers": max(1, s["teachers"] // 10),
                            "teaching_area": float(s["students"] * (4.0 + (k % 5) * 0.6)),
                            "sports_area": float(s["students"] * (7.0 + (k % 4) * 1.5)),
                            "equipment_value": round(s["students"] * (0.2 + (k % 6) * 0.03), 2),
                            "multimedia_rooms": max(1, s["classes"] + k % 3)})
    sheets = {"school": pd.DataFrame([{c: s[c] for c in ("school_id", "name", "county", "school_type", "locale",
                                                           "students", "classes", "teachers")} for s in roster]),
              "pe": pd.DataFrame(pe), "homework": pd.DataFrame(hw)}
    if quality:
        sheets["quality"] = pd.DataFrame(quality)
    if period in WHOLE_CHILD_MONTHS:  # no draws from rng: the other sheets' numbers stay as they were
        sheets["whole_child"] = pd.DataFrame([_whole_child(county, ci, k, s, period) for k, s in enumerate(roster)])
    return sheets


def _whole_child(county: str, ci: int, k: int, s: dict, period: str) -> dict:
    """One school's 综合育人 row: a few schools short of labour lessons, 专职 teachers in the larger schools."""
    september = period == "2026-09"
    fulltime = 1 if s["classes"] >= 30 else 0
    if september and county in PSYCH_IMPROVING:
        fulltime = max(fulltime, s["classes"] // 12)
    lag = county == PARENT_SCHOOL_LAG
    return {"school_id": s["school_id"],
            "labor_lessons": 0.5 if (k + ci + september) % 6 == 0 else 1.0 + (k % 3) * 0.5,
            "psych_fulltime": fulltime,
            "psych_parttime": None if k % 5 == 4 else (0 if k % 7 == 3 else 1 + k % 2),
            "parent_school": k % 3 != 0 if lag and not (september and k % 2) else k % 8 != 7,
            "parent_committee": k % 10 != 9}


def write_sample_zone(folder: Path) -> Path:
    """Write the 24 workbooks into `folder` (created) and return it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for ci, county in enumerate(COUNTIES):
        for period in PERIODS:
            layout = layout_of(county, period)
            received = datetime.fromisoformat(f"{month_add(period, 1)}-03T09:00")
            data = workbook_bytes(county, period, layout, _sheets(county, ci, period), county_idx=ci,
                                  received_at=received, instructions=True)
            (folder / file_name(county, period, layout)).write_bytes(data)
    return folder
