"""体育: 1-hour activity and PE lesson compliance by county and month, minutes distribution, fitness."""
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
    download_table,
    page_header,
    show_chart,
    show_county_bars,
    show_table,
    source_caption,
    tidy,
    trend_chart,
)
from ui.tabs import Piece, lay_out

ensure_app()  # a first request straight to this page still goes through app.py

period, county = filters.selection_or_stop()
page_header("体育与体质健康", period, county)
month, size, cat = period_label(period), chart_font(), load_catalog()
limit = cat.thresholds.activity_minutes


def bars(indicator: str, key: str) -> Piece:
    return lambda span: show_county_bars(indicator, period, size, key, span=span, highlight=county)


def trend(indicator: str) -> Piece:
    return lambda span: show_chart(trend_chart(indicator, period, size, county=county), f"pe_trend_{indicator}",
                                   f"{indicator}_trend_{period}", span=span)


def detail():
    return data.load("school_detail", period, county=county)


def distribution(span: float) -> None:
    fig = figcache.figure(("pe_dist", period, county, size), lambda: charts.distribution_chart(
        detail()["activity_minutes"], limit, ">=",
        f"{month} {county or '实验区'}各校日均校内体育活动时间分布", "分钟",
        caption=charts.Caption(f"各校填报的日均校内体育活动时间;{cat.thresholds.activity_source}",
                               f"标准 ≥{limit:.0f}分钟", caption_for("activity_hour_compliance",
                                                                     period).source,
                               data.as_of(period)),
        limit_label=f"{limit:.0f}分钟", base_size=size))
    show_chart(fig, "pe_dist", f"体育活动时间分布_{period}", span=span)


def short_table():
    rows = detail()
    short = rows[(rows["activity_ok"] == False) | (rows["lessons_ok"] == False)]  # noqa: E712
    columns = ["county", "school_name", "school_id", "school_type", "activity_minutes",
               "lessons_g12", "lessons_g36", "lessons_g79", "lessons_g1012"]
    return short[columns].rename(columns=column_labels(columns)).pipe(tidy)


def schools(span: float) -> None:
    st.subheader(f"{month} 校内体育活动不足{limit:.0f}分钟或体育课未开足的学校", anchor=False)
    short = data.remember(data.cache_key("pe_short", period, county), short_table)  # once per data version
    show_table(short, default=1)
    source_caption(period, cat.thresholds.pe_lessons_source)
    download_table(short, f"{month}体育未达标学校", key="dl_pe", default=1,
                   definition=cat.thresholds.pe_lessons_source)


lay_out("pe", {
    "activity_bars": bars("activity_hour_compliance", "pe_bar_activity_hour_compliance"),
    "activity_trend": trend("activity_hour_compliance"),
    "lessons_bars": bars("pe_lessons_compliance", "pe_bar_pe_lessons_compliance"),
    "lessons_trend": trend("pe_lessons_compliance"),
    "distribution": distribution,
    "fitness_pass": bars("fitness_pass_rate", "pe_fit_fitness_pass_rate"),
    "fitness_good": bars("fitness_good_rate", "pe_fit_fitness_good_rate"),
    "schools": schools,
})
