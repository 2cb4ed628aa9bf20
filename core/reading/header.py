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
from functools import lru_cache
from operator import itemgetter

from core.reading.cells import fold, is_blank, to_code
from core.submission.issues import Issue
from core.submission.schema import Col, Row, columns

HEADER_SCAN_ROWS = 30  # the header must be within the first 30 rows
SUBTOTAL_WORDS = ("合计", "总计", "小计")  # anywhere in a row without a school code
TOTAL_PREFIXES = ("总数",)  # at the start of the row's first text
FOOTER_WORDS = ("填报人", "联系电话", "审核人", "填报日期", "负责人", "制表人", "单位负责人",
                "联系人", "备注", "注:", "说明:")
_BRACKETED = re.compile(r"\([^()]*\)")
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
    """Folded header/alias -> column, plus a fallback keyed without bracketed parts (unique ones only).

    Computed once per model: callers only read the two dicts."""
    exact: dict[str, Col] = {}
    for c in columns(model):
        for text in (c.header, *c.aliases):
            exact[fold(text)] = c
    loose: dict[str, Col | None] = {}
    for key, c in exact.items():
        bare = _BRACKETED.sub("", key)
        loose[bare] = c if loose.get(bare, c) is c else None
    return exact, {k: c for k, c in loose.items() if c is not None}


def match_header(text: object, exact: dict[str, Col], loose: dict[str, Col]) -> Col | None:
    """The schema column a header cell names, or None."""
    if is_blank(text):
        return None
    key = fold(text)
    return exact.get(key) or loose.get(_BRACKETED.sub("", key))


def _written(text: object) -> str:
    return _LINE_BREAK.sub("", str(text).strip())


def header_cells(rows: list[list], i: int, exact: dict[str, Col], loose: dict[str, Col]
                 ) -> list[tuple[int, Col | None, str]]:
    """Row i read as a header: (column index, schema column or None, header as the clerk sees it).

    A cell that matches nothing alone is tried with the group cell above it (row i-1): joined as
    `group(sub)` and `groupsub`; a blank cell under a group cell is the group's text.
    """
    row = rows[i]
    above = rows[i - 1] if i > 0 else []
    out = []
    for j, text in enumerate(row):
        group = above[j] if j < len(above) else None
        if is_blank(text):
            if not is_blank(group):
                c = match_header(group, exact, loose)
                if c is not None:
                    out.append((j, c, _written(group)))
            continue
        c = match_header(text, exact, loose)
        if c is None and not is_blank(group) and fold(group) != fold(text):
            g, sub = _written(group), _written(text)
            c = match_header(f"{g}({sub})", exact, loose) or match_header(g + sub, exact, loose)
            if c is not None:
                out.append((j, c, f"{g} / {sub}"))
                continue
        out.append((j, c, _written(text)))
    return out


def _required_hits(cells: list[tuple[int, Col | None, str]], needed: set[str]) -> int:
    return len({c.name for _, c, _ in cells if c is not None} & needed)


def find_header(rows: list[list], model: type[Row]) -> int | None:
    """Index of the first row naming at least half of the sheet's required columns, else None."""
    exact, loose = header_keys(model)
    needed = {c.name for c in columns(model) if c.req != "no"}
    for i in range(min(len(rows), HEADER_SCAN_ROWS)):
        if _required_hits(header_cells(rows, i, exact, loose), needed) * 2 >= len(needed):
            return i
    return None


def closest_header(rows: list[list], model: type[Row]) -> list[str]:
    """The texts of the row among the first HEADER_SCAN_ROWS that names most required columns (for messages)."""
    exact, loose = header_keys(model)
    needed = {c.name for c in columns(model) if c.req != "no"}
    best, best_hits = None, -1
    for i in range(min(len(rows), HEADER_SCAN_ROWS)):
        cells = header_cells(rows, i, exact, loose)
        hits = _required_hits(cells, needed)
        if cells and hits > best_hits:
            best, best_hits = cells, hits
    return [w for _, _, w in best or []]


def _is_skipped(cells: list, code_col: int | None) -> bool:
    """Empty, subtotal and footer rows are not schools."""
    if code_col is not None and code_col < len(cells):
        cell = cells[code_col]
        if type(cell) is float and cell.is_integer() and cell >= 0 or type(cell) is str and cell.isascii() \
                and cell.isdigit():
            return False  # fastest path: a school row with a clean code (what to_code leaves as digits)
        if not is_blank(cell):
            code = to_code(cell)
            if isinstance(code, str) and code.isdigit():
                return False  # fast path: a school row
    texts = [fold(v) for v in cells if not is_blank(v)]
    if not texts:
        return True
    if texts[0].startswith(TOTAL_PREFIXES) or any(w in t for t in texts for w in SUBTOTAL_WORDS):
        return True
    footers = tuple(fold(w) for w in FOOTER_WORDS)
    return any(t.startswith(footers) for t in texts)


def read_table(sheet_name: str, rows: list[list], model: type[Row], label: str) -> SheetTable | None:
    """Match the header and collect data rows; None (with no table) when no header row is found."""
    idx = find_header(rows, model)
    if idx is None:
        return None
    exact, loose = header_keys(model)
    matched: list[tuple[int, Col, str]] = []
    seen: set[str] = set()
    issues: list[Issue] = []
    header_row = idx + 1
    for j, c, written in header_cells(rows, idx, exact, loose):
        if c is None:
            issues.append(Issue(severity="warning", sheet=label, row=header_row, column=written,
                                message=f"{label} 第{header_row}行「{written}」:不是本表的列,已忽略"))
        elif c.name in seen:
            issues.append(Issue(severity="warning", sheet=label, row=header_row, column=written,
                                message=f"{label} 第{header_row}行「{written}」:与前面的列重复,已忽略此列"))
        else:
            seen.add(c.name)
            matched.append((j, c, written))
    code_col = next((j for j, c, _ in matched if c.kind == "code"), None)
    return SheetTable(sheet_name, header_row, matched, _data_rows(rows, idx + 1, code_col), issues)


def _data_rows(rows: list[list], start: int, code_col: int | None) -> list[tuple[int, list]]:
    """(Excel row, cells) of the rows from `start` that are schools (not _is_skipped).

    A row whose code cell is ASCII digits is a school without further look (as in _is_skipped): when
    every row has a text code cell, those are found with C-level passes and only the others are looked at.
    """
    body = rows[start:]
    if code_col is not None and body and min(map(len, body)) > code_col:
        codes = list(map(itemgetter(code_col), body))
        if set(map(type, codes)) == {str}:
            clean = list(map(str.isdigit, codes))
            if any(clean):
                clean = list(map(min, clean, map(str.isascii, codes)))  # both True
            return [(i + 1, r) for i, (r, ok) in enumerate(zip(body, clean), start=start)
                    if ok or not _is_skipped(r, code_col)]
    return [(i + 1, r) for i, r in enumerate(body, start=start) if not _is_skipped(r, code_col)]


def missing_columns(table: SheetTable, model: type[Row]) -> list[Col]:
    """Schema columns the sheet must have (all but optional ones) that no header matched."""
    present = {c.name for _, c, _ in table.columns}
    return [c for c in columns(model) if c.req != "no" and c.name not in present]
