"""Write one demo county workbook in one of the four layouts counties really send.

Layouts (docs/submission-format.md, Layout): `template` (填报说明 with 县区/报送月份, header in row 1),
`titled` (merged title, 填报单位 row, 合计 and 填报人/联系电话 footer), `retyped` (titled plus
aliases, full-width brackets, shuffled columns, codes as numbers, `45分钟`, `４５`, √/×) and
`filename` (no 县区/报送月份 cells: county from the roster, month from the file name).
Headers, aliases and unit words come from core/schema.py. Output bytes are deterministic.
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.submission.schema import (
    COUNTY_LABEL,
    INSTRUCTIONS_SHEET,
    PERIOD_LABEL,
    SHEETS,
    Col,
    columns,
)

FULL_WIDTH = str.maketrans("0123456789()", "０１２３４５６７８９（）")
YES_NO_STYLES = (("是", "否"), ("有", "无"), ("√", "×"), ("Y", "N"))
OFFICERS = ("张明", "李华", "王芳", "刘洋", "陈静", "杨帆", "赵磊", "黄丽")
SHEET_WORDS = {"school": "学校名册", "pe": "体育工作", "homework": "作业管理", "quality": "优质学校",
               "whole_child": "综合育人"}


def file_name(county: str, period: str, layout: str, correction: bool = False) -> str:
    """The file name a county of this layout uses (the month is in every name)."""
    year, month = period[:4], int(period[5:])
    stem = {"template": f"{county}_{period}", "titled": f"{county}{year}年{month}月监测数据",
            "retyped": f"{county}-{year}{month:02d}报送", "filename": f"{county}{year}年{month}月报送表"}[layout]
    return f"{stem}{'(更正)' if correction else ''}.xlsx"


def workbook_bytes(county: str, period: str, layout: str, sheets: dict[str, pd.DataFrame], *,
                   county_idx: int, received_at: datetime, instructions: bool = True) -> bytes:
    """The .xlsx bytes of one county × month; `sheets` maps sheet keys to frames with DB column names."""
    rng = np.random.default_rng([county_idx, int(period.replace("-", ""))])
    wb = Workbook()
    wb.remove(wb.active)
    if layout != "filename":
        _instructions(wb, [(COUNTY_LABEL, county), (PERIOD_LABEL, period)])
    elif instructions:
        _instructions(wb, [])
    for key, frame in sheets.items():
        spec = SHEETS[key]
        cols = [c for c in columns(spec.model)]
        ws = wb.create_sheet(spec.name)
        headers = [c.header for c in cols]
        if layout == "retyped":
            order = np.random.default_rng([county_idx, len(key)]).permutation(len(cols))
            cols = [cols[i] for i in order]
            headers = [_retype(c, county_idx) for c in cols]
        rows = [[_cell(c, v, layout, rng) for c, v in zip(cols, _values(frame, cols, r))]
                for r in range(len(frame))]
        if layout in ("titled", "retyped"):
            _titled(ws, county, period, key, headers, rows, county_idx)
        else:
            ws.append(headers)
            for row in rows:
                ws.append(row)
        ws.freeze_panes = None
    when = received_at.replace(second=0, microsecond=0)
    wb.properties.creator = OFFICERS[county_idx % len(OFFICERS)]
    wb.properties.created = wb.properties.modified = when
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip_times(buf.getvalue(), when)


def _instructions(wb: Workbook, pairs: list[tuple[str, str]]) -> None:
    ws = wb.create_sheet(INSTRUCTIONS_SHEET)
    for label, value in pairs:
        ws.append([label, value])
    ws.append([])
    ws.append(["填报说明:请按表头填写,不要修改表头;每月5日前报送上月数据。"])


def _values(frame: pd.DataFrame, cols: list[Col], r: int) -> list:
    out = []
    for c in cols:
        name = "name" if c.name == "school_name" else c.name
        value = frame[name].iat[r] if name in frame.columns else None
        out.append(None if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
                   else value)
    return out


def _plain(c: Col, value):
    """The value as the template layout writes it: numbers as numbers, yes/no as 是/否."""
    if value is None:
        return None
    if c.kind == "bool":
        return "是" if bool(value) else "否"
    if c.kind == "int" or (c.kind == "num" and float(value).is_integer()):
        return int(value)
    if c.kind == "num":
        return float(value)
    return str(value)


def _cell(c: Col, value, layout: str, rng: np.random.Generator):
    """The value as written by this layout; `retyped` mangles some cells the way officers do."""
    plain = _plain(c, value)
    if layout != "retyped" or plain is None:
        return plain
    roll = rng.random()
    if c.kind == "code":
        return int(plain) if roll < 0.4 else plain
    if c.kind == "bool":
        yes, no = YES_NO_STYLES[int(rng.integers(len(YES_NO_STYLES)))] if roll < 0.5 else ("是", "否")
        return yes if value else no
    if c.kind in ("int", "num"):
        if roll < 0.06 and c.units:
            return f"{plain}{c.units[0]}"
        if roll < 0.10:
            return str(plain).translate(FULL_WIDTH)
        if roll < 0.13:
            return f" {plain} "
    return plain


def _retype(c: Col, county_idx: int) -> str:
    """A header as an officer retyped it: an alias, full-width brackets or a trailing space."""
    variant = (county_idx + len(c.header)) % 4
    if variant == 0 and c.aliases:
        return c.aliases[(county_idx // 2) % len(c.aliases)]
    if variant == 1 and "(" in c.header:
        return c.header.translate(str.maketrans("()", "（）"))
    if variant == 2:
        return c.header + " "
    return c.header


def _titled(ws, county: str, period: str, key: str, headers: list[str], rows: list[list], county_idx: int) -> None:
    """Title row (merged), 填报单位 row, header, data, 合计, blank, 填报人/联系电话."""
    width = len(headers)
    ws.append([f"{county}{period[:4]}年{int(period[5:])}月{SHEET_WORDS[key]}统计表"] + [None] * (width - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.append([f"填报单位(盖章):{county}教育局"])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    ws.append(["合计"])
    ws.append([])
    officer = OFFICERS[county_idx % len(OFFICERS)]
    ws.append([f"填报人:{officer}", None, f"联系电话:0851-{5230000 + 17 * county_idx:07d}"])


def _fixed_zip_times(data: bytes, when: datetime) -> bytes:
    """Re-pack the zip with fixed entry times, so the same workbook always has the same SHA-256."""
    stamp = (max(1980, when.year), when.month, when.day, when.hour, when.minute, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' with the current time
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + when.strftime("%Y-%m-%dT%H:%M:00Z").encode(),
                              body)
            dst.writestr(fixed, body)
    return out.getvalue()
