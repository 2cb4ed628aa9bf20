"""The optional 综合育人 sheet end to end: validation, storage, template, layouts, carry-forward."""
from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from builders import WHOLE_CHILD_HEADER, build_workbook, school_code, valid_submission_sheets
from test_indicators import add_submission, new_db

from core.db import open_db
from core.demo.layouts import workbook_bytes
from core.indicators import school_detail
from core.submission.annotate import annotate_workbook
from core.submission.ingest import ingest_file
from core.submission.schema import SHEETS, columns
from core.submission.template import build_template
from core.submission.validate import validate_workbook
from core.zone import Zone

SHEET = "综合育人"
WC_COLUMNS = ["school_id", "labor_lessons", "psych_fulltime", "psych_parttime", "parent_school",
              "parent_committee"]


def _messages(parsed) -> list[str]:
    return [i.message for i in parsed.issues if i.severity == "error"]


def _with_sheet(rows: list[list] | None = None, **kw) -> dict[str, list[list]]:
    sheets = valid_submission_sheets(whole_child=True, **kw)
    if rows is not None:
        sheets[SHEET] = [list(WHOLE_CHILD_HEADER), *rows]
    return sheets


# ----------------------------------------------------------------- validation and storage

def test_workbook_without_the_sheet_is_accepted(db_path):
    r = ingest_file(build_workbook(valid_submission_sheets()), file_name="云岭县_2026-10.xlsx", db_path=db_path)
    assert r.status == "accepted", [i.message for i in r.issues]
    assert r.rows[SHEET] == 0
    with open_db(db_path) as con:
        assert con.execute("SELECT count(*) FROM whole_child").fetchone()[0] == 0


def test_sheet_is_stored_with_its_values(db_path):
    r = ingest_file(build_workbook(_with_sheet()), file_name="云岭县_2026-10.xlsx", db_path=db_path)
    assert r.status == "accepted", [i.message for i in r.issues]
    assert r.rows[SHEET] == 6
    with open_db(db_path) as con:
        rows = con.execute(f"SELECT {', '.join(WC_COLUMNS)} FROM whole_child ORDER BY school_id").fetchall()
    # builders.valid_submission_sheets: lessons 1 (0.5 every third school), 专职 i % 2, 兼职 1 (blank every
    # fourth), 家长学校 是 (否 for the fifth), 家长委员会 是
    assert rows == [(school_code(i), 0.5 if i % 3 == 0 else 1.0, i % 2, None if i % 4 == 0 else 1, i % 5 != 0, True)
                    for i in range(1, 7)]


def test_yes_no_words_and_numbers_as_text_are_read():
    rows = [[school_code(1), "1节", "２", " 1 ", "有", "√"], [school_code(2), "1.5课时", 0, None, "无", "×"],
            [school_code(3), 2, "1人", "0", "Y", "N"]]
    p = validate_workbook(build_workbook(_with_sheet(rows, n_schools=3)), "云岭县_2026-10.xlsx")
    assert p.ok, _messages(p)
    got = p.tables["whole_child"].astype(object).where(p.tables["whole_child"].notna(), None)
    assert got.values.tolist() == [[school_code(1), 1.0, 2, 1, True, True],
                                   [school_code(2), 1.5, 0, None, False, False],
                                   [school_code(3), 2.0, 1, 0, True, False]]


@pytest.mark.parametrize("row, message", [
    ([None, 12, 1, 1, "是", "是"], "综合育人 第2行「劳动教育周课时」:值「12」大于10,应填写0–10之间的周课时数"),
    ([None, "一节", 1, 1, "是", "是"], "综合育人 第2行「劳动教育周课时」:值「一节」不是数字,应填写0–10之间的周课时数"),
    ([None, None, 1, 1, "是", "是"], "综合育人 第2行「劳动教育周课时」:未填写,应填写0–10之间的周课时数"),
    ([None, 1, 41, 1, "是", "是"],
     "综合育人 第2行「专职心理健康教师数」:值「41」超过学校名册的「专任教师数」40,应填写不超过专任教师数的整数"),
    ([None, 1, 1, 99, "是", "是"],
     "综合育人 第2行「兼职心理健康教师数」:值「99」超过学校名册的「专任教师数」40,应填写不超过专任教师数的整数"),
    ([None, 1, 1.5, 1, "是", "是"], "综合育人 第2行「专职心理健康教师数」:值「1.5」不是整数,应填写不超过专任教师数的整数"),
    ([None, 1, -1, 1, "是", "是"], "综合育人 第2行「专职心理健康教师数」:值「-1」小于0,应填写不超过专任教师数的整数"),
    ([None, 1, 1, 1, "建设中", "是"], "综合育人 第2行「合格家长学校」:值「建设中」不是“是/否”,应填写是或否"),
    ([None, 1, 1, 1, "是", None], "综合育人 第2行「家长委员会」:未填写,应填写是或否"),
    ([None, 1, 1, 1, "是", "#N/A"], "综合育人 第2行「家长委员会」:值「#N/A」是Excel错误值(公式出错),应填写是或否"),
])
def test_bad_cells_are_refused_with_sheet_row_column_and_value(row, message):
    row[0] = school_code(1)
    p = validate_workbook(build_workbook(_with_sheet([row])), "云岭县_2026-10.xlsx")
    assert not p.ok and _messages(p) == [message]


def test_unknown_school_and_missing_column_are_refused():
    p = validate_workbook(build_workbook(_with_sheet([["2199999999", 1, 1, 1, "是", "是"]])), "云岭县_2026-10.xlsx")
    assert _messages(p) == ["综合育人 第2行「学校标识码」:值「2199999999」不在本表「学校名册」中,应先在学校名册中填写该校"]
    sheets = _with_sheet()
    sheets[SHEET] = [[c for j, c in enumerate(r) if j != 4] for r in sheets[SHEET]]  # no 合格家长学校
    p = validate_workbook(build_workbook(sheets), "云岭县_2026-10.xlsx")
    assert _messages(p) == [("综合育人 第1行:缺少必填列「合格家长学校」,找到的表头:学校标识码、劳动教育周课时、"
                             "专职心理健康教师数、兼职心理健康教师数、家长委员会")]


def test_optional_parttime_column_may_be_left_out():
    sheets = _with_sheet()
    sheets[SHEET] = [[c for j, c in enumerate(r) if j != 3] for r in sheets[SHEET]]
    p = validate_workbook(build_workbook(sheets), "云岭县_2026-10.xlsx")
    assert p.ok, _messages(p)
    assert p.tables["whole_child"]["psych_parttime"].isna().all()


def test_header_only_sheet_counts_as_not_sent():
    p = validate_workbook(build_workbook(_with_sheet([])), "云岭县_2026-10.xlsx")
    assert p.ok and "whole_child" in p.tables and p.rows[SHEET] == 0


def test_annotated_workbook_marks_the_bad_cell():
    sheets = _with_sheet()
    sheets[SHEET][3][2] = 50  # 专职心理健康教师数 of the third school, above its 40 teachers
    data = build_workbook(sheets)
    p = validate_workbook(data, "云岭县_2026-10.xlsx")
    assert not p.ok
    wb = openpyxl.load_workbook(io.BytesIO(annotate_workbook(data, "云岭县_2026-10.xlsx", p.issues)))
    cell = wb[SHEET]["C4"]
    assert cell.comment is not None and "超过" in cell.comment.text
    listed = [r for r in wb["问题清单"].iter_rows(values_only=True) if SHEET in map(str, r)]
    assert len(listed) == 1


# ----------------------------------------------------------------- template

ROSTER = pd.DataFrame({"school_id": ["3601000001", "3601000002"], "name": ["一小", "二中"], "county": "松溪县",
                       "school_type": ["小学", "初级中学"], "locale": ["城区", "镇区"], "students": [600, 900],
                       "classes": [12, 18], "teachers": [40, 70]})
ZONE = Zone(name="测试区", source="测试", due_day=5)


def test_template_has_the_sheet_empty_with_dropdowns_and_ranges():
    wb = build_template("松溪县", "2026-09", ROSTER, zone=ZONE)
    ws = wb[SHEET]
    assert [c.value for c in ws[1]] == [c.header for c in columns(SHEETS["whole_child"].model)]
    assert ws.max_row == 1  # not pre-filled: an untouched sheet is "not sent"
    by_letter = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in ws.data_validations.dataValidation}
    dvs = {c.value: by_letter.get(c.column_letter) for c in ws[1]}  # by header: 学校名称 (B) has none
    assert dvs["学校名称"] is None
    assert (dvs["劳动教育周课时"].type, dvs["劳动教育周课时"].formula1, dvs["劳动教育周课时"].formula2) == (
        "decimal", "0", "10")
    assert (dvs["专职心理健康教师数"].type, dvs["专职心理健康教师数"].operator, dvs["专职心理健康教师数"].formula1) == (
        "whole", "greaterThanOrEqual", "0")
    assert dvs["兼职心理健康教师数"].type == "whole"
    assert dvs["合格家长学校"].formula1 == dvs["家长委员会"].formula1 == '"是,否"'
    assert dvs["合格家长学校"].error == "「合格家长学校」请从下拉列表中选择:是、否"
    notes = [r[0] for r in wb["填报说明"].iter_rows(values_only=True) if r[0]]
    assert any("综合育人" in str(n) and "12个月" in str(n) for n in notes)
    assert (SHEET, "专职心理健康教师数", "必填", "不超过专任教师数的整数") in [
        tuple(r[:4]) for r in wb["填报说明"].iter_rows(values_only=True)]


def test_untouched_template_sheet_is_accepted_and_a_filled_one_stored(db_path, tmp_path):
    path = tmp_path / "松溪县_2026-09.xlsx"
    build_template("松溪县", "2026-09", ROSTER, zone=ZONE).save(path)
    wb = openpyxl.load_workbook(path)
    for r in (2, 3):  # the officer fills 体育 and 作业 for the two schools
        wb["体育"].cell(r, 7).value = 65
        wb["作业"].cell(r, 6).value = "是"
        wb["作业"].cell(r, 7).value = 100
    wb["体育"]["C2"], wb["体育"]["D2"], wb["体育"]["E3"] = 4, 3, 3
    wb["作业"]["C2"], wb["作业"]["D2"], wb["作业"]["E3"] = "否", 50, 80
    wb.save(path)
    r = ingest_file(path, db_path=db_path)
    assert r.status == "accepted" and r.rows[SHEET] == 0, [i.message for i in r.issues]
    wb[SHEET].append(["3601000001", "一小", 1, 1, 2, "是", "是"])  # the template's columns, 学校名称 second
    wb[SHEET].append(["3601000002", None, 0.5, 0, None, "否", "是"])
    wb.save(path)
    r = ingest_file(path, db_path=db_path, received_at=datetime(2026, 10, 4))
    assert r.status == "accepted" and r.rows[SHEET] == 2, [i.message for i in r.issues]


# ----------------------------------------------------------------- layouts counties use
# (test_validate.test_sample_layouts_read_identically: the sample zone's September workbook, which has
# the sheet, gives the same tables in every layout; here: the messy layouts really are messy for it)

def test_titled_and_retyped_layouts_of_the_sheet_are_messy_and_accepted():
    from sample_zone import _sheets
    frames = _sheets("松溪县", 0, "2026-09")
    for layout in ("titled", "retyped"):
        data = workbook_bytes("松溪县", "2026-09", layout, frames, county_idx=0, received_at=datetime(2026, 10, 3))
        ws = openpyxl.load_workbook(io.BytesIO(data))[SHEET]
        assert ws.merged_cells.ranges and str(ws["A1"].value).endswith("综合育人统计表")
        header = [str(c.value) for c in ws[3]]
        p = validate_workbook(data, "松溪县2026年9月.xlsx")
        assert p.ok and len(p.tables["whole_child"]) == len(frames["whole_child"]), _messages(p)
    plain = [c.header for c in columns(SHEETS["whole_child"].model)]
    aliases = {a for c in columns(SHEETS["whole_child"].model) for a in c.aliases}
    assert header != plain and (aliases & {h.strip() for h in header} or any(h.endswith(" ") for h in header))


def _county_layout(plain: dict[str, list[list]]) -> tuple[dict[str, list[list]], dict]:
    """The 综合育人 sheet as a county 统计表: merged title, 填报单位, a two-row header (心理健康教师数 over
    专职/兼职, 家校共育 over its two columns, the rest merged down), aliases, codes as numbers, √/×,
    家长委员会 merged down over equal neighbours, 小计 rows per 学段, 合计 and 填报人 rows."""
    from layouts import _groups, _merge_runs, _total

    types = {r[0]: r[3] for r in plain["学校名册"][1:]}
    rows = plain[SHEET][1:]
    width = len(WHOLE_CHILD_HEADER)
    sheet = [["云岭县2026年9月综合育人统计表"] + [None] * (width - 1), ["填报单位:云岭县教育局"] + [None] * (width - 1),
             ["学校标识码", "劳动课周课时", "心理健康教师数", None, "家校共育", None],
             [None, None, "专职", "兼职", "是否建成合格家长学校", "家长委员会"]]
    merges = [(0, 0, 0, width - 1), (2, 0, 3, 0), (2, 1, 3, 1), (2, 2, 2, 3), (2, 4, 2, 5)]
    yes_no = {"是": "√", "否": "×"}
    for stype, group in _groups(rows, types):
        start = len(sheet)
        sheet += [[int(r[0]), f"{r[1]}节", r[2], r[3], yes_no[r[4]], r[5]] for r in group]
        _merge_runs(sheet, merges, start, len(sheet), 5)
        sheet.append(_total(f"{stype}小计", group, width, 0, range(1, 4)))
    sheet.append(_total("合计", rows, width, 0, range(1, 4)))
    sheet.append(["填报人:张三", None, "联系电话:0871-1234567"] + [None] * (width - 3))
    return {**plain, SHEET: sheet}, {SHEET: merges}


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_county_layout_gives_the_template_layouts_rows_and_numbers(suffix, tmp_path):
    from layouts import BUILDERS

    from core.indicators import compute_indicators

    plain = valid_submission_sheets("云岭县", "2026-09", n_schools=12, whole_child=True)
    messy, merges = _county_layout(plain)
    assert any(m[2] - m[0] >= 1 for m in merges[SHEET][5:])  # some 家长委员会 cells really are merged
    figures = {}
    for name, data in (("plain", build_workbook(plain)), ("messy", BUILDERS[suffix](messy, merges))):
        p = validate_workbook(data, f"云岭县_2026-09{suffix if name == 'messy' else '.xlsx'}")
        assert p.ok, _messages(p)
        assert [i.message for i in p.issues if i.sheet == SHEET] == []  # no warning either
        r = ingest_file(data, file_name=f"云岭县_2026-09{suffix if name == 'messy' else '.xlsx'}",
                        db_path=tmp_path / f"{name}.duckdb")
        assert r.status == "accepted", [i.message for i in r.issues]
        with open_db(tmp_path / f"{name}.duckdb") as con:
            rows = pd.concat([compute_indicators(con, "2026-09", lv) for lv in ("zone", "county", "school")])
        rows = rows[rows["indicator"].isin(["labor_lessons_compliance", "psych_fulltime_per_10_classes",
                                            "psych_teacher_coverage", "parent_school_rate",
                                            "parent_committee_rate", "whole_child_coverage"])]
        figures[name] = (p.tables["whole_child"].sort_values("school_id").reset_index(drop=True),
                         rows[["indicator", "level", "county", "school_id", "value"]].reset_index(drop=True))
    pd.testing.assert_frame_equal(figures["messy"][0], figures["plain"][0])
    assert len(figures["plain"][1]) == 6 * (1 + 1 + 12) and figures["plain"][1]["value"].notna().all()
    pd.testing.assert_frame_equal(figures["messy"][1], figures["plain"][1])


# ----------------------------------------------------------------- carry-forward (12 months)

def _whole(con, sub_id: int, school: str, lessons: float, fulltime: int = 1) -> None:
    con.execute("INSERT INTO whole_child VALUES (?, ?, ?, ?, NULL, TRUE, TRUE)", [sub_id, school, lessons, fulltime])


def _carried(con, period: str, county: str = "甲县") -> dict[str, tuple]:
    d = school_detail(con, period, county)
    return {r["school_id"]: (r["whole_child_period"], r["labor_lessons"]) for r in d.to_dict("records")
            if r["has_whole_child"]}


def test_values_are_carried_forward_twelve_months_from_the_same_county_only():
    con = new_db()
    sep = add_submission(con, "甲县", "2025-09", [{"id": "A1"}, {"id": "A2"}])
    _whole(con, sep, "A1", 1.0)
    _whole(con, sep, "A2", 0.5)
    for m in ("2025-10", "2026-03", "2026-08", "2026-09"):
        add_submission(con, "甲县", m, [{"id": "A1"}, {"id": "A2"}])
    mar = con.execute("SELECT id FROM submission WHERE period = '2026-03'").fetchone()[0]
    _whole(con, mar, "A2", 2.0)  # a correction for one school in March
    other = add_submission(con, "乙县", "2026-09", [{"id": "A1"}])  # the same code in another county
    _whole(con, other, "A1", 9.0)
    assert _carried(con, "2025-09") == {"A1": ("2025-09", 1.0), "A2": ("2025-09", 0.5)}
    assert _carried(con, "2025-10") == {"A1": ("2025-09", 1.0), "A2": ("2025-09", 0.5)}
    assert _carried(con, "2026-03") == {"A1": ("2025-09", 1.0), "A2": ("2026-03", 2.0)}
    assert _carried(con, "2026-08") == {"A1": ("2025-09", 1.0), "A2": ("2026-03", 2.0)}  # M−11 = 2025-09
    assert _carried(con, "2026-09") == {"A2": ("2026-03", 2.0)}  # 2025-09 is 12 months back: expired
    assert _carried(con, "2026-09", "乙县") == {"A1": ("2026-09", 9.0)}


def test_only_the_workbook_in_force_counts():
    con = new_db()
    old = add_submission(con, "甲县", "2026-09", [{"id": "A1"}], received="2026-10-02 09:00", in_force=False)
    _whole(con, old, "A1", 0.0)
    new = add_submission(con, "甲县", "2026-09", [{"id": "A1"}], received="2026-10-09 09:00")
    _whole(con, new, "A1", 1.0)
    assert _carried(con, "2026-09") == {"A1": ("2026-09", 1.0)}
