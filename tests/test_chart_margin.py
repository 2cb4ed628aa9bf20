"""The left margin a figure asks for before the browser draws it (core/present/charts/margin.py):
as wide as its y-axis labels, so plotly's automargin does not draw it a second time."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from core.present import charts
from core.present.charts.margin import MAX_SHARE, PAD_EMS, PAD_PX, left_margin, text_ems, widest_number

COUNTIES = pd.DataFrame({"county": ["松溪县", "白石县", "望江区"], "value": [93.4, 100.0, None],
                         "status": ["amber", "green", "none"]})


def need(label: str, size: int = 14) -> int:
    return int(PAD_PX + size * (PAD_EMS + text_ems(label))) + 1


@pytest.mark.parametrize("lo, hi, widest", [
    (0, 114, "125"),  # ticks may round up past the range: 0 … 100, 120
    (50, 107, "117"),
    (0, 13032, "14k"),  # plotly writes 12000 as 12k
    (0, 1_500_000, "1M"),
    (-50, 50, "−55"),
    (0, 5, "0.5"),  # half steps
    (0, 0.8, "0.05"),
])
def test_the_widest_tick_label_is_never_narrower_than_plotlys(lo, hi, widest):
    assert widest_number(lo, hi) == widest


def test_bars_ask_for_their_tick_labels_room_and_fit_width_sets_it():
    fig = charts.bar_by_status(COUNTIES, "county", "各县区达标率", "%", target=100, direction=">=")
    lo, hi = fig.layout.yaxis.range
    assert left_margin(fig) == need(widest_number(lo, hi))
    assert fig.layout.margin.l < left_margin(fig)  # as built: the narrow side margin only
    charts.fit_width(fig, 576)
    assert fig.layout.margin.l == left_margin(fig)


def test_horizontal_bars_ask_for_their_longest_name_capped_by_the_width():
    rows = pd.DataFrame({"label": ["甲校", "某某市第一实验小学(东校区)"], "school_id": ["a", "b"],
                         "value": [50.0, 70.0], "limit": [60.0, 60.0], "status": ["red", "green"]})
    fig = charts.school_value_bars(rows, "分钟", ">=", "各校日均体育活动")
    assert left_margin(fig) == need("某某市第一实验小学(东校区)")
    charts.fit_width(fig, 1000)
    assert fig.layout.margin.l == left_margin(fig)
    hostile = rows.assign(label=["甲校", "长" * 300])  # a county's name is not trusted to be short
    fig = charts.school_value_bars(hostile, "分钟", ">=", "各校日均体育活动")
    charts.fit_width(fig, 1000)
    assert fig.layout.margin.l == int(1000 * MAX_SHARE)


def test_stacked_bars_and_histograms_count_what_plotly_will_draw():
    df = pd.DataFrame({"county": ["甲县", "甲县", "乙县"], "level": ["A", "B", "A"], "count": [6000, 7000, 10]})
    fig = charts.stacked_counts(df, "county", "level", "各县区学校")
    assert left_margin(fig) == need(widest_number(0, 13000))  # the stack's sum, not its largest part
    fig = go.Figure(go.Histogram(x=list(range(150))), layout={"font": {"size": 14}})
    fig.update_yaxes(automargin=True)
    assert left_margin(fig) == need(widest_number(0, 150))  # a bin holds at most every value
    fig = go.Figure(go.Bar(x=np.array(["甲县", "乙县"]), y=np.array([5000.0, 7.0])), layout={"font": {"size": 14}})
    fig.update_yaxes(automargin=True)
    assert left_margin(fig) == need(widest_number(0, 5000))  # numpy arrays as plotly keeps them


def test_axes_plotly_is_left_to_are_not_touched():
    fig = charts.bar_by_status(COUNTIES, "county", "各县区达标率", "%", target=100, direction=">=")
    fig.update_yaxes(showticklabels=False)
    assert left_margin(fig) is None
    fig.update_yaxes(showticklabels=True, automargin=False)
    assert left_margin(fig) is None
    before = fig.layout.margin.l
    charts.fit_width(fig, 576)
    assert fig.layout.margin.l == before
    assert left_margin(go.Figure(layout={"yaxis": {"automargin": True}})) is None  # nothing plotted
