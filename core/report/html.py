"""The monthly report as one self-contained, print-ready A4 HTML page.

Each chart is an SVG picture of IMG_WIDTH×IMG_HEIGHT shown at the text width. In the .html file
the page draws them itself (plotly.js and the figures' JSON inlined); the PDF's page carries the
pictures already drawn by the process's one chromium (kept with the report's data, `pdf_html`),
so printing it runs no script.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from html import escape
from pathlib import Path

from core.month import period_label
from core.present import numbers as n
from core.present.palette import status_style
from core.report.data import ReportData
from core.report.figures import chart_figure, chart_note, report_charts
from core.report.images import ChartExportError, figure_json, figure_pictures
from core.report.tables import cell_colors, overview_rows, section_table

# Chart pictures in the PDF: drawn at this size, printed at the text width (~180 mm).
IMG_WIDTH, IMG_HEIGHT, IMG_FONT_SIZE = 1000, 560, 16
SECTION_NUMBERS = "一二三四五六七八九十"

CSS = """
@page { size: A4; margin: 15mm 14mm 16mm 14mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; color: #666; } }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif;
  font-size: 10.5pt; color: #1a1a1a; line-height: 1.6; margin: 0; }
h1 { font-size: 22pt; margin: 0 0 4mm; }
h2 { font-size: 15pt; border-bottom: 2px solid #1f4e99; padding-bottom: 1mm; margin: 0 0 3mm; }
h3 { font-size: 12pt; margin: 5mm 0 2mm; }
.cover { border: 1px solid #ccc; padding: 8mm 10mm; margin-bottom: 6mm; }
.cover .zone { font-size: 13pt; color: #1f4e99; font-weight: bold; }
.cover .month { font-size: 16pt; margin-bottom: 3mm; }
.meta td { padding: 0.5mm 4mm 0.5mm 0; border: none; text-align: left; }
.topic { break-before: page; }
p.narr { margin: 0 0 2mm; text-indent: 2em; text-align: justify; }
table.data { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 2mm 0 4mm; }
table.data th { background: #1f4e99; color: #fff; font-weight: bold; padding: 1.2mm; border: 1px solid #bbb; }
table.data td { padding: 1mm 1.2mm; border: 1px solid #bbb; text-align: center; }
table.data td.label { text-align: left; white-space: nowrap; }
table.data tr.zone td { font-weight: bold; }
table.data tr { break-inside: avoid; }
.note { font-size: 8pt; color: #555; margin: 0 0 3mm; }
figure { margin: 0 0 4mm; break-inside: avoid; }
figure img { width: 100%; height: auto; display: block; border: 1px solid #e0e0e0; }
p.lead { border: 2px solid #b26a00; background: #fff4e0; padding: 2mm 3mm; margin: 0 0 4mm; font-weight: bold; }
"""


def render_html(data: ReportData, images: bool = True, pictures: list[str] | None = None) -> str:
    """The whole report as HTML, its charts drawn by the page's script; with `pictures` (each chart's
    picture as a data: URL, in report_charts order) shown as those, no script; `images=False` leaves
    charts out (fast, for previews and tests)."""
    charts: list[str] | None = [] if images else None  # each chart's figure JSON or picture, in order
    parts = [_cover(data)]
    for i, topic in enumerate(data.topics):
        parts.append(_topic(data, topic, SECTION_NUMBERS[i % len(SECTION_NUMBERS)], charts, pictures))
    title = escape(f"{data.zone_name}监测月报 {period_label(data.period)}")
    script = _chart_script(charts or []) if pictures is None else ""
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{CSS}</style></head><body>{''.join(parts)}{script}</body></html>")


def pdf_html(data: ReportData) -> str:
    """The page printed to PDF: every chart's SVG picture drawn once for this report data."""
    return render_html(data, pictures=chart_pictures(data))


def chart_pictures(data: ReportData) -> list[str]:
    """Every chart of the report as an SVG data: URL, drawn in one browser call, kept with `data`."""
    return data.kept("pdf_pictures", lambda: figure_pictures(
        (_chart_json(data, spec) for _, spec in report_charts(data)), "svg", IMG_WIDTH, IMG_HEIGHT))


def prepare_pdf(data: ReportData) -> None:
    """Draw the PDF's chart pictures in the background (starting the browser if need be), so that a
    later click on the download only prints; a failure is left for that click to report."""
    def draw():
        try:
            chart_pictures(data)
        except ChartExportError:
            pass
    threading.Thread(target=draw, name="report-pictures", daemon=True).start()


def _chart_script(charts: list[str]) -> str:
    """plotly.js and the script turning each chart's figure into its <img> (an SVG picture)."""
    if not charts:
        return ""
    figures = "[" + ",".join(charts) + "]"
    # window.reportReady: resolves once every chart's picture is decoded (the printer waits for it)
    return (f"<script>{plotly_js()}</script><script>(function(){{const figs={figures};"
            f"window.reportReady=Promise.all(figs.map(function(f,i){{return Plotly.toImage(f,"
            f"{{format:'svg',width:{IMG_WIDTH},height:{IMG_HEIGHT}}}).then(function(url){{"
            f"const img=document.getElementById('chart-'+i);img.src=url;return img.decode();}});}}));}})();</script>")


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The plotly.js bundled with plotly.py (the same draws the pictures in the shared browser)."""
    import plotly

    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


def _cover(data: ReportData) -> str:
    meta = [("报告月份", period_label(data.period)), ("数据截至", data.as_of),
            ("数据来源", data.source), ("生成时间", data.generated_at)]
    rows = "".join(f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in meta)
    lead = "".join(f'<p class="lead">{escape(s)}</p>' for s in data.lead)
    summary = "".join(
        f"<h3>{escape(t.title)}</h3>" + "".join(f'<p class="narr">{escape(s)}</p>'
                                               for s in data.narrative.get(t.key, []))
        for t in data.topics)
    return (f'<section class="cover"><div class="zone">{escape(data.zone_name)}</div>'
            f"<h1>基础教育综合改革实验区监测月报</h1>"
            f'<div class="month">{escape(period_label(data.period))}</div>{lead}'
            f'<table class="meta">{rows}</table></section>'
            f"<h2>本月概览</h2>{_overview(data)}<h2>摘要</h2>{lead}{summary}")


def _overview(data: ReportData) -> str:
    """Zone value, change, target and status of every headline tile and narrative indicator."""
    head = "".join(f"<th>{h}</th>" for h in ("专题", "指标", "全区", "较上月", "目标", "状态"))
    body = [f"<tr><td>{escape(r.topic)}</td><td class='label'>{escape(r.name)}</td>"
            f"<td>{escape(r.value)}</td><td>{escape(r.change)}</td><td>{escape(r.target)}</td>"
            f"<td{_cell_style(r.status, r.raw_value)}>{escape(r.status_label)}</td></tr>"
            for r in overview_rows(data)]
    return f'<table class="data"><tr>{head}</tr>{"".join(body)}</table>'


def _topic(data: ReportData, topic, number: str, charts: list[str] | None, pictures: list[str] | None) -> str:
    narr = "".join(f'<p class="narr">{escape(s)}</p>' for s in data.narrative.get(topic.key, []))
    figs = ("".join(_figure(data, spec, charts, pictures) for spec in topic.charts)
            if charts is not None else "")
    return (f'<section class="topic"><h2>{number}、{escape(topic.title)}</h2>{narr}'
            f"{_table(data, topic)}{figs}</section>")


def _table(data: ReportData, topic) -> str:
    table = section_table(data, topic)
    head = "<th>县区</th>" + "".join(f"<th>{escape(c.header)}</th>" for c in table.columns)
    body = []
    for label in table.rows:
        cells = []
        for j, col in enumerate(table.columns):
            value = table.values[(label, j)]
            text = n.format_value(value, col.unit)
            cells.append(f"<td{_cell_style(table.statuses[(label, j)], value)}>{escape(text)}</td>")
        cls = " class='zone'" if label == table.zone_label else ""
        body.append(f"<tr{cls}><td class='label'>{escape(label)}</td>{''.join(cells)}</tr>")
    targets = "".join(f"<td>{escape(n.format_target(c.target, c.direction, c.unit).removeprefix('目标 '))}</td>"
                      for c in table.columns)
    shown = ("green", "amber", "red", "none", *(["incomplete"] if "incomplete" in table.statuses.values() else []))
    legend = " ".join(f"<span style='background:{status_style(s).color};color:{status_style(s).text_color};"
                      f"padding:0 1.5mm'>{status_style(s).label}</span>" for s in shown) + " 无底色=无目标"
    return (f'<table class="data"><tr>{head}</tr>{"".join(body)}<tr><td class="label">目标</td>{targets}</tr>'
            f'</table><p class="note">底色:{legend}。数据来源:{escape(data.source)};数据截至 {escape(data.as_of)}。</p>')


def _cell_style(status, value) -> str:
    colors = cell_colors(status, None if n.is_missing(value) else value)
    return "" if colors is None else f" style='background:{colors[0]};color:{colors[1]}'"


def _figure(data: ReportData, spec, charts: list[str], pictures: list[str] | None) -> str:
    """The chart's <img>: its picture, or empty and its figure JSON appended to `charts` for the script."""
    note = chart_note(data, spec)
    if note:  # every county the same: a sentence says it, no chart of equal bars
        return f'<p class="note">{escape(note)}</p>'
    i = len(charts)
    charts.append(_chart_json(data, spec) if pictures is None else pictures[i])
    src = "" if pictures is None else f' src="{escape(pictures[i])}"'
    return (f'<figure><img id="chart-{i}" alt="{escape(spec.key)}" '
            f'width="{IMG_WIDTH}" height="{IMG_HEIGHT}"{src}></figure>')


def _chart_json(data: ReportData, spec) -> str:
    return figure_json(chart_figure(data, spec, base_size=IMG_FONT_SIZE, height=IMG_HEIGHT))
