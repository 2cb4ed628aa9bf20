"""总览: headline tiles and the county × indicator status matrix — what the leadership reads first."""
import pandas as pd
import streamlit as st

from core.indicators.catalog import load_catalog
from core.month import period_label
from core.present.grid import overview_grid
from core.present.palette import grid_ids, headline_ids, short_name
from core.zone import load_zone
from ui import data, filters
from ui.drill import page_link_href
from ui.guard import ensure_app
from ui.projector import is_projector
from ui.render import download_grid, page_header
from ui.status_grid import CSS as GRID_CSS
from ui.status_grid import VIEWS, grid_html
from ui.tiles import inject_css, tiles

ensure_app()  # a first request straight to this page still goes through app.py

period, county = filters.selection_or_stop()

catalog, zone_name = load_catalog(), load_zone().name
ids, columns = headline_ids(), grid_ids()  # tiles; matrix columns (the tiles, then a few more)
names = {i: short_name(i, catalog.get(i).name) for i in columns}
own = data.indicators(period, level="county" if county else "zone", county=county)
own = own[own["indicator"].isin(ids) & own["stage"].isna()]
by_county = data.indicators(period, level="county")
zone = data.indicators(period, level="zone")


def row_of(frame: pd.DataFrame, indicator: str) -> pd.Series:
    """The indicator's row, or an empty 无数据 row."""
    hit = frame[frame["indicator"] == indicator]
    if len(hit):
        return hit.iloc[0]
    return pd.Series({"indicator": indicator, "unit": catalog.get(indicator).unit, "status": "none"})


inject_css(is_projector())
page_header("监测总览", period, county)
tiles([(names[i], row_of(own, i), page_link_href("compare", indicator=i, drill=county or ""))
       for i in ids], compact=is_projector())

# Counties that have not reported the month have no figures: the footer names them, no grey rows.
missing = data.load("missing_counties", period)
rows = [(zone_name, None), *((c, c) for c in sorted(set(by_county["county"].dropna()) - set(missing)))]
note = f"未报送县区:{'、'.join(missing)}(实验区数值不含这些县区)。" if missing else ""
footer = f"{note}数据来源:{load_zone().source} · 数据截至 {data.as_of(period) or '—'}"
if not is_projector():  # the projector's bar already names the month
    st.markdown(f"**{period_label(period)} 各县区主要指标达标情况**(点击格子查看该县区各校)")
grid_slot = st.empty()
foot_row = st.container(horizontal=True, vertical_alignment="center", key="ov_foot", wrap=False)
view = foot_row.segmented_control("格子底色表示", list(VIEWS), format_func=VIEWS.get, default="status",
                                  key="ov_view", label_visibility="collapsed") or "status"


def build_grid() -> tuple[str, str]:
    cells = {(label, r["indicator"]): r
             for label, frame in [(zone_name, zone), *((c, by_county[by_county["county"] == c]) for _, c in rows[1:])]
             for _, r in frame[frame["indicator"].isin(columns) & frame["stage"].isna()].iterrows()}
    return grid_html(cells, rows, [(i, names[i]) for i in columns], view, is_projector(), footer)


# The grid's HTML once per data version and everything it shows (its links carry the URL's month,
# county and mode): a province grid is thousands of cells built in Python.
links = tuple(st.query_params.get(k) for k in ("month", "county", "mode"))
table, foot = data.remember(data.cache_key("overview_grid", period, tuple(rows), tuple(columns), view,
                                           is_projector(), footer, links), build_grid)
grid_slot.html(GRID_CSS + table)
foot_row.html(foot)
if not is_projector():
    grid = data.remember(data.cache_key("overview_download", period, tuple(columns), tuple(missing)),
                         lambda: overview_grid(zone, by_county, columns, names, zone_name, missing))
    download_grid(grid, f"{period_label(period)}各县区主要指标达标情况", key="dl_overview",
                  definition=f"格内为数值,底色为达标状态。{note}")
