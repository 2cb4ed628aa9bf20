"""县区对比 / 学校明细: zone → county → school on one indicator, with breadcrumbs back up.

实验区: every county's bar (click one). A county: its schools by the value behind the indicator
(minutes, 课时 against the standard) or, where there is no number behind it, a list (click a
school). A school: that value month by month and the school's monthly table. Indicator, county
and school live in the URL (?indicator=&drill=&school=), so a tile or a status-grid cell can link
straight to a county's view.
"""
import pandas as pd
import streamlit as st

from core.indicators.catalog import load_catalog
from core.month import period_label
from core.present import charts
from core.present.escape import md_text
from core.present.labels import column_labels
from core.present.school_values import school_values
from ui import data, filters
from ui.drill import adopt, breadcrumbs, write
from ui.guard import ensure_app
from ui.projector import chart_font
from ui.render import (
    caption_for,
    chinese_table,
    download_table,
    page_header,
    show_chart,
    show_county_bars,
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
counties = data.load("zone_counties")
ZONE = None  # drill level 实验区: no county chosen
MAX_BARS = 30  # school bars in the county chart (the table lists all)
HISTORY = column_labels(["period", "school_type", "students", "activity_minutes", "lessons_ok", "g12_written",
                         "g36_minutes", "g79_minutes", "publicity", "fitness_good_rate", "quality_level",
                         "meets_rule"])  # the school table's columns, in order


def clicked(event) -> str | None:
    """The customdata (county or school id) of the clicked bar, if any."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if not points:
        return None
    custom = points[0].get("customdata")
    return custom[0] if isinstance(custom, list) else custom


def value_caption(spec, rows: pd.DataFrame, what: str) -> charts.Caption:
    """Caption of a chart of the values behind an indicator: what they are, the standard, source."""
    limits = rows["limit"].unique()
    standard = (charts.standard_label(limits[0], spec.direction, spec.unit) if len(limits) == 1
                else "标准因学段而异(见各柱上的竖线)")
    base = caption_for(indicator, period)
    return charts.Caption(f"{what}{spec.label}", standard, base.source, base.as_of)


def school_table(schools: pd.DataFrame, behind) -> pd.DataFrame:
    """The county's schools, those not meeting the indicator first: the value behind it and its
    standard where there is one, else the school's value (a rate) or just its status (yes/no)."""
    status = chinese_table(schools, ["school_id", "status_label"]).set_index("学校标识码")["状态"]
    if behind is not None:
        spec, rows = behind
        out = rows.assign(状态=rows["school_id"].map(status))
        out = out.rename(columns={"school_name": "学校名称", "school_id": "学校标识码", "band": "学段",
                                  "value": f"{spec.label}({spec.unit})", "limit": f"标准({spec.unit})"})
        keep = ["学校名称", "学校标识码", *(["学段"] if out["学段"].ne("").any() else []),
                f"{spec.label}({spec.unit})", f"标准({spec.unit})", "状态"]
        return out[keep]
    ordered = schools.sort_values("value", ascending=schools["direction"].iloc[0] != "<=")
    if schools["denominator"].eq(1).all():  # yes/no per school: the status says it
        return chinese_table(ordered, ["school_name", "school_id", "status_label"])
    return chinese_table(ordered, ["school_name", "school_id", "value", "unit", "target", "status_label",
                                   "change"])


adopt("cmp_ind", "indicator", choices, "activity_hour_compliance")
adopt("cmp_drill", "drill", [ZONE, *counties], county)
indicator = st.selectbox("指标", choices, key="cmp_ind", format_func=names.get)
ind = cat.get(indicator)
drill = st.session_state["cmp_drill"]
detail = data.load("school_detail", period, county=drill) if drill else pd.DataFrame()
schools = data.indicators(period, level="school", county=drill, indicator=indicator) if drill else None
ids = [] if schools is None else schools["school_id"].tolist()
adopt("cmp_school", "school", [None, *ids], None)
school = st.session_state["cmp_school"] if drill else None
label = {} if schools is None else dict(zip(schools["school_id"], schools["school_name"]))

crumbs = [("实验区各县区", {"cmp_drill": ZONE, "cmp_school": None})]
if drill:
    crumbs.append((f"{drill}各校", {"cmp_school": None}))
if school:
    crumbs.append((label.get(school, school), {}))
breadcrumbs(crumbs)

if not drill:  # 实验区: the counties side by side
    event = show_county_bars(indicator, period, size, "cmp_counties", select=True)
    hit = clicked(event)
    if hit in counties:
        st.session_state.update(cmp_drill=hit, cmp_school=None)
        st.rerun()
    st.caption("点击柱形查看该县区的各所学校。")
    rows = data.indicators(period, level="county", indicator=indicator)
    table = chinese_table(rows[rows["stage"].isna()], ["county", "value", "unit", "target", "expected",
                                                       "status_label", "change"])
    show_table(table, default=1)
    download_table(table, f"{month}各县区{names[indicator]}", key="dl_cmp_counties", default=1,
                   definition=ind.definition)
elif not school and drill in data.load("missing_counties", period):  # nothing to drill into: say why
    st.info(f"{md_text(drill)}{month}未报送,没有学校数据;可在侧栏选择其他月份。")
elif not school:  # a county: its schools
    types = sorted(detail["school_type"].dropna().unique())
    picked = st.multiselect("学段类型", types, key="cmp_types", placeholder="全部学段类型")
    if picked:
        detail = detail[detail["school_type"].isin(picked)]
        schools = schools[schools["school_id"].isin(detail["school_id"])]
    behind = school_values(detail, indicator, cat.thresholds)
    first = schools.iloc[0] if len(schools) else None
    if behind is not None and len(behind[1]):
        spec, rows = behind
        n = len(rows)
        scope = f"(最需关注的{MAX_BARS}所,共{n}所;全部见下表)" if n > MAX_BARS else f"(共{n}所)"
        fig = charts.school_value_bars(rows.head(MAX_BARS), spec.unit, spec.direction,
                                       f"{month} {drill}各校{spec.label}{scope}",
                                       caption=value_caption(spec, rows, "各校填报的"), base_size=size)
    elif first is not None and not schools["denominator"].eq(1).all():  # a real rate per school
        worst = schools.sort_values("value", ascending=first["direction"] != "<=", na_position="first")
        fig = charts.bar_by_status(worst.head(MAX_BARS), "school_name", f"{month} {drill}各校{names[indicator]}",
                                   first["unit"], caption=caption_for(indicator, period, first),
                                   target=first["target"], direction=first["direction"],
                                   key_col="school_id", horizontal=True, base_size=size)
    elif schools.empty:  # the message below says why: no sentence of "0所学校中0所"
        fig = None
    else:  # yes/no with no number behind it: the list says it
        fig = None
        failing = schools[schools["status"] == "red"]["school_name"].tolist()
        st.markdown(f"**{md_text(drill)}{len(schools)}所学校中{len(failing)}所未达标**"
                    + (":" + "、".join(md_text(n) for n in failing[:MAX_BARS]) if failing else "。")
                    + ("等" if len(failing) > MAX_BARS else ""))
    if fig is not None:
        hit = clicked(show_chart(fig, "cmp_schools", f"{drill}_{names[indicator]}_{period}", select=True))
        if hit in ids:
            st.session_state["cmp_school"] = hit
            st.rerun()
        st.caption("点击柱形查看该校各月数据。")
    if schools.empty:
        st.info(f"{md_text(drill)}所选学段类型中没有该指标的学校,请调整「学段类型」。" if picked
                else f"{md_text(drill)}本月没有该指标的学校数据。")
    else:
        table = school_table(schools, behind)
        show_table(table, default=1)
        download_table(table, f"{month}{drill}各校{names[indicator]}", key="dl_cmp", default=1,
                       definition=ind.definition)
        st.selectbox("查看学校", [None, *ids], key="cmp_school",
                     format_func=lambda s: "请选择学校…" if s is None else label.get(s, s))
else:  # one school, month by month
    history = data.load("school_history", school, county=drill, end=period)  # as of the month shown
    behind = school_values(history.assign(school_name=label.get(school, school)), indicator, cat.thresholds)
    name = label.get(school, school)
    if behind is not None and len(behind[1]):
        spec, _ = behind
        column = spec.bands[0].column if len(spec.bands) == 1 else None
        series = {b.column: f"{spec.label}{b.name and '(' + b.name + ')'}" for b in spec.bands}
        long = history.melt(id_vars=["period"], value_vars=[c for c in series if c in history],
                            var_name="s", value_name="value")
        long = long.assign(county=long["s"].map(series), value=pd.to_numeric(long["value"]))
        limit = behind[1]["limit"].iloc[0] if column else None
        fig = charts.trend_lines(long[long["value"].notna()], f"{name}:{spec.label}月度变化(截至{month})",
                                 spec.unit, caption=value_caption(spec, behind[1], "该校各月填报的"), target=limit,
                                 direction=spec.direction, base_size=size,
                                 target_name=charts.standard_label(limit, spec.direction, spec.unit)
                                 if column else None)
        show_chart(fig, "cmp_history", f"{school}_history")
    shown = tidy(history[list(HISTORY)].replace({True: "是", False: "否"}).rename(columns=HISTORY))
    show_table(shown, default=1)
    download_table(shown, f"{name}各月数据(截至{month})", key="dl_school", default=1)
    source_caption(period)

write("cmp_ind", "indicator", indicator)
write("cmp_drill", "drill", drill)
write("cmp_school", "school", school)
