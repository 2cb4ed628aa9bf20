"""Sheet names as clerks leave them: copies, numbering, month tags and suffixes (core/submission/sheetnames.py)."""
from __future__ import annotations

import pytest
from builders import build_workbook, valid_submission_sheets

from core.submission.schema import SHEETS
from core.submission.sheetnames import bare_name, is_known_sheet, sheet_key
from core.submission.validate import validate_workbook

NAME = "云岭县2026年10月.xlsx"


def _validate(sheets):
    return validate_workbook(build_workbook(sheets), NAME)


def _renamed(sheets, old, new):
    return {(new if k == old else k): v for k, v in sheets.items()}


def _warnings(result):
    return [i.message for i in result.issues if not i.is_error]


@pytest.mark.parametrize("old, new", [
    ("学校名册", "学校名册 (2)"), ("学校名册", "表1 学校名册"), ("学校名册", "1.学校名册"), ("学校名册", "学校名册表"),
    ("体育", "表2-体育"), ("体育", "体育（10月）"), ("体育", "体育工作情况"), ("体育", "体育统计表"),
    ("作业", "作业管理情况"), ("作业", "作业(10月)"), ("作业", "表3 作业"),
])
def test_a_required_sheet_with_an_everyday_rename_is_read_with_a_warning(old, new):
    result = _validate(_renamed(valid_submission_sheets(), old, new))
    assert result.ok and result.rows[old] == 6
    assert f"工作表「{new}」已按「{old}」读取,请核实;报送模板中此表名为「{old}」" in _warnings(result)


@pytest.mark.parametrize("new", ["学校名单", "学校基本情况", "学校基本信息"])
def test_the_roster_under_another_name_forms_use_is_read(new):
    result = _validate(_renamed(valid_submission_sheets(), "学校名册", new))
    assert result.ok and result.rows["学校名册"] == 6 and result.issues == []


@pytest.mark.parametrize("old, new", [("优质学校", "优质学校情况"), ("优质学校", "优质学校(3月)"),
                                      ("综合育人", "综合育人工作"), ("综合育人", "表5 综合育人")])
def test_an_optional_sheet_slightly_renamed_is_read_not_dropped(old, new):
    result = _validate(_renamed(valid_submission_sheets(whole_child=True), old, new))
    assert result.ok and set(result.tables) == {"school", "pe", "homework", "quality", "whole_child"}
    assert f"工作表「{new}」已按「{old}」读取,请核实;报送模板中此表名为「{old}」" in _warnings(result)


def test_the_exact_name_wins_over_a_copy_and_the_copy_is_named():
    sheets = valid_submission_sheets()
    sheets["学校名册 (2)"] = sheets["学校名册"][:3]  # an old copy with two schools
    result = _validate(sheets)
    assert result.ok and result.rows["学校名册"] == 6
    assert ("工作表「学校名册 (2)」和「学校名册」都像是「学校名册」表,已读取名称相符的「学校名册」,「学校名册 (2)」已忽略;"
            "如要报送的是「学校名册 (2)」,请删除另一张并将其改名为「学校名册」") in _warnings(result)


def test_two_decorated_names_and_no_exact_one_are_refused_naming_both():
    sheets = _renamed(valid_submission_sheets(), "学校名册", "学校名册 (2)")
    sheets["表1 学校名册"] = sheets["学校名册 (2)"]
    result = _validate(sheets)
    errors = [i for i in result.issues if i.is_error]
    assert [i.message for i in errors][:1] == [
        "工作表「学校名册 (2)」、「表1 学校名册」都像是「学校名册」表,无法确定读取哪一张;请只保留要报送的一张,"
        "并改名为「学校名册」"]
    assert "school" not in result.tables


def test_a_blank_copy_is_no_candidate():
    sheets = _renamed(valid_submission_sheets(), "体育", "体育(10月)")
    sheets["体育(9月)"] = []
    result = _validate(sheets)
    assert result.ok and result.rows["体育"] == 6


def test_an_unrecognised_sheet_naming_a_missing_sheet_says_which_it_resembles():
    sheets = _renamed(valid_submission_sheets(), "优质学校", "优质学校认定明细")
    result = _validate(sheets)
    assert result.ok and "quality" not in result.tables
    assert "工作表「优质学校认定明细」像是「优质学校」表,但未能识别,未读取;请改名为「优质学校」" in _warnings(result)


def test_an_unrecognised_sheet_whose_sheet_was_found_keeps_the_generic_warning():
    sheets = valid_submission_sheets()
    sheets["体育教师名单"] = [["姓名"], ["张三"]]
    sheets["草稿"] = [["随便写的"]]
    result = _validate(sheets)
    assert "工作表「体育教师名单」不是报送表的一部分,已忽略" in _warnings(result)
    assert "工作表「草稿」不是报送表的一部分,已忽略" in _warnings(result)


def test_decorated_names_are_loaded_and_bare_names_belong_to_one_sheet_each():
    assert is_known_sheet("学校名册 (2)") and is_known_sheet("体育（10月）") and not is_known_sheet("草稿")
    owners: dict[str, str] = {}
    for key, spec in SHEETS.items():
        for n in (spec.name, *spec.aliases):
            assert owners.setdefault(bare_name(n), key) == key, n
    assert sheet_key("统计表") == (None, False) and bare_name("表1") == "表1"  # never stripped to nothing
