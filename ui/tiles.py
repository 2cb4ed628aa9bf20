"""Headline tiles and the county × indicator status matrix as HTML (scales with projector CSS)."""
from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

from core.present.labels import INCOMPLETE, completeness_marker, reporting_text, status_key
from core.present.numbers import format_change, format_target, format_value, is_missing, signed_text
from core.present.palette import NO_TARGET, STATUSES, status_style

# Normal / projector sizes (projector: headline numbers >= 48 px, labels >= 20 px).
SIZES = {
    False: {"name": 15, "value": 36, "small": 14, "cell": 16, "gap": 10, "pad": 10},
    True: {"name": 20, "value": 50, "small": 20, "cell": 20, "gap": 6, "pad": 3},
}

CSS = """
<style>
.hx-tiles {{ display:grid; grid-template-columns:repeat(4, minmax(0,1fr)); gap:{gap}px; }}
.hx-tile {{ border-radius:8px; padding:{pad}px 14px; line-height:1.25;
  font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif; }}
.hx-name {{ font-size:{name}px; font-weight:600; white-space:nowrap; overflow:hidden;
  text-overflow:ellipsis; }}
.hx-row {{ display:flex; align-items:baseline; justify-content:space-between; gap:8px; }}
.hx-value {{ font-size:{value}px; font-weight:800; line-height:1.1; }}
.hx-badge {{ font-size:{small}px; font-weight:700; border:2px solid currentColor;
  border-radius:4px; padding:0 6px; white-space:nowrap; }}
.hx-small {{ font-size:{small}px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }}
table.hx-matrix {{ width:100%; border-collapse:separate; border-spacing:3px; table-layout:fixed;
  font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif; }}
table.hx-matrix th {{ font-size:{cell}px; font-weight:600; padding:2px 4px; text-align:center;
  vertical-align:bottom; line-height:1.2; color:#1a1a1a; background:#fff; border:none; }}
table.hx-matrix th.hx-rowhead {{ text-align:left; width:7.5em; vertical-align:middle; }}
table.hx-matrix td {{ font-size:{cell}px; font-weight:700; text-align:center; padding:{pad}px 2px;
  border-radius:4px; border:none; line-height:1.15; }}
.hx-wrap {{ font-size:{small}px; }}
.hx-foot {{ display:flex; flex-wrap:wrap; align-items:center; gap:6px; font-size:{small}px;
  color:#333; }}
.hx-legend span {{ display:inline-block; padding:0 8px; margin-right:6px; border-radius:4px;
  font-size:{small}px; }}
</style>
"""


# Projector on a 1080-high screen: use the room (720-high screens keep the sizes above).
TALL_SCREEN_CSS = """
<style>
@media (min-height: 1000px) {
  .hx-name { font-size:26px; } .hx-value { font-size:68px; } .hx-small, .hx-wrap, .hx-badge { font-size:24px; }
  .hx-tile { padding:8px 16px; }
  table.hx-matrix th, table.hx-matrix td { font-size:26px; padding:7px 4px; }
  .hx-foot { font-size:22px; }
}
</style>
"""


def inject_css(projector: bool) -> None:
    """Add the tile/matrix styles for the current mode (once per page run)."""
    st.html(CSS.format(**SIZES[projector]) + (TALL_SCREEN_CSS if projector else ""))


def tile_html(row: pd.Series, name: str, compact: bool = False) -> str:
    """One headline tile: name, value, status badge, target (or 应达/差 for trajectories), change.

    `compact` (projector) puts target and change on one line so 8 tiles and the matrix fit 720 px.
    A zone figure of an incomplete month carries its marker (部分县区), a count of such a month
    reads 不完整 instead of a status (core.present.labels).
    """
    unit = row.get("unit") or ""
    value = row.get("value")
    key = status_key(row)
    style = status_style(key)
    marker = completeness_marker(row) if key != INCOMPLETE else ""  # 部分县区 (不完整 is the badge)
    expected = row.get("expected")
    gap_text = "—"
    if key == INCOMPLETE:  # a count of an incomplete month: never set against its target
        reporting = row.get("counties_reporting")
        detail = (f"仅{reporting_text(reporting, row.get('counties_expected'))},不与目标比较"
                  if not is_missing(reporting) else "本月尚未截止,暂不评价")
        detail_class = "hx-wrap"
    elif not is_missing(expected):
        if not is_missing(value):
            gap_text = signed_text(float(value) - float(expected), unit)
        nb = "\u00a0"  # wrap between the three figures, never inside one
        detail = (f"应达{nb}{format_value(expected, unit)} / 实际{nb}{format_value(value, unit)}"
                  f" / 差{nb}{gap_text}")
        detail_class = "hx-wrap"
    else:
        detail_class = "hx-small"
        detail = format_target(row.get("target"), row.get("direction"), unit)
    if marker:
        detail = f"{marker} · {detail}"
    change = format_change(row.get("change"), unit)
    if compact:
        if not is_missing(expected) and key != INCOMPLETE:
            detail = f"应达 {format_value(expected, unit)} · 差 {gap_text}"
            detail = f"{marker} · {detail}" if marker else detail
        detail = f"{detail} · {change.replace('较上月 ', '较上月').replace('个百分点', '')}"
        change = ""
        if marker:  # the marker must not push the change out of sight: two lines
            detail_class = "hx-wrap"
    badge = style.label
    return (
        f'<div class="hx-tile" style="background:{style.color};color:{style.text_color}">'
        f'<div class="hx-name" title="{escape(name)}">{escape(name)}</div>'
        f'<div class="hx-row"><span class="hx-value">{escape(format_value(value, unit))}</span>'
        f'<span class="hx-badge">{escape(badge)}'
        f'</span></div>'
        f'<div class="{detail_class}" title="{escape(detail)}">{escape(detail)}</div>'
        + (f'<div class="hx-small">{escape(change)}</div>' if change else "") + '</div>')


def tiles(rows: list[tuple[str, pd.Series]], compact: bool = False) -> None:
    """Render tiles (name, indicator row) in a 4-column grid."""
    body = "".join(tile_html(r, name, compact) for name, r in rows)
    st.html(f'<div class="hx-tiles">{body}</div>')


def matrix_html(df: pd.DataFrame, rows: list[str], cols: list[str], footer: str = "") -> str:
    """County × indicator table: each cell in its status colour with the value written in it.

    `df` needs `row`, `col`, `value`, `unit`, `status`.
    """
    cells = {(r.row, r.col): r for r in df.itertuples()}
    head = "".join(f"<th>{escape(c)}</th>" for c in cols)
    body, used = [], set()
    for r in rows:
        tds = []
        for c in cols:
            rec = cells.get((r, c))
            value = rec.value if rec is not None else None
            key = status_key(rec) if rec is not None else "none"
            used.add(key)
            s = status_style(key)
            text = format_value(value, rec.unit if rec is not None else "")
            marker = completeness_marker(rec) if rec is not None else ""
            tip = f"{r} · {c}:{text} · {s.label}" + (f" · {marker}" if marker and marker != s.label else "")
            tds.append(f'<td style="background:{s.color};color:{s.text_color}" '
                       f'title="{escape(tip)}">{escape(text)}</td>')
        body.append(f'<tr><th class="hx-rowhead">{escape(r)}</th>{"".join(tds)}</tr>')
    keys = [*STATUSES[:3], *([k for k in (NO_TARGET, INCOMPLETE) if k in used]), "none"]
    legend = "".join(
        f'<span style="background:{status_style(k).color};color:{status_style(k).text_color}">'
        f'{status_style(k).label}</span>' for k in keys)
    return (f'<table class="hx-matrix"><thead><tr><th class="hx-rowhead"></th>{head}</tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table>'
            f'<div class="hx-foot"><span class="hx-legend">{legend}</span>'
            f'<span>{escape(footer)}</span></div>')
