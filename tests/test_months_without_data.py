"""Months past their due date that no county has reported at all: every view opens on the newest month
with data, and says which newer months have none (the meeting is never shown August in December as if
it were current without a word)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_indicators import add_submission, new_db

from core.cli import main
from core.db import open_db
from core.indicators import month_choices
from core.indicators.completeness import months_without_data

ROOT = Path(__file__).resolve().parent.parent
COUNTIES = ["甲县", "乙县", "丙县"]
NOTE = "2026年9月至2026年11月已过报送截止日期,尚无任何县区报送,看板中还没有这些月份;实验区最新数据为2026年8月。"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gap") / "pilot.duckdb"
    con = new_db(path)
    for period in ("2026-07", "2026-08"):
        for county in COUNTIES:
            add_submission(con, county, period, [{"id": f"{county}{k}"} for k in range(2)],
                           received=f"{period}-28 09:00")
    con.close()
    return path


def test_the_months_past_due_after_the_newest_data(db):
    with open_db(db) as con:
        choices = month_choices(con)
    assert months_without_data(choices, date(2026, 12, 6)) == ["2026-09", "2026-10", "2026-11"]
    assert months_without_data(choices, date(2026, 12, 5)) == ["2026-09", "2026-10"]  # November due today
    assert months_without_data(choices, date(2026, 9, 5)) == []  # August not yet due: nothing missing
    assert months_without_data([], date(2026, 12, 6)) == []


def test_the_command_line_says_so_under_the_table(db, capsys, monkeypatch):
    monkeypatch.setenv("PILOT_TODAY", "2026-12-06")
    assert main(["indicators", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2026-08 监测指标") and f"注意:{NOTE}" in out
    monkeypatch.setenv("PILOT_TODAY", "2026-09-05")
    assert main(["indicators", "--db", str(db)]) == 0
    assert "尚无任何县区报送" not in capsys.readouterr().out


@pytest.mark.parametrize("mode", ["normal", "projector"])
def test_the_pages_say_so_over_the_month_shown(db, monkeypatch, mode):
    monkeypatch.setenv("PILOT_TODAY", "2026-12-06")
    monkeypatch.setenv("PILOT_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if mode == "projector":
        at.query_params["mode"] = "projector"
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox[0].value == "2026-08"
    if mode == "normal":
        assert [w.value for w in at.warning] == [NOTE]
    else:
        short = "2026年9月至2026年11月尚无县区报送 · 最新数据为2026年8月"
        assert not at.warning and any(short in h.proto.body for h in at.get("html"))
