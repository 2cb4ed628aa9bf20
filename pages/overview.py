"""总览: headline tiles and the county × indicator status matrix — what the leadership reads first."""
import pandas as pd
import streamlit as st

from core.indicators.catalog import load_catalog
from core.month import period_label
from core.present.grid import overview_grid
from core.present.palette import grid_ids, headline_ids, short_name
from core.zone import load_zone
from ui import data, filters
from ui.guard import ensure_app
from ui.projector import is_projector
from ui.render import download_grid, page_header
from ui.tiles import inject_css, matrix_html, tiles

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
tiles([(names[i], row_of(own, i)) for i in ids], compact=is_projector())

matrix = pd.concat([zone.assign(county=zone_name), by_county])
matrix = matrix[matrix["indicator"].isin(columns) & matrix["stage"].isna()]
cells = matrix.assign(row=matrix["county"], col=matrix["indicator"].map(names))
# Counties that have not reported the month have no figures: the footer names them, no grey rows.
missing = data.load("missing_counties", period)
rows = [zone_name, *sorted(set(by_county["county"].dropna()) - set(missing))]
if not is_projector():  # the projector header already names the month
    st.markdown(f"**{period_label(period)} 各县区主要指标达标情况**(格内为数值,颜色为状态)")
note = f"未报送县区:{'、'.join(missing)}(实验区数值不含这些县区)。" if missing else ""
footer = f"{note}数据来源:{load_zone().source} · 数据截至 {data.as_of(period) or '—'}"
st.html(matrix_html(cells, rows, [names[i] for i in columns], footer=footer))
if not is_projector():
    grid = overview_grid(zone, by_county, columns, names, zone_name, missing)
    download_grid(grid, f"{period_label(period)}各县区主要指标达标情况", key="dl_overview",
                  definition=f"格内为数值,底色为达标状态。{note}")
