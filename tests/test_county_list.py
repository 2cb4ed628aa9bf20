"""data/zone.toml without a county list: the zone's counties are those that have reported so far, so a
first month sent by 3 of 8 counties reads as complete. Completeness keeps that meaning; the administrator
is told, on 报送情况, on 总览 and in the command line, until the list is filled in."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_indicators import add_submission, new_db

import ui.auth
from core.access.accounts import User
from core.cli import main
from core.db import open_db
from core.submission.status import county_list_unset
from core.zone import Zone

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
NOTE = "实验区县区名单未配置,完整性按已报送过的县区判断,请管理员填写县区名单"
SENT = ["云岭县", "临江区", "龙泉县"]  # three of the zone's counties sent their first month


@pytest.fixture
def first_month(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "pilot.duckdb"
    con = new_db(path)
    for county in SENT:
        add_submission(con, county, "2025-09", [{"id": f"{county}{k}"} for k in range(3)],
                       received="2025-10-02 09:00")
    con.close()
    monkeypatch.setenv("PILOT_DB", str(path))
    monkeypatch.setenv("PILOT_TODAY", "2025-10-20")
    return path


def listed_zone(tmp_path, monkeypatch, counties: list[str] = SENT + ["东湖区", "枫林县", "桃源县", "清溪县", "石门县"]
                ) -> None:
    """PILOT_ZONE: a zone file that lists its counties (by default eight)."""
    counties = ", ".join(f'"{c}"' for c in counties)
    path = tmp_path / "zone.toml"
    path.write_text(f'name = "实验区"\nsource = "测试"\ndue_day = 5\ncounties = [{counties}]\n', encoding="utf-8")
    monkeypatch.setenv("PILOT_ZONE", str(path))


def test_the_note_is_due_while_the_list_is_empty_and_the_data_is_not_the_demos(first_month):
    empty, listed = Zone(name="区", source="测试", due_day=5), Zone(name="区", source="测试", due_day=5, counties=("甲",))
    with open_db(first_month) as con:
        assert county_list_unset(con, empty) is True
        assert county_list_unset(con, listed) is False
        con.execute("UPDATE submission SET submitted_by = 'demo'")  # the demo zone's data only
        assert county_list_unset(con, empty) is False
    with open_db(first_month.parent / "empty.duckdb") as con:
        assert county_list_unset(con, empty) is False  # nothing received yet


def test_cli_tables_carry_the_note_and_json_the_flag(first_month, capsys):
    assert main(["indicators", "--db", str(first_month), "--indicator", "activity_hour_compliance"]) == 0
    assert f"注意:{NOTE}(data/zone.toml 的 counties)。" in capsys.readouterr().out
    assert main(["indicators", "--db", str(first_month), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["counties_configured"] is False and r["complete"] is True for r in rows)
    assert main(["indicators", "--db", str(first_month), "--format", "csv", "--level", "county"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out.removeprefix("\ufeff"))))
    assert table and list(table[0])[-1] == "counties_configured" and {r["counties_configured"] for r in table} == {""}
    assert main(["submissions", "--db", str(first_month)]) == 0
    assert f"注意:{NOTE}(data/zone.toml 的 counties)。" in capsys.readouterr().out
    assert main(["submissions", "--db", str(first_month), "--json"]) == 0
    assert {r["counties_configured"] for r in json.loads(capsys.readouterr().out)} == {False}


def test_with_a_county_list_the_cli_has_no_note_and_the_flag_is_true(first_month, tmp_path, monkeypatch, capsys):
    listed_zone(tmp_path, monkeypatch)
    assert main(["indicators", "--db", str(first_month), "--period", "2025-09"]) == 0
    out = capsys.readouterr().out
    assert NOTE not in out and "3/8县区已报送" in out
    assert main(["indicators", "--db", str(first_month), "--period", "2025-09", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(r["counties_configured"] is True and r["complete"] is False for r in rows)
    assert main(["submissions", "--db", str(first_month)]) == 0
    assert NOTE not in capsys.readouterr().out


def _page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(str(ROOT / "pages" / page)).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("page", ["overview.py", "submissions.py"])
def test_the_administrator_sees_the_note_where_completeness_is_shown(first_month, page):
    assert any(NOTE in i.value for i in _page(page).info)


@pytest.mark.parametrize("page", ["overview.py", "submissions.py"])
def test_no_note_once_the_zone_lists_its_counties(first_month, tmp_path, monkeypatch, page):
    listed_zone(tmp_path, monkeypatch, SENT)  # (a complete month: AppTest's month selector keeps its label)
    assert not any(NOTE in i.value for i in _page(page).info)


def test_a_viewer_does_not_see_the_note_on_the_overview(first_month, monkeypatch):
    monkeypatch.setattr(ui.auth, "current_user", lambda: User(username="kan", role="viewer"))
    at = _page("overview.py")
    assert not any(NOTE in i.value for i in at.info)
