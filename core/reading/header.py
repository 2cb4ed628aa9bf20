"""Find the header row of a sheet, match its columns to the schema, and pick out the data rows.

Title/notes rows above the header, 合计/总计/小计 rows and footer rows (填报人:, 联系电话:…)
are skipped without complaint, as are fully empty rows and columns.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.reading.cells import fold, is_blank, to_code
from core.submission.issues import Issue
from core.submission.schema import Col, Row, columns

HEADER_SCAN_ROWS = 30  # the header must be within the first 30 rows
TOTAL_WORDS = ("合计", "总计", "小计", "总数")
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


def header_keys(model: type[Row]) -> tuple[dict[str, Col], dict[str, Col]]:
    """Folded header/alias -> column, plus a fallback keyed without bracketed parts (unique ones only)."""
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


def find_header(rows: list[list], model: type[Row]) -> int | None:
    """Index of the first row naming at least half of the sheet's required columns, else None."""
    exact, loose = header_keys(model)
    needed = {c.name for c in columns(model) if c.req != "no"}
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        hits = {c.name for c in (match_header(v, exact, loose) for v in row) if c is not None}
        if len(hits & needed) * 2 >= len(needed):
            return i
    return None


def _is_skipped(cells: list, code_col: int | None) -> bool:
    """Empty, 合计 and footer rows are not schools."""
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
    if texts[0].startswith(TOTAL_WORDS):
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
    for j, text in enumerate(rows[idx]):
        if is_blank(text):
            continue
        written = _LINE_BREAK.sub("", str(text).strip())
        c = match_header(text, exact, loose)
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
    data = [(i + 1, r) for i, r in enumerate(rows[idx + 1:], start=idx + 1) if not _is_skipped(r, code_col)]
    return SheetTable(sheet_name, header_row, matched, data, issues)


def missing_columns(table: SheetTable, model: type[Row]) -> list[Col]:
    """Schema columns the sheet must have (all but optional ones) that no header matched."""
    present = {c.name for _, c, _ in table.columns}
    return [c for c in columns(model) if c.req != "no" and c.name not in present]
