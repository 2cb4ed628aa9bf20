"""Data-quality warnings: modified z-score outliers within a county and month, monthly jumps."""
from __future__ import annotations

import pytest
from test_indicators import add_submission, new_db

from core.indicators.dataquality import WARNING_COLUMNS, data_quality_warnings

TYPICAL = [58, 60, 61, 62, 63, 64, 65, 66]


def _county(con, county, period, minutes, **extra):
    schools = [{"id": f"{county}{i}", "act": m, **extra} for i, m in enumerate(minutes)]
    add_submission(con, county, period, schools)


def test_outlier_flagged_with_chinese_reason():
    con = new_db()
    _county(con, "甲县", "2026-04", TYPICAL + [180])
    w = data_quality_warnings(con, "2026-04")
    assert list(w.columns) == WARNING_COLUMNS
    out = w[w["kind"] == "outlier"]
    assert list(out["school_id"]) == ["甲县8"] and out["value"].iloc[0] == 180
    # modified z = 0.6745 (x − median) / MAD, computed here by hand
    med = 63.0
    mad = sorted(abs(x - med) for x in TYPICAL + [180])[4]
    assert out["score"].iloc[0] == pytest.approx(0.6745 * (180 - med) / mad)
    assert "日均校内体育活动时间180分钟" in out["reason"].iloc[0] and "中位数63分钟" in out["reason"].iloc[0]


def test_outliers_are_judged_within_each_county():
    con = new_db()
    _county(con, "甲县", "2026-04", TYPICAL)
    _county(con, "乙县", "2026-04", [118, 120, 121, 122, 123, 124, 125, 126])   # high but consistent
    assert data_quality_warnings(con, "2026-04").empty


def test_zero_mad_falls_back_to_mean_absolute_deviation():
    con = new_db()
    _county(con, "甲县", "2026-04", [60] * 8 + [61, 200])
    out = data_quality_warnings(con, "2026-04")
    assert list(out["school_id"]) == ["甲县9"]


def test_small_county_is_not_checked():
    con = new_db()
    _county(con, "甲县", "2026-04", [60, 61, 200])
    assert data_quality_warnings(con, "2026-04").empty


@pytest.mark.parametrize("before, after, flagged", [
    ({"act": 60}, {"act": 101}, True),          # +41 minutes
    ({"act": 60}, {"act": 100}, False),         # +40: within the limit
    ({"act": 30}, {"act": 60}, True),           # ×2
    ({"g36": 20}, {"g36": 45}, True),           # homework ×2.25
    ({"students": 100}, {"students": 131}, True),
    ({"students": 100}, {"students": 130}, False),
])
def test_month_over_month_jumps(before, after, flagged):
    con = new_db()
    add_submission(con, "甲县", "2026-03", [{"id": "S1", **before}])
    add_submission(con, "甲县", "2026-04", [{"id": "S1", **after}])
    w = data_quality_warnings(con, "2026-04")
    jumps = w[w["kind"] == "jump"]
    assert (len(jumps) == 1) == flagged
    if flagged:
        assert jumps["school_id"].iloc[0] == "S1" and "上月" in jumps["reason"].iloc[0]


def test_county_filter():
    con = new_db()
    _county(con, "甲县", "2026-04", TYPICAL + [180])
    _county(con, "乙县", "2026-04", TYPICAL + [190])
    assert set(data_quality_warnings(con, "2026-04", "乙县")["county"]) == {"乙县"}
