"""县区对比 / 学校明细: rank counties on any indicator, click a county for its schools, a school's history."""
import pandas as pd
import streamlit as st

from core.indicators.catalog import load_catalog
from core.month import period_label
from core.present import charts
from core.present.labels import column_labels
from core.present.escape import md_text
from ui import data, filters
from ui.guard import ensure_app
from ui.projector import chart_font
from ui.render import (
    caption_for,
    chinese_table,
    county_bars,
    download_table,
    page_header,
    show_chart,
    show_table,
    source_caption,
    tidy,
)

ensure_app()  # a first request straight to this page still goes through app.py

period, county = filters.selection_or_stop()
page_header("县区对比 / 学校明细", period, county)
month, size, cat = period_label(period), chart_font(), load_catalog()
choices = [i.id for i in cat.indicator if "county" in i.levels]
names = {i.id: i.name for i in cat.indicator}
MAX_BARS = 30  # school bars in the drill-down chart


def seed(key: str, param: str, options: list, default):
    """Seed a drill widget from the URL once, and keep it valid."""
    if st.session_state.get(key) not in options:
        wanted = st.query_params.get(param)
        st.session_state[key] = wanted if wanted in options else default


def clicked(event) -> str | None:
    """The customdata (county or school id) of the clicked bar, if any."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if not points:
        return None
    custom = points[0].get("customdata")
    return custom[0] if isinstance(custom, list) else custom


seed("cmp_ind", "indicator", choices, "activity_hour_compliance")
indicator = st.selectbox("指标", choices, key="cmp_ind", format_func=names.get)
st.query_params["indicator"] = indicator
event = show_chart(county_bars(indicator, period, size, highlight=county), "cmp_counties",
                   f"{names[indicator]}_{period}", select=True)
counties = data.load("zone_counties")
hit = clicked(event)
if hit in counties:
    st.session_state["cmp_drill"] = hit
seed("cmp_drill", "drill", counties, county or (counties[0] if counties else None))
st.caption("点击柱形可下钻到该县区的学校。")

detail = data.load("school_detail", period)
types = sorted(detail["school_type"].dropna().unique())
c1, c2 = st.columns([1, 2])
drill = c1.selectbox("县区(下钻)", counties, key="cmp_drill")
picked_types = c2.multiselect("学段类型", types, key="cmp_types", placeholder="全部学段类型")
st.query_params["drill"] = drill

schools = data.indicators(period, level="school", county=drill, indicator=indicator)
meta = detail[["school_id", "school_type"]]
schools = schools.merge(meta, on="school_id", how="left")
if picked_types:
    schools = schools[schools["school_type"].isin(picked_types)]
if schools.empty:
    st.info(f"{md_text(drill)}本月没有该指标的学校数据。")
else:
    first = schools.iloc[0]
    # A county may have 100+ schools: the chart shows the weakest ones, the table all of them.
    worst = schools.sort_values("value", ascending=first["direction"] != "<=", na_position="first")
    shown_n = min(len(schools), MAX_BARS)
    scope = f"(最弱的{shown_n}所,共{len(schools)}所;全部见下表)" if len(schools) > MAX_BARS else ""
    fig = charts.bar_by_status(worst.head(MAX_BARS), "school_name",
                               f"{month} {drill}各校{names[indicator]}{scope}",
                               first["unit"], caption=caption_for(indicator, period, first),
                               target=first["target"], direction=first["direction"],
                               key_col="school_id", horizontal=True, base_size=size)
    event = show_chart(fig, "cmp_schools", f"{drill}_{names[indicator]}_{period}", select=True)
    hit = clicked(event)
    ids = schools["school_id"].tolist()
    if hit in ids:
        st.session_state["cmp_school"] = hit
    table = chinese_table(schools, ["county", "school_name", "school_id", "value", "unit",
                                    "target", "status_label", "change"])
    show_table(table, default=1)
    download_table(table, f"{month}{drill}各校{names[indicator]}", key="dl_cmp", default=1,
                   definition=cat.get(indicator).definition)

    label = dict(zip(schools["school_id"], schools["school_name"]))
    seed("cmp_school", "school", ids, ids[0])
    school = st.selectbox("学校明细", ids, key="cmp_school", format_func=lambda s: label.get(s, s))
    st.query_params["school"] = school
    history = data.load("school_history", school)
    series = column_labels(["activity_minutes", "g36_minutes", "g79_minutes"], with_unit=False)
    long = history.melt(id_vars=["period"], value_vars=list(series), var_name="s", value_name="value")
    long = long.assign(county=long["s"].map(series), value=pd.to_numeric(long["value"]))
    long = long[long["value"].notna()]
    fig = charts.trend_lines(long, f"{label.get(school, school)}:主要数值月度变化(截至{month})", "分钟",
                             caption=charts.Caption("学校各月填报值", "", caption_for(
                                 indicator, period).source, data.as_of(period)), base_size=size)
    show_chart(fig, "cmp_history", f"{school}_history")
    columns = column_labels(["period", "school_type", "students", "activity_minutes", "lessons_ok",
                             "g12_written", "g36_minutes", "g79_minutes", "publicity", "fitness_good_rate",
                             "quality_level", "meets_rule"])
    shown = history[list(columns)].replace({True: "是", False: "否"}).rename(columns=columns)
    shown = tidy(shown)
    show_table(shown, default=1)
    download_table(shown, f"{label.get(school, school)}各月数据", key="dl_school", default=1)
    source_caption(period)
