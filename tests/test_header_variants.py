"""Headers and rows as county forms really have them (beyond the template and tests/layouts.py):
two-row headers whose group row already names half the columns, header spellings, columns that
only look like a schema column, duplicated columns, and the rows under and between the schools
that are not schools. Each file is read against the same data in the template layout.
"""
from __future__ import annotations

import pytest
from builders import build_workbook, valid_submission_sheets

from core.submission.validate import validate_workbook

NAME = "云岭县_2026-10.xlsx"


def plain() -> dict[str, list[list]]:
    return valid_submission_sheets(n_schools=8, whole_child=True)


def read(sheets, merges=None):
    return validate_workbook(build_workbook(sheets, merges=merges), NAME)


def errors(parsed) -> list[str]:
    return [i.message for i in parsed.issues if i.is_error]


def warnings(parsed) -> list[str]:
    return [i.message for i in parsed.issues if not i.is_error]


def same_tables(parsed, reference=None) -> None:
    reference = reference or read(plain())
    assert parsed.ok, errors(parsed)
    assert set(parsed.tables) == set(reference.tables)
    for key, table in reference.tables.items():
        assert parsed.tables[key].equals(table), key


def two_row(sheets: dict, sheet: str, group_row: list, sub_row: list) -> tuple[dict, list]:
    """`sheet` with a two-row header; every header cell without a sub-header merged down over both rows."""
    body = sheets[sheet][1:]
    merges = []
    j = 0
    while j < len(group_row):
        k = j
        while k + 1 < len(group_row) and group_row[k + 1] is None and sub_row[k + 1] is not None \
                and sub_row[j] is not None:
            k += 1
        if sub_row[j] is None:
            merges.append((0, j, 1, j))
        elif k > j:
            merges.append((0, j, 0, k))
        j = k + 1
    return {**sheets, sheet: [group_row, sub_row, *body]}, {sheet: merges}


def test_a_two_row_header_whose_group_row_names_half_the_columns_is_read_at_its_sub_header_row():
    # 综合育人: 心理健康教师数 over 专职/兼职, the other four merged down (the group row names 4 of 5
    # required columns by itself)
    sheets, merges = two_row(plain(), "综合育人",
                             ["学校标识码", "劳动教育周课时", "心理健康教师数", None, "合格家长学校", "家长委员会"],
                             [None, None, "专职", "兼职", None, None])
    parsed = read(sheets, merges)
    same_tables(parsed)
    assert parsed.places["whole_child"].headers["psych_fulltime"] == "心理健康教师数 / 专职"


@pytest.mark.parametrize("sheet, group_row, sub_row", [
    ("作业", ["学校标识码", "学校名称", "一二年级布置书面家庭作业", "日均书面作业时长", None, "作业公示制度",
             "课后服务参与学生数"],
     [None, None, None, "三至六年级日均书面作业时长(分钟)", "初中日均书面作业时长(分钟)", None, None]),
    ("作业", ["学校标识码", "学校名称", "一二年级布置书面家庭作业", "日均书面作业时长(分钟)", None, "作业公示制度",
             "课后服务参与学生数"],
     [None, None, None, "3-6年级", "初中", None, None]),
    ("学校名册", ["学校标识码", "学校名称", "所属县区", "学段类型", "城乡类型", "规模", None, None],
     [None, None, None, None, None, "在校生数", "教学班数", "专任教师数"]),
    ("体育", ["学校标识码", "学校名称", "体育课周课时", None, None, None, "日均校内体育活动时间(分钟)",
             "体质健康", None, None],
     [None, None, "一二年级", "三至六年级", "七至九年级", "高中", None, "测试人数", "及格人数", "优良人数"]),
])
def test_two_row_headers_of_every_sheet_read_like_the_template(sheet, group_row, sub_row):
    sheets, merges = two_row(plain(), sheet, group_row, sub_row)
    same_tables(read(sheets, merges))


@pytest.mark.parametrize("written, header", [
    ("体育课周课时(1～2年级)", "体育课周课时(1-2年级)"),
    ("体育课周课时(1—2年级)", "体育课周课时(1-2年级)"),
    ("体育课周课时1-2年级", "体育课周课时(1-2年级)"),
    ("体育课周课时(7-9年级)", "体育课周课时(初中)"),
    ("*学校标识码", "学校标识码"),
    ("日均校内体育活动时间(分钟)★", "日均校内体育活动时间(分钟)"),
    ("10月日均校内体育活动时间(分钟)", "日均校内体育活动时间(分钟)"),  # the form's month in the header
    ("本月日均校内体育活动时间(分钟)", "日均校内体育活动时间(分钟)"),
    ("2026年10月体育课周课时(3-6年级)", "体育课周课时(3-6年级)"),
    ("十月份体育课周课时(初中)", "体育课周课时(初中)"),
])
def test_header_spellings_clerks_type_name_the_column(written, header):
    sheets = plain()
    sheets["体育"][0] = [written if h == header else h for h in sheets["体育"][0]]
    parsed = read(sheets)
    same_tables(parsed)
    assert not warnings(parsed)


def test_a_part_of_a_column_is_not_the_column():
    """专任教师数(女) before 专任教师数: the real column is read, the part ignored with a warning; alone,
    the part is not taken for the column (the column is missing)."""
    sheets = plain()
    roster = sheets["学校名册"]
    for n, row in enumerate(roster):
        row.insert(7, "专任教师数(女)" if n == 0 else row[7] // 2)
    parsed = read(sheets)
    same_tables(parsed)
    assert warnings(parsed) == ["学校名册 第1行「专任教师数(女)」:不是本表的列,已忽略"]
    for row in roster:
        del row[8]
    parsed = read(sheets)
    assert errors(parsed)[0].startswith("学校名册 第1行:缺少必填列「专任教师数」")


def test_a_header_in_another_unit_is_refused_with_the_unit_named():
    sheets = plain()
    q = sheets["优质学校"]
    j = q[0].index("教学仪器设备值(万元)")
    q[0][j] = "教学仪器设备值(元)"
    for row in q[1:]:
        row[j] = row[j] * 10000
    assert errors(read(sheets)) == [
        "优质学校 第1行「教学仪器设备值(元)」:表头的单位是「元」,本列应按「教学仪器设备值(万元)」填写;"
        "应把数值换算后,将表头改为「教学仪器设备值(万元)」"]
    sheets["体育"][0][6] = "日均校内体育活动时间(小时)"
    assert "表头的单位是「小时」" in errors(read(sheets))[0]


def test_a_header_with_its_unit_left_out_or_a_count_word_added_still_names_the_column():
    sheets = plain()
    sheets["优质学校"][0] = [h.replace("(万元)", "").replace("(平方米)", "") for h in sheets["优质学校"][0]]
    sheets["学校名册"][0] = [h + "(人)" if h == "在校生数" else h for h in sheets["学校名册"][0]]
    parsed = read(sheets)
    same_tables(parsed)
    assert not warnings(parsed)


def _with_second_column(values_from_first: bool) -> dict:
    """体育 with a second 日均校内体育活动时间(分钟) column before the real one (last month's, kept and hidden)."""
    sheets = plain()
    for n, row in enumerate(sheets["体育"]):
        row.insert(6, row[6] if n == 0 or values_from_first else 30)
    return sheets


def test_two_columns_with_one_header_and_different_values_are_refused_naming_both():
    parsed = read(_with_second_column(False))
    assert errors(parsed) == [
        "体育 第1行「日均校内体育活动时间(分钟)」:第H列与第G列「日均校内体育活动时间(分钟)」是同一列,但数值不同,"
        "无法确定以哪一列为准;应删除多余的一列(包括隐藏的列)后重新报送"]


def test_two_columns_with_one_header_and_the_same_values_are_one_column():
    parsed = read(_with_second_column(True))
    same_tables(parsed)
    assert warnings(parsed) == [
        "体育 第1行「日均校内体育活动时间(分钟)」:第H列与第G列「日均校内体育活动时间(分钟)」是同一列,内容相同,已忽略此列"]


@pytest.mark.parametrize("footer", [
    ["填表人:张三    联系电话:13800000000"], ["制表:张三", None, "审核:李四"], ["填报时间:2026年11月3日"],
    ["报送日期:2026-11-03"], ["联系方式:0871-1234567"], ["单位(盖章):云岭县教育局"], ["分管领导:王五"],
    ["注1.本表由各校填报。"], ["注:本表由各校填报。"], ["数据来源:各校填报"], ["2026年11月3日"],
    [None, None, None, "填表人:张三"], ["填表人:", "张三", "联系电话:", "13800000000"],
])
def test_footer_rows_below_the_schools_are_skipped_without_complaint(footer):
    sheets = plain()
    for sheet in ("学校名册", "体育", "作业"):
        sheets[sheet] = [*sheets[sheet], [], footer]
    parsed = read(sheets)
    same_tables(parsed)
    assert not warnings(parsed)


def test_a_footer_merged_over_the_whole_row_is_skipped():
    sheets = plain()
    roster = sheets["学校名册"]
    roster.append(["填表人:张三  审核人:李四  联系电话:13800000000"] + [None] * 7)
    parsed = read(sheets, {"学校名册": [(len(roster) - 1, 0, len(roster) - 1, 7)]})
    same_tables(parsed)


def test_section_rows_between_schools_are_skipped_with_a_warning_each():
    sheets = plain()
    roster = sheets["学校名册"]
    sheets["学校名册"] = [roster[0], ["一、小学"], *roster[1:5], [None, "(二)中学"], *roster[5:]]
    parsed = read(sheets)
    same_tables(parsed)
    assert warnings(parsed) == [
        "学校名册 第2行:值「一、小学」没有学校标识码,也没有数值,不是学校数据,已跳过",
        "学校名册 第7行:值「(二)中学」没有学校标识码,也没有数值,不是学校数据,已跳过"]


def test_formula_rows_showing_zeros_under_the_schools_are_skipped():
    sheets = plain()
    sheets["体育"] += [[None, None, 0, 0, 0, 0, 0, 0, 0, 0]] * 3
    same_tables(read(sheets))


def test_a_row_with_figures_but_no_school_code_is_still_an_error():
    """A school whose code was left out is not skipped: its figures would be lost."""
    sheets = plain()
    sheets["体育"][3][0] = None
    assert errors(read(sheets)) == ["体育 第4行「学校标识码」:未填写,应填写10位数字的学校标识码"]


def test_a_remark_does_not_hide_a_school_row():
    """备注 text in a school row whose code is missing: still that school's row (an error), not a footer."""
    sheets = plain()
    sheets["作业"][0].append("备注")
    for row in sheets["作业"][1:]:
        row.append(None)
    sheets["作业"][2][0], sheets["作业"][2][-1] = None, "备注:新建校"
    assert errors(read(sheets))[0].startswith("作业 第3行「学校标识码」:未填写")


def test_the_header_pasted_again_above_a_second_block_of_schools_is_skipped():
    sheets = plain()
    pe = sheets["体育"]
    sheets["体育"] = [*pe[:5], list(pe[0]), *pe[5:]]
    same_tables(read(sheets))


@pytest.mark.parametrize("label", ["平均值", "全县汇总"])
def test_summary_rows_with_figures_are_skipped_like_subtotals(label):
    sheets = plain()
    sheets["体育"].append([None, label, 4, 3, 3, 2, 61.5, None, None, None])
    same_tables(read(sheets))


def test_a_subtotal_row_with_its_count_of_schools_in_the_code_column_is_skipped():
    sheets = plain()
    sheets["体育"].append(["8", "合计", None, None, None, None, 500, None, None, None])
    sheets["作业"].append([8.0, "总计"])
    same_tables(read(sheets))
    sheets["体育"][-1][1] = "某校"  # a short code in a school row is still the code's error
    assert f"体育 第{len(sheets['体育'])}行「学校标识码」:值「8」不是10位数字,应填写10位数字的学校标识码" in errors(
        read(sheets))


def test_serial_number_and_remarks_columns_are_ignored_without_a_warning():
    sheets = plain()
    for sheet in ("学校名册", "体育", "作业"):
        sheets[sheet] = [["序号", *sheets[sheet][0], "备注"],
                         *([n, *row, "新建" if n == 2 else None] for n, row in enumerate(sheets[sheet][1:], start=1))]
    parsed = read(sheets)
    same_tables(parsed)
    assert not parsed.issues
    sheets["体育"][0][-1] = "备用"
    assert warnings(read(sheets)) == ["体育 第1行「备用」:不是本表的列,已忽略"]


def test_a_line_break_typed_into_a_school_name_is_not_part_of_it():
    sheets = plain()
    roster = sheets["学校名册"]
    name = roster[2][1]
    roster[2][1] = name[:3] + "\n" + name[3:] + "  "
    sheets["体育"][2][1] = name[:3] + "\r\n " + name[3:]
    parsed = read(sheets)
    same_tables(parsed)
    assert not parsed.issues and parsed.tables["school"]["name"].tolist()[1] == name


def test_a_row_of_units_under_the_header_is_skipped():
    sheets = plain()
    pe = sheets["体育"]
    units = [None, None, "(节)", "(节)", "(节)", "(节)", "(分钟)", "(人)", "(人)", "(人)"]
    sheets["体育"] = [pe[0], units, *pe[1:]]
    roster = sheets["学校名册"]
    sheets["学校名册"] = [roster[0], [None, None, None, None, None, "人", "个", "人"], *roster[1:]]
    parsed = read(sheets)
    same_tables(parsed)
    assert not parsed.issues
