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


def test_reasons_are_in_the_clerks_words():
    con = new_db()
    _county(con, "甲县", "2026-04", TYPICAL + [180])
    reason = data_quality_warnings(con, "2026-04")["reason"].iloc[0]
    assert reason == "日均校内体育活动时间180分钟,远高于甲县其他学校(中位数63分钟),请核实"
    assert not any(word in reason for word in ("z", "修正", "MAD", "±"))


def test_minutes_that_look_like_hours_in_a_small_county():
    con = new_db()
    _county(con, "甲县", "2026-04", [60, 1.1, 62])  # too few schools to compare: the value alone tells
    w = data_quality_warnings(con, "2026-04")
    assert list(w["kind"]) == ["hours"] and list(w["school_id"]) == ["甲县1"]
    assert w["reason"].iloc[0] == "日均校内体育活动时间1.1分钟,不到5分钟,是否按小时填写?(1.1小时应填66分钟)"


def test_the_page_table_shows_values_with_units_and_no_scores():
    from core.submission.view import quality_table
    con = new_db()
    add_submission(con, "甲县", "2026-03", [{"id": "S1", "act": 60}])
    add_submission(con, "甲县", "2026-04", [{"id": "S1", "act": 1.1}])
    table = quality_table(data_quality_warnings(con, "2026-04"))
    assert list(table.columns) == ["县区", "学校标识码", "学校名称", "提示", "数据项", "本月填写", "对照", "说明"]
    row = table.iloc[0]
    assert (row["提示"], row["本月填写"], row["对照"]) == ("与上月相比变化很大", "1.1分钟", "上月60分钟")
    assert row["说明"].endswith("是否按小时填写?")


def test_one_warning_per_school_and_column_the_most_telling_first():
    con = new_db()
    _county(con, "甲县", "2026-03", TYPICAL + [61])
    _county(con, "甲县", "2026-04", TYPICAL + [1.1])  # far from the others, a jump and hours-like at once
    w = data_quality_warnings(con, "2026-04")
    assert list(zip(w["school_id"], w["kind"])) == [("甲县8", "outlier")]
    assert w["reason"].iloc[0] == "日均校内体育活动时间1.1分钟,远低于甲县其他学校(中位数62分钟),是否按小时填写?"
