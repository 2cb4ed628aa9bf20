"""Schools of a county by the value behind an indicator (minutes, 课时) against its standard."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.present.charts.axis import Axis
from core.present.charts.bars import add_value_labels, status_legend
from core.present.charts.base import Caption, frame, legend_line, vline
from core.present.escape import chart_text
from core.present.numbers import format_value, target_text
from core.present.palette import load_palette, status_style

STANDARD_WORD = {">=": ("标准", "≥"), "<=": ("上限", "≤")}


def standard_label(limit, direction: str, unit: str) -> str:
    """Legend text of a standard: 标准 ≥60分钟, 上限 ≤90分钟."""
    word, sign = STANDARD_WORD[direction]
    return f"{word} {sign}{target_text(limit, unit)}"


def school_value_bars(rows: pd.DataFrame, unit: str, direction: str, title: str,
                      caption: Caption | None = None, base_size: int = 14,
                      height: int | None = None) -> go.Figure:
    """One horizontal bar per school, the furthest from its standard on top, green when it meets it.

    `rows` (furthest first) needs `label`, `school_id` (customdata, for the click to the school),
    `value`, `limit`, `status`. One standard is a dashed line; standards that differ by grade
    band (体育课 4/3/3/2 节) are a tick on each bar.
    """
    data = rows.iloc[::-1]  # plotly draws categories bottom-up
    labels = [chart_text(v) for v in data["label"]]
    values = [float(v) for v in data["value"]]
    limits = [float(v) for v in data["limit"]]
    keys = list(data["status"])
    axis = Axis(0.0, max([*values, *limits, 1e-9]) * 1.15)  # amounts of time and lessons: from 0
    hover = [f"{lbl}<br>{format_value(v, unit)}({standard_label(lim, direction, unit)})"
             for lbl, v, lim in zip(labels, values, limits)]
    fig = go.Figure(go.Bar(x=values, y=labels, orientation="h",
                           marker={"color": [status_style(k).color for k in keys]},
                           customdata=list(data["school_id"]), hovertext=hover, hoverinfo="text",
                           name="", showlegend=False, unselected={"marker": {"opacity": 0.7}}))
    color = load_palette().lines["target"]
    if len(set(limits)) == 1:
        add_value_labels(fig, labels, values, keys, unit, axis, limits[:1], base_size, horizontal=True)
        vline(fig, limits[0], standard_label(limits[0], direction, unit), color)
    else:
        add_value_labels(fig, labels, values, keys, unit, axis, [], base_size, horizontal=True)
        fig.add_trace(go.Scatter(x=limits, y=labels, mode="markers", hoverinfo="skip", showlegend=False,
                                 marker={"symbol": "line-ns", "size": base_size * 1.6,
                                         "line": {"color": color, "width": 3}}))
        legend_line(fig, f"{STANDARD_WORD[direction][0]}(按学段)", color, "solid")
    status_legend(fig, keys)
    height = height or max(320, int(len(data) * base_size * 2.1) + 220)
    fig.update_xaxes(title={"text": unit}, range=[axis.lo, axis.hi])
    fig = frame(fig, title, caption, base_size, height=height)
    fig.update_layout(legend_y=-min(0.12, 70 / height))
    return fig
