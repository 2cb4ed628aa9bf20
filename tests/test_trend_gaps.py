"""Trend lines break at a month without a value; they are never drawn straight across it."""
from __future__ import annotations

import pandas as pd
import pytest
from test_indicators import add_submission, new_db

from core.indicators import indicator_trend
from core.indicators.completeness import NOT_COMPARABLE, PARTIAL
from core.present import charts, figures

CAPTION = charts.Caption("达标学校数 / 学校数", "目标 ≥100%", "各县区月度监测数据报送", "2026-11-05")
IND = "activity_hour_compliance"


def _line(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_a_county_line_breaks_at_the_month_it_did_not_report():
    df = pd.DataFrame({"period": ["2026-01", "2026-02", "2026-03", "2026-01", "2026-03", "2026-04"],
                       "county": ["松溪县"] * 3 + ["白石县"] * 3, "value": [80.0, 85.0, 90.0, 60.0, 70.0, 75.0]})
    fig = charts.trend_lines(df, "趋势", "%", CAPTION)
    gap = _line(fig, "白石县")
    assert list(gap.x) == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    assert list(gap.y) == [60.0, None, 70.0, 75.0] and gap.connectgaps is False
    assert list(gap.customdata) == ["60.0%", "", "70.0%", "75.0%"]
    whole = _line(fig, "松溪县")  # nothing missing: the trace as before
    assert list(whole.y) == [80.0, 85.0, 90.0] and whole.connectgaps is None


def test_a_line_is_not_padded_before_its_first_or_after_its_last_month():
    df = pd.DataFrame({"period": ["2026-01", "2026-02", "2026-03", "2026-02"],
                       "county": ["松溪县"] * 3 + ["白石县"], "value": [80.0, 85.0, 90.0, 60.0]})
    fig = charts.trend_lines(df, "趋势", "%", CAPTION)
    assert list(_line(fig, "白石县").x) == ["2026-02-01"]


def test_the_zone_line_breaks_at_a_month_without_data_and_keeps_its_hollow_points():
    zone = pd.DataFrame({"period": ["2026-01", "2026-03", "2026-04"], "value": [70.0, 72.0, 74.0],
                         "complete": [True, False, True], "counties_reporting": [3, 2, 3],
                         "counties_expected": [3, 3, 3], "completeness": [None, PARTIAL, None]})
    fig = charts.trend_lines(zone.iloc[0:0].assign(county=[]), "趋势", "%", CAPTION, zone=zone)
    line = _line(fig, "实验区")
    assert list(line.x) == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    assert list(line.y) == [70.0, None, 72.0, 74.0] and line.connectgaps is False
    # the partial month (March) is still the hollow point on the line
    assert list(line.marker.color)[2] == "white" and list(line.marker.line.width)[2] == 3
    assert list(line.marker.line.width)[1] == 0 and line.customdata[1] == ""


def test_a_count_drawn_apart_is_no_gap_and_a_missing_month_is():
    """An incomplete month's count stands apart (indicators.md): the line joins the full months around
    it as before; a month with no data at all breaks the line."""
    count = pd.DataFrame({"period": ["2026-01", "2026-02", "2026-03", "2026-05"], "value": [10.0, 8.0, 12.0, 13.0],
                          "complete": [True, False, True, True], "counties_reporting": [3, 2, 3, 3],
                          "counties_expected": [3] * 4, "completeness": [None, NOT_COMPARABLE, None, None]})
    fig = charts.trajectory_chart(count, [("2026-01", 10.0), ("2026-12", 20.0)], "t", "所")
    line = _line(fig, "实际")
    assert list(line.x) == ["2026-01-01", "2026-03-01", "2026-04-01", "2026-05-01"]
    assert list(line.y) == [10.0, 12.0, None, 13.0] and line.connectgaps is False
    assert list(line.text)[-1] == "13所"  # the newest point keeps its label
    apart = next(t for t in fig.data if t.name.startswith("不完整"))
    assert list(apart.x) == ["2026-02-01"]


def test_no_missing_month_leaves_the_figure_as_it_was():
    df = pd.DataFrame({"period": ["2026-09", "2026-10"] * 2, "county": ["松溪县"] * 2 + ["白石县"] * 2,
                       "value": [80.0, None, 70.0, 99.0]})
    zone = pd.DataFrame({"period": ["2026-09", "2026-10"], "value": [75.0, 95.0]})
    fig = charts.trend_lines(df, "趋势", "%", CAPTION, target=100, direction=">=", zone=zone)
    assert all(t.connectgaps is None for t in fig.data)
    assert [len(t.x) for t in fig.data if t.name in ("松溪县", "白石县", "实验区")] == [2, 2, 2]


@pytest.fixture(scope="module")
def gap_db(tmp_path_factory):
    """Two counties over 2026-01 … 2026-04: 白石县 skips February; nobody reports March."""
    path = tmp_path_factory.mktemp("gaps") / "pilot.duckdb"
    con = new_db(path)
    for period, counties in (("2026-01", ["松溪县", "白石县"]), ("2026-02", ["松溪县"]),
                             ("2026-04", ["松溪县", "白石县"])):
        for county in counties:
            schools = [{"id": f"{county}{k}", "act": 50 + 10 * k} for k in range(3)]
            add_submission(con, county, period, schools, received=f"{period}-28 09:00")
    con.close()
    return path


def test_the_trend_chart_of_stored_months_breaks_where_a_month_is_missing(gap_db, monkeypatch):
    from core.db import open_db

    monkeypatch.setenv("PILOT_TODAY", "2026-06-01")
    with open_db(gap_db) as con:
        counties = indicator_trend(con, IND, level="county", end="2026-04", months=4)
        zone = indicator_trend(con, IND, level="zone", end="2026-04", months=4)
    fig = figures.trend_lines(IND, "2026-04", counties, zone, "源", "2026-05-05")
    white = _line(fig, "白石县")
    assert list(white.x) == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    assert white.y[1] is None and white.y[2] is None and white.connectgaps is False
    line = _line(fig, "实验区")
    march = list(line.x).index("2026-03-01")
    assert line.y[march] is None and line.connectgaps is False
