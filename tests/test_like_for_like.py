"""A zone figure and its change compare like with like: the counties behind a month's zone row are those
with data for the indicator, and its change against the month before is measured over the counties
with data in both months — never 3 counties against 8, nor a county's first 体质健康 test as progress.
"""
from __future__ import annotations

import pytest
from test_indicators import add_submission, new_db

from core.indicators import compute_indicators
from core.indicators.completeness import PARTIAL


@pytest.fixture(autouse=True)
def _closed(monkeypatch):
    monkeypatch.setenv("PILOT_TODAY", "2027-01-20")  # every month below is past its due day


def _county(con, county: str, period: str, act: int, tested: int | None = None, passed: int | None = None):
    """Three 小学 with daily activity `act` minutes; 体质健康 `passed` of `tested` each when given."""
    schools = [{"id": f"{county}{k}", "act": act, "tested": tested, "passed": passed,
                "good": None if tested is None else 0} for k in range(3)]
    add_submission(con, county, period, schools, received=f"{period}-28 09:00")


def _zone(con, period: str, indicator: str) -> dict:
    (row,) = compute_indicators(con, period, indicator=indicator).to_dict("records")
    return row


def test_a_partial_month_is_compared_with_the_same_counties_the_month_before():
    con = new_db()
    for county, act in (("甲县", 70), ("乙县", 70), ("丙县", 30)):  # 丙县 behind: zone 2/3 in October
        _county(con, county, "2026-10", act)
    for county in ("甲县", "乙县"):  # November: 丙县 has not sent yet, the other two unchanged
        _county(con, county, "2026-11", 70)
    oct_, nov = _zone(con, "2026-10", "activity_hour_compliance"), _zone(con, "2026-11", "activity_hour_compliance")
    assert round(oct_["value"], 6) == round(200 / 3, 6) and nov["value"] == 100.0
    assert nov["completeness"] == PARTIAL and nov["counties_reporting"] == 2
    assert nov["change"] == 0.0 and nov["change_direction"] == "flat"  # not +33.3: 丙县 is only missing
    assert nov["value"] - nov["prev_value"] == nov["change"]  # prev_value: October on November's counties


def test_reporting_counties_without_data_for_an_indicator_make_its_zone_row_partial():
    con = new_db()
    for county, tested in (("甲县", 100), ("乙县", 100), ("丙县", None)):  # 丙县 not tested in the last 12 months
        _county(con, county, "2026-10", 70, tested, None if tested is None else 80)
    october = _zone(con, "2026-10", "fitness_pass_rate")
    assert october["complete"] is True and october["counties_reporting"] == 3  # the month is complete
    assert october["completeness"] == PARTIAL and october["counties_with_data"] == 2  # this figure is not
    assert october["status"] in ("green", "amber", "red")  # a rate of two counties: judged, marked 部分县区
    for county, tested, passed in (("甲县", 100, 80), ("乙县", 100, 80), ("丙县", 100, 20)):
        _county(con, county, "2026-11", 70, tested, passed)  # 丙县's first test: low, but not a decline
    november = _zone(con, "2026-11", "fitness_pass_rate")
    assert november["completeness"] == "complete" and november["counties_with_data"] == 3
    assert november["value"] == 60.0 and november["change"] == 0.0  # 甲县 and 乙县 as before: 0, not −20


def test_a_county_row_and_an_unchanged_zone_keep_their_plain_change():
    con = new_db()
    for period, act in (("2026-10", 30), ("2026-11", 70)):
        for county in ("甲县", "乙县"):
            _county(con, county, period, act)
    nov = _zone(con, "2026-11", "activity_hour_compliance")
    assert nov["change"] == 100.0 and nov["prev_value"] == 0.0
    assert nov["counties_with_data"] is None  # every school fills it: a county has it whenever it reports
    county = compute_indicators(con, "2026-11", level="county", indicator="activity_hour_compliance")
    assert county["change"].tolist() == [100.0, 100.0] and county["counties_with_data"].isna().all()


def test_the_tile_and_the_report_say_how_many_counties_have_data():
    from core.present.labels import coverage_text
    from ui.tiles import tile_html

    con = new_db()
    for county, tested in (("甲县", 100), ("乙县", 100), ("丙县", None)):
        _county(con, county, "2026-10", 70, tested, None if tested is None else 80)
    row = compute_indicators(con, "2026-10", indicator="fitness_pass_rate").iloc[0]
    assert coverage_text(row) == "2/3县区有数据"
    assert "部分县区(2/3县区有数据)" in tile_html(row, "体质健康达标率")
    full = compute_indicators(con, "2026-10", indicator="activity_hour_compliance").iloc[0]
    assert coverage_text(full) == "" and "部分县区" not in tile_html(full, "校内体育活动1小时达标率")


def test_the_report_does_not_say_every_county_when_some_have_no_data():
    from core.report.narrative import _attention_clause

    con = new_db()
    for county, tested in (("甲县", 100), ("乙县", 100), ("丙县", None)):
        _county(con, county, "2026-10", 70, tested, None if tested is None else 80)
    zone = compute_indicators(con, "2026-10", indicator="fitness_pass_rate").iloc[0]
    counties = compute_indicators(con, "2026-10", level="county", indicator="fitness_pass_rate")
    assert _attention_clause(zone, counties) == "有数据的县区均不低于全区水平"


def test_the_trend_marks_a_month_some_counties_have_no_data_for():
    """The month's point on the zone line is hollow (部分县区), its hover says how many counties have
    data, as the tile does; the next month, with every county tested, is a plain point."""
    from core.indicators import indicator_trend
    from core.present.figures import trend_lines

    con = new_db()
    for county, tested in (("甲县", 100), ("乙县", 100), ("丙县", None)):
        _county(con, county, "2026-10", 70, tested, None if tested is None else 80)
    for county in ("甲县", "乙县", "丙县"):
        _county(con, county, "2026-11", 70, 100, 80)
    zone = indicator_trend(con, "fitness_pass_rate", end="2026-11", months=2)
    counties = indicator_trend(con, "fitness_pass_rate", level="county", end="2026-11", months=2)
    assert zone["completeness"].tolist() == [PARTIAL, "complete"]
    assert zone["counties_with_data"].tolist() == [2, 3]
    tile = compute_indicators(con, "2026-10", indicator="fitness_pass_rate").iloc[0]
    assert (tile["completeness"], tile["counties_with_data"]) == (PARTIAL, 2)  # the trend says what the tile says
    fig = trend_lines("fitness_pass_rate", "2026-11", counties, zone, "来源", "2026-12-01")
    line = next(t for t in fig.data if t.name == "实验区" and t.x is not None and len(t.x) == 2)
    assert list(line.marker.color) != [line.marker.color[1]] * 2 and line.marker.color[0] == "white"
    assert "2/3县区有数据" in line.customdata[0] and "县区有数据" not in line.customdata[1]
    assert any(t.name and t.name.startswith("部分县区") for t in fig.data)  # the legend says what hollow means


def test_a_county_without_schools_in_an_indicators_scope_leaves_nothing_out():
    """丙县 has only 初级中学: no school of it has 三至六年级, so the zone's 三至六年级 figure covers every
    such school. That is no missing data (not 部分县区), unlike a county that has not tested 体质健康."""
    con = new_db()
    for county, kind in (("甲县", "小学"), ("乙县", "小学"), ("丙县", "初级中学")):
        add_submission(con, county, "2026-10", [{"id": f"{county}{k}", "type": kind, "tested": None if county == "乙县" else 100,
                                                 "passed": None if county == "乙县" else 80,
                                                 "good": None if county == "乙县" else 30} for k in range(3)],
                       received="2026-10-28 09:00")
    rows = compute_indicators(con, "2026-10").set_index("indicator")
    for indicator in ("hw_g36_compliance", "hw_g12_none_rate", "hw_g79_compliance"):
        assert rows.loc[indicator, "completeness"] == "complete", indicator
        assert rows.loc[indicator, "counties_with_data"] is None, indicator
    assert (rows.loc["fitness_pass_rate", "completeness"], rows.loc["fitness_pass_rate", "counties_with_data"]) == (
        PARTIAL, 2)  # 乙县 has schools and no 体质健康 results: that is missing
    from core.indicators import indicator_trend
    trend = indicator_trend(con, "hw_g36_compliance", end="2026-10", months=1)
    assert trend["completeness"].tolist() == ["complete"]


def test_a_mean_is_compared_with_the_same_counties_the_month_before_and_keeps_its_sums_hidden():
    """A mean (Σ minutes ÷ Σ schools, Σ teachers ÷ Σ classes × 10) is a ratio of sums too: its change in
    a partial month is restated over the counties common to both months, like a rate's."""
    con = new_db()
    for county, act in (("甲县", 70), ("乙县", 70), ("丙县", 30)):
        _county(con, county, "2026-10", act)
    for county in ("甲县", "乙县"):  # 丙县 has not sent November yet
        _county(con, county, "2026-11", 80)
    oct_, nov = _zone(con, "2026-10", "activity_minutes_mean"), _zone(con, "2026-11", "activity_minutes_mean")
    assert round(oct_["value"], 6) == round((6 * 70 + 3 * 30) / 9, 6) and nov["value"] == 80.0
    assert nov["prev_value"] == 70.0 and nov["change"] == 10.0  # not +23.3 (against 丙县 too), not none
    assert (nov["numerator"], nov["denominator"]) == (None, None)  # shown for rates only (cli.md)


def test_a_zone_row_no_reporting_county_has_data_for_says_none_of_them_has():
    con = new_db()
    for county in ("甲县", "乙县"):  # reported, no 体质健康 results in the last 12 months
        _county(con, county, "2026-10", 70)
    row = _zone(con, "2026-10", "fitness_pass_rate")
    assert row["value"] is None and row["counties_reporting"] == 2
    assert row["counties_with_data"] == 0 and row["completeness"] == PARTIAL
    assert _zone(con, "2026-10", "activity_hour_compliance")["counties_with_data"] is None  # every school has it


def test_a_partial_rate_of_an_open_month_is_no_point_of_the_projection(monkeypatch):
    """November open with one county of three in: its rate (100%, 甲县 alone) would bend the straight
    line toward the target month. It is left out until November closes, then it counts (a county that
    never reports does not keep every month out of the line)."""
    from core.indicators.trend import indicator_trend, projections

    con = new_db()
    for period in ("2026-07", "2026-08", "2026-09", "2026-10"):
        for county, act in (("甲县", 70), ("乙县", 70), ("丙县", 30)):  # 2/3 every month: a flat line
            _county(con, county, period, act)
    _county(con, "甲县", "2026-11", 70)
    key = ("activity_hour_compliance", "zone", None, None, None)
    monkeypatch.setenv("PILOT_TODAY", "2026-11-20")  # November open (due 5 December)
    october = projections(con, "2026-10", {key: "2028-12"}, "zone", None)[key]
    assert round(october, 6) == round(200 / 3, 6)
    assert projections(con, "2026-11", {key: "2028-12"}, "zone", None)[key] == october
    trend = indicator_trend(con, "activity_hour_compliance", end="2026-11", months=5)
    assert list(trend["closed"]) == [True, True, True, True, False]
    monkeypatch.setenv("PILOT_TODAY", "2026-12-10")  # closed, 乙县 and 丙县 late: November is a point now
    assert projections(con, "2026-11", {key: "2028-12"}, "zone", None)[key] > october + 1
