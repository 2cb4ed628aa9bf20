"""The six 综合育人 indicators, computed independently (pandas, from the sample zone's own frames) and
compared with compute_indicators row by row at zone, county and school level, every month.

The sample zone (tests/sample_zone.py) sends its 综合育人 sheet in March and September in the four
layouts counties use, so the figures here went through the real reading, validation, storage and
carry-forward; a school that opens in July has no 综合育人 data until September.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest
from sample_zone import COUNTIES, PERIODS, WHOLE_CHILD_MONTHS, _sheets
from test_indicators import add_submission, new_db, own_db  # noqa: F401 (fixture)

from core.db import open_db
from core.indicators import compute_indicators
from core.month import month_add
from core.present.numbers import format_value

IDS = ("labor_lessons_compliance", "psych_fulltime_per_10_classes", "psych_teacher_coverage",
       "parent_school_rate", "parent_committee_rate", "whole_child_coverage")
WINDOW = 12  # months a 综合育人 sheet is carried forward (M−11 … M)


def _carried(county: str, ci: int, period: str) -> pd.DataFrame:
    """The month's roster with each school's carried 综合育人 values (NaN where it has none)."""
    roster = _sheets(county, ci, period)["school"][["school_id", "classes"]]
    sent = [m for m in WHOLE_CHILD_MONTHS if month_add(period, 1 - WINDOW) <= m <= period]
    latest = pd.DataFrame(columns=["school_id"])
    for m in sent:  # oldest first: a newer sheet replaces the schools it lists
        sheet = _sheets(county, ci, m)["whole_child"]
        latest = pd.concat([latest[~latest["school_id"].isin(sheet["school_id"])], sheet])
    return roster.merge(latest, on="school_id", how="left")


def _sums(frame: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """(numerator, denominator) of each indicator over the schools of `frame`."""
    has = frame["labor_lessons"].notna()
    d = frame[has]
    staff = d["psych_fulltime"].astype(float) + d["psych_parttime"].astype(float).fillna(0)
    n = float(len(d))
    return {
        "labor_lessons_compliance": (float((d["labor_lessons"] >= 1).sum()), n),
        "psych_fulltime_per_10_classes": (10.0 * d["psych_fulltime"].astype(float).sum(),
                                          float(d["classes"].sum())),
        "psych_teacher_coverage": (float((staff >= 1).sum()), n),
        "parent_school_rate": (float(d["parent_school"].astype(bool).sum()), n),
        "parent_committee_rate": (float(d["parent_committee"].astype(bool).sum()), n),
        "whole_child_coverage": (float(has.sum()), float(len(frame))),
    }


def expected_rows(period: str) -> dict[tuple, tuple]:
    """(indicator, level, county, school_id) -> (value, numerator, denominator) as indicators.md defines them."""
    out: dict[tuple, tuple] = {}
    frames = {c: _carried(c, ci, period) for ci, c in enumerate(COUNTIES)}

    def put(key_rest: tuple, sums: dict[str, tuple[float, float]], school: bool) -> None:
        for ind, (num, den) in sums.items():
            if school and den == 0:
                continue  # outside the indicator's scope: no school row
            rate = ind != "psych_fulltime_per_10_classes"
            value = None if den == 0 else (100.0 * num / den if rate else num / den)
            out[(ind, *key_rest)] = (value, num if rate else None, den if rate else None)

    put(("zone", None, None), _sums(pd.concat(frames.values())), False)
    for county, frame in frames.items():
        put(("county", county, None), _sums(frame), False)
        for _, school in frame.iterrows():
            put(("school", county, school["school_id"]), _sums(school.to_frame().T), True)
    return out


def _same(got, want) -> bool:
    if want is None or got is None or (isinstance(got, float) and math.isnan(got)):
        return want is None and (got is None or (isinstance(got, float) and math.isnan(got)))
    return math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("period", PERIODS)
def test_every_row_matches_the_independent_computation(own_db, period):
    with open_db(own_db) as con:
        got = pd.concat([compute_indicators(con, period, level) for level in ("zone", "county", "school")])
    got = got[got["indicator"].isin(IDS)]
    rows = {(r["indicator"], r["level"], r["county"], r["school_id"]): (r["value"], r["numerator"], r["denominator"])
            for r in got.to_dict("records")}
    want = expected_rows(period)
    assert sorted(rows, key=str) == sorted(want, key=str)
    bad = [(k, rows[k], w) for k, w in want.items() if not all(_same(g, x) for g, x in zip(rows[k], w))]
    assert bad == []


def test_the_sample_zone_exercises_every_case():
    """Not vacuous: schools without data, short of lessons, without teachers, without 家长学校 — and changes."""
    march, july, october = expected_rows("2026-03"), expected_rows("2026-07"), expected_rows("2026-10")
    assert july[("whole_child_coverage", "county", "白石县", None)][0] < 100  # the school opened in July
    assert october[("whole_child_coverage", "zone", None, None)][0] == 100
    for ind in IDS[:5]:
        values = {v[0] for k, v in october.items() if k[0] == ind and k[1] == "school"}
        assert len(values) > 1, ind  # some schools meet it, some do not
    per10 = "psych_fulltime_per_10_classes"
    assert october[(per10, "county", "松溪县", None)][0] > 2 * march[(per10, "county", "松溪县", None)][0]
    assert october[("parent_school_rate", "county", "白石县", None)][0] == min(
        october[("parent_school_rate", "county", c, None)][0] for c in COUNTIES)


def test_without_any_sheet_rates_are_null_and_coverage_zero():
    con = new_db()
    add_submission(con, "甲县", "2026-10", [{"id": "A1"}, {"id": "A2"}])
    rows = compute_indicators(con, "2026-10", "county")
    rows = rows[rows["indicator"].isin(IDS)].set_index("indicator")
    assert rows.loc["whole_child_coverage", "value"] == 0
    assert all(rows.loc[i, "value"] is None for i in IDS[:5])
    schools = compute_indicators(con, "2026-10", "school")
    assert set(schools["indicator"]) & set(IDS) == {"whole_child_coverage"}


def test_page_tables_who_is_behind_and_which_schools(own_db):
    """The 综合育人 page's tables (core.present.topic_tables) from the sample zone's October rows."""
    from core.indicators import school_detail
    from core.present.topic_tables import behind_table, schools_not_meeting

    with open_db(own_db) as con:
        zone, counties = (compute_indicators(con, "2026-10", lv) for lv in ("zone", "county"))
        schools, detail = compute_indicators(con, "2026-10", "school"), school_detail(con, "2026-10")
    behind = behind_table(zone, counties, list(IDS)).set_index("指标")
    assert "综合育人数据覆盖率" not in behind.index and len(behind) == 5  # no target: nobody is behind
    for ind in IDS[:5]:
        rows = counties[counties["indicator"] == ind]
        line = behind.loc[rows["name"].iloc[0]]
        for status, column in (("red", "未达标县区"), ("amber", "接近县区")):
            named = rows[rows["status"] == status].sort_values(["value", "county"])  # the furthest behind first
            listed = [] if line[column] == "—" else [part.split(" ") for part in line[column].split("、")]
            assert [c for c, _ in listed] == list(named["county"]), (ind, status)
            assert [v for _, v in listed] == [format_value(v, u) for v, u in zip(named["value"], named["unit"])]
    table = schools_not_meeting(schools, detail, "parent_school_rate", "whole_child")
    failing = schools[(schools["indicator"] == "parent_school_rate") & (schools["value"] == 0)]
    assert len(table) == len(failing) > 0
    assert set(table["学校标识码"]) == set(failing["school_id"]) and (table["合格家长学校"] == "否").all()
    assert {"劳动教育周课时", "专职心理健康教师数", "兼职心理健康教师数", "家长委员会", "综合育人报送月份"} <= set(table.columns)
    assert set(table["综合育人报送月份"]) <= set(WHOLE_CHILD_MONTHS)
