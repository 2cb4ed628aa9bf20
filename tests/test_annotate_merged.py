"""The annotated copy when an issue falls inside a merged range, or one cell cannot be marked."""
from __future__ import annotations

import io

import openpyxl
from builders import build_workbook, valid_submission_sheets

import core.submission.annotate as annotate
from core.submission.annotate import LIST_SHEET, NOT_MARKED_NOTE, UNREADABLE_NOTE, annotate_workbook
from core.submission.validate import validate_workbook

NAME = "云岭县2026年10月.xlsx"


def _merged_type_workbook() -> bytes:
    """学段类型 of schools 5 and 6 (Excel rows 6–7) merged down and written 「职业高中」 (not an accepted word)."""
    sheets = valid_submission_sheets(n_schools=6)
    roster = sheets["学校名册"]
    roster[5][3], roster[6][3] = "职业高中", None
    return build_workbook(sheets, merges={"学校名册": [(5, 3, 6, 3)]})


def _texts(wb: openpyxl.Workbook) -> list[str]:
    return [c.value for row in wb[LIST_SHEET].iter_rows() for c in row if isinstance(c.value, str)]


def test_issue_inside_a_merged_range_is_marked_on_its_top_left_cell():
    data = _merged_type_workbook()
    parsed = validate_workbook(data, NAME)
    rows = sorted(i.row for i in parsed.issues if i.value == "职业高中")
    assert rows == [6, 7]  # the clerk sees 职业高中 on both schools: one issue each

    out = openpyxl.load_workbook(io.BytesIO(annotate_workbook(data, NAME, parsed.issues)))
    assert out.sheetnames[0] == LIST_SHEET and "学校名册" in out.sheetnames  # the marked copy, not the list alone
    anchor = out["学校名册"]["D6"]
    assert anchor.fill.fgColor.rgb.endswith("FF9999")
    for issue in parsed.issues:
        if issue.value == "职业高中":
            assert issue.message in anchor.comment.text
    assert not any(UNREADABLE_NOTE in t or NOT_MARKED_NOTE in t for t in _texts(out))
    links = {c.hyperlink.location for row in out[LIST_SHEET].iter_rows() for c in row if c.hyperlink}
    assert "'学校名册'!D6" in links and "'学校名册'!D7" not in links


def test_a_cell_that_cannot_be_marked_leaves_the_others_marked(monkeypatch):
    data = _merged_type_workbook()
    parsed = validate_workbook(data, NAME)
    real = annotate._mark_cell

    def failing(cell, issues):
        if cell.coordinate == "D6":
            raise AttributeError("read-only")
        real(cell, issues)

    monkeypatch.setattr(annotate, "_mark_cell", failing)
    extra = parsed.issues + [annotate.Issue(severity="warning", sheet="体育", row=3, column="学校名称", message="核实")]
    out = openpyxl.load_workbook(io.BytesIO(annotate.marked_copy(data, NAME, extra, False)))
    assert out["学校名册"]["D6"].comment is None
    assert "核实" in out["体育"]["B3"].comment.text
    assert len([t for t in _texts(out) if "职业高中" in t]) >= 2  # every issue is still listed


def test_failure_after_the_file_opened_does_not_say_it_cannot_be_opened(monkeypatch):
    data = _merged_type_workbook()
    parsed = validate_workbook(data, NAME)

    def broken(wb, issues):
        raise RuntimeError("boom")

    monkeypatch.setattr(annotate, "_mark_cells", broken)
    out = openpyxl.load_workbook(io.BytesIO(annotate.marked_copy(data, NAME, parsed.issues, False)))
    texts = _texts(out)
    assert out.sheetnames == [LIST_SHEET]
    assert any(NOT_MARKED_NOTE in t for t in texts) and not any(UNREADABLE_NOTE in t for t in texts)
