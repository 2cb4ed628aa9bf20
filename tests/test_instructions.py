"""The 县区 and 报送月份 labels of 填报说明 as clerks lay them out (core/submission/instructions.py)."""
from __future__ import annotations

import pytest
from builders import build_workbook, valid_submission_sheets

from core.submission.instructions import instruction_labels
from core.submission.validate import validate_workbook

C, P = "县区", "报送月份"


@pytest.mark.parametrize("rows, expected", [
    ([["县区", "白石县"], ["报送月份", "2026-10"]], {C: (1, "白石县"), P: (2, "2026-10")}),  # the template
    ([["县区", "报送月份"], ["白石县", "2026-10"]], {C: (2, "白石县"), P: (2, "2026-10")}),  # labels over values
    ([["县区", None, "报送月份"], [None], ["白石县", None, "2026-10"]], {C: (3, "白石县"), P: (3, "2026-10")}),
    ([["报送月份:2026年10月"], ["县区：白石县"]], {P: (1, "2026年10月"), C: (2, "白石县")}),  # one cell each
    ([["报送月份 ： 2026-10", "县区: 白石县"]], {P: (1, "2026-10"), C: (1, "白石县")}),
    ([["*县区名称", "白石县"], ["报送月份(YYYY-MM)", "2026-10"]], {C: (1, "白石县"), P: (2, "2026-10")}),
    ([["★县区：", "白石县"], ["报送月份（必填）:", "2026-10"]], {C: (1, "白石县"), P: (2, "2026-10")}),
    ([["报送月份(格式:YYYY-MM):2026-10"]], {P: (1, "2026-10")}),
    ([["县区", "报送月份:2026-10"], ["白石县"]], {C: (2, "白石县"), P: (1, "2026-10")}),
])
def test_labels_and_their_values(rows, expected):
    assert instruction_labels(rows) == expected


@pytest.mark.parametrize("rows", [
    [["县区", None], ["报送月份", None]],  # blank values: the label below is not a value
    [["报送月份:填写本表数据所属的月份,如2026-10"]],  # an instruction, not a value
    [["请于11月5日前报送云岭县2026年10月监测数据。"]],
    [["工作表", "列(表头)"], ["学校名册", "所属县区"]],  # the template's column list
])
def test_no_value_is_made_up(rows):
    assert instruction_labels(rows) == {}


def _run(instructions, file_name="白石县监测数据.xlsx"):
    sheets = valid_submission_sheets(county="白石县", n_schools=4)
    sheets["填报说明"] = instructions
    return validate_workbook(build_workbook(sheets), file_name)


def test_labels_in_one_row_values_below_read_the_county_not_the_label():
    result = _run([["县区", "报送月份"], ["白石县", "2026-10"]])
    assert result.ok and (result.county, result.period) == ("白石县", "2026-10")


def test_label_and_value_typed_in_one_cell():
    result = _run([["县区:白石县"], ["报送月份：2026年10月"]])
    assert result.ok and (result.county, result.period) == ("白石县", "2026-10")


def test_a_bad_month_below_its_label_is_located_on_its_own_row():
    result = _run([["县区", "报送月份"], ["白石县", "十月"]])
    bad = [i for i in result.issues if i.is_error]
    assert [(i.sheet, i.row, i.column, i.value) for i in bad] == [("填报说明", 2, "报送月份", "十月")]
