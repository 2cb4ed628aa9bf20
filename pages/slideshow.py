"""投影放映: one headline indicator per screen (big number, status, chart); arrow keys or auto-advance."""
import time

import pandas as pd
import streamlit as st

from core.indicators.catalog import load_catalog
from core.present.palette import headline_ids, short_name
from ui import data, filters
from ui.guard import ensure_app
from ui.projector import chart_font, is_projector
from ui.render import county_bars, page_header, show_chart, trajectory_figure
from ui.tiles import inject_css, tile_html

ensure_app()  # a first request straight to this page still goes through app.py

# Left/right arrow keys click the 上一页/下一页 buttons (the script runs in the page, not an iframe).
KEYS_JS = """
<script>
(function () {
  const doc = window.parent ? window.parent.document : document;
  if (doc.__slideKeys) return; doc.__slideKeys = true;
  doc.addEventListener("keydown", function (e) {
    const want = e.key === "ArrowRight" ? "下一页" : e.key === "ArrowLeft" ? "上一页" : null;
    if (!want) return;
    for (const b of doc.querySelectorAll("button")) {
      if (b.innerText.includes(want)) { b.click(); break; }
    }
  });
})();
</script>
"""

period, county = filters.selection_or_stop()
ids, cat = headline_ids(), load_catalog()
st.session_state.setdefault("slide", 0)
st.session_state.setdefault("slide_at", time.time())


def step(delta: int) -> None:
    """Move to the previous/next slide and restart the auto-advance clock."""
    st.session_state["slide"] = (st.session_state["slide"] + delta) % len(ids)
    st.session_state["slide_at"] = time.time()


c1, c2, c3, c4 = st.columns([1, 1, 1, 2])
c1.button("◀ 上一页", on_click=step, args=(-1,), width="stretch")
c2.button("下一页 ▶", on_click=step, args=(1,), width="stretch")
auto = c3.toggle("自动播放", key="slide_auto")
seconds = c4.slider("每页秒数", 5, 60, 15, key="slide_secs", format="每页 %d 秒",
                    label_visibility="collapsed")
st.html(KEYS_JS, unsafe_allow_javascript=True)
inject_css(is_projector())


@st.fragment(run_every=seconds if auto else None)
def slide() -> None:
    """The current slide; in auto mode advances once `seconds` have passed."""
    if auto and time.time() - st.session_state["slide_at"] >= seconds - 1:
        step(1)
    indicator = ids[st.session_state["slide"]]
    ind = cat.get(indicator)
    rows = data.indicators(period, level="county" if county else "zone", county=county,
                           indicator=indicator)
    rows = rows[rows["stage"].isna()]
    page_header(f"{short_name(indicator, ind.name)}({st.session_state['slide'] + 1}/{len(ids)})",
                period, county)
    left, right = st.columns([1, 2.4])
    with left:
        if len(rows):
            st.html(f'<div class="hx-tiles" style="grid-template-columns:1fr">'
                    f'{tile_html(rows.iloc[0], short_name(indicator, ind.name))}</div>')
        st.caption(f"口径:{ind.definition}")
    with right:
        trajectory = len(rows) and pd.notna(rows.iloc[0].get("expected"))
        fig = (trajectory_figure(indicator, period, county, chart_font()) if trajectory
               else county_bars(indicator, period, chart_font(), highlight=county))
        fig.update_layout(height=520 if is_projector() else 450)
        show_chart(fig,
                   f"slide_{indicator}", f"{indicator}_{period}", span=0.7)


slide()
