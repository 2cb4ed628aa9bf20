"""Tables as downloadable files: a styled Excel sheet or a CSV Excel opens correctly, both injection-safe.

What a report writer downloads is what the screen shows: numbers rounded by
core.present.numbers with the column's decimals (the header's unit, else whole numbers, else
the page's default), codes such as 学校标识码 as text, no index column, and the
口径/数据来源/数据截至 line under the title.

Formula injection (OWASP "CSV Injection"): a text cell that starts with = + - @ tab or
carriage return can be run as a formula by Excel/WPS.
- In .xlsx every text cell is stored as a string (never a formula) and formula-like text
  gets the cell style quotePrefix: Excel and WPS show it exactly as written (no stray `'`)
  and keep it text when the cell is edited.
- CSV has no types: such text gets a leading single quote, the neutralisation OWASP
  recommends, so it stays inert text in every program.
"""
from __future__ import annotations

import io
import math
import re
import unicodedata
from datetime import date, datetime
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.present.grid import Grid
from core.present.numbers import NO_DATA, column_decimals, decimals, round_to
from core.present.palette import NO_TARGET, status_style

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="555555")
THIN = Side(style="thin", color="A6A6A6")
HEADER_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
INT_FORMAT = "#,##0"
TEXT_FORMAT = "@"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
MAX_WIDTH = 60
# Columns of codes that look like numbers but are text (学校标识码 keeps its leading zeros).
TEXT_COLUMNS = ("学校标识码", "school_id")


def neutralise(value: object) -> object:
    """For CSV: the value, with text that a spreadsheet would run as a formula prefixed by a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def set_text(cell, value: str) -> None:
    """Put text into an openpyxl cell as a string, never a formula (quotePrefix when it looks like one)."""
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def neutralise_workbook(wb) -> None:
    """Make every formula-like text cell of a workbook built cell by cell (the report) plain text.

    Text from county workbooks (county and school names) ends up in these cells; openpyxl
    would store a string starting with `=` as a formula.
    """
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                    set_text(cell, cell.value)


def display_width(text: str) -> int:
    """Width of text in Excel character units: CJK and other wide characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def number_format(unit: str | None = None, places: int | None = None) -> str:
    """Excel number format showing exactly the decimals of a unit (numbers.decimals) or `places`."""
    places = decimals(unit) if places is None else places
    return INT_FORMAT if places == 0 else "0." + "0" * places


def _flat_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with a named index as ordinary columns (an unnamed one, e.g. left by a filter, is
    dropped: no 'index' column) and multi-level headers joined."""
    out = df.copy()
    if any(n is not None for n in out.index.names):
        out = out.reset_index()
    else:
        out = out.reset_index(drop=True)
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" ".join(str(p) for p in col if str(p) != "") for col in out.columns]
    out.columns = [str(c) for c in out.columns]
    return out


def _cell_value(value: object) -> object:
    """A pandas/numpy value as something openpyxl writes: None for blanks, 是/否 for booleans."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, (int, float, datetime, date)):
        return value
    return str(value)


def _places(header: str, series: pd.Series, explicit: dict[str, int], default: int) -> int | None:
    """Decimals a numeric column is rounded to and shown with (None: not a number column)."""
    if header in TEXT_COLUMNS or pd.api.types.is_bool_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return None
    if not pd.api.types.is_numeric_dtype(series):
        present = [v for v in series if v is not None and not (isinstance(v, float) and math.isnan(v))]
        if not present or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
            return None
    return explicit[header] if header in explicit else column_decimals(header, series, default)


def write_table(ws: Worksheet, df: pd.DataFrame, title: str, note: str | None = None,
                decimals: dict[str, int] | None = None, default: int = 2) -> int:
    """Write title, optional note, a styled header and the rows onto ws; returns the header's Excel row.

    Numbers are rounded as the screen shows them: `decimals` per column, else the header's
    unit, whole numbers, or `default` (numbers.column_decimals).
    """
    frame = _flat_frame(df)
    headers = list(frame.columns)
    set_text(ws.cell(row=1, column=1), title)
    ws.cell(row=1, column=1).font = TITLE_FONT
    header_row = 2
    if note:
        set_text(ws.cell(row=2, column=1), note)
        ws.cell(row=2, column=1).font = NOTE_FONT
        header_row = 3
    widths = [display_width(h) for h in headers]
    for j, header in enumerate(headers, start=1):
        cell = ws.cell(row=header_row, column=j)
        set_text(cell, header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for j, header in enumerate(headers, start=1):
        series = frame.iloc[:, j - 1]
        places = _places(header, series, decimals or {}, default)
        fmt = None if places is None else number_format(places=places)
        for i, raw in enumerate(series.tolist(), start=header_row + 1):
            value = _cell_value(raw)
            if header in TEXT_COLUMNS and value is not None:
                value = _code_text(raw)
            elif places is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
                value = round_to(value, places)
                value = int(value) if places == 0 and abs(value) < 1e15 else value
            cell = ws.cell(row=i, column=j)
            if header in TEXT_COLUMNS:
                cell.number_format = TEXT_FORMAT
            if isinstance(value, str):
                set_text(cell, value)  # never a formula, whatever the text
                widths[j - 1] = max(widths[j - 1], display_width(value))
            elif value is not None:
                cell.value = value
                if isinstance(value, datetime):
                    cell.number_format = DATETIME_FORMAT
                elif isinstance(value, date):
                    cell.number_format = DATE_FORMAT
                elif fmt:
                    cell.number_format = fmt
                widths[j - 1] = max(widths[j - 1], len(_shown(value, fmt)))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, max(6, width + 2))
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    if headers:
        last = get_column_letter(len(headers))
        ws.auto_filter.ref = f"A{header_row}:{last}{header_row + max(len(frame), 1)}"
    return header_row


def _code_text(raw: object) -> str:
    """A code as text: 2190000001.0 (a code read as a number somewhere) back to '2190000001'."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _shown(value: object, fmt: str | None) -> str:
    if isinstance(value, datetime):
        return "2026-01-01 00:00"
    if isinstance(value, date):
        return "2026-01-01"
    if isinstance(value, float) and fmt and fmt.startswith("0."):
        return f"{value:,.{len(fmt) - 2}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table_to_xlsx(df: pd.DataFrame, title: str, sheet_name: str = "数据", note: str | None = None,
                  decimals: dict[str, int] | None = None, default: int = 2) -> bytes:
    """An .xlsx with a title row, optional note (口径/来源/截至), bold frozen Chinese header, numbers
    rounded as displayed (see write_table)."""
    wb = Workbook()
    ws = wb.active
    ws.title = _safe_sheet_name(sheet_name)
    write_table(ws, df, title, note, decimals, default)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def grid_to_xlsx(grid: Grid, title: str, note: str | None = None, sheet_name: str = "达标情况") -> bytes:
    """The overview's county × indicator grid as on screen: values as shown, each cell in its status
    colour (no fill for a value without a target), a legend row under the grid."""
    wb = Workbook()
    ws = wb.active
    ws.title = _safe_sheet_name(sheet_name)
    header_row = write_table(ws, grid.values, title, note,
                             decimals={h: decimals(u) for h, u in grid.units.items()})
    used: list[str] = []
    for i, label in enumerate(grid.values.index, start=header_row + 1):
        for j, header in enumerate(grid.values.columns, start=2):
            key = grid.statuses.loc[label, header]
            used += [key] if key not in used else []
            cell = ws.cell(row=i, column=j)
            if cell.value is None:
                cell.value = NO_DATA  # as the matrix on screen says
            _fill(cell, key, has_value=cell.value != NO_DATA)
    row = header_row + len(grid.values) + 2
    ws.cell(row=row, column=1, value="底色").font = HEADER_FONT
    for j, key in enumerate(used, start=2):
        cell = ws.cell(row=row, column=j, value=status_style(key).label)
        _fill(cell, key, has_value=False)
    ws.auto_filter.ref = None
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _fill(cell, key: str, has_value: bool) -> None:
    """A cell in the colours of a status style key (a value without a target stays plain)."""
    if key == NO_TARGET and has_value:
        return
    style = status_style(key)
    cell.fill = PatternFill("solid", fgColor=style.color.lstrip("#").upper())
    cell.font = Font(color=style.text_color.lstrip("#").upper(), bold=key == "red")


def table_to_csv(df: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with BOM (so Chinese Excel opens it), text cells neutralised against formulas."""
    frame = _flat_frame(df)
    frame.columns = [neutralise(c) for c in frame.columns]
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series) or series.map(lambda v: isinstance(v, bool)).any():
            frame[col] = series.map(lambda v: ("是" if v else "否") if isinstance(v, bool) else v)
        elif not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series)):
            frame[col] = series.map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")  # CRLF: fields with CR get quoted


def _safe_sheet_name(name: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "数据"
    return cleaned[:31]
