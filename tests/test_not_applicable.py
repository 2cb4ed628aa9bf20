"""Not-applicable marks (`/`, `—`, `无`, 不适用, 未测 …) in number cells (probe finding N2).

Where a blank is allowed (a grade band the school does not cover, an optional column) the mark is read
as blank with a warning; where the cell must be filled the error says why the mark is not enough.
Builder schools (Excel row = i + 1): 1 小学, 2 初级中学, 3 九年一贯制学校, 4 完全中学, 5 高级中学,
6 十二年一贯制学校; 优质学校 level 市级 for odd i, 无 for even i.
"""
from __future__ import annotations

import pytest
from builders import build_workbook, school_code, valid_submission_sheets

from core.reading.cells import NA_MARKS
from core.submission.validate import validate_workbook


def run(sheets):
    return validate_workbook(build_workbook(sheets), "云岭县_2026-10.xlsx")


def issues(result, severity):
    return [i for i in result.issues if i.severity == severity]


def stored(result, table, school, column):
    value = result.tables[table].set_index("school_id").loc[school_code(school), column]
    return None if str(value) == "<NA>" else value


@pytest.mark.parametrize("mark", [*NA_MARKS, " / ", "－"])
def test_mark_in_a_band_the_school_does_not_cover_is_blank_with_a_warning(mark):
    s = valid_submission_sheets()
    s["体育"][5][2] = mark  # 高级中学, 体育课周课时(1-2年级)
    result = run(s)
    (warning,) = issues(result, "warning")
    assert issues(result, "error") == []
    assert (warning.sheet, warning.row, warning.column, warning.value) == ("体育", 6, "体育课周课时(1-2年级)",
                                                                          mark.strip())
    assert warning.message == (f"体育 第6行「体育课周课时(1-2年级)」:值「{mark.strip()}」已按不适用处理(视为空白),"
                               "该校为高级中学,不含1–2年级,此列可直接留空")
    assert stored(result, "pe", 5, "lessons_g12") is None


def test_mark_in_a_band_the_school_covers_says_why_it_must_be_filled():
    s = valid_submission_sheets()
    s["体育"][3][2] = "/"  # 九年一贯制学校, 1–2年级
    (error,) = issues(run(s), "error")
    assert error.message == ("体育 第4行「体育课周课时(1-2年级)」:值「/」表示不适用,但该校为九年一贯制学校,"
                             "包含1–2年级,应填写0–10之间的周课时数")
    assert error.value == "/"


def test_mark_in_the_compulsory_only_column():
    s = valid_submission_sheets()
    s["作业"][5][6] = "—"  # 高级中学, 课后服务参与学生数: not applicable
    s["作业"][1][6] = "不适用"  # 小学: must be filled
    result = run(s)
    (warning,) = issues(result, "warning")
    (error,) = issues(result, "error")
    assert warning.message == ("作业 第6行「课后服务参与学生数」:值「—」已按不适用处理(视为空白),该校为高级中学,"
                               "不属于义务教育学校,此列可直接留空")
    assert error.message == ("作业 第2行「课后服务参与学生数」:值「不适用」表示不适用,但该校为义务教育学校(小学),"
                             "应填写不超过在校生数的整数")


@pytest.mark.parametrize("mark", ["—", "/", "无", "未测"])
def test_marks_in_the_optional_fitness_columns_are_blank_with_a_warning(mark):
    s = valid_submission_sheets()
    s["体育"][1][7:10] = [mark] * 3
    result = run(s)
    assert issues(result, "error") == []
    warnings = issues(result, "warning")
    assert [(w.row, w.column) for w in warnings] == [(2, "体质健康测试人数"), (2, "体质健康及格人数"),
                                                    (2, "体质健康优良人数")]
    assert warnings[0].message == (f"体育 第2行「体质健康测试人数」:值「{mark}」已按不适用/未填处理(视为空白,"
                                   "即本月未报送此项);此列可直接留空,如实际为0应填写0")
    assert stored(result, "pe", 1, "fitness_tested") is None


def test_mark_in_one_fitness_column_only_is_still_partial():
    s = valid_submission_sheets()
    s["体育"][1][7:10] = [300, 280, "/"]
    result = run(s)
    (error,) = issues(result, "error")
    assert "应三列都填写或都留空" in error.message


@pytest.mark.parametrize("sheet, row, col, header, expected", [
    ("体育", 1, 6, "日均校内体育活动时间(分钟)", "0–300之间的分钟数"),
    ("学校名册", 2, 5, "在校生数", "1–10000之间的整数"),
    ("优质学校", 1, 3, "高于规定学历教师数", "不超过专任教师数的整数")])
def test_mark_in_a_required_column_is_an_error_saying_it_must_be_filled(sheet, row, col, header, expected):
    s = valid_submission_sheets()
    s[sheet][row][col] = "／"
    (error,) = issues(run(s), "error")
    assert error.message == (f"{sheet} 第{row + 1}行「{header}」:值「／」表示不适用,但此列每所学校都必须填写,"
                             f"不能填不适用或留空,应填写{expected}")
    assert (error.sheet, error.row, error.column) == (sheet, row + 1, header)


def test_mark_in_quality_year_follows_the_level():
    s = valid_submission_sheets()
    s["优质学校"][2][2] = "/"  # level 无: blank, warned
    s["优质学校"][1][2] = "—"  # level 市级: must be a year
    result = run(s)
    (warning,) = issues(result, "warning")
    (error,) = issues(result, "error")
    assert warning.message == "优质学校 第3行「认定年份」:值「/」已按不适用处理(视为空白),认定等级为「无」时此列可直接留空"
    assert error.message == ("优质学校 第2行「认定年份」:值「—」表示不适用,但认定等级为「市级」,"
                             "应填写2015年至报送年份之间的年份")


def test_no_in_a_yes_no_column_stays_no():
    s = valid_submission_sheets()
    s["作业"][1][2] = "无"  # 小学, 一二年级布置书面家庭作业: 无 = 否, never "not applicable"
    s["作业"][1][5] = "无"
    result = run(s)
    assert result.issues == []
    for column in ("g12_written", "publicity"):
        value = stored(result, "homework", 1, column)
        assert value is not None and bool(value) is False, column


def test_marks_in_yes_no_columns_are_not_applicable_but_wu_is_no():
    """`/` in a yes/no cell of a band the school does not cover is blank (warned); `/` where the cell must be
    filled is an error in yes/no words; 无 stays 否."""
    s = valid_submission_sheets()
    hw = s["作业"]
    covered = [n for n, row in enumerate(hw[1:], start=1) if row[2] is not None]
    for row in hw[1:]:
        if row[2] is None:
            row[2] = "/"
    parsed = run(s)
    assert parsed.ok and len(issues(parsed, "warning")) == len(hw) - 1 - len(covered)
    assert all("已按不适用处理" in i.message for i in issues(parsed, "warning"))
    hw[covered[0]][2] = "无"
    hw[covered[0]][5] = "—"
    (error,) = issues(run(s), "error")
    assert error.message == (f"作业 第{covered[0] + 1}行「作业公示制度」:值「—」表示不适用,但此列每所学校都必须填写,"
                             "不能填不适用或留空,应填写是或否")
