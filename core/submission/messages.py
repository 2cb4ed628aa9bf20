"""Every Chinese message about a workbook's content, as data.

Shape: `<sheet> 第<row>行「<column as written>」:值「<value>」<problem>,应<what to do>`.
CELL_MESSAGES is keyed by pydantic error type (plus 'excel_error'); RULE_MESSAGES by rule.
"""
from __future__ import annotations

from core.submission.issues import Issue, Severity

CELL_MESSAGES: dict[str, str] = {
    "missing": "{where}:未填写,应填写{expected}",
    "excel_error": "{where}:值「{value}」是Excel错误值(公式出错),应填写{expected}",
    # a number column's cell formatted as a date or time: Excel shows the number typed (43) as 1900/2/12
    "date_cell": "{where}:值「{value}」是{what},因为单元格格式为{what};应将该单元格格式改为“常规”或“数值”,"
                 "再以数字填写{expected}",
    # a not-applicable mark (cells.NA_MARKS) in a number column that every school fills / may leave blank
    "na_required": "{where}:值「{value}」表示不适用,但此列每所学校都必须填写,不能填不适用或留空,应填写{expected}",
    "na_optional": "{where}:值「{value}」已按不适用/未填处理(视为空白,即本月未报送此项);此列可直接留空,"
                   "如实际为0应填写0",
    "float_parsing": "{where}:值「{value}」不是数字,应填写{expected}",
    "float_type": "{where}:值「{value}」不是数字,应填写{expected}",
    "finite_number": "{where}:值「{value}」不是数字,应填写{expected}",
    "int_parsing": "{where}:值「{value}」不是整数,应填写{expected}",
    "int_type": "{where}:值「{value}」不是整数,应填写{expected}",
    "int_from_float": "{where}:值「{value}」不是整数,应填写{expected}",
    "greater_than_equal": "{where}:值「{value}」小于{ge},应填写{expected}",
    "greater_than": "{where}:值「{value}」太小,应填写{expected}",
    "less_than_equal": "{where}:值「{value}」大于{le},应填写{expected}",
    "less_than": "{where}:值「{value}」太大,应填写{expected}",
    "bool_parsing": "{where}:值「{value}」不是“是/否”,应填写{expected}",
    "bool_type": "{where}:值「{value}」不是“是/否”,应填写{expected}",
    "literal_error": "{where}:值「{value}」不是可选的值,应填写{expected}",
    "string_pattern_mismatch": "{where}:值「{value}」不是10位数字,应填写{expected}",
    "string_type": "{where}:值「{value}」不是文字,应填写{expected}",
    "string_too_long": "{where}:值「{value}」太长,应不超过{max_length}个字",
}
FALLBACK = "{where}:值「{value}」不符合要求,应填写{expected}"

RULE_MESSAGES: dict[str, str] = {
    "missing_sheet": "缺少工作表「{sheet}」(找到的工作表:{found}),请使用报送模板填写",
    "extra_sheet": "工作表「{sheet}」不是报送表的一部分,已忽略",
    "sheet_renamed": "工作表「{sheet}」已按「{wanted}」读取,请核实;报送模板中此表名为「{wanted}」",
    "sheet_copy_ignored": "工作表「{sheet}」和「{used}」都像是「{wanted}」表,已读取名称相符的「{used}」,"
                          "「{sheet}」已忽略;如要报送的是「{sheet}」,请删除另一张并将其改名为「{wanted}」",
    "sheet_ambiguous": "工作表{names}都像是「{wanted}」表,无法确定读取哪一张;请只保留要报送的一张,并改名为「{wanted}」",
    "sheet_looks_like": "工作表「{sheet}」像是「{wanted}」表,但未能识别,未读取;请改名为「{wanted}」",
    "no_header": "{sheet}:找不到表头行(前{n}行中没有一行包含半数以上的必填列名),应包含:{expected};"
                 "找到的表头:{found}",
    "missing_column": "{sheet} 第{row}行:缺少必填列「{column}」,找到的表头:{found}",
    "extra_column": "{where}:不是本表的列,已忽略",
    "duplicate_column": "{where}:第{letter}列与第{first}列「{first_header}」是同一列,内容相同,已忽略此列",
    "conflicting_columns": "{where}:第{letter}列与第{first}列「{first_header}」是同一列,但数值不同,无法确定以哪一列为准;"
                           "应删除多余的一列(包括隐藏的列)后重新报送",
    "wrong_unit": "{where}:表头的单位是「{unit}」,本列应按「{header}」填写;应把数值换算后,将表头改为「{header}」",
    "not_a_school": "{where}:值「{value}」没有学校标识码,也没有数值,不是学校数据,已跳过",
    "no_rows": "{sheet}:没有学校数据行",
    "names_only": "{sheet}:只有学校标识码或名称,没有填写数据,本月按未报送此表处理(继续沿用以前报送的数据);"
                  "如需更新,应填写各列后重新报送",
    "duplicate_code": "{where}:值「{value}」与第{first}行重复,每所学校只能填写一行",
    "unknown_code": "{where}:值「{value}」不在本表「学校名册」中,应先在学校名册中填写该校",
    "code_other_county": "{where}:学校标识码「{value}」属于{owner}({owner}{month}报送的学校名册中有该校),"
                         "一所学校只能由所属县区报送;应核对学校标识码,学校确已划转的,应由{owner}先报送不含该校的"
                         "学校名册,或联系实验区管理员",
    "moved_quality": "{where}:学校标识码「{value}」的学校原属{owner}({owner}{month}报送的优质学校情况中为{level}优质学校);"
                     "本表没有该校的优质学校情况,划转后该校在本县区不计入优质学校。如该校仍为{level}优质学校,"
                     "应在「优质学校」表中填写该校",
    "county_mismatch": "{where}:值「{value}」与本表县区「{county}」不一致,应填写{county}",
    "county_unknown": "无法确定报送县区:「填报说明」中没有「县区」,学校名册的「所属县区」也无法确定,"
                      "应在「填报说明」填写县区",
    "county_outside": "县区「{county}」不是本实验区的县区(实验区县区:{counties}),应核对「填报说明」中的县区"
                      "或学校名册中的所属县区",
    "county_not_a_name": "县区「{county}」不是县区名称(应以{endings}结尾,如{example}),应核对「填报说明」中的县区"
                         "或学校名册中的所属县区",
    # a workbook received before the version of its county × month already stored (a back-loaded e-mail)
    "backloaded": "本文件的收到时间早于该县区{month}已有的版本(第{id}号,{received}收到):已存入报送历史,"
                  "不替换现行数据;如本文件才是应生效的版本,应重新报送或联系实验区管理员",
    "county_bureau": "{where}:值「{value}」是教育行政部门的名称,已按县区「{county}」读取{rows};此处应填写县区名称{county}",
    "county_disagree": "报送县区不一致:{first}为「{a}」,{second}为「{b}」,应统一为同一县区",
    "period_unknown": "无法确定报送月份:「填报说明」中没有「报送月份」,文件名「{file}」中也没有月份,"
                      "应在「填报说明」填写报送月份(如2026-10)或在文件名中写明(如{example})",
    "period_dated_name": "无法确定报送月份:「填报说明」中没有「报送月份」,文件名「{file}」中的「{date}」是日期(报送时间),"
                         "不作为报送月份;应在「填报说明」填写报送月份(如2026-10)或在文件名中写明月份(如{example})",
    "period_disagree": "报送月份不一致:「填报说明」为「{a}」,文件名「{file}」为「{b}」,应统一为同一月份",
    "period_no_year": "{where}:值「{value}」没有年份,已按文件名「{file}」读作{month};应填写如2026-10的报送月份",
    "period_invalid": "{where}:值「{value}」不是有效的月份,应填写如2026-10的报送月份",
    "period_ambiguous": "{where}:值「{value}」可能是{year}年1月,也可能是{year}年10月(在Excel中输入2026.10会变成数字2026.1),"
                        "应填写如{year}-10或{year}-01的报送月份",
    "period_ahead": "报送月份「{period}」晚于报送时间({received}),该月还没有数据,应核对「填报说明」中的报送月份"
                    "或文件名中的月份(上月数据应填写{last})",
    "period_current": "报送月份「{period}」是报送时间({received})所在的当月,本月尚未结束;如报送的是上月数据,"
                      "应将报送月份改为{last}",
    "band_required": "{where}:未填写,该校为{school_type},包含{band},应填写{expected}",
    "band_blank": "{where}:值「{value}」应为空,该校为{school_type},不含{band},应留空",
    "band_zero": "{where}:值「0」已按空白处理,该校为{school_type},不含{band},此列应留空",
    "band_na": "{where}:值「{value}」已按不适用处理(视为空白),该校为{school_type},不含{band},此列可直接留空",
    "band_na_required": "{where}:值「{value}」表示不适用,但该校为{school_type},包含{band},应填写{expected}",
    "compulsory_required": "{where}:未填写,该校为义务教育学校({school_type}),应填写{expected}",
    "compulsory_blank": "{where}:值「{value}」应为空,该校为{school_type},不属于义务教育学校,应留空",
    "compulsory_na": "{where}:值「{value}」已按不适用处理(视为空白),该校为{school_type},不属于义务教育学校,"
                     "此列可直接留空",
    "compulsory_na_required": "{where}:值「{value}」表示不适用,但该校为义务教育学校({school_type}),"
                              "应填写{expected}",
    "over_students": "{where}:值「{value}」超过该校在校生数{limit},应填写{expected}",
    "over_other": "{where}:值「{value}」超过{other}{limit},应填写{expected}",
    "fitness_zero": "{where}:体质健康测试人数为0,已按本月未测试处理(测试、及格、优良人数视为空白,沿用最近一次的"
                    "体测结果);未测试的月份这三列应留空",
    "fitness_partial": "{where}:体质健康测试、及格、优良人数只填了部分,应三列都填写或都留空",
    "year_required": "{where}:未填写,认定等级为「{level}」时应填写{expected}",
    "year_na": "{where}:值「{value}」已按不适用处理(视为空白),认定等级为「无」时此列可直接留空",
    "year_na_required": "{where}:值「{value}」表示不适用,但认定等级为「{level}」,应填写{expected}",
    "year_range": "{where}:值「{value}」不在2015–{year}之间,应填写{expected}",
    "class_size": "{where}:在校生数{students}÷教学班数{classes}={size:.0f}人/班,超过80人,请核实",
    "name_differs": "{where}:值「{value}」与学校名册中的「{roster}」不一致,请核实",
    "not_reported": "{sheet}:学校名册中的「{name}」({code})没有数据行,该校本月将按未报送计",
    "implausible": "{where}:{reason}",
    "roster_shrank": "{sheet}:本月{n}所学校,上月{m}所,少了{d}所(如{examples}),请核实是否漏填;学校确已撤并的,"
                     "可忽略本提示",
    # a correction without an optional sheet the replaced version had (core/submission/dropped.py)
    "optional_sheet_dropped": "{sheet}:本次报送没有「{sheet}」表,而被替换的{county}{period}报送({when})中有此表"
                              "({n}所学校);接收后,该县区{months}的「{sheet}」数据将{effect};如只是漏了此表,"
                              "请把此表补上重新报送",
    # a sheet carried forward a limited time, not sent as that time runs out (core/submission/dropped.py)
    "optional_sheet_last_month": "{sheet}:本次报送没有填写「{sheet}」表;{county}的「{sheet}」数据沿用{source}的报送,"
                                 "只能沿用{limit}个月,{period}是最后一个月,{next}起将变为无数据;请在{next}的报送中填写此表",
    "optional_sheet_ran_out": "{sheet}:本次报送没有填写「{sheet}」表;{county}最近一次含此表的是{source}的报送,"
                              "已超过{limit}个月,{period}起「{sheet}」各项数据为无数据;请填写此表后重新报送",
    "rule_crashed": "内部检查「{rule}」出错({error}),请联系管理员;本表暂不能接收",
}


def where(sheet: str, row: int | None, column: str | None) -> str:
    """`体育 第12行「列」` — the location part of a message."""
    text = sheet
    if row is not None:
        text += f" 第{row}行"
    if column:
        text += f"「{column}」"
    return text


VALUE_SHOWN = 80  # characters of a cell's value quoted in a message; a longer one is cut and its length told


def quoted(value: object) -> str | None:
    """A cell's value as a message quotes it: whole when short, else its start and its length."""
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= VALUE_SHOWN else f"{text[:VALUE_SHOWN]}…(共{len(text)}个字)"


def cell_message(error_type: str, *, value: object = None, **kw: object) -> str:
    """The Chinese message for a pydantic error type (or 'excel_error') at one cell."""
    return CELL_MESSAGES.get(error_type, FALLBACK).format(value=quoted(value), **kw)


def rule_issue(key: str, severity: Severity = "error", *, sheet: str | None = None, row: int | None = None,
               column: str | None = None, value: object = None, **kw: object) -> Issue:
    """An Issue with the RULE_MESSAGES text for `key`, located at sheet/row/column."""
    text_value = None if value is None else str(value)
    message = RULE_MESSAGES[key].format(where=where(sheet or "", row, column), sheet=sheet,
                                        row=row, column=column, value=quoted(text_value), **kw)
    return Issue(severity=severity, sheet=sheet, row=row, column=column, value=text_value, message=message)
