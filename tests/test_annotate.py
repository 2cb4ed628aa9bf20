"""The annotated workbook a rejected county gets back: comment on the right cell, 问题清单 first."""
from __future__ import annotations

import io

import openpyxl
import pytest

from core.submission.annotate import (
    AUTHOR,
    LIST_SHEET,
    annotate_workbook,
    annotated_file_name,
)
from core.submission.issues import Issue

PE_HEADER = ["学校标识码", "学校名称", "体育课周课时（3-6年级） ", "日均校内体育活动时间\n(分钟)"]


def _workbook(suffix: str = ".xlsx") -> bytes:
    """A 体育 sheet the way counties send it: merged title, a 填报单位 row, retyped headers from row 3."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "体育 "  # a trailing space in the sheet name, as typed by a clerk
    ws["A1"] = "松溪县2026年10月体育工作统计表"
    ws.merge_cells("A1:D1")
    ws["A2"] = "填报单位:松溪县教育局"
    ws.append(PE_HEADER)
    ws.append(["2101000001", "松溪县第1小学", 3, "约一小时"])
    ws.append(["2101000002", "松溪县第2小学", 12, 70])
    wb.create_sheet("学校名册").append(["学校标识码", "学校名称"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ISSUES = [
    Issue(severity="error", sheet="体育", row=4, column="日均校内体育活动时间\n(分钟)", value="约一小时",
          message="体育 第4行「日均校内体育活动时间(分钟)」:值「约一小时」不是数字,应填写0–300之间的分钟数"),
    Issue(severity="warning", sheet="体育", row=5, column="体育课周课时(3-6年级)", value="12",
          message="体育 第5行「体育课周课时(3-6年级)」:值「12」超出0–10"),
    Issue(severity="error", sheet=None, row=None, column=None, value=None,
          message="无法确定该工作簿的报送月份"),
]


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _list_rows(wb: openpyxl.Workbook) -> list[dict]:
    ws = wb[LIST_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "序号")
    header = rows[header_at]
    return [dict(zip(header, r)) for r in rows[header_at + 1:]]


def test_error_comment_lands_on_the_offending_cell():
    wb = _open(annotate_workbook(_workbook(), "松溪县2026年10月.xlsx", ISSUES))
    cell = wb["体育 "]["D4"]
    assert cell.comment is not None
    assert cell.comment.author == AUTHOR
    assert ISSUES[0].message in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FF9999")  # red: an error


def test_warning_matched_through_folded_header_is_yellow():
    wb = _open(annotate_workbook(_workbook(), "x.xlsx", ISSUES))
    cell = wb["体育 "]["C5"]  # header written 「体育课周课时（3-6年级） 」, issue says 「(3-6年级)」
    assert ISSUES[1].message in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FFEB84")
    untouched = wb["体育 "]["B4"]
    assert untouched.comment is None


def test_list_sheet_comes_first_with_every_issue_errors_first():
    wb = _open(annotate_workbook(_workbook(), "x.xlsx", ISSUES))
    assert wb.sheetnames[0] == LIST_SHEET
    assert wb.active.title == LIST_SHEET
    rows = _list_rows(wb)
    assert [r["说明"] for r in rows] == [ISSUES[0].message, ISSUES[2].message, ISSUES[1].message]
    assert [r["严重程度"] for r in rows] == ["错误", "错误", "警告"]
    workbook_level = rows[1]
    assert workbook_level["工作表"] == "(整个工作簿)" and workbook_level["行"] is None


def test_located_issues_are_hyperlinked_to_their_cell():
    wb = _open(annotate_workbook(_workbook(), "x.xlsx", ISSUES))
    ws = wb[LIST_SHEET]
    links = [c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink is not None]
    assert links == ["'体育 '!D4", "'体育 '!C5"]


def test_original_data_is_kept():
    wb = _open(annotate_workbook(_workbook(), "x.xlsx", ISSUES))
    ws = wb["体育 "]
    assert ws["A1"].value == "松溪县2026年10月体育工作统计表"
    assert ws["D4"].value == "约一小时"
    assert "A1:D1" in {str(r) for r in ws.merged_cells.ranges}
    assert "学校名册" in wb.sheetnames


def test_two_issues_on_one_cell_share_a_comment_and_error_wins():
    issues = [Issue(severity="warning", sheet="体育", row=4, column="学校名称", message="名称与名册不一致"),
              Issue(severity="error", sheet="体育", row=4, column="学校名称", message="学校名称为空")]
    cell = _open(annotate_workbook(_workbook(), "x.xlsx", issues))["体育 "]["B4"]
    assert "名称与名册不一致" in cell.comment.text and "学校名称为空" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FF9999")


def test_annotating_an_annotated_workbook_replaces_the_old_list():
    once = annotate_workbook(_workbook(), "x.xlsx", ISSUES)
    twice = _open(annotate_workbook(once, "x_问题标注.xlsx", ISSUES[:1]))
    assert twice.sheetnames.count(LIST_SHEET) == 1
    assert len(_list_rows(twice)) == 1


def test_value_that_looks_like_a_formula_stays_text_in_the_list():
    issues = [Issue(severity="error", sheet="体育", row=4, column="学校名称", value="=SUM(A1:A3)", message="不是文本")]
    wb = _open(annotate_workbook(_workbook(), "x.xlsx", issues))
    assert _list_rows(wb)[0]["值"] == "=SUM(A1:A3)"  # shown as written, no stray quote
    cell = next(c for row in wb[LIST_SHEET].iter_rows() for c in row if c.value == "=SUM(A1:A3)")
    assert cell.data_type == "s" and cell.quotePrefix  # a string, and stays text when edited


@pytest.mark.parametrize("name", ["松溪县.xls", "松溪县.ods"])
def test_xls_and_ods_fall_back_to_a_fresh_list_workbook(name):
    wb = _open(annotate_workbook(b"\xd0\xcf\x11\xe0 not really an xls", name, ISSUES))
    assert wb.sheetnames == [LIST_SHEET]
    assert len(_list_rows(wb)) == len(ISSUES)
    cells = [c.value for row in wb[LIST_SHEET].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("无法直接标注" in v for v in cells)


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 truncated zip", b"%PDF-1.4"])
def test_unreadable_xlsx_never_raises(data):
    wb = _open(annotate_workbook(data, "坏文件.xlsx", ISSUES))
    assert wb.sheetnames == [LIST_SHEET]
    assert len(_list_rows(wb)) == len(ISSUES)


def test_issue_on_a_missing_sheet_or_column_is_listed_not_lost():
    issues = [Issue(severity="error", sheet="作业", row=3, column="作业公示制度", message="缺少工作表「作业」"),
              Issue(severity="error", sheet="体育", row=4, column="不存在的列", message="某列有误")]
    wb = _open(annotate_workbook(_workbook(), "x.xlsx", issues))
    assert [r["说明"] for r in _list_rows(wb)] == ["缺少工作表「作业」", "某列有误"]
    assert "某列有误" in wb["体育 "]["A4"].comment.text  # column not found: the row's first cell


@pytest.mark.parametrize("name, expected", [("松溪县2026年10月.xlsx", "松溪县2026年10月_问题标注.xlsx"),
                                            ("a.xlsm", "a_问题标注.xlsm"), ("b.xls", "b_问题标注.xlsx"),
                                            ("c.ods", "c_问题标注.xlsx")])
def test_annotated_file_name(name, expected):
    assert annotated_file_name(name) == expected


def test_real_validator_issue_is_annotated_on_the_cell_that_was_spoiled(samples_dir):
    """A sample with a merged title, retyped headers and shuffled columns: spoil one cell, validate, annotate."""
    from core.submission.validate import validate_workbook

    name = "望江区-202603报送.xlsx"
    wb = openpyxl.load_workbook(samples_dir / name)
    ws = wb["体育"]
    codes = ("学校代码", "学校标识码", "标识码")  # the code column may be anywhere: columns are shuffled
    header_row = next(r for r in range(1, 10) if any(str(c.value).strip() in codes for c in ws[r]))
    col = next(c.column for c in ws[header_row] if c.value and "体育活动" in str(c.value))
    target = ws.cell(row=header_row + 2, column=col)
    target.value = "约一小时"
    buf = io.BytesIO()
    wb.save(buf)
    parsed = validate_workbook(buf.getvalue(), name)
    spoiled = [i for i in parsed.issues if i.value == "约一小时"]
    assert spoiled and spoiled[0].is_error

    annotated = _open(annotate_workbook(buf.getvalue(), name, parsed.issues))
    cell = annotated["体育"][target.coordinate]
    assert spoiled[0].message in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FF9999")
    assert spoiled[0].message in [r["说明"] for r in _list_rows(annotated)]


def test_constructed_rejected_workbook_from_builders():
    """A workbook built from dicts: a title row above the 体育 header, one bad cell, no 作业 sheet."""
    from builders import build_workbook, valid_submission_sheets

    from core.submission.validate import validate_workbook

    sheets = valid_submission_sheets(county="云岭县", period="2026-10", n_schools=4)
    sheets["体育"] = [["云岭县2026年10月体育工作统计表"], *sheets["体育"]]
    col = sheets["体育"][1].index("日均校内体育活动时间(分钟)")
    sheets["体育"][3][col] = "约一小时"  # Excel row 4: title, header, school 1, school 2
    del sheets["作业"]
    data = build_workbook(sheets)
    parsed = validate_workbook(data, "云岭县2026年10月.xlsx")
    bad = next(i for i in parsed.issues if i.value == "约一小时")
    assert bad.row == 4

    wb = _open(annotate_workbook(data, "云岭县2026年10月.xlsx", parsed.issues))
    cell = wb["体育"].cell(row=4, column=col + 1)
    assert bad.message in cell.comment.text and cell.comment.author == AUTHOR
    listed = [r["说明"] for r in _list_rows(wb)]
    assert sorted(listed) == sorted(i.message for i in parsed.issues)
    missing_sheet = [i for i in parsed.issues if i.row is None and "作业" in i.message]
    assert missing_sheet and missing_sheet[0].message in listed


def test_many_issues_highlight_the_first_cells_and_list_them_all(monkeypatch):
    import core.submission.annotate as annotate
    monkeypatch.setattr(annotate, "MAX_MARKED_CELLS", 3)
    issues = [Issue(severity="error", sheet="体育", row=r, column=None, message=f"问题{r}") for r in range(1, 7)]
    out = _open(annotate.marked_copy(_workbook(), "a.xlsx", issues, False))
    commented = [c for row in out["体育 "].iter_rows() for c in row if c.comment is not None]
    assert len(commented) == 3 and len(_list_rows(out)) == 6
