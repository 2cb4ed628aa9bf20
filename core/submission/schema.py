"""The submission format as pydantic row models: one model per sheet, one field per DB column.

Each field carries a `Col` (header, aliases, kind, requiredness, band, range, unit words,
Chinese hint) in `json_schema_extra["col"]`; the reader, the validator and the template
generator all read the format from here (see docs/submission-format.md).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticUndefined

from core.submission.bands import SCHOOL_TYPES

Kind = Literal["code", "text", "int", "num", "bool", "enum"]
# yes: always required · no: optional · band: required iff the school covers `band`
# compulsory: required iff 义务教育学校 · if_level: required iff 优质学校认定等级 ≠ 无
Req = Literal["yes", "no", "band", "compulsory", "if_level"]

LOCALES = ("城区", "镇区", "乡村")
QUALITY_LEVELS = ("无", "县级", "市级", "省级")
# Unambiguous words clerks write for a listed value (probe N16): (word, listed value). The cell is read,
# and stored, as the listed value; folded like the values (spaces, full-width forms).
SCHOOL_TYPE_SYNONYMS = (("初中", "初级中学"), ("高中", "高级中学"), ("九年一贯制", "九年一贯制学校"),
                        ("十二年一贯制", "十二年一贯制学校"), ("完中", "完全中学"))
LOCALE_SYNONYMS = (("城市", "城区"), ("镇", "镇区"), ("农村", "乡村"))
QUALITY_LEVEL_SYNONYMS = (*((f"{level}{suffix}", level) for level in QUALITY_LEVELS if level != "无"
                            for suffix in ("优质学校", "优质校")), ("未认定", "无"))
FIRST_QUALITY_YEAR = 2015
CODE_PATTERN = r"^\d{10}$"
DB_INT_MAX = 2**31 - 1  # an int column without its own upper bound still has to fit DuckDB's INTEGER
TEXT_MAX = 100  # characters of a text cell (a school's full name is under 40): a county file is not a store


@dataclass(frozen=True)
class Col:
    """One column of a sheet: how it is written, read and checked."""

    header: str
    kind: Kind
    req: Req = "yes"
    aliases: tuple[str, ...] = ()
    band: str | None = None
    lo: float | None = None
    hi: float | None = None
    units: tuple[str, ...] = ()
    enum: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, str], ...] = ()  # (word, one of enum) read as that value
    expected: str = ""
    name: str = ""  # DB column; filled in by columns()

    @property
    def required(self) -> bool:
        """True when every cell of the column must be filled."""
        return self.req == "yes"


def col(header: str, kind: Kind, *, req: Req = "yes", **kw: Any) -> Any:
    """A pydantic Field carrying the column's Col metadata and its range constraints."""
    meta = Col(header=header, kind=kind, req=req, **kw)
    return Field(
        default=PydanticUndefined if req == "yes" else None,
        ge=meta.lo, le=meta.hi if meta.hi is not None or kind != "int" else DB_INT_MAX,
        pattern=CODE_PATTERN if kind == "code" else None,
        max_length=TEXT_MAX if kind == "text" else None,
        json_schema_extra={"col": asdict(meta)},
    )


_CODE = dict(aliases=("学校代码", "标识码", "学校编码"), expected="10位数字的学校标识码")
_COUNT = ("人", "名")


class Row(BaseModel):
    """Base of the sheet row models: frozen, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class SchoolRow(Row):
    """学校名册: one row per school."""

    school_id: str = col("学校标识码", "code", **_CODE)
    name: str = col("学校名称", "text", aliases=("学校", "校名"), expected="学校名称")
    county: str = col("所属县区", "text", aliases=("县区", "区县"), expected="本县区名称")
    school_type: Literal[SCHOOL_TYPES] = col(
        "学段类型", "enum", aliases=("办学类型", "学校类型"), enum=SCHOOL_TYPES, synonyms=SCHOOL_TYPE_SYNONYMS,
        expected="、".join(SCHOOL_TYPES) + "之一")
    locale: Literal[LOCALES] = col("城乡类型", "enum", aliases=("城乡",), enum=LOCALES, synonyms=LOCALE_SYNONYMS,
                                   expected="城区、镇区、乡村之一")
    students: int = col("在校生数", "int", aliases=("学生数",), lo=1, hi=10000, units=_COUNT,
                        expected="1–10000之间的整数")
    classes: int = col("教学班数", "int", aliases=("班级数",), lo=1, hi=300, units=("个", "班"),
                       expected="1–300之间的整数")
    teachers: int = col("专任教师数", "int", aliases=("教师数",), lo=1, hi=1000, units=_COUNT,
                        expected="1–1000之间的整数")


_LESSONS = dict(lo=0, hi=10, units=("节", "课时"), expected="0–10之间的周课时数")
_MINUTES = dict(lo=0, hi=300, units=("分钟", "分", "min"), expected="0–300之间的分钟数")


class PeRow(Row):
    """体育: PE lessons, daily activity and the annual fitness test."""

    school_id: str = col("学校标识码", "code", **_CODE)
    school_name: str | None = col("学校名称", "text", req="no", expected="学校名称")
    lessons_g12: float | None = col("体育课周课时(1-2年级)", "num", req="band", band="1-2",
                                    aliases=("一二年级体育课时",), **_LESSONS)
    lessons_g36: float | None = col("体育课周课时(3-6年级)", "num", req="band", band="3-6",
                                    aliases=("三至六年级体育课时",), **_LESSONS)
    lessons_g79: float | None = col("体育课周课时(初中)", "num", req="band", band="7-9",
                                    aliases=("初中体育课时",), **_LESSONS)
    lessons_g1012: float | None = col("体育课周课时(高中)", "num", req="band", band="10-12",
                                      aliases=("高中体育课时",), **_LESSONS)
    activity_minutes: float = col("日均校内体育活动时间(分钟)", "num",
                                  aliases=("校内体育活动时间", "每天体育活动时间"), **_MINUTES)
    fitness_tested: int | None = col("体质健康测试人数", "int", req="no", aliases=("体测人数",),
                                     lo=0, units=_COUNT, expected="不超过在校生数的整数")
    fitness_passed: int | None = col("体质健康及格人数", "int", req="no",
                                     aliases=("体测及格人数", "达标人数"), lo=0, units=_COUNT,
                                     expected="不超过测试人数的整数")
    fitness_good: int | None = col("体质健康优良人数", "int", req="no", aliases=("体测优良人数",),
                                   lo=0, units=_COUNT, expected="不超过及格人数的整数")


class HomeworkRow(Row):
    """作业: written homework by band, publicity, after-school service."""

    school_id: str = col("学校标识码", "code", **_CODE)
    school_name: str | None = col("学校名称", "text", req="no", expected="学校名称")
    g12_written: bool | None = col("一二年级布置书面家庭作业", "bool", req="band", band="1-2",
                                   aliases=("一二年级书面作业",), expected="是或否")
    g36_minutes: float | None = col("三至六年级日均书面作业时长(分钟)", "num", req="band", band="3-6",
                                    aliases=("三至六年级作业时长",), **_MINUTES)
    g79_minutes: float | None = col("初中日均书面作业时长(分钟)", "num", req="band", band="7-9",
                                    aliases=("初中作业时长",), **_MINUTES)
    publicity: bool = col("作业公示制度", "bool", aliases=("作业公示",), expected="是或否")
    afterschool: int | None = col("课后服务参与学生数", "int", req="compulsory",
                                  aliases=("课后服务人数",), lo=0, units=_COUNT,
                                  expected="不超过在校生数的整数")


_TEACHERS = dict(lo=0, units=_COUNT, expected="不超过专任教师数的整数")


class QualityRow(Row):
    """优质学校: quality level and resources (optional sheet, carried forward)."""

    school_id: str = col("学校标识码", "code", **_CODE)
    school_name: str | None = col("学校名称", "text", req="no", expected="学校名称")
    level: Literal[QUALITY_LEVELS] = col("优质学校认定等级", "enum", aliases=("认定等级", "优质学校等级"),
                                         enum=QUALITY_LEVELS, synonyms=QUALITY_LEVEL_SYNONYMS,
                                         expected="无、县级、市级、省级之一")
    year: int | None = col("认定年份", "int", req="if_level", aliases=("认定时间",),
                           lo=FIRST_QUALITY_YEAR, units=("年",), expected="2015年至报送年份之间的年份")
    higher_degree_teachers: int = col("高于规定学历教师数", "int", aliases=("高学历教师数",), **_TEACHERS)
    backbone_teachers: int = col("县级及以上骨干教师数", "int", aliases=("骨干教师数",), **_TEACHERS)
    pe_art_teachers: int = col("体育艺术专任教师数", "int", aliases=("体艺教师数", "音体美教师数"),
                               **_TEACHERS)
    teaching_area: float = col("教学及辅助用房面积(平方米)", "num", aliases=("教学及辅助用房面积",),
                               lo=0, units=("平方米", "㎡", "m2", "m²"), expected="不小于0的面积(平方米)")
    sports_area: float = col("体育运动场馆面积(平方米)", "num", aliases=("体育运动场馆面积", "运动场面积"),
                             lo=0, units=("平方米", "㎡", "m2", "m²"), expected="不小于0的面积(平方米)")
    equipment_value: float = col("教学仪器设备值(万元)", "num", aliases=("教学仪器设备值",),
                                 lo=0, units=("万元",), expected="不小于0的金额(万元)")
    multimedia_rooms: int = col("网络多媒体教室数", "int", aliases=("多媒体教室数",),
                                lo=0, units=("间", "个"), expected="不小于0的整数")


_YES_NO = dict(expected="是或否")


class WholeChildRow(Row):
    """综合育人: labour-education lessons, mental-health teachers, 家长学校 and 家长委员会.

    Optional sheet, sent at least once a school year; carried forward 12 months.
    """

    school_id: str = col("学校标识码", "code", **_CODE)
    school_name: str | None = col("学校名称", "text", req="no", expected="学校名称")
    labor_lessons: float = col("劳动教育周课时", "num", aliases=("劳动教育课时", "劳动课周课时"), **_LESSONS)
    # a two-row 统计表 header 「心理健康教师数」 over 「专职」「兼职」 reads as 心理健康教师数(专职)
    psych_fulltime: int = col("专职心理健康教师数", "int",
                              aliases=("专职心理教师数", "心理健康教师数(专职)", "心理健康教师(专职)"), **_TEACHERS)
    psych_parttime: int | None = col("兼职心理健康教师数", "int", req="no",
                                     aliases=("兼职心理教师数", "心理健康教师数(兼职)", "心理健康教师(兼职)"),
                                     **_TEACHERS)
    parent_school: bool = col("合格家长学校", "bool", aliases=("家长学校", "是否建成合格家长学校"), **_YES_NO)
    parent_committee: bool = col("家长委员会", "bool", aliases=("是否建立家长委员会",), **_YES_NO)


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook: key (= DB table), Chinese name, aliases, row model."""

    key: str
    name: str
    model: type[Row]
    required: bool = True
    aliases: tuple[str, ...] = ()


SHEETS: dict[str, Sheet] = {
    "school": Sheet("school", "学校名册", SchoolRow, aliases=("名册", "学校名单", "学校基本情况", "学校基本信息")),
    "pe": Sheet("pe", "体育", PeRow, aliases=("体育工作", "体育统计")),
    "homework": Sheet("homework", "作业", HomeworkRow, aliases=("作业管理", "作业统计")),
    "quality": Sheet("quality", "优质学校", QualityRow, required=False, aliases=("优质均衡",)),
    "whole_child": Sheet("whole_child", "综合育人", WholeChildRow, required=False,
                         aliases=("综合育人情况", "综合育人统计")),
}
# How clerks decorate a sheet's name (patterns on the folded name: NFKC, no spaces, brackets as ()): removed, over
# and over, before a name is compared with the sheets' names and aliases (core/submission/sheetnames.py).
SHEET_NAME_DECORATIONS: tuple[str, ...] = (
    r"\(\d{1,2}\)$",  # 学校名册 (2): Excel's and WPS's name for a copied sheet
    r"^附?表[\d一二三四五六七八九十]+[-.、_:]?",  # 表1 学校名册, 表2-体育, 附表3
    r"^[\d一二三四五六七八九十]+[-.、_:]",  # 1.学校名册, 2、体育
    r"\((20\d{2}年)?\d{1,2}月份?\)",  # 体育(10月), 优质学校(3月), 作业(2026年10月)
    r"^(20\d{2}年)?\d{1,2}月份?",  # 10月体育, 2026年10月作业
    r"[-_]?(20\d{2}年)?\d{1,2}月份?$",  # 体育10月, 作业-10月
    r"(工作情况|情况|统计表|统计|工作|表)$",  # 学校名册表, 体育工作情况, 优质学校情况, 综合育人工作
)
INSTRUCTIONS_SHEET = "填报说明"
COUNTY_LABEL = "县区"
PERIOD_LABEL = "报送月份"
# Other ways a 填报说明 label is written; a `*`/`★`/`※` mark, a trailing colon and a trailing bracket
# such as (YYYY-MM) or (必填) are dropped before comparing (core/submission/instructions.py).
INSTRUCTION_LABELS: dict[str, tuple[str, ...]] = {
    COUNTY_LABEL: ("县区名称", "区县", "区县名称", "县(区)", "报送县区", "填报县区"),
    PERIOD_LABEL: ("报送年月", "填报月份", "统计月份", "数据月份"),
}

# DB columns not in the workbook: a data sheet's 学校名称 is only compared with the roster.
NOT_STORED = frozenset({"school_name"})


def columns(model: type[Row]) -> list[Col]:
    """The model's columns in sheet order, each with its DB column name filled in."""
    return list(_columns(model))  # a fresh list; the Cols are frozen


@lru_cache(maxsize=None)
def _columns(model: type[Row]) -> tuple[Col, ...]:
    out = []
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra or {}
        meta = dict(extra["col"])  # type: ignore[index]
        meta["name"] = name
        for key in ("aliases", "units", "enum"):
            meta[key] = tuple(meta[key])
        meta["synonyms"] = tuple((word, value) for word, value in meta["synonyms"])
        out.append(Col(**meta))
    return tuple(out)


def db_columns(model: type[Row]) -> list[str]:
    """The DB table's columns (minus submission_id) that this model fills, in order."""
    return [c.name for c in columns(model) if c.name not in NOT_STORED]
