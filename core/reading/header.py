"""Find the header row of a sheet, match its columns to the schema, and pick out the data rows.

Title/notes rows above the header, subtotal rows (no school code, and 合计/总计/小计 anywhere in
the row: `小学小计`, `其中:九年一贯制小计`) wherever they are, and footer rows (填报人:, 联系电话:…)
are skipped without complaint, as are fully empty rows and columns.

Two-row headers (a group row whose merged cells span several columns above a row of
sub-headers: `体育课周课时` over `1-2年级 3-6年级 初中 高中`): when a sub-header alone matches no
column, the group text joined with it is tried (`体育课周课时(1-2年级)`, `体质健康测试人数`), and a
blank sub-header under a group cell takes the group's text. The header row is then the sub-header
row, and the column is named as the clerk sees it: `体育课周课时 / 1-2年级`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter

from core.reading.cells import fold, is_blank, to_code
from core.reading.extent import column_letters
from core.submission.issues import Issue
from core.submission.messages import rule_issue
from core.submission.schema import Col, Row, columns

HEADER_SCAN_ROWS = 30  # the header must be within the first 30 rows
CODE_LENGTH = 10  # 学校标识码's digits
SUBTOTAL_WORDS = ("合计", "总计", "小计", "汇总", "平均")  # anywhere in a row without a school code
TOTAL_PREFIXES = ("总数",)  # at the start of the row's first text
FOOTER_WORDS = ("填报人", "填表人", "填表", "制表", "联系电话", "电话", "手机", "联系方式", "联系人", "审核",
                "填报日期", "填报时间", "填表日期", "填表时间", "报送日期", "报送时间", "负责人", "单位负责人",
                "分管领导", "签字", "单位(盖章)", "盖章", "备注", "注:", "注1", "说明:", "填表说明",
                "数据来源")
# Words in a header's brackets that make it a part of the column's count, not the column: 专任教师数(女)
SUBSET_WORDS = ("女", "男", "其中", "寄宿", "住校", "少数民族", "外聘", "代课", "临聘", "上月", "上年", "去年",
                "新增", "计划")
# Units of one kind: a header in another unit of the column's kind is an error, not a match
UNIT_FAMILIES = (frozenset({"元", "万元", "千元", "亿元"}),
                 frozenset({"平方米", "㎡", "m2", "m²", "平米", "亩", "公顷", "万平方米"}),
                 frozenset({"分钟", "分", "min", "小时", "时", "h", "秒"}))
QUIET_HEADERS = ("序号", "备注", "说明")  # extra columns of most county forms: ignored without a warning
REQUIRED_MARKS = "*★☆※▲"  # a template's marks of a required column: *学校标识码
BAND_WORDS = (("一二年级", "1-2年级"), ("一至二年级", "1-2年级"), ("三至六年级", "3-6年级"),
              ("三到六年级", "3-6年级"), ("七至九年级", "初中"), ("七到九年级", "初中"), ("7-9年级", "初中"),
              ("十至十二年级", "高中"), ("10-12年级", "高中"))
_BRACKETED = re.compile(r"\([^()]*\)")
_DASHES = re.compile(r"[~〜‐‑‒–—―−]+")  # after NFKC (～ → ~, － → -)
# The month a form's header carries (10月日均校内体育活动时间, 本月体育课周课时, 2026年10月在校生数): the
# column all the same. (A bracketed month, 体质健康测试人数(2026年), is a bracketed part: matched loosely.)
_MONTH_PREFIX = re.compile(r"^(?:本月|(?:(?:\d{2}|\d{4})年)?(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月份?)")
_LINE_BREAK = re.compile(r"\s*\n\s*")


@dataclass
class SheetTable:
    """A sheet after header matching: which file column holds which schema column, and the data rows."""

    sheet: str  # sheet name as written
    header_row: int  # Excel row number of the header
    columns: list[tuple[int, Col, str]]  # (0-based file column, schema column, header as written)
    rows: list[tuple[int, list]]  # (Excel row number, cells)
    issues: list[Issue] = field(default_factory=list)


@lru_cache(maxsize=None)
def header_keys(model: type[Row]) -> tuple[dict[str, Col], dict[str, Col]]:
    """Header key -> column (its header and aliases, also with the bracket marks dropped when that
    is unique), plus a fallback keyed without the bracketed parts (unique ones only).

    Computed once per model: callers only read the two dicts."""
    exact: dict[str, Col] = {}
    for c in columns(model):
        for text in (c.header, *c.aliases):
            exact[header_key(text)] = c
    flat: dict[str, Col | None] = {}
    for key, c in exact.items():
        bare = key.replace("(", "").replace(")", "")  # 体育课周课时1-2年级
        flat[bare] = c if flat.get(bare, c) is c else None
    for key, c in flat.items():
        if c is not None:
            exact.setdefault(key, c)
    loose: dict[str, Col | None] = {}
    for key, c in exact.items():
        bare = _BRACKETED.sub("", key)
        loose[bare] = c if loose.get(bare, c) is c else None
    return exact, {k: c for k, c in loose.items() if c is not None}


def header_key(text: object) -> str:
    """A header folded for matching: fold, one dash for the many (1～2年级, 1—2年级), no required-field
    marks (*学校标识码), grade bands in one wording (一二年级 → 1-2年级, 七至九年级 → 初中)."""
    if isinstance(text, str) and len(text) <= HEADER_CACHED:
        return _header_key(text)
    return _header_key.__wrapped__(text)


HEADER_CACHED = 60  # characters: headers this short are kept (the same few in every workbook); a long text is not


@lru_cache(maxsize=4096)
def _header_key(text: object) -> str:
    key = _DASHES.sub("-", fold(text)).strip(REQUIRED_MARKS)
    for words, band in BAND_WORDS:
        if words in key:
            key = key.replace(words, band)
    return key


@dataclass(frozen=True)
class Match:
    """The schema column a header names; `loose` when only without its bracketed part, and then
    `wrong_unit` when that part is a unit the column is not counted in (教学仪器设备值(元))."""

    col: Col
    loose: bool = False
    wrong_unit: str | None = None


def match_header(text: object, exact: dict[str, Col], loose: dict[str, Col]) -> Match | None:
    """The schema column a header cell names, or None.

    Without its bracketed part a header still names a column, unless the bracket narrows it to some
    of what the column counts (专任教师数(女), 在校生数(寄宿生)): that is another column."""
    if is_blank(text):
        return None
    key = header_key(text)
    c = exact.get(key) or exact.get(_MONTH_PREFIX.sub("", key))
    if c is not None:
        return Match(c)
    key = _MONTH_PREFIX.sub("", key)
    c = loose.get(_BRACKETED.sub("", key))
    if c is None:
        return None
    inside = [m.strip("()") for m in _BRACKETED.findall(key)]
    if any(w in part for part in inside for w in SUBSET_WORDS):
        return None
    return Match(c, True, next((u for u in inside if _wrong_unit(u, c)), None))


def _wrong_unit(unit: str, c: Col) -> bool:
    """True when `unit` is a unit of the same kind as the column's (money, area, time) but not its own."""
    own = {fold(u) for u in c.units} | {m.strip("()") for t in (c.header, *c.aliases)
                                        for m in _BRACKETED.findall(header_key(t))}
    return unit not in own and any(unit in family and own & family for family in UNIT_FAMILIES)


def _written(text: object) -> str:
    return _LINE_BREAK.sub("", str(text).strip())


def header_cells(rows: list[list], i: int, exact: dict[str, Col], loose: dict[str, Col]
                 ) -> list[tuple[int, Match | None, str]]:
    """Row i read as a header: (column index, its match or None, header as the clerk sees it).

    A cell that matches nothing alone (or only loosely) is tried with the group cell above it (row
    i-1): joined as `group(sub)`, `groupsub` and `subgroup`; a blank cell under a group cell is the
    group's text.
    """
    row = rows[i]
    above = rows[i - 1] if i > 0 else []
    out = []
    for j, text in enumerate(row):
        group = above[j] if j < len(above) else None
        if is_blank(text):
            if not is_blank(group):
                m = match_header(group, exact, loose)
                if m is not None:
                    out.append((j, m, _written(group)))
            continue
        m = match_header(text, exact, loose)
        if (m is None or m.loose) and not is_blank(group) and fold(group) != fold(text):
            g, sub = _written(group), _written(text)
            joined = next((x for x in (match_header(t, exact, loose) for t in (f"{g}({sub})", g + sub, sub + g))
                           if x is not None), None)
            if joined is not None and (m is None or not joined.loose):
                out.append((j, joined, f"{g} / {sub}"))
                continue
        out.append((j, m, _written(text)))
    return out


def _score(cells: list[tuple[int, Match | None, str]], needed: set[str]) -> tuple[int, int]:
    """(required columns named, columns named) by a row read as a header."""
    names = {m.col.name for _, m, _ in cells if m is not None}
    return len(names & needed), len(names)


def find_header(rows: list[list], model: type[Row]) -> int | None:
    """Index of the header row: the first row naming at least half of the sheet's required columns,
    or the sub-header row under it when that names more (a two-row header whose group row already
    names half of them: the columns merged down over both rows); None when no row does."""
    exact, loose = header_keys(model)
    needed = {c.name for c in columns(model) if c.req != "no"}
    for i in range(min(len(rows), HEADER_SCAN_ROWS)):
        best = _score(header_cells(rows, i, exact, loose), needed)
        if best[0] * 2 < len(needed):
            continue
        while i + 1 < len(rows) and not any(map(_is_figure, rows[i + 1])):  # a data row has codes and numbers
            below = _score(header_cells(rows, i + 1, exact, loose), needed)
            if below <= best:
                break
            i, best = i + 1, below
        return i
    return None


def closest_header(rows: list[list], model: type[Row]) -> list[str]:
    """The texts of the row among the first HEADER_SCAN_ROWS that names most required columns (for messages)."""
    exact, loose = header_keys(model)
    needed = {c.name for c in columns(model) if c.req != "no"}
    best, best_hits = None, -1
    for i in range(min(len(rows), HEADER_SCAN_ROWS)):
        cells = header_cells(rows, i, exact, loose)
        hits = _score(cells, needed)[0]
        if cells and hits > best_hits:
            best, best_hits = cells, hits
    return [w for _, _, w in best or []]


def _is_figure(value: object) -> bool:
    """A number, or text that is one (a code, a count typed as text); not 1-2年级."""
    t = type(value)
    return t is float or t is int or t is str and _FIGURE.fullmatch(value.strip()) is not None


def _has_digits(value: object) -> bool:
    """A number, or text with a digit in it (a code, a count typed as text, a phone number)."""
    t = type(value)
    return t is float or t is int or isinstance(value, str) and _DIGIT.search(value) is not None


def _row_kind(cells: list, code_col: int | None) -> str | None:
    """None for a school row; SKIP for a row skipped without complaint (empty, subtotal, footer, a
    date, a formula row showing only zeros); LABEL for a row skipped with a warning: no school code,
    no number, one text (a section row 一、小学, a note)."""
    coded = False  # the code cell holds digits: a school row, unless a subtotal with its count of schools
    if code_col is not None and code_col < len(cells):
        cell = cells[code_col]
        if type(cell) is float and 1e9 <= cell < 1e10 and cell.is_integer() or type(cell) is str \
                and len(cell) == CODE_LENGTH and cell.isascii() and cell.isdigit():
            return None  # fastest path: a school row with a clean code (what to_code leaves as digits)
        if not is_blank(cell):
            code = to_code(cell)
            coded = isinstance(code, str) and code.isdigit()
    values = [v for v in cells if not is_blank(v)]
    if not values:
        return SKIP
    texts = [fold(v) for v in values]
    if texts[0].startswith(TOTAL_PREFIXES) or any(w in t for t in texts for w in SUBTOTAL_WORDS):
        return SKIP
    if coded:
        return None
    numbers = any(map(_has_digits, values))
    footers = _footer_keys()
    if texts[0].startswith(footers) or not numbers and any(t.startswith(footers) for t in texts):
        return SKIP
    if all(isinstance(v, (date, datetime)) or isinstance(v, str) and _DATE.fullmatch(fold(v)) for v in values):
        return SKIP  # the form's date, under the signatures
    if all(type(v) in (int, float) and v == 0 for v in values):
        return SKIP  # formulas dragged down past the last school
    if not numbers and len(texts) > 1 and all(_UNIT_CELL.fullmatch(t) for t in texts):
        return SKIP  # a row of units under the header: (人) (节) (分钟) or 人 节 分钟
    if not numbers and len(set(texts)) == 1:
        return LABEL
    return None


SKIP, LABEL = "skip", "label"
_FIGURE = re.compile(r"[+-]?\d+(?:\.\d+)?")
_DIGIT = re.compile(r"\d")
_UNIT_CELL = re.compile(r"(?:单位:)?\(?[^()\d]{1,4}\)?")  # (人), 万元, 单位:所 (folded)
_DATE = re.compile(r"\d{4}(?:年\d{1,2}月\d{1,2}日?|[-/.]\d{1,2}[-/.]\d{1,2})")


@lru_cache(maxsize=1)
def _quiet_keys() -> frozenset[str]:
    return frozenset(header_key(w) for w in QUIET_HEADERS)


@lru_cache(maxsize=1)
def _footer_keys() -> tuple[str, ...]:
    return tuple(fold(w) for w in FOOTER_WORDS)


def _is_skipped(cells: list, code_col: int | None) -> bool:
    """Not a school row: empty, subtotal, footer, section and note rows."""
    return _row_kind(cells, code_col) is not None


def read_table(sheet_name: str, rows: list[list], model: type[Row], label: str) -> SheetTable | None:
    """Match the header and collect data rows; None (with no table) when no header row is found.

    Two headers naming one column: one naming it exactly beats one naming it only without its
    bracketed part; two alike are one column when their cells agree (the second ignored, with a
    warning) and an error naming both when they do not (the sheet cannot say which is meant)."""
    idx = find_header(rows, model)
    if idx is None:
        return None
    exact, loose = header_keys(model)
    header_row = idx + 1
    cells = header_cells(rows, idx, exact, loose)
    named: dict[str, list[tuple[int, Match, str]]] = {}
    for j, m, written in cells:
        if m is not None:
            named.setdefault(m.col.name, []).append((j, m, written))
    chosen = {name: next((f for f in found if not f[1].loose), found[0]) for name, found in named.items()}
    code_col = next((j for j, m, _ in chosen.values() if m.col.kind == "code"), None)
    labels: list[tuple[int, str]] = []
    data = _data_rows(rows, idx + 1, code_col, labels)
    if code_col is not None and code_col < len(rows[idx]) and not is_blank(rows[idx][code_col]):
        again = rows[idx][code_col]  # the header pasted again, above a second block of schools
        data = [(r, cells) for r, cells in data if code_col >= len(cells) or cells[code_col] != again]
    issues: list[Issue] = []
    for j, m, written in cells:
        at = dict(sheet=label, row=header_row, column=written)
        if m is None or m.loose and chosen[m.col.name][0] != j and not chosen[m.col.name][1].loose:
            if header_key(written) not in _quiet_keys():  # 序号 and 备注 are on most county forms
                issues.append(rule_issue("extra_column", "warning", **at))
            continue
        first, _, first_written = chosen[m.col.name]
        if first != j:
            same = _column(data, first) == _column(data, j)
            issues.append(rule_issue("duplicate_column" if same else "conflicting_columns",
                                     "warning" if same else "error", letter=column_letters(j),
                                     first=column_letters(first), first_header=first_written, **at))
        elif m.wrong_unit:
            issues.append(rule_issue("wrong_unit", **at, unit=m.wrong_unit, header=m.col.header))
    issues += [rule_issue("not_a_school", "warning", sheet=label, row=r, value=text) for r, text in labels]
    matched = sorted(((j, m.col, w) for j, m, w in chosen.values()), key=itemgetter(0))
    return SheetTable(sheet_name, header_row, matched, data, issues)


def _column(data: list[tuple[int, list]], j: int) -> list:
    """Column j's cells over the data rows, blanks as None."""
    return [None if j >= len(r) or is_blank(r[j]) else r[j] for _, r in data]


def _data_rows(rows: list[list], start: int, code_col: int | None,
               labels: list[tuple[int, str]] | None = None) -> list[tuple[int, list]]:
    """(Excel row, cells) of the rows from `start` that are schools (_row_kind None); `labels` gets
    the (Excel row, text) of the rows skipped with a warning.

    A row whose code cell is CODE_LENGTH ASCII digits is a school without further look (as in _row_kind): when
    every row has a text code cell, those are found with C-level passes and only the others are looked at.
    """
    body = rows[start:]
    clean = None
    if code_col is not None and body and min(map(len, body)) > code_col:
        codes = list(map(itemgetter(code_col), body))
        if set(map(type, codes)) == {str}:
            clean = list(map(str.isdigit, codes))
            if any(clean):  # digits, ASCII and CODE_LENGTH long: all three True
                clean = list(map(min, clean, map(str.isascii, codes), map(CODE_LENGTH.__eq__, map(len, codes))))
    if clean is not None and all(clean):
        return [(i + 1, r) for i, r in enumerate(body, start=start)]
    out = []
    for i, r in enumerate(body, start=start):
        kind = None if clean is not None and clean[i - start] else _row_kind(r, code_col)
        if kind is None:
            out.append((i + 1, r))
        elif kind == LABEL and labels is not None:
            labels.append((i + 1, next(str(v).strip() for v in r if not is_blank(v))))
    return out


def missing_columns(table: SheetTable, model: type[Row]) -> list[Col]:
    """Schema columns the sheet must have (all but optional ones) that no header matched."""
    present = {c.name for _, c, _ in table.columns}
    return [c for c in columns(model) if c.req != "no" and c.name not in present]
