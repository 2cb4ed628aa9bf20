"""validate_workbook end to end: the sample workbooks, layouts, cell normalisation and cell errors."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from builders import build_workbook, school_code, valid_submission_sheets

from core.submission.schema import SHEETS, db_columns
from core.submission.validate import validate_workbook


def errors(result):
    return [i for i in result.issues if i.severity == "error"]


def validate(sheets, file_name="云岭县_2026-10.xlsx"):
    return validate_workbook(build_workbook(sheets), file_name)


def _assert_sample_accepted(path) -> None:
    result = validate_workbook(path.read_bytes(), path.name)
    assert errors(result) == [], path.name
    assert result.county == re.match(r"(..县|..区)", path.name).group(1)
    m = re.search(r"(2026)\D?(\d{1,2})", path.name)
    assert result.period == f"{m.group(1)}-{int(m.group(2)):02d}"
    rows = result.rows
    assert rows["学校名册"] == rows["体育"] == rows["作业"] > 0
    assert rows["优质学校"] in (0, rows["学校名册"])
    for key, df in result.tables.items():
        assert list(df.columns) == db_columns(SHEETS[key].model)


def test_samples_are_accepted(samples_dir):
    files = sorted(samples_dir.glob("*.xlsx"))
    assert len(files) == 24
    for path in files:
        _assert_sample_accepted(path)


def test_reference_samples_are_accepted(reference_dir):
    files = sorted((reference_dir / "workbooks").glob("*.xlsx"))
    assert len(files) == 24
    for path in files:
        _assert_sample_accepted(path)


@pytest.mark.parametrize("layout", ["titled", "retyped", "filename"])
def test_sample_layouts_read_identically(layout):
    """The same county-month written in another real layout gives exactly the template layout's tables."""
    from datetime import datetime

    from sample_zone import _sheets

    from core.demo.layouts import workbook_bytes

    def tables(name_layout: str) -> dict:
        data = workbook_bytes("松溪县", "2026-09", name_layout, _sheets("松溪县", 0, "2026-09"), county_idx=0,
                              received_at=datetime(2026, 10, 3, 9), instructions=True)
        result = validate_workbook(data, "松溪县2026年9月.xlsx")
        assert errors(result) == [] and result.county == "松溪县" and result.period == "2026-09"
        return {k: df.sort_values("school_id").reset_index(drop=True) for k, df in result.tables.items()}

    plain, other = tables("template"), tables(layout)
    assert set(plain) == set(other) == {"school", "pe", "homework", "quality", "whole_child"}
    for key in plain:
        pd.testing.assert_frame_equal(other[key], plain[key])


def test_valid_builder_workbook_has_no_issues():
    result = validate(valid_submission_sheets(n_schools=6))
    assert result.issues == [] and result.county == "云岭县" and result.period == "2026-10"
    pe = result.tables["pe"].set_index("school_id")
    # 高级中学 (school 5) has no grade 1–2: blank, never 0
    assert pe.loc[school_code(5), "lessons_g12"] is None or str(pe.loc[school_code(5), "lessons_g12"]) == "<NA>"
    assert str(result.tables["pe"]["lessons_g12"].dtype) == "Float64"
    assert str(result.tables["homework"]["publicity"].dtype) == "boolean"


def test_pinned_not_a_number_message():
    s = valid_submission_sheets()
    s["体育"][1][6] = "约一小时"
    (issue,) = errors(validate(s))
    assert issue.message == "体育 第2行「日均校内体育活动时间(分钟)」:值「约一小时」不是数字,应填写0–300之间的分钟数"
    assert (issue.sheet, issue.row, issue.column, issue.value) == ("体育", 2, "日均校内体育活动时间(分钟)", "约一小时")


def test_row_numbers_count_title_rows_and_skip_totals_and_footers():
    s = valid_submission_sheets()
    s["体育"] = [["云岭县2026年10月体育工作统计表"], ["填报单位:云岭县教育局"], *s["体育"],
                ["合计", None, 20, 20, 20, 20, 400], [], ["填报人:张三", None, "联系电话:123"]]
    s["体育"][4][6] = "abc"  # the second school, Excel row 5
    (issue,) = errors(validate(s))
    assert (issue.sheet, issue.row) == ("体育", 5)


@pytest.mark.parametrize("raw, expected", [
    ("45分钟", 45.0), ("４５", 45.0), (" 60 ", 60.0), ("1,234", None), (45, 45.0), ("60.5", 60.5)])
def test_numbers_sent_as_text(raw, expected):
    s = valid_submission_sheets()
    s["体育"][1][6] = raw
    result = validate(s)
    if expected is None:  # 1234 minutes is read as a number, then out of range
        (issue,) = errors(result)
        assert issue.message == "体育 第2行「日均校内体育活动时间(分钟)」:值「1,234」大于300,应填写0–300之间的分钟数"
    else:
        assert errors(result) == []
        assert result.tables["pe"]["activity_minutes"][0] == expected


def test_a_yes_no_word_whose_remark_says_the_opposite_is_refused():
    s = valid_submission_sheets()
    s["作业"][1][5] = "是(未公示)"
    (error,) = errors(validate(s))
    assert "「是(未公示)」不是“是/否”" in error.message


@pytest.mark.parametrize("raw", ["是(未建成)", "是（尚未验收）", "有(暂无)", "是(不合格)", "√(未成立)"])
def test_yes_with_a_remark_that_begins_with_a_negation_is_never_read_as_yes(raw):
    s = valid_submission_sheets(whole_child=True)
    s["综合育人"][1][4] = raw  # 合格家长学校
    result = validate(s)
    (error,) = errors(result)
    assert error.sheet == "综合育人" and error.column == "合格家长学校" and f"「{raw}」不是“是/否”" in error.message
    assert not result.ok  # refused whole: nothing of the workbook is stored


@pytest.mark.parametrize("raw, expected", [
    ("是", True), ("否", False), ("有", True), ("无", False), ("Y", True), ("n", False),
    ("√", True), ("×", False), (1, True), (0, False), ("TRUE", True), ("FALSE", False), (True, True)])
def test_yes_no_words(raw, expected):
    s = valid_submission_sheets()
    s["作业"][1][5] = raw
    result = validate(s)
    assert errors(result) == []
    assert bool(result.tables["homework"]["publicity"][0]) is expected


@pytest.mark.parametrize("raw, expected", [
    ("不布置", False), ("未布置", False), ("未建立", False), ("未公示", False), ("未建成", False), ("未成立", False),
    ("已布置", True), ("已建立", True), ("已公示", True), ("已建成", True), ("已成立", True),
    ("否(未建成)", False), ("否(正在筹建)", False), ("否(已撤销)", False),
    ("是(已公示)", True), ("否(本月未布置)", False), ("是（每周五公示）", True)])  # the word with a remark
def test_yes_no_phrases(raw, expected):
    s = valid_submission_sheets(whole_child=True)
    s["作业"][1][5] = raw
    s["综合育人"][1][4] = raw
    result = validate(s)
    assert result.issues == []
    assert bool(result.tables["homework"]["publicity"][0]) is expected
    assert bool(result.tables["whole_child"]["parent_school"][0]) is expected


@pytest.mark.parametrize("column, raw, table, field, expected", [
    (3, "初中", "school", "school_type", "初级中学"), (3, "高中", "school", "school_type", "高级中学"),
    (3, "九年一贯制", "school", "school_type", "九年一贯制学校"),
    (3, "十二年一贯制", "school", "school_type", "十二年一贯制学校"), (3, " 完中 ", "school", "school_type", "完全中学"),
    (4, "城市", "school", "locale", "城区"), (4, "镇", "school", "locale", "镇区"), (4, "农村", "school", "locale", "乡村"),
    (1, "县级优质学校", "quality", "level", "县级"), (1, "市级优质学校", "quality", "level", "市级"),
    (1, "省级优质学校", "quality", "level", "省级")])
def test_enum_synonyms_are_stored_as_the_listed_value(column, raw, table, field, expected):
    s = valid_submission_sheets()
    sheet = "优质学校" if table == "quality" else "学校名册"
    code = {"初中": 2, "高中": 5, "九年一贯制": 3, "十二年一贯制": 6, " 完中 ": 4}.get(raw, 1)
    s[sheet][code][column] = raw  # the school whose type the synonym names (rules check bands by type)
    result = validate(s)
    assert errors(result) == []
    assert result.tables[table].set_index("school_id").loc[school_code(code), field] == expected


def test_ambiguous_school_type_is_still_refused():
    s = valid_submission_sheets()
    s["学校名册"][1][3] = "中学"  # 初级中学, 完全中学 or 高级中学?
    (issue,) = errors(validate(s))
    assert issue.message == ("学校名册 第2行「学段类型」:值「中学」不是可选的值,应填写小学、初级中学、九年一贯制学校、"
                             "完全中学、高级中学、十二年一贯制学校之一")


@pytest.mark.parametrize("raw", [2190000001, 2190000001.0, "2190000001.0", "'2190000001", " 2190000001 ",
                                 "2190-000001", "2190－000001", "21-9000-0001"])  # separators typed for reading
def test_codes_normalised(raw):
    s = valid_submission_sheets()
    s["学校名册"][1][0] = raw
    result = validate(s)
    assert errors(result) == []
    assert result.tables["school"]["school_id"][0] == "2190000001"


@pytest.mark.parametrize("raw", ["2190-00001", "-2190000001", "2190000001-2190000002"])
def test_a_code_with_separators_and_not_ten_digits_is_refused(raw):
    s = valid_submission_sheets()
    s["学校名册"][1][0] = raw
    assert any(f"「{raw}」不是10位数字" in e.message for e in errors(validate(s)))


def test_excel_error_value_is_an_error():
    s = valid_submission_sheets()
    s["学校名册"][3][5] = "#DIV/0!"
    (issue,) = errors(validate(s))
    assert issue.message == "学校名册 第4行「在校生数」:值「#DIV/0!」是Excel错误值(公式出错),应填写1–10000之间的整数"


def test_blank_required_and_not_whole():
    s = valid_submission_sheets()
    s["学校名册"][2][7] = None
    s["学校名册"][3][6] = 10.5
    msgs = [i.message for i in errors(validate(s))]
    assert msgs == ["学校名册 第3行「专任教师数」:未填写,应填写1–1000之间的整数",
                    "学校名册 第4行「教学班数」:值「10.5」不是整数,应填写1–300之间的整数"]


@pytest.mark.parametrize("raw", [1965.9999999999998, 1966.0000000000002, "1965.9999999999998"])
def test_formula_noise_in_a_count_is_the_whole_number(raw):
    """A formula's cached value as Excel writes it (17 digits; .ods keeps them, openpyxl's .xlsx would round)."""
    from builders import build_ods
    s = valid_submission_sheets()
    s["学校名册"][1][5] = raw
    result = validate_workbook(build_ods(s), "云岭县_2026-10.ods")
    assert errors(result) == []
    assert result.tables["school"]["students"][0] == 1966


def test_a_count_that_is_not_nearly_whole_is_still_refused():
    from builders import build_ods
    s = valid_submission_sheets()
    s["学校名册"][1][5] = 1965.99999
    (issue,) = errors(validate_workbook(build_ods(s), "云岭县_2026-10.ods"))
    assert issue.message == "学校名册 第2行「在校生数」:值「1965.99999」不是整数,应填写1–10000之间的整数"


def test_count_cell_formatted_as_a_date_says_so():
    from datetime import date
    s = valid_submission_sheets()
    s["学校名册"][1][6] = date(1900, 2, 12)  # 43 typed into a cell formatted as a date
    (issue,) = errors(validate(s))
    assert issue.message == ("学校名册 第2行「教学班数」:值「1900-02-12」是日期,因为单元格格式为日期;"
                             "应将该单元格格式改为“常规”或“数值”,再以数字填写1–300之间的整数")
    assert (issue.row, issue.column, issue.value) == (2, "教学班数", "1900-02-12")


def test_header_variants_and_unknown_column():
    s = valid_submission_sheets()
    header = s["体育"][0]
    header[2] = "体育课周课时（1-2年级）"
    header[6] = "日均校内体育活动时间\n(分钟)"
    header[3] = "三至六年级体育课时"
    for row in s["体育"]:
        row.append("备用" if row is header else 1)
    result = validate(s)
    assert errors(result) == []
    (warning,) = result.issues
    assert warning.message == "体育 第1行「备用」:不是本表的列,已忽略"


def test_missing_required_column_lists_headers_found():
    s = valid_submission_sheets()
    for row in s["作业"]:
        del row[5]
    (issue,) = errors(validate(s))
    assert issue.message.startswith("作业 第1行:缺少必填列「作业公示制度」,找到的表头:学校标识码、学校名称、")
    assert issue.column == "作业公示制度"


def test_missing_sheet_and_extra_sheet():
    s = valid_submission_sheets()
    del s["作业"]
    s["草稿"] = [["随便写的"]]
    result = validate(s)
    (err,) = errors(result)
    assert err.message == "缺少工作表「作业」(找到的工作表:填报说明、学校名册、体育、优质学校、草稿),请使用报送模板填写"
    assert any(i.severity == "warning" and i.sheet == "草稿" for i in result.issues)


def test_sheet_names_folded():
    s = valid_submission_sheets()
    s = {(" 体 育 " if k == "体育" else k): v for k, v in s.items()}
    result = validate(s)
    assert errors(result) == [] and result.rows["体育"] == 6


def test_garbage_never_raises():
    for data in (b"\x00" * 100, b"PK\x03\x04garbage", "中文".encode()):
        result = validate_workbook(data, "x.xlsx")
        assert not result.ok and result.issues[0].message


def test_overlong_text_is_refused_with_a_short_message():
    """A school name of 32,000 characters (pasted garbage, or a crafted file) is not a name: the cell is
    refused, and the message quotes its start and its length, not the whole text."""
    sheets = valid_submission_sheets()
    sheets["学校名册"][2][1] = "<b>某</b>" + "长" * 32_000
    sheets["体育"][3][6] = "约" * 5_000  # a long non-number in a number column: quoted short as well
    result = validate_workbook(build_workbook(sheets), "x.xlsx")
    errors = {(i.sheet, i.row, i.column): i.message for i in result.issues if i.severity == "error"}
    name = errors[("学校名册", 3, "学校名称")]
    assert "太长,应不超过100个字" in name and "(共32008个字)" in name and len(name) < 160
    minutes = errors[("体育", 4, "日均校内体育活动时间(分钟)")]
    assert "不是数字" in minutes and "(共5000个字)" in minutes and len(minutes) < 160
    assert not result.ok


def test_minutes_in_min_and_quality_levels_in_everyday_words_are_read():
    sheets = valid_submission_sheets(n_schools=6)
    sheets["体育"][1][6], sheets["体育"][2][6] = "60min", "45 min"
    q = sheets["优质学校"]
    q[1][1], q[2][1], q[2][2] = "市级优质校", "未认定", None
    parsed = validate_workbook(build_workbook(sheets), "云岭县_2026-10.xlsx")
    assert parsed.ok and not parsed.issues
    assert parsed.tables["pe"]["activity_minutes"].tolist()[:2] == [60.0, 45.0]
    assert parsed.tables["quality"]["level"].tolist()[:2] == ["市级", "无"]


def test_an_optional_sheet_with_only_codes_is_not_sent_and_says_so():
    """优质学校 with the roster's codes pasted in and nothing else: not sent this month (its last values carry
    forward), with a warning; the rest of the workbook is accepted."""
    sheets = valid_submission_sheets(n_schools=6)
    sheets["优质学校"] = [sheets["优质学校"][0], *([row[0]] + [None] * 9 for row in sheets["学校名册"][1:])]
    parsed = validate_workbook(build_workbook(sheets), "云岭县_2026-10.xlsx")
    assert parsed.ok and len(parsed.tables.get("quality", ())) == 0  # as the template's untouched sheet
    assert all(len(parsed.tables[k]) == 6 for k in ("school", "pe", "homework"))
    assert [i.message for i in parsed.issues] == [
        "优质学校:只有学校标识码或名称,没有填写数据,本月按未报送此表处理(继续沿用以前报送的数据);如需更新,应填写各列后重新报送"]
    sheets["优质学校"][1][1] = "市级"  # one value: the sheet was meant to be sent, so its blanks are errors
    assert not validate_workbook(build_workbook(sheets), "云岭县_2026-10.xlsx").ok
