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
page_header("作业管理(双减)", period, county)
month, size, cat = period_label(period), chart_font(), load_catalog()
th = cat.thresholds
source = caption_for("hw_g36_compliance", period).source

# (band label, minutes column, limit, compliance indicator, mean indicator), by the layout's prefix
BANDS = {"g36": ("三至六年级", "g36_minutes", th.hw_g36_max_minutes, "hw_g36_compliance", "hw_g36_minutes_mean"),
         "g79": ("初中", "g79_minutes", th.hw_g79_max_minutes, "hw_g79_compliance", "hw_g79_minutes_mean")}


def detail():
    return data.load("school_detail", period, county=county)


def distribution(band: str, column: str, limit: float) -> Piece:
    def draw(span: float) -> None:
        fig = figcache.figure(("hw_dist", column, period, county, size), lambda: charts.distribution_chart(
            detail()[column], limit, "<=",
            f"{month} {county or '实验区'}{band}各校日均作业时长分布", "分钟",
            caption=charts.Caption(f"各校填报的{band}日均书面作业时长;{th.homework_source}",
                                   f"上限 ≤{limit:.0f}分钟", source, data.as_of(period)),
            limit_label=f"上限 {limit:.0f}分钟", base_size=size))
        show_chart(fig, f"hw_dist_{column}", f"{band}_dist_{period}", span=span)
    return draw


def trend(band: str, column: str, limit: float, mean: str) -> Piece:
    return lambda span: show_chart(trend_chart(mean, period, size, county=county, limit=limit),
                                   f"hw_trend_{column}", f"{band}_trend_{period}", span=span)


def bars(indicator: str, key: str) -> Piece:
    return lambda span: show_county_bars(indicator, period, size, key, span=span, highlight=county)


def over_table():
    rows = detail()
    over = rows[(rows["hw_g36_ok"] == False) | (rows["hw_g79_ok"] == False)  # noqa: E712
                | (rows["hw_g12_ok"] == False)]  # noqa: E712
    over = over.assign(g12_written=over["g12_written"].map({True: "是", False: "否"}))
    columns = ["county", "school_name", "school_id", "school_type", "g12_written", "g36_minutes", "g79_minutes"]
    return over[columns].rename(columns=column_labels(columns)).pipe(tidy)


def schools(span: float) -> None:
    st.subheader(f"{month} 作业时长超标或一二年级布置书面作业的学校", anchor=False)
    table = data.remember(data.cache_key("hw_over", period, county), over_table)  # once per data version
    show_table(table, default=1)
    source_caption(period, th.homework_source)
    download_table(table, f"{month}作业超标学校", key="dl_hw", default=1, definition=th.homework_source)


st.subheader("日均书面作业时长:三至六年级不超过60分钟,初中不超过90分钟", anchor=False)
pieces = {"g12_heading": lambda span: st.subheader("一二年级不布置书面家庭作业", anchor=False),
          "g12_bars": bars("hw_g12_none_rate", "hw_bar_g12"), "schools": schools}
for prefix, (band, column, limit, compliance, mean) in BANDS.items():
    pieces |= {f"{prefix}_distribution": distribution(band, column, limit),
               f"{prefix}_trend": trend(band, column, limit, mean),
               f"{prefix}_bars": bars(compliance, f"hw_bars_{column}")}
lay_out("homework", pieces)
