"""The monthly report as an Excel workbook: 摘要 sheet with the narrative, one sheet per topic."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.indicators.catalog import load_catalog
from core.month import period_label
from core.present import numbers as n
from core.present.export import neutralise_workbook, number_format
from core.report.data import ReportData
from core.report.tables import cell_colors, overview_rows, section_table

HEADER_FILL = PatternFill("solid", fgColor="1F4E99")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(size=9, color="555555")
THIN = Side(style="thin", color="BBBBBB")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_xlsx(data: ReportData, out: Path) -> Path:
    """Write the report workbook to `out` and return its path."""
    wb = Workbook()
    _summary_sheet(wb.active, data)
    for topic in data.topics:
        _topic_sheet(wb.create_sheet(topic.title), data, topic)
    neutralise_workbook(wb)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _summary_sheet(ws: Worksheet, data: ReportData) -> None:
    ws.title = "摘要"
    ws["A1"] = f"{data.zone_name}监测月报({period_label(data.period)})"
    ws["A1"].font = TITLE_FONT
    row = 2
    for sentence in data.lead:  # an incomplete month says so first
        ws.cell(row, 1, sentence).font = Font(bold=True, color="B26A00")
        row += 1
    meta = [("实验区", data.zone_name), ("报告月份", period_label(data.period)),
            ("数据截至", data.as_of), ("数据来源", data.source), ("生成时间", data.generated_at)]
    for i, (k, v) in enumerate(meta, start=row + 1):
        ws.cell(i, 1, k).font = Font(bold=True)
        ws.cell(i, 2, v)
    row += len(meta) + 2
    row = _overview_block(ws, row, data) + 1
    for topic in data.topics:
        ws.cell(row, 1, topic.title).font = Font(bold=True, size=12)
        for sentence in data.narrative.get(topic.key, []):
            row += 1
            ws.cell(row, 2, sentence).alignment = WRAP
            ws.row_dimensions[row].height = 15 * (1 + len(sentence) // 60)
        row += 2
    ws.cell(row, 1, "报送情况").font = Font(bold=True, size=12)
    row += 1
    header = ["县区", "状态", "截止日期", "收到时间", "文件名"]
    _header_row(ws, row, header)
    for _, s in data.statuses.sort_values("county").iterrows():
        row += 1
        received = pd.Timestamp(s["received_at"]).strftime("%Y-%m-%d %H:%M") if pd.notna(s["received_at"]) else ""
        for j, v in enumerate([s["county"], s["status"], s["due_date"], received, s["file_name"] if pd.notna(s["file_name"]) else ""], 1):
            ws.cell(row, j, v).border = BOX
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 100
    for col in "CDE":
        ws.column_dimensions[col].width = 20
    ws.freeze_panes = "A3"


def _overview_block(ws: Worksheet, row: int, data: ReportData) -> int:
    """本月概览: every headline tile's zone figure, as the PDF's cover table; returns the next free row."""
    ws.cell(row, 1, "本月概览").font = Font(bold=True, size=12)
    row += 1
    _header_row(ws, row, ["专题", "指标", "全区", "较上月", "目标", "状态"])
    for r in overview_rows(data):
        row += 1
        for j, v in enumerate([r.topic, r.name, r.value, r.change, r.target, r.status_label], 1):
            ws.cell(row, j, v).border = BOX
        _status_fill(ws.cell(row, 6), r.status, r.raw_value)
    return row + 1


def _topic_sheet(ws: Worksheet, data: ReportData, topic) -> None:
    table = section_table(data, topic)
    catalog = load_catalog()
    ws["A1"] = f"{period_label(data.period)} {topic.title}监测指标(按县区)"
    ws["A1"].font = TITLE_FONT
    ws["A2"] = (f"单元格底色为达标状态(绿:达标 黄:接近 红:未达标 灰:无数据 无底色:无目标)。"
                f"数据来源:{data.source};数据截至 {data.as_of}")
    ws["A2"].font = NOTE_FONT
    head_row = 4
    _header_row(ws, head_row, ["县区", *(c.header for c in table.columns)])
    for i, label in enumerate(table.rows, start=head_row + 1):
        cell = ws.cell(i, 1, label)
        cell.border = BOX
        cell.font = Font(bold=label == table.zone_label)
        for j, col in enumerate(table.columns):
            value = table.values[(label, j)]
            rounded = n.rounded(value, col.unit)
            c = ws.cell(i, j + 2, rounded if rounded is not None else n.NO_DATA)
            c.number_format = number_format(col.unit)
            c.alignment = CENTER
            c.border = BOX
            _status_fill(c, table.statuses[(label, j)], value)
    row = head_row + len(table.rows) + 1
    targets = ["目标", *(_target(c) for c in table.columns)]
    for j, v in enumerate(targets, 1):
        ws.cell(row, j, v).font = NOTE_FONT
    row += 2
    for indicator, trend in data.trends.items():
        if indicator in {c.indicator for c in table.columns}:
            row = _trend_block(ws, row, data, indicator, trend) + 1
    row = _definitions(ws, row, table.columns, catalog)
    ws.freeze_panes = ws.cell(head_row + 1, 2)
    ws.column_dimensions["A"].width = 14
    for j in range(2, max(len(table.columns), 8) + 2):
        ws.column_dimensions[get_column_letter(j)].width = 16
    ws.row_dimensions[head_row].height = 48


def _trend_block(ws: Worksheet, row: int, data: ReportData, indicator: str, trend: pd.DataFrame) -> int:
    """Chart data: months down, counties across, the zone last."""
    if trend.empty:
        return row
    name, unit = trend["name"].iloc[0], trend["unit"].iloc[0]
    ws.cell(row, 1, f"图表数据:{name}月度趋势").font = Font(bold=True)
    row += 1
    trend = trend[trend["stage"].isna()] if "stage" in trend else trend
    counties = sorted(trend["county"].dropna().unique())
    _header_row(ws, row, ["月份", *counties, data.zone_name])
    for period in sorted(trend["period"].unique()):
        row += 1
        part = trend[trend["period"] == period]
        ws.cell(row, 1, period).border = BOX
        for j, county in enumerate([*counties, None], start=2):
            match = part[part["county"].isna()] if county is None else part[part["county"] == county]
            v = n.rounded(match["value"].iloc[0], unit) if not match.empty else None
            c = ws.cell(row, j, v if v is not None else n.NO_DATA)
            c.border = BOX
            c.number_format = number_format(unit)
    return row + 1


def _definitions(ws: Worksheet, row: int, columns, catalog) -> int:
    ws.cell(row, 1, "指标口径").font = Font(bold=True)
    seen = set()
    for col in columns:
        if col.indicator in seen:
            continue
        seen.add(col.indicator)
        ind = catalog.get(col.indicator)
        row += 1
        ws.cell(row, 1, ind.name).font = NOTE_FONT
        ws.cell(row, 2, f"{ind.definition}(依据:{ind.source})").font = NOTE_FONT
    return row + 1


def _target(col) -> str:
    return n.format_target(col.target, col.direction, col.unit).removeprefix("目标 ")


def _header_row(ws: Worksheet, row: int, values: list[str]) -> None:
    for j, v in enumerate(values, 1):
        c = ws.cell(row, j, v)
        c.fill, c.font, c.alignment, c.border = HEADER_FILL, HEADER_FONT, CENTER, BOX


def _status_fill(cell, status: str, value) -> None:
    colors = cell_colors(status, value)
    if colors is None:
        return
    background, text = colors
    cell.fill = PatternFill("solid", fgColor=background.lstrip("#").upper())
    cell.font = Font(color=text.lstrip("#").upper(), bold=status == "red")
