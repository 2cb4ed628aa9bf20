"""Real county layouts (issue 12): merged cells, two-row headers and subtotal rows are read as the clerk
sees them — the same data in the county layout gives exactly the tables and indicator values of the
template layout, in .xlsx, .xls and .ods; messages name the column as the clerk sees it.
"""
from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest
from hostile import with_merge
from layouts import COUNTY, PERIOD, build_xlsx, county_sheets, plain_sheets, workbook

from core.db import open_db
from core.indicators import compute_indicators
from core.submission.annotate import annotate_workbook
from core.submission.ingest import ingest_file
from core.submission.validate import validate_workbook

NAME = f"{COUNTY}_{PERIOD}"
SUFFIXES = [".xlsx", ".xls", ".ods"]


def errors(parsed) -> list[str]:
    return [i.message for i in parsed.issues if i.is_error]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_county_layout_is_read_like_the_template(suffix):
    plain = validate_workbook(workbook(".xlsx", county_layout=False), NAME + ".xlsx")
    county = validate_workbook(workbook(suffix, county_layout=True), NAME + suffix)
    assert plain.ok and county.ok, errors(county)
    assert (county.county, county.period) == (COUNTY, PERIOD)
    assert set(county.tables) == set(plain.tables)
    for key, table in plain.tables.items():  # the county form lists schools by 学段: compare in code order
        ordered = county.tables[key].sort_values("school_id").reset_index(drop=True)
        assert ordered.equals(table.sort_values("school_id").reset_index(drop=True)), key
    assert not [i.message for i in county.issues if "不是本表的列" in i.message]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_county_layout_gives_the_indicator_values_of_the_template(suffix, tmp_path):
    values = {}
    for label, data, name in (("plain", workbook(".xlsx", county_layout=False), NAME + ".xlsx"),
                              ("county", workbook(suffix, county_layout=True), NAME + suffix)):
        db = tmp_path / f"{label}.duckdb"
        result = ingest_file(data, file_name=name, db_path=db, received_at=datetime(2026, 11, 3, 9))
        assert result.status == "accepted", result.issues
        with open_db(db) as con:
            frames = [compute_indicators(con, PERIOD, level) for level in ("zone", "county", "school")]
        values[label] = sorted((r["indicator"], r["level"], str(r["county"]), str(r["school_id"]), str(r["value"]),
                                str(r["numerator"]), str(r["denominator"]))
                               for f in frames for r in f.to_dict("records"))
    assert len(values["plain"]) > 50 and any(v[4] != "None" for v in values["plain"])
    assert values["county"] == values["plain"]


def _spoiled_county_layout():
    """The county layout with the first school's 1-2年级 PE lessons written as text, and an extra sub-header."""
    sheets, merges = county_sheets(plain_sheets())
    pe = sheets["体育"]
    first = next(i for i, r in enumerate(pe) if isinstance(r[0], str) and r[0].isdigit())
    pe[first][2] = "四节课"
    pe[2] += ["备用"]
    return sheets, merges, first + 1


def test_two_row_header_messages_name_group_and_sub_header_at_the_sub_header_row():
    sheets, merges, excel_row = _spoiled_county_layout()
    parsed = validate_workbook(build_xlsx(sheets, merges), NAME + ".xlsx")
    assert f"体育 第{excel_row}行「体育课周课时 / 1-2年级」:值「四节课」不是数字" in "\n".join(errors(parsed))
    cell = next(i for i in parsed.issues if i.is_error)
    assert (cell.sheet, cell.row, cell.column) == ("体育", excel_row, "体育课周课时 / 1-2年级")
    assert any(i.message.startswith("体育 第3行「备用」:不是本表的列") for i in parsed.issues)


def test_annotated_copy_marks_the_cell_under_the_sub_header():
    sheets, merges, excel_row = _spoiled_county_layout()
    data = build_xlsx(sheets, merges)
    parsed = validate_workbook(data, NAME + ".xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(annotate_workbook(data, NAME + ".xlsx", parsed.issues)))
    cell = wb["体育"].cell(row=excel_row, column=3)  # C: 体育课周课时 / 1-2年级
    assert cell.value == "四节课" and cell.comment is not None and "四节课" in cell.comment.text


def test_no_header_row_lists_the_headers_found():
    sheets = plain_sheets()
    sheets["体育"][0] = ["代码", "学校名称", "低段课时", "中段课时", "初中课时", "高中课时", "活动时间"]
    parsed = validate_workbook(build_xlsx(sheets), NAME + ".xlsx")
    message = next(m for m in errors(parsed) if "找不到表头行" in m)
    assert "找到的表头:代码、学校名称、低段课时、中段课时、初中课时、高中课时、活动时间" in message


def test_rows_covered_only_by_a_merge_are_empty_rows():
    """所属县区 merged a few rows too far: those rows show nothing else and are not schools."""
    sheets, merges = county_sheets(plain_sheets())
    roster = sheets["学校名册"]
    county_merge = next(m for m in merges["学校名册"] if m[1] == 2 and m[3] == 2)
    merges["学校名册"].remove(county_merge)
    merges["学校名册"].append((county_merge[0], 2, len(roster) + 4, 2))
    roster += [[None] * len(roster[0]) for _ in range(5)]
    parsed = validate_workbook(build_xlsx(sheets, merges), NAME + ".xlsx")
    assert parsed.ok, errors(parsed)


def test_a_merged_range_reaching_the_last_cell_is_filled_only_where_cells_are_read():
    data = with_merge(workbook(".xlsx", county_layout=False), "体育", "B2:XFD2")
    data = with_merge(data, "体育", "A30:XFD1048576")
    parsed = validate_workbook(data, NAME + ".xlsx")
    assert not parsed.ok  # the first school's name now fills its row: a text in every number column
    assert {i.row for i in parsed.issues if i.is_error} == {2}
