"""Tables as downloadable files: a styled Excel sheet or a CSV Excel opens correctly, both injection-safe.

Formula injection (OWASP "CSV Injection"): a text cell that starts with = + - @ tab or
carriage return can be run as a formula by Excel/WPS. Such text is written with a leading
single quote, the neutralisation OWASP recommends, so it stays inert text in every program.
"""
from __future__ import annotations

import io
import math
import re
import unicodedata
from datetime import date, datetime
from typing import Iterable

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="555555")
THIN = Side(style="thin", color="A6A6A6")
HEADER_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
PERCENT_FORMAT = "0.0"  # percent values are already 0–100
INT_FORMAT = "#,##0"
FLOAT_FORMAT = "#,##0.0##"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
MAX_WIDTH = 60
# A column holds percentages (0–100) when its header says so: 「…率」, 「(%)」, 「%」.
_PERCENT_HEADER = re.compile(r"(率|%|％)\)?\s*$|\(%\)|（%）")


def neutralise(value: object) -> object:
    """The value, with text that a spreadsheet would run as a formula prefixed by a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_workbook(wb) -> None:
    """Neutralise every text cell of a workbook built cell by cell (the report), in place.

    Text from county workbooks (county and school names) ends up in these cells; openpyxl
    would store a string starting with `=` as a formula.
    """
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                    cell.value = neutralise(cell.value)


def display_width(text: str) -> int:
    """Width of text in Excel character units: CJK and other wide characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _flat_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with a meaningful index as ordinary columns and multi-level headers joined."""
    out = df.copy()
    if not isinstance(out.index, pd.RangeIndex) or any(n is not None for n in out.index.names):
        out = out.reset_index()
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
    return neutralise(str(value))


def _number_format(header: str, series: pd.Series, percent_columns: set[str]) -> str | None:
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_datetime64_any_dtype(series):
        return DATETIME_FORMAT
    if header in percent_columns:
        return PERCENT_FORMAT
    if pd.api.types.is_integer_dtype(series):
        return INT_FORMAT
    if pd.api.types.is_float_dtype(series):
        finite = series.dropna()
        if not finite.empty and (finite == finite.round()).all() and finite.abs().max() < 1e15:
            return INT_FORMAT
        return FLOAT_FORMAT
    return None


def write_table(ws: Worksheet, df: pd.DataFrame, title: str, note: str | None = None,
                percent_columns: Iterable[str] | None = None) -> int:
    """Write title, optional note, a styled header and the rows onto ws; returns the header's Excel row."""
    frame = _flat_frame(df)
    headers = list(frame.columns)
    ws.cell(row=1, column=1, value=neutralise(title)).font = TITLE_FONT
    header_row = 2
    if note:
        ws.cell(row=2, column=1, value=neutralise(note)).font = NOTE_FONT
        header_row = 3
    if percent_columns is None:
        percents = {h for h in headers if _PERCENT_HEADER.search(h)}
    else:
        percents = set(percent_columns)
    widths = [display_width(h) for h in headers]
    for j, header in enumerate(headers, start=1):
        cell = ws.cell(row=header_row, column=j, value=neutralise(header))
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for j, header in enumerate(headers, start=1):
        series = frame.iloc[:, j - 1]
        fmt = _number_format(header, series, percents)
        for i, raw in enumerate(series.tolist(), start=header_row + 1):
            value = _cell_value(raw)
            cell = ws.cell(row=i, column=j, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
                widths[j - 1] = max(widths[j - 1], display_width(value))
            elif value is not None:
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


def _shown(value: object, fmt: str | None) -> str:
    if isinstance(value, datetime):
        return "2026-01-01 00:00"
    if isinstance(value, date):
        return "2026-01-01"
    if isinstance(value, float) and fmt == PERCENT_FORMAT:
        return f"{value:.1f}"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0")
    return f"{value:,}" if isinstance(value, int) else str(value)


def table_to_xlsx(df: pd.DataFrame, title: str, sheet_name: str = "数据", note: str | None = None,
                  percent_columns: Iterable[str] | None = None) -> bytes:
    """An .xlsx with a title row, optional note (口径/来源/截至), bold frozen Chinese header, formats."""
    wb = Workbook()
    ws = wb.active
    ws.title = _safe_sheet_name(sheet_name)
    write_table(ws, df, title, note, percent_columns)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


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
