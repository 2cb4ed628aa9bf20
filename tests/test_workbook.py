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
