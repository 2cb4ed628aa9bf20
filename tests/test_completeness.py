"""Completeness (issue 10): two of five counties missing for an open month, through every output.

The situation of the issue: counties upload next month's workbooks early; until every county
has reported (or the due date has passed) the month must not be presented as the zone's
result. Default month, zone rows, CLI, report and the overview are checked on one database.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_indicators import add_submission, new_db

from core.cli import main
from core.db import open_db
from core.indicators import compute_indicators, default_period, indicator_trend, month_choices
from core.indicators.completeness import NOT_COMPARABLE, PARTIAL
from core.present.labels import month_option
from core.report.data import collect_report_data

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
COUNTIES = ["甲县", "乙县", "丙县", "丁县", "戊县"]
MISSING = ["丁县", "戊县"]
TODAY = "2026-12-02"  # November is due on 5 December: open


def _county(con, county: str, period: str, received: str, act: int) -> None:
    schools = [{"id": f"{county}{k}", "act": act + 10 * k} for k in range(3)]
    add_submission(con, county, period, schools, [{"id": f"{county}0", "level": "市级"}], received=received)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("completeness") / "pilot.duckdb"
    con = new_db(path)
    for period, received in (("2026-09", "2026-10-03 09:00"), ("2026-10", "2026-11-03 09:00")):
        for county in COUNTIES:
            _county(con, county, period, received, 50)
    for county in COUNTIES[:3]:  # sent early, from the 1st of December
        _county(con, county, "2026-11", "2026-12-01 10:00", 55)
    con.close()
    return path


@pytest.fixture(autouse=True)
def _today(monkeypatch, db):
    monkeypatch.setenv("PILOT_TODAY", TODAY)
    monkeypatch.setenv("PILOT_DB", str(db))


def test_default_month_is_the_newest_closed_one(db):
    with open_db(db) as con:
        assert default_period(con) == "2026-10"
        choices = {c.period: c for c in month_choices(con)}
        assert compute_indicators(con)["period"].unique().tolist() == ["2026-10"]
        # once the due date has passed, the partial month is closed and becomes the default
        assert default_period(con, date(2026, 12, 6)) == "2026-11"
    assert (choices["2026-11"].n_reporting, choices["2026-11"].n_expected) == (3, 5)
    assert choices["2026-11"].missing == tuple(MISSING) and not choices["2026-11"].closed
    assert month_option(choices["2026-11"]) == "2026年11月(3/5县区已报送)"
    assert month_option(choices["2026-10"]) == "2026年10月"


def test_zone_rows_of_the_open_month(db):
    with open_db(db) as con:
        zone = compute_indicators(con, "2026-11").set_index("indicator")
        full = compute_indicators(con, "2026-10").set_index("indicator")
        counties = compute_indicators(con, "2026-11", level="county")
        trend = indicator_trend(con, "quality_schools", end="2026-11", months=3)
    assert (zone["counties_reporting"] == 3).all() and (zone["counties_expected"] == 5).all()
    assert (zone["complete"] == False).all()  # noqa: E712 - a real False, not a falsy null
    assert (full["complete"] == True).all() and (full["counties_reporting"] == 5).all()  # noqa: E712
    assert counties["complete"].isna().all()  # county rows: null
    on_time = counties[counties["indicator"] == "submission_on_time_rate"].set_index("county")
    assert on_time.loc["丁县", "status"] == "none" and on_time.loc["丁县", "completeness"] == NOT_COMPARABLE
    assert on_time.loc["甲县", "status"] == "green"  # not late: not due yet; 甲县 sent it on time
    count = zone.loc["quality_schools"]
    assert count["value"] == 3.0 and full.loc["quality_schools"]["value"] == 5.0
    assert count["status"] == "none" and count["change"] is None and count["rating"] is None
    assert count["completeness"] == NOT_COMPARABLE and count["expected"] is not None  # the plan stays
    rate = zone.loc["activity_hour_compliance"]
    assert rate["completeness"] == PARTIAL and rate["status"] in ("green", "amber", "red")
    assert rate["change"] is not None  # a rate stays comparable; it is marked 部分县区
    # the on-time rate counts every county: provisional until November is closed
    assert zone.loc["submission_on_time_rate"]["status"] == "none"
    assert full.loc["quality_schools"]["completeness"] == "complete"
    by_month = trend.set_index("period")
    assert by_month.loc["2026-11", "completeness"] == NOT_COMPARABLE and by_month.loc["2026-11", "status"] == "none"
    assert by_month.loc["2026-10", "completeness"] == "complete"


def test_cli_json_and_csv_carry_completeness(db, capsys):
    assert main(["indicators", "--db", str(db), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["period"] for r in rows} == {"2026-10"}  # default: the closed month
    assert all((r["counties_reporting"], r["counties_expected"], r["complete"]) == (5, 5, True) for r in rows)
    assert main(["indicators", "--db", str(db), "--period", "2026-11", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff")  # the CSV opens in Excel with its Chinese intact
    table = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    quality = next(r for r in table if r["indicator"] == "quality_schools")
    assert (quality["counties_reporting"], quality["counties_expected"], quality["complete"]) == ("3", "5", "false")
    assert quality["status"] == "none" and quality["change"] == ""
    assert main(["indicators", "--db", str(db), "--period", "2026-11"]) == 0
    out = capsys.readouterr().out
    assert "3/5县区已报送" in out and "丁县、戊县" in out and "不完整" in out


def test_report_names_the_missing_counties_first(db, tmp_path, capsys):
    with open_db(db) as con:
        data = collect_report_data(con, "2026-11")
        default = collect_report_data(con)
    assert data.lead == ["本月尚未报送完毕:3/5县区已报送,丁县、戊县未报送;实验区数据只含已报送县区,"
                         "计数类指标(如优质学校数)不与目标和上月比较,比率类指标标为「部分县区」。"]
    assert default.period == "2026-10" and default.lead == []
    assert "(不完整,不与目标和上月比较)" in data.narrative["quality"][0]
    out = tmp_path / "r.html"
    assert main(["report", "--db", str(db), "-o", str(out)]) == 0  # no --period: the closed month
    assert "2026年10月" in out.read_text(encoding="utf-8")
    from core.report.html import render_html
    html = render_html(data, images=False)
    assert html.index("丁县、戊县未报送") < html.index("本月概览")  # said before anything else


def _app(month: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if month:
        at.query_params["month"] = month
    return at.run()


def test_overview_opens_on_the_closed_month_and_banners_the_open_one():
    at = _app()
    assert not at.exception
    month = at.sidebar.selectbox[0]
    assert month.value == "2026-10"
    assert "2026年11月(3/5县区已报送)" in month.options
    assert not at.warning  # a complete month has no banner
    at = _app("2026-11")
    assert not at.exception
    banner = " ".join(w.value for w in at.warning)
    assert "3/5个县区已报送" in banner and "丁县、戊县未报送" in banner
    body = "\n".join(el.proto.body for el in at.get("html"))
    assert "不完整" in body and "部分县区" in body


def test_charts_draw_incomplete_months_hollow(db):
    from core.present import charts

    with open_db(db) as con:
        count = indicator_trend(con, "quality_schools", end="2026-11", months=3)
        rate = indicator_trend(con, "activity_hour_compliance", end="2026-11", months=3)
    fig = charts.trajectory_chart(count, [("2026-09", 5.0), ("2026-12", 8.0)], "t", "所")
    line = next(t for t in fig.data if t.name == "实际")
    apart = next(t for t in fig.data if t.name.startswith("不完整"))
    assert list(line.x) == ["2026-09-01", "2026-10-01"]  # the partial count is not on the line
    assert list(apart.x) == ["2026-11-01"] and apart.marker.symbol == "circle-open" and apart.mode.startswith("markers")
    assert apart.text[0] == "3所(不完整)" and "3/5县区已报送" in apart.customdata[0]
    fig = charts.trend_lines(rate.iloc[0:0], "t", "%", zone=rate)
    zone = next(t for t in fig.data if t.name == "实验区")
    assert len(zone.x) == 3  # a partial rate stays on the line, drawn hollow
    assert list(zone.marker.color)[-1] == "white" and list(zone.marker.line.width)[-1] == 3
    assert any(t.name == "部分县区(空心点)" for t in fig.data)
