"""作业: homework minutes against the 60/90 limits, compliance by county, schools over the limit."""
import streamlit as st

from core.indicators.catalog import load_catalog
from core.month import period_label
from core.present import charts
from core.present.labels import column_labels
from ui import data, figcache, filters
from ui.guard import ensure_app
from ui.projector import chart_font
from ui.render import (
    caption_for,
    chart_columns,
    download_table,
    half_span,
    page_header,
    show_chart,
    show_county_bars,
    show_table,
    source_caption,
    tidy,
    trend_chart,
)

ensure_app()  # a first request straight to this page still goes through app.py

period, county = filters.selection_or_stop()
page_header("作业管理(双减)", period, county)
month, size, cat = period_label(period), chart_font(), load_catalog()
th = cat.thresholds
detail = data.load("school_detail", period, county=county)
source = caption_for("hw_g36_compliance", period).source

# (band label, minutes column, limit, compliance indicator, mean indicator)
BANDS = [("三至六年级", "g36_minutes", th.hw_g36_max_minutes, "hw_g36_compliance", "hw_g36_minutes_mean"),
         ("初中", "g79_minutes", th.hw_g79_max_minutes, "hw_g79_compliance", "hw_g79_minutes_mean")]

st.subheader("日均书面作业时长:三至六年级不超过60分钟,初中不超过90分钟")
for kind in ("dist", "trend", "bars"):
    for col, (band, column, limit, compliance, mean) in zip(chart_columns(2), BANDS):
        with col:
            if kind == "dist":
                fig = figcache.figure(("hw_dist", column, period, county, size), lambda: charts.distribution_chart(
                    detail[column], limit, "<=",
                    f"{month} {county or '实验区'}{band}各校日均作业时长分布", "分钟",
                    caption=charts.Caption(f"各校填报的{band}日均书面作业时长;{th.homework_source}",
                                           f"上限 ≤{limit:.0f}分钟", source, data.as_of(period)),
                    limit_label=f"上限 {limit:.0f}分钟", base_size=size))
            elif kind == "trend":
                fig = trend_chart(mean, period, size, county=county, limit=limit)
            else:
                show_county_bars(compliance, period, size, f"hw_{kind}_{column}", span=half_span(),
                                 highlight=county)
                continue
            show_chart(fig, f"hw_{kind}_{column}", f"{band}_{kind}_{period}", span=half_span())

st.subheader("一二年级不布置书面家庭作业")
show_county_bars("hw_g12_none_rate", period, size, "hw_bar_g12", highlight=county)

st.subheader(f"{month} 作业时长超标或一二年级布置书面作业的学校")
over = detail[(detail["hw_g36_ok"] == False) | (detail["hw_g79_ok"] == False)  # noqa: E712
              | (detail["hw_g12_ok"] == False)]  # noqa: E712
over = over.assign(g12_written=over["g12_written"].map({True: "是", False: "否"}))
columns = ["county", "school_name", "school_id", "school_type", "g12_written", "g36_minutes", "g79_minutes"]
table = over[columns].rename(columns=column_labels(columns)).pipe(tidy)
show_table(table, default=1)
source_caption(period, th.homework_source)
download_table(table, f"{month}作业超标学校", key="dl_hw", default=1, definition=th.homework_source)
