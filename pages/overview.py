"""总览: headline tiles and the county × indicator status matrix — what the leadership reads first."""
import pandas as pd
import streamlit as st

from core.indicators.catalog import load_catalog
from core.month import period_label
from core.present.palette import headline_ids
from ui import data, filters, overview_grid
from ui.drill import CARRIED, page_link_href
from ui.grid_parts import grid_part
from ui.guard import ensure_app
from ui.projector import is_projector
from ui.render import download_grid, page_header
from ui.status_grid import CSS as GRID_CSS
from ui.status_grid import VIEWS
from ui.tiles import inject_css, tiles

ensure_app()  # a first request straight to this page still goes through app.py

period, county = filters.selection_or_stop()
filters.county_list_note()  # the administrator: no county list in data/zone.toml, completeness is relative

month = overview_grid.grid_month(period)  # the matrix's rows and columns (the server warms the default month's)
ids, names = headline_ids(), month.names  # tiles; matrix columns are the tiles, then a few more
own = data.indicators(period, level="county" if county else "zone", county=county)
own = own[own["indicator"].isin(ids) & own["stage"].isna()].drop_duplicates("indicator")
found = {row["indicator"]: row for _, row in own.iterrows()}


def row_of(indicator: str) -> pd.Series:
    """The indicator's row, or an empty 无数据 row."""
    if indicator in found:
        return found[indicator]
    return pd.Series({"indicator": indicator, "unit": load_catalog().get(indicator).unit, "status": "none"})


inject_css(is_projector())
page_header("监测总览", period, county)
tiles([(names[i], row_of(i), page_link_href("compare", indicator=i, drill=county or ""))
       for i in ids], compact=is_projector())

# Counties that have not reported the month have no figures: the footer names them, no grey rows.
if not is_projector():  # the projector's bar already names the month
    st.markdown(f"**{period_label(period)} 各县区主要指标达标情况**(点击格子查看该县区各校)")
part = grid_part(overview_grid.parts(month), county, "ov_part")
grid_slot = st.empty()
foot_row = st.container(horizontal=True, vertical_alignment="center", key="ov_foot", wrap=False)
view = foot_row.segmented_control("格子底色表示", list(VIEWS), format_func=VIEWS.get, default="status",
                                  key="ov_view", label_visibility="collapsed") or "status"

# The grid's HTML once per data version and everything it shows (its links carry the URL's month,
# county and mode): a province grid is thousands of cells built in Python.
table, foot = overview_grid.grid(month, view, is_projector(), tuple(st.query_params.get(k) for k in CARRIED), part)
grid_slot.html(GRID_CSS + table)
foot_row.html(foot)
if not is_projector():
    download_grid(overview_grid.download(month), f"{period_label(period)}各县区主要指标达标情况", key="dl_overview",
                  definition=f"格内为数值,底色为达标状态。{month.note}")
