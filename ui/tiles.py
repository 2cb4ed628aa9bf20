"""Headline tiles as HTML (scale with the projector CSS); the status grid is ui/status_grid.py."""
from __future__ import annotations

import re
from html import escape

import pandas as pd
import streamlit as st

from core.present.labels import INCOMPLETE, completeness_marker, coverage_text, reporting_text, status_key
from core.present.numbers import format_change, format_target, format_value, is_missing, signed_text
from core.present.palette import status_style
from core.present.shading import rating_look, status_look

# Normal / projector sizes (projector: headline numbers >= 48 px, labels >= 20 px).
SIZES = {
    False: {"name": 15, "value": "clamp(26px, 2.5vw, 36px)", "small": 14, "gap": 10, "pad": 10},
    True: {"name": 20, "value": "48px", "small": 18, "gap": 6, "pad": 2},
}

CSS = """
<style>
.hx-tiles {{ display:grid; grid-template-columns:repeat(4, minmax(0,1fr)); gap:{gap}px; }}
a.hx-link {{ display:block; color:inherit; text-decoration:none; border-radius:8px; }}
a.hx-link:hover .hx-tile {{ outline:3px solid #1f4e99; outline-offset:-3px; }}
.hx-tile {{ border-radius:8px; padding:{pad}px 14px; line-height:1.25; height:100%; box-sizing:border-box;
  container-type:inline-size;
  font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif; }}
.hx-name {{ font-size:{name}px; font-weight:600; white-space:nowrap; overflow:hidden;
  text-overflow:ellipsis; }}
.hx-row {{ display:flex; align-items:baseline; justify-content:space-between; gap:4px 8px; flex-wrap:wrap; }}
.hx-value {{ font-size:{value}; font-weight:800; line-height:1.1; }}
.hx-badge {{ font-size:{small}px; font-weight:700; border:2px solid currentColor;
  border-radius:4px; padding:0 6px; white-space:nowrap; }}
.hx-small {{ font-size:{small}px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }}
.hx-small.hx-detail {{ white-space:normal; }}  /* target / 应达 / 仅3/8县区已报送: wrapped, never cut */
/* a narrow tile (1280 px with the sidebar) puts its badge under the value in every tile alike */
@container (max-width: 240px) {{ .hx-row {{ flex-direction:column; align-items:flex-start; gap:2px; }}
  /* and its name smaller, wrapped if still too long: 「校内体育活动1小时达标率」 whole on a 1024 projector */
  .hx-name {{ font-size:min({name}px, 16px); white-space:normal; }} }}
</style>
"""


# Projector: every tile shows target vs actual (目标 or 应达/差) at every size; on a 1080-high
# screen everything is larger.
PROJECTOR_CSS = """
<style>
@media (min-height: 1000px) {{
  .hx-name {{ font-size:26px; }} .hx-value {{ font-size:68px; }} .hx-small, .hx-badge {{ font-size:24px; }}
  .hx-tile {{ padding:8px 16px; }}
}}
</style>
"""


def inject_css(projector: bool) -> None:
    """Add the tile styles for the current mode (once per page run)."""
    st.html(CSS.format(**SIZES[projector]) + (PROJECTOR_CSS.format() if projector else ""))


def _clauses(text: str) -> str:
    """Escaped HTML wrapping only after 「,」 or 「·」 (「仅3/8县区已报送,」「不与目标比较」 each whole)."""
    return "<wbr>".join(f'<span style="white-space:nowrap">{escape(part)}</span>'
                        for part in re.split(r"(?<=[,,·])", text) if part)


def tile_html(row: pd.Series, name: str, compact: bool = False, href: str | None = None) -> str:
    """One headline tile: name, value, status sign and word, target (or 应达/差 for trajectories),
    change since last month with its unit; tinted near the target, the full colour far from it.

    `compact` (projector) uses the projector sizes. A zone figure of an incomplete month carries
    its marker (部分县区), a count of such a month reads 不完整 instead of a status
    (core.present.labels). With `href` the tile links to that view (县区对比 on the indicator).
    """
    unit = row.get("unit") or ""
    value = row.get("value")
    key = status_key(row)
    look = status_look(row)
    marker = completeness_marker(row) if key != INCOMPLETE else ""  # 部分县区 (不完整 is the badge)
    expected = row.get("expected")
    if key == INCOMPLETE:  # a count of an incomplete month: never set against its target
        reporting = row.get("counties_reporting")
        detail = (f"仅{reporting_text(reporting, row.get('counties_expected'))},不与目标比较"
                  if not is_missing(reporting) else "本月尚未截止,暂不评价")
    elif not is_missing(expected):
        gap_text = "—" if is_missing(value) else signed_text(float(value) - float(expected), unit)
        nb = "\u00a0"  # wrap between the figures, never inside one
        detail = f"应达{nb}{format_value(expected, unit)} · 差{nb}{gap_text}"
    else:
        detail = format_target(row.get("target"), row.get("direction"), unit)
    if marker:
        coverage = coverage_text(row)
        detail = f"{marker}({coverage}) · {detail}" if coverage else f"{marker} · {detail}"
    change = format_change(row.get("change"), unit)
    rating = rating_look(row)
    tip = " · ".join(p for p in (name, format_value(value, unit), look.label, detail, change,
                                 f"综合评级 {rating.label}" if rating else "") if p)
    far = " hx-far" if look.far else ""
    body = (f'<div class="hx-tile{far}" style="background:{look.background};color:{look.text}" title="{escape(tip)}">'
            f'<div class="hx-name">{escape(name)}</div>'
            f'<div class="hx-row"><span class="hx-value">{escape(format_value(value, unit))}</span>'
            f'<span class="hx-badge">{escape(look.sign)} {escape(status_style(key).label)}</span></div>'
            f'<div class="hx-small hx-detail">{_clauses(detail)}</div>'
            f'<div class="hx-small">{escape(change)}</div></div>')
    return f'<a class="hx-link" data-nav href="{escape(href)}">{body}</a>' if href else body


def tiles(rows: list[tuple[str, pd.Series, str | None]], compact: bool = False) -> None:
    """Render tiles (name, indicator row, link) in a 4-column grid."""
    body = "".join(tile_html(r, name, compact, href) for name, r, href in rows)
    st.html(f'<div class="hx-tiles">{body}</div>')


