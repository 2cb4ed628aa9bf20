"""优质学校: trajectory to the target month, counts by county and level, 优质均衡 resource table."""
import streamlit as st

from core.indicators.catalog import load_catalog
from core.month import period_label
from core.present import charts
from core.present.labels import column_labels
from ui import data, figcache, filters
from ui.grid_parts import grid_part, split
from ui.guard import ensure_app
from ui.projector import chart_font
from ui.render import (
    caption_for,
    download_table,
    page_header,
    show_chart,
    show_table,
    source_caption,
    tidy,
    trajectory_figure,
)
from ui.tabs import lay_out

ensure_app()  # a first request straight to this page still goes through app.py

period, county = filters.selection_or_stop()
page_header("优质学校", period, county)
month, size, cat = period_label(period), chart_font(), load_catalog()


def trajectory(span: float) -> None:
    fig = trajectory_figure("quality_schools", period, county, size)
    show_chart(fig, "q_traj", f"优质学校数进度_{period}", span=span)


def detail():
    return data.load("school_detail", period, county=county)


def resources():
    return data.load("resource_table", period, county=county)


def level_counts(shown: tuple[str, ...]):
    rows = detail()
    rows = rows[rows["county"].isin(shown)] if shown else rows
    return rows.assign(level=rows["quality_level"].fillna("无")).groupby(["county", "level"]).size().reset_index(
        name="count")


def levels(span: float) -> None:  # the school rows only when the figure is not kept (0.1 s at 300 counties)
    # a province: [scale] grid_rows counties at a time (400 bar labels measured by the browser at 100 counties)
    parts = split((c, c) for c in sorted(data.load("zone_counties"))) if county is None else []
    part = grid_part(parts, None, "q_part") if len(parts) > 1 else None
    shown = tuple(c for _, c in part.rows) if part else ()
    title = f"{month} 各县区学校优质认定等级" + (f"(第{part.label}个县区)" if part else "")
    fig = figcache.figure(("q_levels", period, county, shown, size), lambda: charts.stacked_counts(
        level_counts(shown), "county", "level", title,
        caption=charts.Caption("学校数按优质学校认定等级(沿用最近一次报送)", "",
                               caption_for("quality_schools", period).source, data.as_of(period)),
        stack_order=["省级", "市级", "县级", "无"], base_size=size))
    show_chart(fig, "q_levels", f"优质认定等级_{period}" + (f"_{part.label}" if part else ""), span=span)


def cv(span: float) -> None:
    table = resources()
    if table.empty:
        st.info("本月没有优质均衡资源配置数据。")
        return
    groups = table[["county", "stage_name"]].drop_duplicates().apply(" · ".join, axis=1).tolist()
    pick = st.selectbox("县区 · 学段", groups, key="q_group")
    part = table[(table["county"] + " · " + table["stage_name"]) == pick]
    limit = float(part["cv_limit"].iloc[0])
    fig = figcache.figure(("q_cv", period, county, pick, size), lambda: charts.cv_bars(
        part.assign(item=part["code"], value=part["cv"]), f"{month} {pick} 资源配置校际差异系数", limit,
        caption=caption_for("resource_cv_max", period), base_size=size))
    show_chart(fig, "q_cv", f"差异系数_{period}", span=span)


def resource_table(span: float) -> None:
    table = resources()
    if table.empty:
        return
    st.subheader(f"{month} 优质均衡资源配置指标(平均值 / 标准差 / 差异系数)", anchor=False)
    shown = table.rename(columns={"county": "县区", "stage_name": "学段", "code": "指标",
                                  "name": "名称", "unit": "单位", "n_schools": "学校数",
                                  "mean": "平均值", "std": "标准差", "cv": "差异系数",
                                  "cv_limit": "差异系数标准", "standard": "校级标准值",
                                  "n_meeting": "达标学校数"})
    shown["差异系数达标"] = table["cv_ok"].map({True: "是", False: "否(超标)"}).fillna("无数据")
    shown = shown[["县区", "学段", "指标", "名称", "单位", "学校数", "平均值", "标准差", "差异系数",
                   "差异系数标准", "差异系数达标", "校级标准值", "达标学校数"]]
    shown = tidy(shown)
    show_table(shown, default=2, flagged=shown["差异系数达标"].str.startswith("否"))
    source_caption(period, cat.get("resource_cv_composite").definition)
    download_table(shown, f"{month}优质均衡资源配置指标", key="dl_resource", default=2,
                   definition=cat.get("resource_cv_composite").definition)


def failing_table():
    rows = detail()
    short = rows[(rows["has_resource"] == True) & (rows["meets_rule"] == False)]  # noqa: E712
    items = {it.id: f"{it.code} {it.name}" for it in cat.resource_item}
    columns = ["county", "school_name", "school_id", "school_type", "students", "resource_items_ok"]
    return short[[*columns, *items]].rename(columns={**column_labels(columns), **items}).pipe(tidy)


def failing(span: float) -> None:
    st.subheader(f"{month} 未达到资源配置“7项指标”要求的学校", anchor=False)
    short = data.remember(data.cache_key("quality_failing", period, county), failing_table)  # once per data version
    show_table(short)
    source_caption(period, cat.thresholds.resource_source)
    download_table(short, f"{month}资源配置未达标学校", key="dl_failing",
                   definition=cat.thresholds.resource_source)


lay_out("quality", {
    "trajectory": trajectory,
    "levels": levels,
    "cv": cv,
    "resource_table": resource_table,
    "failing": failing,
})
