"""投影放映: one grid indicator per screen (big number, status, chart sized to the screen).

Arrow keys or auto-advance; a slim strip at the bottom (faint until the mouse comes near)
holds the slide buttons, the month, 结束放映 and 退出投影.
"""
import time
from html import escape

import pandas as pd
import streamlit as st

from core.indicators.catalog import load_catalog
from core.present.palette import grid_ids, short_name
from ui import data, filters
from ui.auth import recheck
from ui.guard import ensure_app
from ui.meeting import exit_projector_button, go, month_css, month_select, note_chip
from ui.projector import chart_font, is_projector
from ui.render import county_bars, page_header, same_everywhere, show_chart, trajectory_figure
from ui.tiles import inject_css, tile_html

ensure_app()  # a first request straight to this page still goes through app.py

# Left/right arrow keys click the slide buttons (the script runs in the page, not an iframe), also
# after the strip's month selector or auto-play switch was used with the mouse (they keep the focus);
# not while typing in a field, in an open selector's list, or on a slider (its own arrows).
KEYS_JS = """
<script>
(function () {
  if (document.__slideKeys) return; document.__slideKeys = true;
  function busy(t) {
    if (!t || !t.closest) return false;
    if (t.closest("textarea, [role=slider]")) return true;
    if (!t.matches("input")) return false;
    if (t.getAttribute("role") === "combobox") return t.getAttribute("aria-expanded") === "true";
    return !["checkbox", "radio", "button"].includes(t.type);
  }
  document.addEventListener("keydown", function (e) {
    const key = e.key === "ArrowRight" ? "slide_next" : e.key === "ArrowLeft" ? "slide_prev" : null;
    if (!key || busy(e.target)) return;
    const b = document.querySelector(".st-key-" + key + " button");
    if (b) b.click();
  }, true);  // capture: a selector keeps its key presses to itself
})();
</script>
"""

# The strip: fixed at the bottom in projector mode, faint until hovered; the chart fills the rest.
CSS = """
<style>
.st-key-slide_bar { gap: 0.5rem; }
.st-key-slide_chart { height: calc(100vh - %(chrome)dpx) !important; flex: 0 0 auto !important; min-height: 360px; }
.st-key-slide_chart > [data-testid="stElementContainer"] { flex: 1 1 auto !important; height: 100%% !important; }
.st-key-slide_chart [data-testid="stFullScreenFrame"], .st-key-slide_chart [data-testid="stPlotlyChart"],
.st-key-slide_chart .js-plotly-plot { height: 100%% !important; }
%(projector)s
%(month)s
</style>
"""
PROJECTOR_STRIP = """
.st-key-slide_bar { position: fixed; left: 0; right: 0; bottom: 0; z-index: 990; padding: 4px 1.2rem;
  background: rgba(255,255,255,0.92); border-top: 1px solid #d0d7e2; opacity: 0.35; transition: opacity .2s; }
.st-key-slide_bar:hover, .st-key-slide_bar:focus-within { opacity: 1; }
[data-testid="stHeader"] { top: auto; bottom: 6px; height: auto; }  /* re-open-sidebar button: in the strip */
.st-key-slide_bar { padding-left: 3.4rem !important; --bar-font: 18px; }
@media (max-width: 1500px) { .st-key-slide_bar { --bar-font: 16px; } }  /* one row at 1280 px */
/* an XGA projector (1024 × 768): smaller type keeps the strip's buttons one row, the chart ends above it */
@media (max-width: 1150px) { .st-key-slide_bar { --bar-font: 14px; gap: 0.35rem; padding-left: 2.9rem !important; }
  .st-key-slide_chart { height: calc(100vh - 215px) !important; } }  /* the strip may take two rows */
.st-key-slide_bar button { min-height: 2.2rem !important; font-size: var(--bar-font) !important; }
.st-key-slide_bar button p, .st-key-slide_bar label p { font-size: var(--bar-font) !important; }
.st-key-slide_bar [data-testid="stSelectbox"] input { font-size: var(--bar-font); padding-left: 6px;
  padding-right: 6px; }  /* as the meeting bar's: its width comes from ui.meeting.month_css */
"""

period, county = filters.selection_or_stop()
ids, cat = grid_ids(), load_catalog()
if "slide" not in st.session_state:  # a reload (the meeting PC reconnecting) keeps the slide: ?slide=<indicator>
    wanted = st.query_params.get("slide")
    st.session_state["slide"] = ids.index(wanted) if wanted in ids else 0
st.session_state.setdefault("slide_at", time.time())


def step(delta: int) -> None:
    """Move to the previous/next slide and restart the auto-advance clock."""
    st.session_state["slide"] = (st.session_state["slide"] + delta) % len(ids)
    st.session_state["slide_at"] = time.time()


projector = is_projector()
periods = data.load("available_periods")
st.html(CSS % {"chrome": 150 if projector else 300, "projector": PROJECTOR_STRIP if projector else "",
               "month": month_css(periods) if projector else ""})
st.html(KEYS_JS, unsafe_allow_javascript=True)
inject_css(projector)
bar = st.container(key="slide_bar", horizontal=True, vertical_alignment="center")
bar.button("◀ 上一页", key="slide_prev", on_click=step, args=(-1,))
bar.button("下一页 ▶", key="slide_next", on_click=step, args=(1,))
auto = bar.toggle("自动播放", key="slide_auto")
seconds = bar.slider("每页秒数", 5, 60, 15, key="slide_secs", format="每页 %d 秒",
                     label_visibility="collapsed", width=120)
if projector:
    month_select(bar, periods)
    bar.button("结束放映", key="slide_end", on_click=go, args=("",), icon=":material/stop:")
    exit_projector_button(bar)
    note_chip(bar)


@st.fragment(run_every=seconds if auto else None)
def slide() -> None:
    """The current slide; in auto mode advances once `seconds` have passed."""
    recheck()  # an auto-advance is a run too: a signed-out or removed account sees the login form
    if auto and time.time() - st.session_state["slide_at"] >= seconds - 1:
        step(1)
    indicator = ids[st.session_state["slide"] % len(ids)]
    st.query_params["slide"] = indicator
    ind = cat.get(indicator)
    rows = data.indicators(period, level="county" if county else "zone", county=county,
                           indicator=indicator)
    rows = rows[rows["stage"].isna()]
    page_header(f"{short_name(indicator, ind.name)}({st.session_state['slide'] + 1}/{len(ids)})",
                period, county, projector=True)
    left, right = st.columns([1, 2.6])
    with left:
        if len(rows):
            st.html(f'<div class="hx-tiles" style="grid-template-columns:1fr">'
                    f'{tile_html(rows.iloc[0], short_name(indicator, ind.name))}</div>')
        st.caption(f"口径:{ind.definition}")
    with right, st.container(key="slide_chart"):
        trajectory = len(rows) and pd.notna(rows.iloc[0].get("expected"))
        note = None if trajectory else same_everywhere(indicator, period)
        if note:  # every county the same: no chart of equal bars, the sentence in big type
            st.html(f'<div style="font-size:40px;font-weight:700;padding:60px 20px">{escape(note)}</div>')
        else:
            fig = (trajectory_figure(indicator, period, county, chart_font()) if trajectory
                   else county_bars(indicator, period, chart_font(), highlight=county))
            show_chart(fig, f"slide_{indicator}", f"{indicator}_{period}", span=0.72, fill=True)


slide()
