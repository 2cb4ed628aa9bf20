"""Cross-row rules: each is a function of the parsed workbook returning issues (never raising).

`RULES` is the tuple the validator loops over; an exception inside one becomes an issue
naming it. County and month are determined first (`determine_county_period`) because
several rules depend on them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from core.month import bare_month, file_name_date, file_name_month, find_month, is_ambiguous_month, period_label
from core.reading.cells import display, fold, is_blank
from core.submission.bands import BANDS, covers, is_compulsory
from core.submission.fitness import FITNESS, fitness_not_tested, fitness_zero
from core.submission.instructions import instruction_labels
from core.submission.issues import Issue
from core.submission.messages import rule_issue
from core.submission.parsed import SheetPlaces
from core.submission.schema import COUNTY_LABEL, PERIOD_LABEL, Col
from core.zone import county_of_bureau

MAX_CLASS_SIZE = 80  # 在校生数/教学班数 above this is a warning (submission-format.md)


@dataclass
class ParsedSheet:
    """A sheet after cell validation, column by column: its name and headers as written, and its data rows.

    `values[name][i]` is data row i's cell after normalisation (None: blank, or an Excel error), for every
    schema column (all None when the sheet has no such column); `valid` are the rows whose every cell
    passed the row model, and `fields[name][k]` is the model's value in the k-th of them. `marks` holds the
    not-applicable marks (`/`, `—`, `无`…) read as blank in conditional columns, by (data row, column), as
    written: the rules word their warning or error.
    """

    key: str
    label: str
    headers: dict[str, str]  # DB column -> header as written
    rows: list[int]  # Excel row of each data row
    values: dict[str, list]
    valid: list[int]
    fields: dict[str, list]
    columns: dict[str, Col] = field(default_factory=dict)
    marks: dict[tuple[int, str], str] = field(default_factory=dict)

    def where(self, i: int, name: str) -> dict:
        """Keyword arguments locating data row i's cell in column `name` for rule_issue."""
        return {"sheet": self.label, "row": self.rows[i], "column": self.headers.get(name, self.columns[name].header)}

    def where_valid(self, k: int, name: str) -> dict:
        """The same for the k-th valid row."""
        return self.where(self.valid[k], name)

    def valid_marks(self, name: str) -> dict[int, str]:
        """Valid row k -> the not-applicable mark read as blank in its column `name` (see `marks`)."""
        if not self.marks:
            return {}
        k_of = {i: k for k, i in enumerate(self.valid)}
        return {k_of[i]: mark for (i, n), mark in self.marks.items() if n == name and i in k_of}

    def places(self) -> SheetPlaces:
        """Where the valid rows (the stored table's rows, in order) and columns are in the file."""
        headers = {name: self.headers.get(name, c.header) for name, c in self.columns.items()}
        return SheetPlaces(self.label, headers, [self.rows[i] for i in self.valid])


@dataclass
class Context:
    """Everything the rules see."""

    file_name: str
    sheets: dict[str, ParsedSheet]
    county: str | None = None
    period: str | None = None
    _roster: dict[str, dict] = field(default_factory=dict, repr=False)

    def roster(self, name: str) -> dict[str, object]:
        """School code -> column `name` of its valid 学校名册 row (the last one for a repeated code; computed once)."""
        if name not in self._roster:
            sheet = self.sheets.get("school")
            self._roster[name] = dict(zip(sheet.fields["school_id"], sheet.fields[name])) if sheet else {}
        return self._roster[name]


# ---- county and month -------------------------------------------------------------------

def determine_county_period(ctx: Context, instructions: list[list] | None) -> list[Issue]:
    """Set ctx.county/ctx.period from 填报说明, else roster + file name; issues when impossible or disagreeing."""
    issues: list[Issue] = []
    labels = instruction_labels(instructions or [])
    county_cell = labels.get(fold(COUNTY_LABEL))
    period_cell = labels.get(fold(PERIOD_LABEL))
    roster = ctx.sheets.get("school")
    counties = Counter(_county_name(str(c)) for c in roster.values["county"] if not is_blank(c)) if roster else Counter()
    if county_cell is not None:
        written = display(county_cell[1])
        ctx.county = _county_name(written)
        if ctx.county != written:
            issues.append(rule_issue("county_bureau", "warning", sheet="填报说明", row=county_cell[0],
                                     column=COUNTY_LABEL, value=written, county=ctx.county, rows=""))
    elif len(counties) == 1:
        ctx.county = next(iter(counties))
    elif len(counties) > 1:
        (a, _), (b, _) = counties.most_common(2)
        issues.append(rule_issue("county_disagree", first="学校名册「所属县区」", a=a, second="另一些行", b=b,
                                 sheet=roster.label))
    else:
        issues.append(rule_issue("county_unknown"))
    from_name = file_name_month(ctx.file_name)  # a full date in the name is the send date, not the month
    if period_cell is not None:
        ctx.period = find_month(period_cell[1])
        if ctx.period is None and from_name and bare_month(period_cell[1]) == int(from_name[5:]):
            ctx.period = from_name  # 10月 without its year, in a file named for October 2026: that month
            issues.append(rule_issue("period_no_year", "warning", sheet="填报说明", row=period_cell[0],
                                     column=PERIOD_LABEL, value=display(period_cell[1]), file=ctx.file_name,
                                     month=period_label(from_name)))
        elif ctx.period is None:
            ambiguous = is_ambiguous_month(period_cell[1])
            issues.append(rule_issue("period_ambiguous" if ambiguous else "period_invalid", sheet="填报说明",
                                     row=period_cell[0], column=PERIOD_LABEL, value=display(period_cell[1]),
                                     year=int(period_cell[1]) if ambiguous else None))
        elif from_name and from_name != ctx.period:
            issues.append(rule_issue("period_disagree", a=ctx.period, file=ctx.file_name, b=from_name))
    elif from_name:
        ctx.period = from_name
    elif file_name_date(ctx.file_name):
        issues.append(rule_issue("period_dated_name", file=ctx.file_name, date=file_name_date(ctx.file_name),
                                 example="县区2026年10月.xlsx"))
    else:
        issues.append(rule_issue("period_unknown", file=ctx.file_name, example="县区2026年10月.xlsx"))
    return issues


def _county_name(written: str) -> str:
    """The county a cell names: 「松溪县教育局」 (its education bureau) is 松溪县; anything else as written."""
    return county_of_bureau(fold(written)) or written


# ---- rules -----------------------------------------------------------------------------

def _filled(values: list) -> set:
    """The distinct values of a column that are not blank."""
    distinct = set(values)
    distinct.discard(None)
    try:
        return set(filter(str.strip, distinct))  # all text (codes, names): one C-level pass
    except TypeError:  # numbers too
        return {v for v in distinct if not is_blank(v)}


def unique_codes(ctx: Context) -> list[Issue]:
    """A school appears at most once in each sheet."""
    issues = []
    for sheet in ctx.sheets.values():
        codes = sheet.values["school_id"]
        filled = _filled(codes)
        blanks = sum(codes.count(b) for b in set(codes) - filled)
        if len(codes) - blanks == len(filled):
            continue  # no code twice
        first: dict[object, int] = {}
        for i, code in enumerate(codes):
            if is_blank(code):
                continue
            if code in first:
                issues.append(rule_issue("duplicate_code", value=code, first=first[code],
                                         **sheet.where(i, "school_id")))
            else:
                first[code] = sheet.rows[i]
    return issues


def codes_in_roster(ctx: Context) -> list[Issue]:
    """Every school in 体育/作业/优质学校/综合育人 is in this workbook's 学校名册."""
    roster = ctx.sheets.get("school")
    if roster is None:
        return []
    known = set(roster.values["school_id"])
    issues = []
    for key, sheet in ctx.sheets.items():
        codes = sheet.values["school_id"]
        unknown = _filled(codes) - known
        if key != "school" and unknown:
            issues += [rule_issue("unknown_code", value=code, **sheet.where(i, "school_id"))
                       for i, code in enumerate(codes) if code in unknown]
    return issues


def county_matches(ctx: Context) -> list[Issue]:
    """所属县区 equals the workbook's county. The county's education bureau (「松溪县教育局」) is read
    as the county, stored so, with one warning per way of writing it."""
    roster = ctx.sheets.get("school")
    if roster is None or ctx.county is None:
        return []
    folded = fold(ctx.county)
    counties = roster.values["county"]
    issues, other = [], set()
    for written in sorted(c for c in _filled(counties) if c != ctx.county and fold(c) != folded):
        if fold(_county_name(str(written))) != folded:
            other.add(written)
            continue
        rows = [i for i, c in enumerate(counties) if c == written]
        issues.append(rule_issue("county_bureau", "warning", value=written, county=ctx.county,
                                 rows=f"(共{len(rows)}行)" if len(rows) > 1 else "", **roster.where(rows[0], "county")))
        roster.values["county"] = [ctx.county if c == written else c for c in counties]
        roster.fields["county"] = [ctx.county if c == written else c for c in roster.fields["county"]]
        counties = roster.values["county"]
    return issues + [rule_issue("county_mismatch", value=c, county=ctx.county, **roster.where(i, "county"))
                     for i, c in enumerate(counties) if c in other]


def _is_zero(value: object) -> bool:
    return value is False or (isinstance(value, (int, float)) and value == 0)


def band_columns(ctx: Context) -> list[Issue]:
    """If-applicable columns: required when the school covers the band, blank otherwise (0 or a
    not-applicable mark such as `/` there is read as blank, with a warning)."""
    issues = []
    types = ctx.roster("school_type")
    for sheet in ctx.sheets.values():
        conditional = [c for c in sheet.columns.values() if c.req in ("band", "compulsory")]
        if not conditional:
            continue
        stypes = [types.get(code) for code in sheet.fields["school_id"]]  # None: not in the roster
        kinds = set(stypes) - {None}
        found = []  # (valid row, column order, issue): issues row by row, columns in sheet order
        for order, c in enumerate(conditional):
            applies = {t: covers(t, c.band) if c.req == "band" else is_compulsory(t) for t in kinds}
            band = BANDS.get(c.band or "", "")
            prefix = "band" if c.req == "band" else "compulsory"
            marks = sheet.valid_marks(c.name)
            for k, (stype, value) in enumerate(zip(stypes, sheet.fields[c.name])):
                if stype is None or applies[stype] == (value is not None):
                    continue  # not a roster school, or filled where it applies and blank where it does not
                at = sheet.where_valid(k, c.name)
                if value is None and k in marks:
                    issue = rule_issue(f"{prefix}_na_required", school_type=stype, band=band, value=marks[k],
                                       expected=c.expected, **at)
                elif value is None:
                    issue = rule_issue(f"{prefix}_required", school_type=stype, band=band, expected=c.expected, **at)
                elif _is_zero(value):
                    issue = rule_issue("band_zero", "warning", school_type=stype, band=band or "义务教育年级",
                                       value=display(value), **at)
                else:
                    issue = rule_issue(f"{prefix}_blank", school_type=stype, band=band, value=display(value), **at)
                found.append((k, order, issue))
            for k, mark in marks.items():  # a mark where the column does not apply: blank, as it should be
                if stypes[k] is not None and not applies[stypes[k]]:
                    found.append((k, order, rule_issue(f"{prefix}_na", "warning", school_type=stypes[k], band=band,
                                                       value=mark, **sheet.where_valid(k, c.name))))
        issues += [issue for _, _, issue in sorted(found, key=lambda f: f[:2])]
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
    for key, name, other, roster_field in _LIMITS:
        sheet = ctx.sheets.get(key)
        if sheet is None:
            continue
        if other is not None:
            limits = sheet.fields[other]
        else:
            by_code = ctx.roster(roster_field)
            limits = [by_code.get(code) for code in sheet.fields["school_id"]]
        for k, (value, limit) in enumerate(zip(sheet.fields[name], limits)):
            if value is None or limit is None or not value > limit:
                continue
            expected = sheet.columns[name].expected
            if other is not None:
                issues.append(rule_issue("over_other", value=value, limit=limit, expected=expected,
                                         other=f"「{sheet.headers.get(other, sheet.columns[other].header)}」",
                                         **sheet.where_valid(k, name)))
            elif roster_field == "students":
                issues.append(rule_issue("over_students", value=value, limit=limit, expected=expected,
                                         **sheet.where_valid(k, name)))
            else:
                issues.append(rule_issue("over_other", value=value, limit=limit, expected=expected,
                                         other=f"学校名册的「{_ROSTER_WORDS[roster_field]}」",
                                         **sheet.where_valid(k, name)))
    return issues


def fitness_all_or_none(ctx: Context) -> list[Issue]:
    """The three 体质健康 columns are filled together or left blank together (a not-tested 0 counts as blank)."""
    sheet = ctx.sheets.get("pe")
    if sheet is None:
        return []
    not_tested = set(fitness_not_tested(sheet))
    return [rule_issue("fitness_partial", sheet=sheet.label, row=sheet.rows[sheet.valid[k]])
            for k, values in enumerate(zip(*(sheet.fields[n] for n in FITNESS)))
            if 0 < sum(v is not None for v in values) < 3 and k not in not_tested]


def quality_year(ctx: Context) -> list[Issue]:
    """认定年份 is required when the level is not 无, and lies in 2015..the submission year."""
    sheet = ctx.sheets.get("quality")
    if sheet is None:
        return []
    year = int(ctx.period[:4]) if ctx.period else None
    expected = sheet.columns["year"].expected
    marks = sheet.valid_marks("year")
    issues = []
    for k, (level, y) in enumerate(zip(sheet.fields["level"], sheet.fields["year"])):
        if level != "无" and y is None:
            key, mark = ("year_na_required", marks[k]) if k in marks else ("year_required", None)
            issues.append(rule_issue(key, level=level, value=mark, expected=expected, **sheet.where_valid(k, "year")))
        elif k in marks:  # 无 with `/` in 认定年份: blank, as it should be
            issues.append(rule_issue("year_na", "warning", value=marks[k], **sheet.where_valid(k, "year")))
        elif y is not None and year is not None and y > year:
            issues.append(rule_issue("year_range", value=y, year=year, expected=expected,
                                     **sheet.where_valid(k, "year")))
    return issues


def class_size(ctx: Context) -> list[Issue]:
    """More than 80 students per class is a warning (likely a typo)."""
    sheet = ctx.sheets.get("school")
    if sheet is None:
        return []
    return [rule_issue("class_size", "warning", students=s, classes=c, size=s / c, value=c,
                       **sheet.where_valid(k, "classes"))
            for k, (s, c) in enumerate(zip(sheet.fields["students"], sheet.fields["classes"]))
            if s > MAX_CLASS_SIZE * c]


def names_match_roster(ctx: Context) -> list[Issue]:
    """A 学校名称 in a data sheet (体育, 作业, 优质学校, 综合育人) that differs from the roster is a warning."""
    roster = ctx.roster("name")
    issues = []
    for key in ("pe", "homework", "quality", "whole_child"):
        sheet = ctx.sheets.get(key)
        if sheet is None:
            continue
        codes = sheet.fields["school_id"]
        for k, (code, name) in enumerate(zip(codes, sheet.fields.get("school_name", [None] * len(codes)))):
            if code in roster and name and name != roster[code] and fold(name) != fold(roster[code]):
                issues.append(rule_issue("name_differs", "warning", value=name, roster=roster[code],
                                         **sheet.where_valid(k, "school_name")))
    return issues


def roster_coverage(ctx: Context) -> list[Issue]:
    """Every roster school should have a row in 体育 and 作业 (warning: the school_coverage indicator counts it)."""
    roster = ctx.roster("name")
    issues = []
    for key in ("pe", "homework"):
        sheet = ctx.sheets.get(key)
        if sheet is None:
            continue
        present = set(sheet.values["school_id"])
        issues += [rule_issue("not_reported", "warning", sheet=sheet.label, name=name, code=code)
                   for code, name in roster.items() if code not in present]
    return issues


# ---- against stored data (run by the upload gate, core.submission.gate) ---------------------

def codes_of_other_counties(places: SheetPlaces, codes: list[str],
                            owners: dict[str, list[tuple[str, str]]]) -> list[Issue]:
    """A 学校名册 code in another county's roster of the month is an error naming that county.

    `codes` are the roster table's codes in table order (`places` locates them); `owners` maps a
    code to the (county, month) of the other counties' rosters of the month that hold it.
    """
    return [rule_issue("code_other_county", value=code, owner="、".join(c for c, _ in owners[code]),
                       month="、".join(sorted({period_label(m) for _, m in owners[code]})),
                       **places.where(n, "school_id"))
            for n, code in enumerate(codes) if code in owners]


RULES = (unique_codes, codes_in_roster, county_matches, band_columns, count_limits,
         fitness_zero, fitness_all_or_none, quality_year, class_size, names_match_roster, roster_coverage)


def run_rules(ctx: Context) -> list[Issue]:
    """Every rule's issues, in RULES order; a crashing rule becomes an error naming it."""
    issues: list[Issue] = []
    for rule in RULES:
        try:
            issues += rule(ctx)
        except Exception as exc:  # a bug in a rule must not crash the upload
            issues.append(rule_issue("rule_crashed", rule=rule.__name__, error=type(exc).__name__))
    return issues
