"""Bar charts: one bar per county or school in its status colour, counts, 差异系数.

Value labels are placed where no reference line (target, zone value, threshold) runs
through them: just outside the bar end; else inside the bar end; else in the middle of
the bar. A label is never struck through by a dashed line.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.present.charts.axis import Axis, value_axis
from core.present.charts.base import (
    ZONE_LABEL,
    Caption,
    frame,
    hline,
    target_label,
    vline,
)
from core.present.escape import chart_text
from core.present.numbers import format_value, is_missing
from core.present.palette import NO_TARGET, STATUSES, display_status, load_palette, status_style, zone_color

OUTSIDE_TEXT = "#1a1a1a"
# Share of the value axis a label takes along it (height of a line of text on a vertical
# plot of ~200–450 px, with the few px it sits off the bar; width of "100.0%" on a horizontal one).
LABEL_EXTENT = {False: 0.12, True: 0.14}
SPOTS = ("outside", "end", "middle")  # where a value label may go, in order of preference


def label_spots(values, lines, axis: Axis, horizontal: bool = False) -> list[str]:
    """Per bar: 'outside', 'end' (inside the bar end) or 'middle' — the first no line crosses."""
    span = axis.span
    ext = LABEL_EXTENT[horizontal] * span
    gap, pad = 0.01 * span, 0.006 * span  # labels sit a few px off the bar end; lines need air
    refs = [float(y) for y in lines if not is_missing(y)]
    out = []
    for v in values:
        if is_missing(v):
            out.append("outside")
            continue
        v = abs(float(v))
        length = v - axis.lo  # what is drawn of the bar (a zoomed axis cuts its foot)
        mid = axis.lo + length / 2
        boxes = {"outside": (v + gap, v + ext), "end": (v - ext, v - gap),
                 "middle": (mid - ext / 2, mid + ext / 2)}
        fits = {"outside": True, "end": length >= ext * 1.3, "middle": length >= ext * 1.6}
        free = [s for s in SPOTS if fits[s]
                and not any(boxes[s][0] - pad <= y <= boxes[s][1] + pad for y in refs)]
        out.append(free[0] if free else "outside")
    return out


def add_value_labels(fig: go.Figure, cats, values, keys, unit: str, axis: Axis,
                     lines, base_size: int, horizontal: bool = False) -> list[str]:
    """Write each bar's value where no reference line crosses it (annotations); returns the spots."""
    spots = label_spots(values, lines, axis, horizontal)
    notes = []  # one layout update for all: add_annotation per bar re-validates the growing list (n²)
    for cat, v, k, spot in zip(cats, values, keys, spots):
        if v is None:  # no bar to label: say so on the axis
            text, at, spot_color = status_style("none").label, axis.lo, "#555"
            anchor = "start"
        else:
            # Column labels drop "%" (the axis says it): a label must fit a narrow bar.
            text = format_value(v, unit, with_unit=horizontal or unit != "%")
            at = (axis.lo + v) / 2 if spot == "middle" else v
            spot_color = OUTSIDE_TEXT if spot == "outside" else status_style(k).text_color
            anchor = {"outside": "start", "end": "end", "middle": "center"}[spot]
        shift = {"start": 4, "end": -4, "center": 0}[anchor]
        if horizontal:
            place = {"x": at, "y": cat, "xanchor": {"start": "left", "end": "right",
                                                    "center": "center"}[anchor], "xshift": shift}
        else:
            place = {"x": cat, "y": at, "yanchor": {"start": "bottom", "end": "top",
                                                    "center": "middle"}[anchor], "yshift": shift}
        notes.append({**place, "text": text, "showarrow": False, "name": "value",
                      "font": {"size": base_size, "color": spot_color}})
    fig.update_layout(annotations=[*fig.layout.annotations, *notes])
    return spots


def name_bars(fig: go.Figure, bars: list[tuple[str, float | None]], unit: str, base_size: int,
              horizontal: bool = False) -> None:
    """A boxed 「▶ 名称 值」 with a short pointer at the end of each of `bars` (category, value): over
    lines and neighbouring bars alike, since the box is opaque."""
    notes = []
    for cat, v in bars:
        text = f"{cat} {status_style('none').label if v is None else format_value(v, unit)}"
        at = 0 if v is None else v
        place = ({"x": at, "y": cat, "ax": base_size * 3, "ay": 0, "xanchor": "left"} if horizontal
                 else {"x": cat, "y": at, "ax": 0, "ay": -base_size * 2.2, "yanchor": "bottom"})
        notes.append({**place, "text": text, "showarrow": True, "arrowhead": 0, "arrowwidth": 1.5,
                      "bgcolor": "rgba(255,255,255,0.92)", "bordercolor": OUTSIDE_TEXT, "borderpad": 3,
                      "name": "value", "font": {"size": base_size, "color": OUTSIDE_TEXT}})
    fig.update_layout(annotations=[*fig.layout.annotations, *notes])


def bar_by_status(df: pd.DataFrame, label_col: str, title: str, unit: str,
                  caption: Caption | None = None, target=None, direction: str | None = None,
                  zone_value=None, key_col: str | None = None, horizontal: bool = False,
                  base_size: int = 14, height: int | None = None,
                  target_name: str | None = None, labelled: set | None = None) -> go.Figure:
    """Bars (one per county or school) coloured by status, with target and zone lines.

    `df` needs `label_col`, `value`, `status`; `key_col` goes to customdata (for drill-down).
    A value without a target is drawn in the 无目标 colour, a missing value is written 无数据.
    `target_name` labels the target line instead of 「目标 ≥T」 (e.g. a trajectory's 本月应达 value).
    `labelled`: only the bars of these keys carry their name and value as text, and the category
    axis shows no names (None: every bar its value, every name on the axis). Too many bars for a
    name and a label each keep both in the hover.
    """
    # Highest first; horizontal bars are drawn bottom-up, so there the lowest ends up on top.
    data = df.sort_values(["value"], ascending=False, na_position="last")
    keys = [display_status(s, not is_missing(v)) for s, v in zip(data["status"], data["value"])]
    values = [None if is_missing(v) else float(v) for v in data["value"]]
    axis = value_axis(values, [target, zone_value], headroom=0.14)
    labels = [chart_text(lbl) for lbl in data[label_col]]  # county and school names: shown as text
    hover = [f"{lbl}<br>{format_value(v, unit)} · {status_style(k).label}"
             for lbl, v, k in zip(labels, data["value"], keys)]
    ids = list(data[key_col] if key_col else data[label_col])
    bar = go.Bar(x=values if horizontal else labels, y=labels if horizontal else values,
                 orientation="h" if horizontal else "v",
                 marker={"color": [status_style(k).color for k in keys]},
                 customdata=ids,
                 hovertext=hover, hoverinfo="text", name="", showlegend=False,
                 # a clicked bar (drill-down) dims the others only slightly: labels stay readable
                 unselected={"marker": {"opacity": 0.7}})
    if labelled is not None:  # the named bars stand out by an outline as well
        bar.marker.line = {"color": [OUTSIDE_TEXT if k in labelled else "rgba(0,0,0,0)" for k in ids],
                           "width": 2}
    fig = go.Figure(bar)
    if labelled is None:
        add_value_labels(fig, labels, values, keys, unit, axis, [target, zone_value], base_size, horizontal)
    else:
        name_bars(fig, [(c, v) for c, v, k in zip(labels, values, ids) if k in labelled], unit, base_size,
                  horizontal)
    line = vline if horizontal else hline
    line(fig, target, target_name or target_label(target, direction, unit), load_palette().lines["target"],
         "dash")
    line(fig, zone_value, f"{ZONE_LABEL} {format_value(zone_value, unit)}", zone_color(), "dot")
    status_legend(fig, keys)
    if horizontal:
        height = height or max(320, int(max(len(data), 1) * base_size * 2.1) + 220)
    (fig.update_xaxes if horizontal else fig.update_yaxes)(title={"text": axis.title(unit)},
                                                           range=[axis.lo, axis.hi])
    if labelled is not None:  # a name per bar would be cut and thinned out by plotly: none
        (fig.update_yaxes if horizontal else fig.update_xaxes)(showticklabels=False)
    fig = frame(fig, title, caption, base_size, height=height)
    if horizontal:  # a tall chart: the legend just under the axis, not a fraction of the height below
        fig.update_layout(legend_y=-min(0.12, 70 / height))
    return fig


def status_legend(fig: go.Figure, keys) -> None:
    """Legend entries for the display statuses present (bars carry per-bar colours)."""
    order = [*STATUSES[:3], NO_TARGET, "none"]
    for k in sorted(set(keys), key=lambda k: order.index(k) if k in order else 9):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=status_style(k).label,
                                 marker={"size": 14, "symbol": "square",
                                         "color": status_style(k).color},
                                 hoverinfo="skip"))


def stacked_counts(df: pd.DataFrame, x_col: str, stack_col: str, title: str,
                   caption: Caption | None = None, stack_order: list[str] | None = None,
                   unit: str = "所", base_size: int = 14,
                   height: int | None = None) -> go.Figure:
    """Stacked bars of counts (e.g. schools by county and 优质学校认定等级), level colours."""
    levels = load_palette().levels
    order = stack_order or list(dict.fromkeys(df[stack_col]))
    fig = go.Figure()
    xs = sorted(df[x_col].unique())
    for lvl in order:
        part = df[df[stack_col] == lvl].set_index(x_col)["count"]
        ys = [int(part.get(x, 0)) for x in xs]
        fig.add_trace(go.Bar(x=[chart_text(x) for x in xs], y=ys, name=chart_text(lvl), marker={"color": levels.get(lvl, "#888")},
                             text=[y if y else "" for y in ys], textposition="inside",
                             textangle=0, insidetextanchor="middle",
                             textfont={"size": base_size}))
    # A count too big for its thin segment is hidden (hover has it), never shrunk or turned.
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"},
                      uniformtext={"minsize": base_size, "mode": "hide"})
    fig.update_yaxes(title={"text": unit})
    return frame(fig, title, caption, base_size, height=height)


def cv_bars(df: pd.DataFrame, title: str, threshold, caption: Caption | None = None,
            base_size: int = 14, height: int | None = None) -> go.Figure:
    """差异系数 per resource item against the threshold; items over it red, else green."""
    values = [None if is_missing(v) else float(v) for v in df["value"]]
    keys = ["none" if v is None else ("green" if v <= threshold else "red") for v in values]
    axis = value_axis(values, [threshold], headroom=0.14)
    items = [chart_text(i) for i in df["item"]]
    fig = go.Figure(go.Bar(x=items, y=values,
                           marker={"color": [status_style(k).color for k in keys]},
                           name="", showlegend=False))
    add_value_labels(fig, items, values, keys, "系数", axis, [threshold], base_size)
    hline(fig, threshold, f"标准 ≤{threshold}", load_palette().lines["target"], "dash")
    status_legend(fig, keys)
    fig.update_yaxes(title={"text": "差异系数" + axis.title("")}, range=[axis.lo, axis.hi])
    return frame(fig, title, caption, base_size, height=height)
