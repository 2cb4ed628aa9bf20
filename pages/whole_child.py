"""综合育人: 劳动教育, 心理健康教师, 家长学校 — who is behind on what, and the schools without them."""
import streamlit as st

from core.indicators.catalog import load_catalog
from core.month import period_label
from core.present.palette import school_lists, short_name
from core.present.topic_tables import behind_table, schools_not_meeting
from core.zone import load_zone
from ui import data, filters
from ui.drill import CARRIED, page_link_href
from ui.grid_parts import grid_part, split
from ui.guard import ensure_app
from ui.projector import chart_font, is_projector
from ui.render import (
    chart_columns,
    county_bars,
    download_table,
    half_span,
    page_header,
    show_chart,
    show_table,
    source_caption,
    static_table,
    trajectory_figure,
)
from ui.status_grid import CSS as GRID_CSS
from ui.status_grid import grid_cells, grid_html
from ui.tabs import lay_out
from ui.tiles import inject_css, tiles

ensure_app()  # a first request straight to this page still goes through app.py

TOPIC = "whole_child"  # the catalogue's topic and the workbook sheet (综合育人)
period, county = filters.selection_or_stop()
month, size, cat, zone_name = period_label(period), chart_font(), load_catalog(), load_zone().name
ids = [i.id for i in cat.indicator if i.topic == TOPIC]
names = {i: short_name(i, cat.get(i).name) for i in ids}
zone = data.indicators(period, level="zone")
counties = data.indicators(period, level="county")
zone, counties = zone[zone["indicator"].isin(ids)], counties[counties["indicator"].isin(ids)]
own = counties[counties["county"] == county] if county else zone

inject_css(is_projector())
page_header("综合育人", period, county)
tiles([(names[i], own[own["indicator"] == i].iloc[0], page_link_href("compare", indicator=i, drill=county or ""))
       for i in ids if (own["indicator"] == i).any()],
      compact=is_projector())


def counties_grid(span: float) -> None:
    st.subheader(f"{month} 各县区综合育人指标达标情况", anchor=False)  # the month: a screenshot stands alone
    missing = data.load("missing_counties", period)
    note = f"未报送县区:{'、'.join(missing)}。" if missing else ""
    footer = (f"{note}综合育人表每学年至少报送一次,沿用近12个月内最近一次报送 · "
              f"数据来源:{load_zone().source} · 数据截至 {data.as_of(period) or '—'}")

    reported = sorted(set(counties["county"].dropna()) - set(missing))
    part = grid_part(split((c, c) for c in reported), county, "wc_part")  # a province: grid_rows counties at a time

    def build() -> tuple[str, str]:
        mark = {county: f"▶ {county}"} if county else {}  # the chosen county's row, as on the county bars
        rows = [(zone_name, None), *((mark.get(c, c), c) for _, c in part.rows)]
        return grid_html(grid_cells(rows, zone, counties, ids), rows, [(i, names[i]) for i in ids], projector=is_projector(), footer=footer)

    # once per data version and everything the grid shows (its links carry the URL's month, county
    # and mode): a province grid is a thousand cells built in Python (0.3–0.5 s a rerun)
    links = tuple(st.query_params.get(k) for k in CARRIED)
    table, foot = data.remember(data.cache_key("wc_grid", period, county, tuple(ids), is_projector(), footer,
                                               links, part.rows), build)
    st.html(GRID_CSS + table + foot)
    st.markdown("**未达标与接近目标的县区**(按差距从大到小)")
    static_table(data.remember(data.cache_key("wc_behind", period, tuple(ids)),
                               lambda: behind_table(zone, counties, ids)))


# A trajectory target (专职心理健康教师): the plan's line and where each county stands this month.
planned = [i for i in ids if zone.loc[zone["indicator"] == i, "expected"].notna().any()]
targeted = set(counties.loc[counties["target"].notna(), "indicator"])  # without a target: the grid only
others = [i for i in ids if i in targeted and i not in planned]


def plans(span: float) -> None:
    for indicator in planned:
        left, right = chart_columns(2)
        with left:
            show_chart(trajectory_figure(indicator, period, county, size), f"wc_traj_{indicator}",
                       f"{indicator}_进度_{period}", span=half_span())
        with right:
            show_chart(county_bars(indicator, period, size, highlight=county), f"wc_bar_{indicator}",
                       f"{indicator}_{period}", span=half_span())


def other_bars(span: float) -> None:
    for pair in (others[k:k + 2] for k in range(0, len(others), 2)):
        for col, indicator in zip(chart_columns(2), pair):
            with col:
                show_chart(county_bars(indicator, period, size, highlight=county), f"wc_bar_{indicator}",
                           f"{indicator}_{period}", span=half_span())


lists = [(i, title) for i, title in school_lists().items() if i in ids]
LIST_TABS, LIST_OPEN = "wc_lists", "wc_list_open"  # the lists' tabs (the open one's label); its indicator


def list_tables() -> dict:
    # the school rows of the listed indicators only: every indicator's school rows of a province
    # are ~600,000 rows (800 MB), more than any cache keeps
    detail = data.load("school_detail", period, county=county)
    return {i: schools_not_meeting(data.indicators(period, level="school", county=county, indicator=i), detail, i,
                                   TOPIC) for i, _ in lists}


def schools(span: float) -> None:
    st.subheader(f"{month} 需要关注的学校", anchor=False)
    tables = data.remember(data.cache_key("wc_lists", period, county, tuple(lists)), list_tables)
    # Only the open list is sent (a province's five lists are five data grids for the browser to
    # build); the list open stays open when the month or the county, and so its count, changes.
    labels = {i: f"{title}({len(tables[i])}所)" for i, title in lists}
    opened = labels.get(st.session_state.get(LIST_OPEN))
    if opened and st.session_state.get(LIST_TABS) not in labels.values():  # its count changed with the month
        st.session_state[LIST_TABS] = opened
    tabs = st.tabs(list(labels.values()), key=LIST_TABS, on_change="rerun")
    for tab, (indicator, title) in zip(tabs, lists):
        if not tab.open:
            continue
        st.session_state[LIST_OPEN] = indicator
        with tab:
            table = tables[indicator]
            if table.empty:
                st.success(f"{month}{county or zone_name}没有{title.removesuffix('的学校')}的学校。")
                continue
            places = {h: 1 for h in table.columns if h.endswith("课时")}  # 1 or 1.5 lessons, not 1.00
            show_table(table, decimals=places)
            source_caption(period, cat.get(indicator).definition)
            download_table(table, f"{month}{title}", key=f"dl_wc_{indicator}",
                           definition=cat.get(indicator).definition, decimals=places)


lay_out(TOPIC, {"counties": counties_grid, "plans": plans, "county_bars": other_bars, "schools": schools})
