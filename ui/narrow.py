"""The phone layout (a screen up to 640 px wide): chosen by the screen's width, not a separate app.

Three parts:
- CSS media queries on the HTML the pages already render (headline tiles two per row with every
  line shown in full, the status grid scrolling inside itself with its county column frozen, a
  smaller page title, no text under 12 px) and on Streamlit's containers;
- a compact 月份 / 县区 row at the top of the page, shown only on a narrow screen (the sidebar is
  folded away on a phone); it copies into the global filters (ui/filters.py), which stay the one
  home of month and county. It is sent only to a session that knows its screen is narrow (as
  reported, or as the cookie remembers): a wide screen's first paint draws no hidden copy of the
  filters (on a phone's very first visit the row arrives with the run that follows the report);
- the screen's width class reported to the server by a tiny component, so charts are laid out
  for the phone's width (title and caption wrapped to it, legend type at least 12 px). The first
  run of a session on a phone uses the wide layout, the report arrives, the page runs once more;
  a cookie remembers the answer, so the next visit opens narrow at once. A wide screen never
  sends a report (wide is the default) and costs no extra run.
"""
from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from core.present.charts.margin import text_ems

BREAK = 640  # px: at most this wide, the phone layout (CSS and charts)
PHONE_CHART_WIDTH = 350  # px: a chart's width on a 390-wide phone (page padding taken off)
MIN_FONT = 12  # px: the smallest type on a phone
COOKIE, STATE_KEY = "hx_narrow", "hx_screen"
SCROLL_HINT = "左右滑动查看全部指标 →"  # over a status grid wider than the phone
SHORT_LABEL = 10  # characters: a month option this short shares its row with the county

CSS = f"""
<style>
[data-testid="stLayoutWrapper"]:has(> .st-key-phone_filters), .st-key-{STATE_KEY} {{ display: none !important; }}
@media (max-width: {BREAK}px) {{
  [data-testid="stLayoutWrapper"]:has(> .st-key-phone_filters) {{ display: flex !important; }}
  [data-testid="stMainBlockContainer"], .block-container {{
    padding: 3.9rem 0.9rem 2rem 0.9rem !important; }}
  /* charts: no hover toolbar over the title (its camera is for the desk) */
  .modebar-container {{ display: none !important; }}
  /* banners (an incomplete month) in less room: the figures come first */
  [data-testid="stAlertContainer"] {{ padding: 0.5rem 0.75rem !important; }}
  [data-testid="stAlertContainer"] p {{ font-size: 14px !important; line-height: 1.45 !important; }}
  /* the overview's view switch above its legend, not squeezed beside it */
  .st-key-ov_foot {{ flex-wrap: wrap !important; }}
  .st-key-ov_foot > * {{ flex: 1 1 100% !important; width: 100% !important; max-width: 100% !important; }}
  h1 {{ font-size: 22px !important; line-height: 1.3 !important; padding: 0.2rem 0 0.4rem 0 !important; }}
  h2 {{ font-size: 19px !important; }} h3 {{ font-size: 17px !important; }}
  /* headline tiles: two per row, every line in full (wrapping between words) */
  body .hx-tiles {{ grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }}
  .hx-tile {{ padding: 8px 10px !important; }}
  .hx-name {{ font-size: 14px !important; white-space: normal !important; word-break: keep-all;
    overflow-wrap: anywhere; }}
  .hx-value {{ font-size: 26px !important; }}
  .hx-small {{ font-size: 13px !important; white-space: normal !important; overflow-wrap: anywhere; }}
  .hx-badge {{ font-size: 13px !important; }}
  .hx-tile .hx-target {{ display: block !important; }}
  /* the status grid scrolls inside itself; the county column stays in view */
  .sg-wrap {{ --sg-cell: 15px; --sg-small: 12px; --sg-head: 13px; --sg-pad: 3px;
    overflow-x: auto; -webkit-overflow-scrolling: touch; }}
  .sg-wrap table.sg {{ table-layout: auto; width: max-content; min-width: 100%; }}
  .sg-wrap:has(table.sg)::before {{ content: "{SCROLL_HINT}"; display: block; position: sticky; left: 0;
    width: max-content; font-size: 12px; color: #555; margin: 0 0 2px 0; }}
  .sg-wrap table.sg th {{ min-width: 4.6em; max-width: 6.2em; }}
  .sg-wrap table.sg th .sg-target {{ font-size: 12px; white-space: nowrap; }}
  .sg-wrap table.sg th.sg-rowhead {{ position: sticky; left: 0; z-index: 2; width: auto; min-width: 3.6em;
    box-shadow: 3px 0 3px -2px rgba(0,0,0,0.25); }}
  .sg-foot {{ font-size: 12px; }}
  table.sg-key {{ font-size: 12px; }}
}}
</style>
"""

# Reports the width class when it differs from what the server believes (and on rotation).
JS = f"""
export default function (component) {{
  const {{ data, setStateValue }} = component;
  const query = window.matchMedia("(max-width: {BREAK}px)");
  const report = () => {{
    document.cookie = "{COOKIE}=" + (query.matches ? "1" : "0") + "; path=/; max-age=31536000; SameSite=Lax";
    if (query.matches !== Boolean(data && data.narrow)) setStateValue("narrow", query.matches);
  }};
  report();
  query.addEventListener("change", report);
  return () => query.removeEventListener("change", report);
}}
"""

_component = None


def _screen_component():
    global _component
    if _component is None:
        _component = st.components.v2.component("hx_screen_width", js=JS)
    return _component


def is_narrow() -> bool:
    """Whether this session's screen is a phone's (as last reported, else as the cookie remembers)."""
    state = st.session_state.get(STATE_KEY)
    reported = state.get("narrow") if isinstance(state, Mapping) else None
    if isinstance(reported, bool):
        return reported
    return st.context.cookies.get(COOKIE) == "1"


def narrow_layout() -> None:
    """The phone CSS and the width report (called by app.py on every run, before the page)."""
    st.html(CSS)
    _screen_component()(key=STATE_KEY, data={"narrow": is_narrow()}, on_narrow_change=lambda: None)


def phone_filters(months: list[str], counties: list[str]) -> None:
    """月份 (newest first) and 县区 at the top of the page, shown only on a narrow screen; they copy
    into the global filters (ui/filters.py) as the meeting bar's do."""
    from ui.filters import ALL_COUNTIES, COUNTY_KEY, MONTH_KEY, option_label
    from ui.meeting import synced_select

    # side by side, unless the month reads long (「2026年10月(2/3县区已报送)」): then one per line
    label = option_label(st.session_state[MONTH_KEY]) if months and MONTH_KEY in st.session_state else ""
    row = st.container(key="phone_filters", horizontal=len(label) <= SHORT_LABEL, gap="small")
    if months:
        synced_select(row, "月份", "phone_month", MONTH_KEY, months, format_func=option_label, width="stretch")
    synced_select(row, "县区", "phone_county", COUNTY_KEY, [ALL_COUNTIES, *counties], width="stretch")


def chart_width(width_px: int) -> int:
    """The width a chart is laid out for: the phone's on a narrow screen, else `width_px`."""
    return min(width_px, PHONE_CHART_WIDTH) if is_narrow() else width_px


LEGEND_SYMBOL = 48  # px: a legend entry's line or marker sample and its gaps


def phone_figure(fig) -> None:
    """On a narrow screen: no chart text under MIN_FONT (a half-width layout sets 11 px ticks and
    legend), the legend in two columns (three overlap at this width), with the height the extra
    rows need, and no drag-to-zoom (a finger dragging over a chart scrolls the page; taps still
    select). Nothing changes on a wide screen, nor in the report's figures."""
    if not is_narrow():
        return
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    floor = max(MIN_FONT, int(meta.get("base_size") or 0) - 2)
    if (fig.layout.legend.font.size or 0) < MIN_FONT:
        fig.update_layout(legend_font_size=floor)
    for axes in (fig.for_each_xaxis, fig.for_each_yaxis):
        axes(lambda ax: ax.update(tickfont_size=floor) if (ax.tickfont.size or 0) < MIN_FONT else None)
    legend = fig.layout.legend
    if legend.orientation == "h":
        names = [t.name for t in fig.data if t.showlegend is not False and t.name]
        size = legend.font.size or floor
        columns = 2 if max(map(text_ems, names), default=0) * size + LEGEND_SYMBOL <= PHONE_CHART_WIDTH / 2 else 1
        thirds = legend.entrywidthmode == "fraction" and (legend.entrywidth or 1) < 0.5  # fit_width's half-width legend
        reserved = max(0, -(-len(names) // 3) - 2) if thirds else 0  # legend rows beyond two already made room for
        extra = max(0, -(-len(names) // columns) - 2) - reserved
        fig.update_layout(legend_entrywidthmode="fraction", legend_entrywidth=1 / columns)
        if extra > 0 and fig.layout.height:
            row = int(size * 2)  # a legend row: the line sample is taller than the text
            fig.update_layout(height=fig.layout.height + extra * row,
                              margin_b=(fig.layout.margin.b or 0) + extra * row)
    fig.update_layout(dragmode=False)
