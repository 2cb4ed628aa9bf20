"""The blank workbook a county fills in, generated from the row models in core/schema.py."""
from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core.db import open_db
from core.submission.schema import (
    COUNTY_LABEL,
    INSTRUCTIONS_SHEET,
    PERIOD_LABEL,
    SHEETS,
    Col,
    columns,
)
from core.zone import Zone, load_zone

EXTRA_ROWS = 200  # validated empty rows below the roster, for new schools
YES_NO = ("是", "否")
REQ_LABELS = {
    "yes": "必填",
    "no": "选填",
    "band": "学校含该学段时必填,不含时留空",
    "compulsory": "义务教育学校必填",
    "if_level": "认定等级不为“无”时必填",
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def latest_roster(con: duckdb.DuckDBPyConnection, county: str) -> pd.DataFrame:
    """The county's school roster from its newest accepted submission in force (empty if none)."""
    row = con.execute("SELECT id FROM submission WHERE county = ? AND status = 'accepted' AND in_force"
                      " ORDER BY period DESC, received_at DESC LIMIT 1", [county]).fetchone()
    if row is None:
        return pd.DataFrame(columns=[c.name for c in columns(SHEETS["school"].model)])
    return con.execute("SELECT * EXCLUDE (submission_id) FROM school WHERE submission_id = ?"
                       " ORDER BY school_id", [row[0]]).df()


def build_template(county: str, period: str, roster: pd.DataFrame | None = None,
                   zone: Zone | None = None) -> Workbook:
    """The template workbook for one county × month, with the roster pre-filled."""
    zone = zone or load_zone()
    roster = roster if roster is not None else pd.DataFrame()
    wb = Workbook()
    _instructions(wb.active, county, period, zone)
    for sheet in SHEETS.values():
        ws = wb.create_sheet(sheet.name)
        cols = columns(sheet.model)
        # optional sheets stay empty: an untouched one counts as not sent, never as blank values
        prefill = _prefill_rows(sheet.key, cols, roster, county) if sheet.required else []
        _data_sheet(ws, cols, prefill)
    return wb


def template_bytes(county: str, period: str, db_path: Path | str | None = None) -> bytes:
    """The template as .xlsx bytes (for a download button), roster from the database."""
    with open_db(db_path) as con:
        roster = latest_roster(con, county)
    buf = io.BytesIO()
    build_template(county, period, roster).save(buf)
    return buf.getvalue()


def write_template(county: str, period: str, out: Path | str, db_path: Path | str | None = None) -> int:
    """Write the template to `out`; return how many schools were pre-filled from the roster."""
    with open_db(db_path) as con:
        roster = latest_roster(con, county)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    build_template(county, period, roster).save(out)
    return len(roster)


def _instructions(ws: Worksheet, county: str, period: str, zone: Zone) -> None:
    ws.title = INSTRUCTIONS_SHEET
    due = zone.due_date(period)
    ws.append([COUNTY_LABEL, county])
    ws.append([PERIOD_LABEL, period])
    ws.append(["截止日期", f"{due.year}年{due.month}月{due.day}日"])
    for cell in ("B1", "B2", "B3"):
        ws[cell].number_format = "@"  # keep 2026-10 as text, not a date
    ws.append([])
    y, m = (int(p) for p in period.split("-"))
    for line in (
        f"请于{due.month}月{due.day}日前报送{county}{y}年{m}月监测数据。",
        "请勿修改工作表名称和表头;每所学校占一行,学校标识码为10位数字。",
        "学校名册已按上次报送预填,如有新开办或撤并的学校,请增删相应行。",
        "体育、作业表已预填学校标识码和名称,请逐校填写其余各列。",
        "学校不含某学段时,该学段的课时、作业列留空;空白表示“未报送”,不等于0。",
        "体质健康测试三列在年度测试结果公布当月填写,其他月份留空。",
        "优质学校表在认定等级或办学条件有变化时填写(每年至少一次);无变化时可不填。",
        "综合育人表每学年至少填写一次(如9月开学后),或有变化时填写,所填数据沿用12个月;无变化时可不填。",
        "带下拉箭头的单元格请从列表中选择;数值超出范围时Excel会提示。",
    ):
        ws.append([line])
    ws.append([])
    ws.append(["工作表", "列(表头)", "是否必填", "填写要求"])
    header_row = ws.max_row
    for sheet in SHEETS.values():
        for c in columns(sheet.model):
            ws.append([sheet.name, c.header, REQ_LABELS[c.req], c.expected])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for cell in ("A1", "A2", "A3"):
        ws[cell].font = Font(bold=True)
    for letter, width in zip("ABCD", (14, 34, 30, 40)):
        ws.column_dimensions[letter].width = width


def _prefill_rows(key: str, cols: list[Col], roster: pd.DataFrame, county: str) -> list[dict]:
    if roster.empty:
        return []
    if key == "school":
        return [dict(r._asdict(), county=county) for r in roster.itertuples(index=False)]
    return [{"school_id": r.school_id, "school_name": r.name} for r in roster.itertuples(index=False)]


def _data_sheet(ws: Worksheet, cols: list[Col], rows: list[dict]) -> None:
    ws.append([c.header for c in cols])
    for row in rows:
        ws.append([_cell_value(row.get(c.name)) for c in cols])
    last = max(len(rows), 1) + 1 + EXTRA_ROWS
    for i, c in enumerate(cols, start=1):
        letter = get_column_letter(i)
        head = ws.cell(row=1, column=i)
        head.font = Font(bold=True)
        head.fill = HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[letter].width = max(12, min(30, len(c.header) * 2 + 2))
        if c.kind == "code":  # text format, so Excel keeps leading zeros and all 10 digits
            ws.column_dimensions[letter].number_format = "@"
            for r in range(2, len(rows) + 2):
                ws.cell(row=r, column=i).number_format = "@"
        dv = _validation(c)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{last}")
    ws.row_dimensions[1].height = 36
    ws.freeze_panes = "A2"


def _cell_value(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return YES_NO[0] if value else YES_NO[1]
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def _validation(c: Col) -> DataValidation | None:
    """Excel data validation for a column: drop-downs for enums/yes-no, ranges for numbers."""
    if c.kind in ("enum", "bool"):
        options = c.enum if c.kind == "enum" else YES_NO
        dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
        wanted = "、".join(options)
        dv.error = f"「{c.header}」请从下拉列表中选择:{wanted}"
    elif c.kind in ("int", "num") and (c.lo is not None or c.hi is not None):
        kind = "whole" if c.kind == "int" else "decimal"
        if c.hi is not None:
            dv = DataValidation(type=kind, operator="between", formula1=str(_num(c.lo or 0)),
                                formula2=str(_num(c.hi)), allow_blank=True)
        else:
            dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=str(_num(c.lo)),
                                allow_blank=True)
        dv.error = f"「{c.header}」应填写{c.expected}"
    elif c.kind == "code":
        dv = DataValidation(type="textLength", operator="equal", formula1="10", allow_blank=True)
        dv.error = f"「{c.header}」应填写{c.expected}"
    else:
        return None
    dv.errorTitle = "填写有误"
    dv.showErrorMessage = True
    dv.prompt = c.expected or None
    dv.promptTitle = c.header[:32] if c.expected else None
    dv.showInputMessage = bool(c.expected)
    return dv


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x
