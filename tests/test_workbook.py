"""Raw reading: absolute Excel positions, Excel error cells found although calamine blanks them."""
from __future__ import annotations

from builders import build_workbook

from core.reading.workbook import read_workbook


def test_absolute_positions_and_error_cells():
    data = build_workbook({" 体 育 ": [[], [], [None, "标题"], [None, 5, "#DIV/0!"], [None, "#N/A"]]})
    book = read_workbook(data, "a.xlsx")
    sheet = book.sheets[0]
    assert sheet.name == " 体 育 "
    assert sheet.rows[2][1] == "标题" and sheet.rows[3][1] == 5
    assert sheet.rows[3][2] == ""  # calamine's blank for an error cell
    assert sheet.errors == {(3, 2): "#DIV/0!", (4, 1): "#N/A"}


def test_error_cells_of_each_sheet_stay_with_it():
    data = build_workbook({"学校名册": [["a"]], "体育": [["x", "#REF!"]], "作业&说明": [["#VALUE!"]]})
    book = read_workbook(data, "a.xlsx")
    assert [s.errors for s in book.sheets] == [{}, {(0, 1): "#REF!"}, {(0, 0): "#VALUE!"}]


def test_wide_column_refs():
    row = [None] * 27 + ["#NUM!"]  # column AB
    book = read_workbook(build_workbook({"s": [row]}), "a.xlsx")
    assert book.sheets[0].errors == {(0, 27): "#NUM!"}


def test_xls_error_cells_are_found_in_the_biff_records():
    """calamine reads an .xls error cell as blank; the pre-scan finds it (BOOLERR record)."""
    import io

    import xlwt
    wb = xlwt.Workbook()
    ws = wb.add_sheet("体育")
    ws.write(0, 0, "标题")
    ws.row(1).set_cell_error(1, "#DIV/0!")
    ws.row(2).set_cell_error(0, 0x2A)  # #N/A
    buf = io.BytesIO()
    wb.save(buf)
    sheet = read_workbook(buf.getvalue(), "a.xls").sheets[0]
    assert sheet.rows[1][1] == "" and sheet.errors == {(1, 1): "#DIV/0!", (2, 0): "#N/A"}


def test_merged_ranges_carry_the_top_left_value_in_every_format():
    from builders import build_ods, build_xls
    from layouts import build_xlsx
    sheets = {"s": [["县区", "学校"], ["云岭县", "一小"], [None, "二小"], [None, "三小"], [], ["备注"]]}
    merges = {"s": [(1, 0, 4, 0)]}  # 云岭县 merged down over three schools and one empty row
    for build, name in ((build_xlsx, "a.xlsx"), (build_xls, "a.xls"), (build_ods, "a.ods")):
        rows = read_workbook(build(sheets, merges), name).sheets[0].rows
        assert [r[0] for r in rows[1:4]] == ["云岭县"] * 3, name
        assert all(v in ("", None) for v in rows[4]), name  # a row with nothing of its own stays empty
