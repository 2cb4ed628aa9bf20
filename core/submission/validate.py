"""Validate one county workbook: file check → raw sheets → header/cells → row models → rules.

`validate_workbook` never raises for bad input; every problem becomes an Issue.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import pyarrow as pa
from pydantic import TypeAdapter, ValidationError

from core.reading.cells import date_word, display, excel_error, is_blank, is_na_mark, normaliser
from core.reading.filecheck import check_file, suffix_issue
from core.reading.header import (
    HEADER_SCAN_ROWS,
    SheetTable,
    closest_header,
    missing_columns,
    read_table,
)
from core.reading.workbook import (
    RawSheet,
    UnreadableWorkbook,
    WorkbookTooLarge,
    read_workbook,
)
from core.submission.bands import covers, is_compulsory
from core.submission.columns import column_values
from core.submission.fitness import FITNESS, fitness_not_tested
from core.submission.issues import Issue, has_errors
from core.submission.messages import cell_message, rule_issue, where
from core.submission.parsed import ParsedSubmission
from core.submission.rules import (
    Context,
    ParsedSheet,
    determine_county_period,
    run_rules,
)
from core.submission.schema import (
    SHEETS,
    Col,
    Row,
    Sheet,
    columns,
    db_columns,
)
from core.submission.sheetnames import find_sheets, is_known_sheet

if TYPE_CHECKING:  # pandas is imported where frames are built: ingest's workers build Arrow tables only
    import pandas as pd

DTYPES = {"code": "str", "text": "str", "enum": "str", "int": "Int64", "num": "Float64", "bool": "boolean"}
NUMBER_KINDS = frozenset({"num", "int"})
ARROW_TYPES = {"code": pa.string(), "text": pa.string(), "enum": pa.string(), "int": pa.int64(),
               "num": pa.float64(), "bool": pa.bool_()}


def validate_workbook(data: bytes, file_name: str, *, arrow: bool = False) -> ParsedSubmission:
    """Read and check a county workbook; the result carries county, period, tables and issues.

    `arrow=True` gives the tables as pyarrow Tables (same columns and values) instead of
    DataFrames: what ingest's workers send to the store, skipping pandas on the way.
    """
    result = ParsedSubmission(file_name=file_name)
    try:
        _validate(data, file_name, result, to_arrow if arrow else to_frame)
    except Exception as exc:  # never a traceback for the county officer
        result.issues.append(Issue(severity="error", message=(
            f"读取文件「{file_name}」时发生意外错误({type(exc).__name__}),请联系管理员并附上此文件")))
    return result


def _validate(data: bytes, file_name: str, result: ParsedSubmission, build) -> None:
    result.issues += check_file(data, file_name)
    if has_errors(result.issues):
        return
    result.issues += suffix_issue(file_name)
    try:
        book = read_workbook(data, file_name, wanted=is_known_sheet)
    except WorkbookTooLarge as exc:
        result.issues += [Issue(severity="error", sheet=sheet, message=m) for sheet, m in exc.problems]
        return
    except UnreadableWorkbook as exc:
        result.issues.append(Issue(severity="error", message=str(exc)))
        return
    found, instructions, issues = find_sheets(book)
    result.issues += issues
    sheets: dict[str, ParsedSheet] = {}
    for key, raw in found.items():
        parsed, issues = parse_sheet(raw, SHEETS[key])
        result.issues += issues
        if parsed is not None:
            sheets[key] = parsed
    ctx = Context(file_name=file_name, sheets=sheets)
    result.issues += determine_county_period(ctx, instructions.rows if instructions else None)
    result.county, result.period = ctx.county, ctx.period
    result.issues += run_rules(ctx)
    types = ctx.roster("school_type")
    result.tables = {key: build(sheet, types) for key, sheet in sheets.items()}
    result.places = {key: sheet.places() for key, sheet in sheets.items()}


@lru_cache(maxsize=None)
def _adapter(model: type[Row]) -> TypeAdapter:
    return TypeAdapter(list[model])


def parse_sheet(raw: RawSheet, spec: Sheet) -> tuple[ParsedSheet | None, list[Issue]]:
    """Header matching, cell normalisation and row-model validation of one sheet."""
    label = raw.name.strip()
    table = read_table(raw.name, raw.rows, spec.model, label)
    if table is None:
        expected = "、".join(c.header for c in columns(spec.model) if c.req != "no")
        found = "、".join(closest_header(raw.rows, spec.model)) or "无"
        return None, [rule_issue("no_header", sheet=label, n=HEADER_SCAN_ROWS, expected=expected, found=found)]
    issues = list(table.issues)
    missing = missing_columns(table, spec.model)
    if missing:
        found = "、".join(closest_header(raw.rows[:table.header_row], spec.model)) or "无"
        issues += [rule_issue("missing_column", sheet=label, row=table.header_row, column=c.header,
                              found=found) for c in missing]
        return None, issues
    if not spec.required and _names_only(table):  # codes pasted from the roster, nothing else: not sent
        issues.append(rule_issue("names_only", "warning", sheet=label))
        table.rows = []
    headers = {c.name: w for _, c, w in table.columns}
    sheet, cell_issues = _check_cells(raw, table, spec, label, headers)
    if not sheet.rows and spec.required:  # an optional sheet left empty (template's 优质学校) = not sent
        cell_issues.append(rule_issue("no_rows", sheet=label))
    return sheet, issues + cell_issues


def _names_only(table: SheetTable) -> bool:
    """True when the sheet has rows and none of them has a value beyond the school's code and name."""
    data = [j for j, c, _ in table.columns if c.kind not in ("code", "text")]
    return bool(table.rows) and all(j >= len(cells) or is_blank(cells[j]) for _, cells in table.rows for j in data)


def _check_cells(raw: RawSheet, table: SheetTable, spec: Sheet, label: str, headers: dict[str, str]
                 ) -> tuple[ParsedSheet, list[Issue]]:
    """The sheet's cells column by column (core.submission.columns); rows with a cell that is not clean,
    or an Excel error cell, go through the exact path (_exact_rows), which words every message."""
    model = spec.model
    excel_rows = [r for r, _ in table.rows]
    grid = [cells for _, cells in table.rows]
    n = len(grid)
    values: dict[str, list] = {}
    slow: set[int] = set()
    for (j, c, _), col in zip(table.columns, _transpose(grid, [j for j, _, _ in table.columns])):
        values[c.name], bad = column_values(col, c, model)
        slow.update(bad)
    if raw.errors:
        at = {r: i for i, r in enumerate(excel_rows)}
        used = {j for j, _, _ in table.columns}
        slow.update(at[r + 1] for r, j in raw.errors if j in used and r + 1 in at)
    cols = {c.name: c for c in columns(model)}
    blank = [None] * n
    for name in cols:
        values.setdefault(name, blank)
    if not slow:
        return ParsedSheet(spec.key, label, headers, excel_rows, values, list(range(n)), values, cols), []
    marks: dict[tuple[int, str], str] = {}
    models, issues = _exact_rows(raw, table, model, label, sorted(slow), values, marks)
    valid = [i for i in range(n) if models.get(i, True) is not None]
    fields = {}
    for name in cols:
        column = values[name]
        fields[name] = [models[i].__dict__[name] if i in models else column[i] for i in valid]
    return ParsedSheet(spec.key, label, headers, excel_rows, values, valid, fields, cols, marks), issues


def _transpose(grid: list[list], js: list[int]) -> list[list]:
    """Columns js of the rows (a cell past a short row's end is '')."""
    if not grid or not js:
        return [[] for _ in js]
    if min(map(len, grid)) > max(js):
        return [[row[j] for row in grid] for j in js]
    return [[row[j] if j < len(row) else "" for row in grid] for j in js]


def _exact_rows(raw: RawSheet, table: SheetTable, model: type[Row], label: str, rows: list[int],
                values: dict[str, list], marks: dict[tuple[int, str], str]
                ) -> tuple[dict[int, Row | None], list[Issue]]:
    """Rows (data row indexes) checked cell by cell and by the row model: {row: model, None if invalid}, issues.

    Each row's normalised values replace the column-wise ones in `values` (blank or error: None). A
    not-applicable mark in a number cell (`/`, `—`, `无`…; never clean, so always checked here) is an
    error in a required column, blank with a warning in an optional one, and blank in a conditional
    column, recorded in `marks` for the rules (band_columns, quality_year) to word.
    """
    issues: list[Issue] = []
    dicts: list[dict] = []
    bad_cells: set[tuple[int, str]] = set()
    errors = raw.errors
    cols = [(j, c, c.name, written, normaliser(c)) for j, c, written in table.columns]

    def error_cell(n: int, excel_row: int, c: Col, name: str, written: str, err: str) -> None:
        bad_cells.add((n, name))
        issues.append(Issue(severity="error", sheet=label, row=excel_row, column=written, value=err,
                            message=cell_message("excel_error", where=where(label, excel_row, written),
                                                 value=err, expected=c.expected)))

    def na_cell(n: int, excel_row: int, c: Col, name: str, written: str, mark: str) -> None:
        at = where(label, excel_row, written)
        if c.required:
            bad_cells.add((n, name))
            issues.append(Issue(severity="error", sheet=label, row=excel_row, column=written, value=mark,
                                message=cell_message("na_required", where=at, value=mark, expected=c.expected)))
        elif c.req == "no":
            issues.append(Issue(severity="warning", sheet=label, row=excel_row, column=written, value=mark,
                                message=cell_message("na_optional", where=at, value=mark)))
        else:  # band, compulsory, if_level: whether a blank is allowed depends on the row (the rules say)
            marks[(n, name)] = mark

    for n in rows:
        excel_row, cells = table.rows[n]
        row: dict[str, object] = {}
        width = len(cells)
        for j, c, name, written, norm in cols:
            cell = cells[j] if j < width else ""
            if errors:
                err = errors.get((excel_row - 1, j))
                if err:
                    error_cell(n, excel_row, c, name, written, err)
                    continue
            if is_blank(cell):
                continue
            err = excel_error(cell)
            if err:
                error_cell(n, excel_row, c, name, written, err)
                continue
            if is_na_mark(cell, c.kind):
                na_cell(n, excel_row, c, name, written, display(cell))
                continue
            row[name] = norm(cell)
        for _, _, name, _, _ in cols:
            values[name][n] = row.get(name)
        dicts.append(row)
    models: dict[int, Row | None] = {}
    try:
        models = dict(zip(rows, _adapter(model).validate_python(dicts)))
    except ValidationError as exc:
        failed = set()
        headers = {c.name: (w, c) for _, c, w in table.columns}
        index = {c.name: j for j, c, _ in table.columns}
        for e in exc.errors():
            k, name = e["loc"][0], e["loc"][1] if len(e["loc"]) > 1 else None
            n = rows[k]
            failed.add(n)
            if (n, name) in bad_cells or name not in headers:
                continue
            excel_row = table.rows[n][0]
            written, c = headers[name]
            cell = table.rows[n][1][index[name]] if name in dicts[k] else ""
            value = display(cell)  # the cell as written
            what = date_word(cell) if c.kind in NUMBER_KINDS else None
            ctx = e.get("ctx") or {}
            issues.append(Issue(severity="error", sheet=label, row=excel_row, column=written, value=value or None,
                                message=cell_message("date_cell" if what else e["type"], what=what,
                                                     where=where(label, excel_row, written), value=value,
                                                     expected=c.expected, ge=display(ctx.get("ge", "")),
                                                     le=display(ctx.get("le", "")),
                                                     max_length=ctx.get("max_length", ""))))
        bad_rows = failed | {n for n, _ in bad_cells}
        good = [k for k, n in enumerate(rows) if n not in bad_rows]
        models = dict.fromkeys(rows)
        for k, m in zip(good, _adapter(model).validate_python([dicts[k] for k in good])):
            models[rows[k]] = m
    for n, _ in bad_cells:
        models[n] = None
    return models, sorted(issues, key=lambda i: i.row or 0)


def _applies(col: Col, school_type: str | None) -> bool:
    if col.req == "band":
        return covers(school_type, col.band or "")
    if col.req == "compulsory":
        return is_compulsory(school_type)
    return True


def table_columns(sheet: ParsedSheet, school_types: dict[str, str]) -> dict[str, list]:
    """The sheet's valid rows column by column (DB column -> values, None for blanks).

    A value in a column that does not apply to the school (a 0 the rules warned about) is stored as blank,
    and so are the 体质健康 counts of a school not tested this month (测试人数 0; fitness.fitness_zero).
    """
    spec = SHEETS[sheet.key]
    types = [school_types.get(code) for code in sheet.fields["school_id"]]
    out: dict[str, list] = {}
    for n in db_columns(spec.model):
        values = sheet.fields[n]
        c = sheet.columns[n]
        if c.req in ("band", "compulsory"):
            applies = {t: _applies(c, t) for t in set(types)}
            values = [v if applies[t] else None for v, t in zip(values, types)]
        out[n] = values
    if sheet.key == "pe":
        not_tested = fitness_not_tested(sheet)
        for n in FITNESS if not_tested else ():
            out[n] = list(out[n])
            for k in not_tested:
                out[n][k] = None
    return out


def to_frame(sheet: ParsedSheet, school_types: dict[str, str]) -> pd.DataFrame:
    """The sheet's valid rows as a DataFrame with exactly the DB table's columns, typed, None for blanks.

    A value in a column that does not apply to the school (a 0 the rules warned about) is stored as blank.
    """
    import pandas as pd
    cols = {c.name: c for c in columns(SHEETS[sheet.key].model)}
    data = {n: _pandas_array(values, cols[n].kind) for n, values in table_columns(sheet, school_types).items()}
    return pd.DataFrame(data, columns=list(data), copy=False)


def to_arrow(sheet: ParsedSheet, school_types: dict[str, str]) -> pa.Table:
    """The same rows and types as to_frame, as an Arrow table (what the store loads; no pandas on the way)."""
    cols = {c.name: c for c in columns(SHEETS[sheet.key].model)}
    data = table_columns(sheet, school_types)
    return pa.table({n: pa.array(values, ARROW_TYPES[cols[n].kind]) for n, values in data.items()})


def _pandas_array(values: list, kind: str):
    """A nullable pandas array of the column's DTYPES dtype, built from numpy (pd.array is 2–3× slower)."""
    import numpy as np
    import pandas as pd
    from pandas.arrays import BooleanArray, FloatingArray, IntegerArray
    if kind in ("int", "num", "bool"):
        mask = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
        if kind == "bool":
            return BooleanArray(np.fromiter((v is True for v in values), dtype=bool, count=len(values)), mask)
        if kind == "int":
            return IntegerArray(np.array([0 if v is None else v for v in values], dtype=np.int64), mask)
        return FloatingArray(np.array([0.0 if v is None else v for v in values], dtype=np.float64), mask)
    return pd.array(values, dtype=DTYPES[kind])
