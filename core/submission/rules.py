"""Cross-row rules: each is a function of the parsed workbook returning issues (never raising).

`RULES` is the tuple the validator loops over; an exception inside one becomes an issue
naming it. County and month are determined first (`determine_county_period`) because
several rules depend on them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from core.month import find_month, period_label
from core.reading.cells import display, fold, is_blank
from core.submission.bands import BANDS, covers, is_compulsory
from core.submission.issues import Issue
from core.submission.messages import rule_issue
from core.submission.parsed import SheetPlaces
from core.submission.schema import COUNTY_LABEL, PERIOD_LABEL, Col, Row

MAX_CLASS_SIZE = 80  # 在校生数/教学班数 above this is a warning (submission-format.md)


@dataclass
class Record:
    """One data row: Excel row number, normalised values by DB column, the validated model or None."""

    row: int
    values: dict[str, object]
    model: Row | None = None


@dataclass
class ParsedSheet:
    """A sheet after cell validation: its name as written, headers as written, rows."""

    key: str
    label: str
    headers: dict[str, str]  # DB column -> header as written
    records: list[Record]
    columns: dict[str, Col] = field(default_factory=dict)

    def where(self, rec: Record, name: str) -> dict:
        """Keyword arguments locating a cell of this sheet for rule_issue."""
        return {"sheet": self.label, "row": rec.row, "column": self.headers.get(name, self.columns[name].header)}

    def valid(self) -> list[Record]:
        """Rows whose every cell passed the row model."""
        return [r for r in self.records if r.model is not None]

    def places(self) -> SheetPlaces:
        """Where the valid rows (the stored table's rows, in order) and columns are in the file."""
        headers = {name: self.headers.get(name, c.header) for name, c in self.columns.items()}
        return SheetPlaces(self.label, headers, [r.row for r in self.valid()])


@dataclass
class Context:
    """Everything the rules see."""

    file_name: str
    sheets: dict[str, ParsedSheet]
    county: str | None = None
    period: str | None = None
    _roster: dict[str, Row] | None = field(default=None, repr=False)

    def roster(self) -> dict[str, Row]:
        """School code -> valid 学校名册 row (computed once)."""
        if self._roster is None:
            sheet = self.sheets.get("school")
            self._roster = {r.model.school_id: r.model for r in sheet.valid()} if sheet else {}
        return self._roster


# ---- county and month -------------------------------------------------------------------

def instruction_labels(rows: list[list]) -> dict[str, tuple[int, object]]:
    """Folded label -> (Excel row, value) for label cells followed by a value on the same row."""
    out: dict[str, tuple[int, object]] = {}
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if is_blank(cell):
                continue
            key = fold(cell).rstrip(":")
            rest = [v for v in row[j + 1:] if not is_blank(v)]
            if key in (fold(COUNTY_LABEL), fold(PERIOD_LABEL)) and rest and key not in out:
                out[key] = (i + 1, rest[0])
    return out


def determine_county_period(ctx: Context, instructions: list[list] | None) -> list[Issue]:
    """Set ctx.county/ctx.period from 填报说明, else roster + file name; issues when impossible or disagreeing."""
    issues: list[Issue] = []
    labels = instruction_labels(instructions or [])
    county_cell = labels.get(fold(COUNTY_LABEL))
    period_cell = labels.get(fold(PERIOD_LABEL))
    roster = ctx.sheets.get("school")
    counties = Counter(str(r.values["county"]) for r in roster.records
                       if not is_blank(r.values.get("county"))) if roster else Counter()
    if county_cell is not None:
        ctx.county = display(county_cell[1])
    elif len(counties) == 1:
        ctx.county = next(iter(counties))
    elif len(counties) > 1:
        (a, _), (b, _) = counties.most_common(2)
        issues.append(rule_issue("county_disagree", first="学校名册「所属县区」", a=a, second="另一些行", b=b,
                                 sheet=roster.label))
    else:
        issues.append(rule_issue("county_unknown"))
    from_name = find_month(ctx.file_name)
    if period_cell is not None:
        ctx.period = find_month(period_cell[1])
        if ctx.period is None:
            issues.append(rule_issue("period_invalid", sheet="填报说明", row=period_cell[0],
                                     column=PERIOD_LABEL, value=display(period_cell[1])))
        elif from_name and from_name != ctx.period:
            issues.append(rule_issue("period_disagree", a=ctx.period, file=ctx.file_name, b=from_name))
    elif from_name:
        ctx.period = from_name
    else:
        issues.append(rule_issue("period_unknown", file=ctx.file_name, example="县区2026年10月.xlsx"))
    return issues


# ---- rules -----------------------------------------------------------------------------

def unique_codes(ctx: Context) -> list[Issue]:
    """A school appears at most once in each sheet."""
    issues = []
    for sheet in ctx.sheets.values():
        first: dict[object, int] = {}
        for rec in sheet.records:
            code = rec.values.get("school_id")
            if is_blank(code):
                continue
            if code in first:
                issues.append(rule_issue("duplicate_code", value=code, first=first[code],
                                         **sheet.where(rec, "school_id")))
            else:
                first[code] = rec.row
    return issues


def codes_in_roster(ctx: Context) -> list[Issue]:
    """Every school in 体育/作业/优质学校/综合育人 is in this workbook's 学校名册."""
    roster = ctx.sheets.get("school")
    if roster is None:
        return []
    known = {r.values.get("school_id") for r in roster.records}
    return [rule_issue("unknown_code", value=rec.values["school_id"], **sheet.where(rec, "school_id"))
            for key, sheet in ctx.sheets.items() if key != "school"
            for rec in sheet.records
            if not is_blank(rec.values.get("school_id")) and rec.values["school_id"] not in known]


def county_matches(ctx: Context) -> list[Issue]:
    """所属县区 equals the workbook's county."""
    roster = ctx.sheets.get("school")
    if roster is None or ctx.county is None:
        return []
    folded = fold(ctx.county)
    return [rule_issue("county_mismatch", value=rec.values["county"], county=ctx.county,
                       **roster.where(rec, "county"))
            for rec in roster.records
            if not is_blank(rec.values.get("county")) and rec.values["county"] != ctx.county
            and fold(rec.values["county"]) != folded]


def _is_zero(value: object) -> bool:
    return value is False or (isinstance(value, (int, float)) and value == 0)


def band_columns(ctx: Context) -> list[Issue]:
    """If-applicable columns: required when the school covers the band, blank (0 = blank, warned) otherwise."""
    issues = []
    roster = ctx.roster()
    for sheet in ctx.sheets.values():
        conditional = [c for c in sheet.columns.values() if c.req in ("band", "compulsory")]
        if not conditional:
            continue
        applies_to: dict[str | None, list[tuple[Col, bool]]] = {}  # school type -> (column, applies)
        for rec in sheet.valid():
            school = roster.get(rec.model.school_id)
            if school is None:
                continue
            stype = school.school_type
            if stype not in applies_to:
                applies_to[stype] = [(c, covers(stype, c.band) if c.req == "band" else is_compulsory(stype))
                                     for c in conditional]
            values = rec.model.__dict__  # the model's field values
            for c, applies in applies_to[stype]:
                value = values[c.name]
                if applies == (value is not None):
                    continue  # filled where it applies, blank where it does not: nothing to say
                band = BANDS.get(c.band or "", "")
                at = sheet.where(rec, c.name)
                if applies and value is None:
                    key = "band_required" if c.req == "band" else "compulsory_required"
                    issues.append(rule_issue(key, school_type=stype, band=band, expected=c.expected, **at))
                elif not applies and value is not None:
                    if _is_zero(value):
                        issues.append(rule_issue("band_zero", "warning", school_type=stype,
                                                 band=band or "义务教育年级", value=display(value), **at))
                    else:
                        key = "band_blank" if c.req == "band" else "compulsory_blank"
                        issues.append(rule_issue(key, school_type=stype, band=band, value=display(value), **at))
    return issues


# (sheet, column, other column or None for the roster's own limit, roster field)
_LIMITS = (
    ("homework", "afterschool", None, "students"),
    ("pe", "fitness_tested", None, "students"),
    ("pe", "fitness_passed", "fitness_tested", None),
    ("pe", "fitness_good", "fitness_passed", None),
    ("quality", "higher_degree_teachers", None, "teachers"),
    ("quality", "backbone_teachers", None, "teachers"),
    ("quality", "pe_art_teachers", None, "teachers"),
    ("whole_child", "psych_fulltime", None, "teachers"),
    ("whole_child", "psych_parttime", None, "teachers"),
)
_ROSTER_WORDS = {"students": "在校生数", "teachers": "专任教师数"}


def count_limits(ctx: Context) -> list[Issue]:
    """Counts within their limits: 测试 ≤ 在校生数, 及格 ≤ 测试, 优良 ≤ 及格, teachers ≤ 专任教师数…"""
    issues = []
    roster = ctx.roster()
    for key, name, other, roster_field in _LIMITS:
        sheet = ctx.sheets.get(key)
        if sheet is None:
            continue
        for rec in sheet.valid():
            value = getattr(rec.model, name)
            if value is None:
                continue
            expected = sheet.columns[name].expected
            if other is not None:
                limit = getattr(rec.model, other)
                if limit is not None and value > limit:
                    issues.append(rule_issue("over_other", value=value, limit=limit, expected=expected,
                                             other=sheet.headers.get(other, sheet.columns[other].header),
                                             **sheet.where(rec, name)))
                continue
            school = roster.get(rec.model.school_id)
            limit = getattr(school, roster_field, None)
            if limit is not None and value > limit:
                if roster_field == "students":
                    issues.append(rule_issue("over_students", value=value, limit=limit, expected=expected,
                                             **sheet.where(rec, name)))
                else:
                    issues.append(rule_issue("over_other", value=value, limit=limit, expected=expected,
                                             other=f"学校名册「{_ROSTER_WORDS[roster_field]}」",
                                             **sheet.where(rec, name)))
    return issues


def fitness_all_or_none(ctx: Context) -> list[Issue]:
    """The three 体质健康 columns are filled together or left blank together."""
    sheet = ctx.sheets.get("pe")
    if sheet is None:
        return []
    names = ("fitness_tested", "fitness_passed", "fitness_good")
    return [rule_issue("fitness_partial", sheet=sheet.label, row=rec.row)
            for rec in sheet.valid()
            if 0 < sum(getattr(rec.model, n) is not None for n in names) < 3]


def quality_year(ctx: Context) -> list[Issue]:
    """认定年份 is required when the level is not 无, and lies in 2015..the submission year."""
    sheet = ctx.sheets.get("quality")
    if sheet is None:
        return []
    year = int(ctx.period[:4]) if ctx.period else None
    issues = []
    for rec in sheet.valid():
        m = rec.model
        if m.level != "无" and m.year is None:
            issues.append(rule_issue("year_required", level=m.level, expected=sheet.columns["year"].expected,
                                     **sheet.where(rec, "year")))
        elif m.year is not None and year is not None and m.year > year:
            issues.append(rule_issue("year_range", value=m.year, year=year,
                                     expected=sheet.columns["year"].expected, **sheet.where(rec, "year")))
    return issues


def class_size(ctx: Context) -> list[Issue]:
    """More than 80 students per class is a warning (likely a typo)."""
    sheet = ctx.sheets.get("school")
    if sheet is None:
        return []
    return [rule_issue("class_size", "warning", students=r.model.students, classes=r.model.classes,
                       size=r.model.students / r.model.classes, value=r.model.classes,
                       **sheet.where(r, "classes"))
            for r in sheet.valid() if r.model.students > MAX_CLASS_SIZE * r.model.classes]


def names_match_roster(ctx: Context) -> list[Issue]:
    """A 学校名称 in 体育/作业 that differs from the roster is a warning."""
    roster = ctx.roster()
    issues = []
    for key in ("pe", "homework"):
        sheet = ctx.sheets.get(key)
        for rec in sheet.valid() if sheet else []:
            school = roster.get(rec.model.school_id)
            name = getattr(rec.model, "school_name", None)
            if school and name and name != school.name and fold(name) != fold(school.name):
                issues.append(rule_issue("name_differs", "warning", value=name, roster=school.name,
                                         **sheet.where(rec, "school_name")))
    return issues


def roster_coverage(ctx: Context) -> list[Issue]:
    """Every roster school should have a row in 体育 and 作业 (warning: the school_coverage indicator counts it)."""
    roster = ctx.roster()
    issues = []
    for key in ("pe", "homework"):
        sheet = ctx.sheets.get(key)
        if sheet is None:
            continue
        present = {r.values.get("school_id") for r in sheet.records}
        issues += [rule_issue("not_reported", "warning", sheet=sheet.label, name=s.name, code=code)
                   for code, s in roster.items() if code not in present]
    return issues


# ---- against stored data (run by the upload gate, core.submission.gate) ---------------------

def codes_of_other_counties(places: SheetPlaces, codes: list[str],
                            owners: dict[str, list[tuple[str, str]]]) -> list[Issue]:
    """A 学校名册 code in force in another county's roster is an error naming that county.

    `codes` are the roster table's codes in table order (`places` locates them); `owners` maps a
    code to the (county, month) of the other counties' newest rosters that hold it.
    """
    return [rule_issue("code_other_county", value=code, owner="、".join(c for c, _ in owners[code]),
                       month="、".join(sorted({period_label(m) for _, m in owners[code]})),
                       **places.where(n, "school_id"))
            for n, code in enumerate(codes) if code in owners]


RULES = (unique_codes, codes_in_roster, county_matches, band_columns, count_limits,
         fitness_all_or_none, quality_year, class_size, names_match_roster, roster_coverage)


def run_rules(ctx: Context) -> list[Issue]:
    """Every rule's issues, in RULES order; a crashing rule becomes an error naming it."""
    issues: list[Issue] = []
    for rule in RULES:
        try:
            issues += rule(ctx)
        except Exception as exc:  # a bug in a rule must not crash the upload
            issues.append(rule_issue("rule_crashed", rule=rule.__name__, error=type(exc).__name__))
    return issues
