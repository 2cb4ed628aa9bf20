"""The county template: layout from core/schema.py, validation, roster prefill, and a filled one is accepted."""
from __future__ import annotations

from datetime import datetime

import openpyxl
import pandas as pd
from test_store import parsed, store

from core import cli
from core.db import open_db
from core.submission.bands import covers, is_compulsory
from core.submission.ingest import ingest_file
from core.submission.schema import SHEETS, columns
from core.submission.template import build_template, latest_roster, write_template
from core.zone import Zone, load_zone

ZONE = Zone(name="测试区", source="测试", due_day=5)

ROSTER = pd.DataFrame({
    "school_id": ["3601000001", "3601000002", "3601000003"],
    "name": ["一小", "二中", "三校"],
    "county": "松溪县",
    "school_type": ["小学", "初级中学", "九年一贯制学校"],
    "locale": ["城区", "镇区", "乡村"],
    "students": [600, 900, 1200],
    "classes": [12, 18, 30],
    "teachers": [40, 70, 90],
})


def _header(ws):
    return [c.value for c in ws[1]]


def test_layout_headers_labels_and_freeze():
    wb = build_template("松溪县", "2026-11", ROSTER, zone=ZONE)
    assert wb.sheetnames == ["填报说明", "学校名册", "体育", "作业", "优质学校", "综合育人"]
    info = wb["填报说明"]
    assert [info["A1"].value, info["B1"].value, info["A2"].value, info["B2"].value] == [
        "县区", "松溪县", "报送月份", "2026-11"]
    assert info["B3"].value == "2026年12月5日"
    for sheet in SHEETS.values():
        ws = wb[sheet.name]
        assert _header(ws) == [c.header for c in columns(sheet.model)]
        assert ws.freeze_panes == "A2"


def _validations(ws) -> dict:
    """Column letter -> its data validation."""
    return {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in ws.data_validations.dataValidation}


def test_data_validation_dropdowns_and_ranges():
    wb = build_template("松溪县", "2026-11", ROSTER, zone=ZONE)
    school = _validations(wb["学校名册"])
    assert school["D"].type == "list" and "九年一贯制学校" in school["D"].formula1  # 学段类型
    assert school["F"].type == "whole" and (school["F"].formula1, school["F"].formula2) == ("1", "10000")
    assert school["F"].error == "「在校生数」应填写1–10000之间的整数"
    assert school["A"].type == "textLength"
    hw = _validations(wb["作业"])
    assert hw["F"].formula1 == '"是,否"'  # 作业公示制度
    assert hw["D"].type == "decimal" and hw["D"].formula2 == "300"


def test_roster_prefilled_into_roster_pe_and_homework():
    wb = build_template("松溪县", "2026-11", ROSTER, zone=ZONE)
    rows = list(wb["学校名册"].iter_rows(min_row=2, values_only=True))
    assert rows == [tuple(r) for r in ROSTER.itertuples(index=False)]
    for name in ("体育", "作业"):
        got = [r[:2] for r in wb[name].iter_rows(min_row=2, values_only=True)]
        assert got == list(zip(ROSTER["school_id"], ROSTER["name"]))
    assert wb["优质学校"].max_row == 1


def test_latest_roster_is_from_newest_accepted_month(db_path):
    with open_db(db_path) as con:
        store(con, parsed(period="2026-09", n=2), datetime(2026, 10, 3), sha="a")
        store(con, parsed(period="2026-10", n=3), datetime(2026, 11, 3), sha="b")
        store(con, parsed(period="2026-08", n=5), datetime(2026, 11, 4), sha="c")  # back-loaded month
        assert len(latest_roster(con, "松溪县")) == 3
        assert latest_roster(con, "白石县").empty


def _fill(path, roster: pd.DataFrame) -> None:
    """Fill the pre-filled template as a county officer would (valid values for each school's bands)."""
    wb = openpyxl.load_workbook(path)
    types = dict(zip(roster["school_id"], roster["school_type"]))
    pe, hw = wb["体育"], wb["作业"]
    for r in range(2, len(roster) + 2):
        t = types[pe.cell(r, 1).value]
        pe.cell(r, 3).value = 4 if covers(t, "1-2") else None
        pe.cell(r, 4).value = 3 if covers(t, "3-6") else None
        pe.cell(r, 5).value = 3 if covers(t, "7-9") else None
        pe.cell(r, 6).value = 2 if covers(t, "10-12") else None
        pe.cell(r, 7).value = 65
        t = types[hw.cell(r, 1).value]
        hw.cell(r, 3).value = "否" if covers(t, "1-2") else None
        hw.cell(r, 4).value = 55 if covers(t, "3-6") else None
        hw.cell(r, 5).value = 80 if covers(t, "7-9") else None
        hw.cell(r, 6).value = "是"
        hw.cell(r, 7).value = 100 if is_compulsory(t) else None
    wb.save(path)


def test_filled_template_is_accepted_by_ingest(db_path, tmp_path):
    out = tmp_path / "松溪县_2026-11.xlsx"
    build_template("松溪县", "2026-11", ROSTER, zone=ZONE).save(out)
    _fill(out, ROSTER)
    r = ingest_file(out, db_path=db_path)
    assert r.status == "accepted", [i.message for i in r.issues]
    assert (r.county, r.period) == ("松溪县", "2026-11")
    assert r.rows == {"学校名册": 3, "体育": 3, "作业": 3, "优质学校": 0, "综合育人": 0}
    with open_db(db_path) as con:
        stored = con.execute("SELECT school_id, activity_minutes FROM pe ORDER BY school_id").fetchall()
    assert stored == [(sid, 65.0) for sid in ROSTER["school_id"]]


def test_template_of_a_sample_county_round_trips(db_path, samples_dir, tmp_path, capsys):
    assert ingest_file(samples_dir / "白石县_2026-10.xlsx", db_path=db_path).status == "accepted"
    out = tmp_path / "模板.xlsx"
    assert cli.main(["template", "--county", "白石县", "--period", "2026-11", "-o", str(out)]) == 0
    assert "已预填" in capsys.readouterr().out
    with open_db(db_path) as con:
        roster = latest_roster(con, "白石县")
    wb = openpyxl.load_workbook(out)
    assert [r[0] for r in wb["学校名册"].iter_rows(min_row=2, values_only=True)] == list(roster["school_id"])
    _fill(out, roster)
    r = ingest_file(out, db_path=db_path)
    assert r.status == "accepted", [i.message for i in r.issues]
    assert r.rows["学校名册"] == len(roster)


def test_write_template_without_roster_uses_zone_due_day(db_path, tmp_path):
    assert write_template("望江区", "2026-12", tmp_path / "t.xlsx", db_path=db_path) == 0
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb["填报说明"]["B3"].value == f"2027年1月{load_zone().due_day}日"
    assert wb["学校名册"].max_row == 1
