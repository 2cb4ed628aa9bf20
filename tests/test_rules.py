"""Cross-row rules: each rejected (or warned) case names the right sheet, Excel row and column.

Builder schools (Excel row = i + 1): 1 小学, 2 初级中学, 3 九年一贯制学校, 4 完全中学, 5 高级中学,
6 十二年一贯制学校; 在校生数 400+10i, 专任教师数 40; 优质学校 level 市级 for odd i.
"""
from __future__ import annotations

import pytest
from builders import build_workbook, school_code, valid_submission_sheets

import core.submission.rules as rules
from core.submission.validate import validate_workbook


def run(sheets, file_name="云岭县_2026-10.xlsx"):
    return validate_workbook(build_workbook(sheets), file_name)


def find(result, severity="error"):
    return [i for i in result.issues if i.severity == severity]


def one(result, severity="error"):
    found = find(result, severity)
    assert len(found) == 1, [i.message for i in result.issues]
    return found[0]


def at(issue):
    return issue.sheet, issue.row, issue.column


def test_duplicate_code_in_roster():
    s = valid_submission_sheets()
    s["学校名册"][3][0] = school_code(2)
    dup = [i for i in find(run(s)) if "重复" in i.message]
    assert [at(i) for i in dup] == [("学校名册", 4, "学校标识码")]
    assert dup[0].message == f"学校名册 第4行「学校标识码」:值「{school_code(2)}」与第3行重复,每所学校只能填写一行"


def test_code_not_in_roster():
    s = valid_submission_sheets()
    s["体育"][3][0] = "2199999999"
    issue = one(run(s))
    assert at(issue) == ("体育", 4, "学校标识码")
    assert issue.message == "体育 第4行「学校标识码」:值「2199999999」不在本表「学校名册」中,应先在学校名册中填写该校"


def test_roster_county_differs_from_workbook_county():
    s = valid_submission_sheets()
    s["学校名册"][4][2] = "松溪县"
    issue = one(run(s))
    assert at(issue) == ("学校名册", 5, "所属县区")
    assert "「松溪县」" in issue.message and "「云岭县」" in issue.message


@pytest.mark.parametrize("bureau", ["云岭县教育局", "云岭县教育体育局", "云岭县 教体局"])
def test_the_county_written_as_its_education_bureau_is_the_county(bureau):
    """A clerk writes the office (云岭县教育局) where the county belongs: in 填报说明's 县区 or in every
    row's 所属县区. That is 云岭县, stored so, with one warning per place saying what to write."""
    s = valid_submission_sheets()
    s["填报说明"][0][1] = bureau
    for row in s["学校名册"][1:]:
        row[2] = bureau
    result = run(s)
    assert find(result) == [] and result.county == "云岭县"
    warnings = [i for i in find(result, "warning") if "教育行政部门" in i.message]
    assert [at(i) for i in warnings] == [("填报说明", 1, "县区"), ("学校名册", 2, "所属县区")]
    assert warnings[1].message == (f"学校名册 第2行「所属县区」:值「{bureau}」是教育行政部门的名称,已按县区「云岭县」"
                                   "读取(共6行);此处应填写县区名称云岭县")
    assert set(result.tables["school"]["county"]) == {"云岭县"}


def test_the_county_from_a_roster_written_as_its_bureau():
    s = valid_submission_sheets()
    del s["填报说明"]
    for row in s["学校名册"][1:]:
        row[2] = "云岭县教育局"
    result = run(s, "云岭县_2026-10.xlsx")
    assert find(result) == [] and result.county == "云岭县"


@pytest.mark.parametrize("written", ["松溪县教育局", "云岭县教育", "教育局", "云岭县教育局办公室"])
def test_another_countys_bureau_or_no_bureau_is_still_a_mismatch(written):
    s = valid_submission_sheets()
    s["学校名册"][4][2] = written
    issue = one(run(s))
    assert at(issue) == ("学校名册", 5, "所属县区") and f"「{written}」" in issue.message


@pytest.mark.parametrize("file_name, period", [
    ("云岭县2026年10月报送表.xlsx", "2026-10"), ("云岭县2026年3月.xlsx", "2026-03"),
    ("云岭县2026年03月.xlsx", "2026-03"), ("云岭县-2026-10.xlsx", "2026-10"),
    ("云岭县_2026_10.xlsx", "2026-10"), ("云岭县-202610报送.xlsx", "2026-10")])
def test_month_from_file_name_and_county_from_roster(file_name, period):
    s = valid_submission_sheets()
    del s["填报说明"]
    result = run(s, file_name)
    assert find(result) == [] and (result.county, result.period) == ("云岭县", period)


@pytest.mark.parametrize("written", ["10月", "十月", "10月份"])
def test_a_month_without_its_year_takes_the_year_of_the_file_names_month(written):
    s = valid_submission_sheets()
    s["填报说明"][1][1] = written
    result = run(s, "云岭县_2026-10.xlsx")
    assert find(result) == [] and result.period == "2026-10"
    warning = one(result, "warning")
    assert at(warning) == ("填报说明", 2, "报送月份")
    assert warning.message == (f"填报说明 第2行「报送月份」:值「{written}」没有年份,已按文件名「云岭县_2026-10.xlsx」"
                               "读作2026年10月;应填写如2026-10的报送月份")


@pytest.mark.parametrize("written, file_name", [("9月", "云岭县_2026-10.xlsx"), ("10月", "云岭县监测数据.xlsx")])
def test_a_month_without_its_year_and_no_such_month_in_the_file_name_is_refused(written, file_name):
    s = valid_submission_sheets()
    s["填报说明"][1][1] = written
    result = run(s, file_name)
    assert result.period is None and f"「{written}」不是有效的月份" in one(result).message


def test_no_month_anywhere():
    s = valid_submission_sheets()
    del s["填报说明"]
    result = run(s, "监测数据.xlsx")
    issue = one(result)
    assert result.period is None and issue.row is None
    assert issue.message.startswith("无法确定报送月份:「填报说明」中没有「报送月份」,文件名「监测数据.xlsx」中也没有月份")


def test_month_sources_disagree():
    issue = one(run(valid_submission_sheets(period="2026-10"), "云岭县_2026-09.xlsx"))
    assert "「2026-10」" in issue.message and "2026-09" in issue.message


def test_roster_counties_disagree_without_instructions():
    s = valid_submission_sheets()
    del s["填报说明"]
    for row in s["学校名册"][1:3]:
        row[2] = "松溪县"
    issue = one(run(s, "2026年10月.xlsx"))
    assert "「云岭县」" in issue.message and "「松溪县」" in issue.message


def test_band_column_required_when_covered():
    s = valid_submission_sheets()
    s["体育"][1][2] = None  # 小学 without grade 1–2 lessons
    issue = one(run(s))
    assert at(issue) == ("体育", 2, "体育课周课时(1-2年级)")
    assert issue.message == "体育 第2行「体育课周课时(1-2年级)」:未填写,该校为小学,包含1–2年级,应填写0–10之间的周课时数"


def test_band_column_must_be_blank_when_not_covered():
    s = valid_submission_sheets()
    s["作业"][2][3] = 40  # 初级中学 with grade 3–6 homework minutes
    issue = one(run(s))
    assert at(issue) == ("作业", 3, "三至六年级日均书面作业时长(分钟)")
    assert "应留空" in issue.message


def test_zero_in_not_covered_band_is_blank_with_warning():
    s = valid_submission_sheets()
    s["体育"][2][2] = 0  # 初级中学, 1–2 年级 lessons 0
    result = run(s)
    warning = one(result, "warning")
    assert find(result) == [] and at(warning) == ("体育", 3, "体育课周课时(1-2年级)")
    value = result.tables["pe"].set_index("school_id").loc[school_code(2), "lessons_g12"]
    assert str(value) == "<NA>"


def test_afterschool_only_for_compulsory_schools():
    s = valid_submission_sheets()
    s["作业"][5][6] = 100  # 高级中学
    s["作业"][1][6] = None  # 小学
    issues = find(run(s))
    assert sorted(at(i) for i in issues) == [("作业", 2, "课后服务参与学生数"), ("作业", 6, "课后服务参与学生数")]


def test_afterschool_not_above_students():
    s = valid_submission_sheets()
    s["作业"][1][6] = 411  # 在校生数 410
    issue = one(run(s))
    assert issue.message == "作业 第2行「课后服务参与学生数」:值「411」超过该校在校生数410,应填写不超过在校生数的整数"


@pytest.mark.parametrize("fitness, column", [
    ((420, 300, 100), "体质健康测试人数"),  # > 在校生数 410
    ((300, 301, 100), "体质健康及格人数"),
    ((300, 200, 201), "体质健康优良人数")])
def test_fitness_counts_ordered(fitness, column):
    s = valid_submission_sheets()
    s["体育"][1][7:10] = fitness
    assert at(one(run(s))) == ("体育", 2, column)


def test_fitness_all_or_none():
    s = valid_submission_sheets()
    s["体育"][2][7] = 300
    issue = one(run(s))
    assert (issue.sheet, issue.row) == ("体育", 3) and "应三列都填写或都留空" in issue.message


@pytest.mark.parametrize("fitness", [(0, 0, 0), (0, None, None), (0, 0, None), ("0", "0人", 0.0)])
def test_fitness_tested_zero_is_not_tested_this_month(fitness):
    """测试人数 0 with 及格/优良 0 or blank: blank (not reported), never a zero test that replaces the last one."""
    s = valid_submission_sheets()
    s["体育"][3][7:10] = fitness
    result = run(s)
    warning = one(result, "warning")
    assert find(result) == []
    assert warning.message == ("体育 第4行「体质健康测试人数」:体质健康测试人数为0,已按本月未测试处理(测试、及格、优良人数"
                               "视为空白,沿用最近一次的体测结果);未测试的月份这三列应留空")
    pe = result.tables["pe"].set_index("school_id")
    assert [str(pe.loc[school_code(3), c]) for c in ("fitness_tested", "fitness_passed", "fitness_good")] == \
        ["<NA>"] * 3


def test_fitness_zero_tested_but_some_passed_is_still_an_error():
    s = valid_submission_sheets()
    s["体育"][3][7:10] = (0, 5, 0)
    assert at(one(run(s))) == ("体育", 4, "体质健康及格人数")


@pytest.mark.parametrize("col, value, expected_col", [
    (3, 41, "高于规定学历教师数"), (4, 41, "县级及以上骨干教师数"), (5, 41, "体育艺术专任教师数"),
    (2, None, "认定年份"), (2, 2027, "认定年份"), (2, 2014, "认定年份")])
def test_quality_rules(col, value, expected_col):
    s = valid_submission_sheets()
    s["优质学校"][1][col] = value  # school 1 is 市级
    assert at(one(run(s))) == ("优质学校", 2, expected_col)


def test_class_size_warning():
    s = valid_submission_sheets()
    s["学校名册"][1][6] = 5  # 410 students in 5 classes
    result = run(s)
    assert find(result) == [] and at(one(result, "warning")) == ("学校名册", 2, "教学班数")


def test_name_differs_warning():
    s = valid_submission_sheets()
    s["作业"][1][1] = "别的学校"
    result = run(s)
    assert at(one(result, "warning")) == ("作业", 2, "学校名称")


def test_roster_school_without_pe_row_is_a_warning():
    s = valid_submission_sheets()
    del s["体育"][3]
    result = run(s)
    warning = one(result, "warning")
    assert find(result) == [] and warning.sheet == "体育" and school_code(3) in warning.message


def test_crashing_rule_becomes_an_issue(monkeypatch):
    def broken(ctx):
        raise KeyError("x")
    monkeypatch.setattr(rules, "RULES", (broken,))
    issue = one(run(valid_submission_sheets()))
    assert "broken" in issue.message


def test_month_cell_typed_as_a_date_by_excel():
    from datetime import datetime
    s = valid_submission_sheets()
    s["填报说明"][1][1] = datetime(2026, 10, 1)
    result = run(s, "云岭县报送.xlsx")
    assert find(result) == [] and result.period == "2026-10"


def test_month_typed_in_full_width_digits():
    s = valid_submission_sheets()
    s["填报说明"][1][1] = "２０２６年１０月"  # Chinese input mode
    result = run(s, "云岭县报送.xlsx")
    assert find(result) == [] and result.period == "2026-10"


def test_month_typed_as_a_number_that_excel_shortened():
    """2026.10 typed into a number cell is stored as 2026.1: January or October? Refused, saying both;
    2026.11 or 2026.09 are not ambiguous."""
    s = valid_submission_sheets()
    s["填报说明"][1][1] = 2026.1
    issue = one(run(s, "云岭县报送.xlsx"))
    assert at(issue) == ("填报说明", 2, "报送月份")
    assert "可能是2026年1月,也可能是2026年10月" in issue.message and "应填写如2026-10或2026-01" in issue.message
    s["填报说明"][1][1] = 2026.11
    result = run(s, "云岭县报送.xlsx")
    assert find(result) == [] and result.period == "2026-11"


def test_sheet_without_header_row():
    s = valid_submission_sheets()
    s["作业"] = [["随便"], ["一些", "内容"]]
    issue = one(run(s))
    assert issue.sheet == "作业" and issue.message.startswith("作业:找不到表头行")


def test_a_count_over_another_column_of_its_row_names_that_column_once():
    s = valid_submission_sheets()
    s["体育"][1][7:10] = [100, 101, 50]  # 测试 100, 及格 101
    issue = one(run(s))
    assert issue.message == ("体育 第2行「体质健康及格人数」:值「101」超过「体质健康测试人数」100,"
                             "应填写不超过测试人数的整数")
