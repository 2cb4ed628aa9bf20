"""The left margin a figure's y-axis labels need, asked for before the browser draws it.

plotly's `automargin` measures the tick labels as it draws; when they need more room than the
margin the figure asked for, it draws the whole figure a second time with the wider margin. That
second draw was half of every county bar chart's time in the browser (~30 → ~15 ms a chart,
bench/RESULTS.md). A figure that already asks for a margin as wide as its labels is drawn once.

The estimate errs wide, by a few pixels; where it falls short (another font, an unusual tick
format) automargin still widens the margin and draws again, as before: no label is ever cut.
"""
from __future__ import annotations

from collections import defaultdict
from numbers import Real

import plotly.graph_objects as go

# The room around the widest label, in px and in ems of the tick font: measured against plotly.js
# 4.1 in Chromium for 14 and 20 px ticks (numbers of 1–4 digits, Chinese and Latin names).
PAD_PX, PAD_EMS = 16, 1.15
MAX_SHARE = 0.4  # never ask for more than this share of the figure's width (a hostile long name)


def text_ems(text: str) -> float:
    """A text's width in ems: a Chinese character one em, Latin letters and digits about 0.6."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.6 for ch in text)


def widest_number(lo: float, hi: float) -> str:
    """The widest tick label plotly writes on a numeric axis from `lo` to `hi`, or wider: ticks
    may round up past the range, 12000 reads 12k, half steps read 2.5, negatives carry a minus."""
    top = max(abs(lo), abs(hi)) * 1.1
    if top >= 1_000_000:
        body = f"{int(top // 1_000_000)}M"
    elif top >= 10_000:
        body = f"{int(top // 1000)}k"
    elif top >= 10:
        body = str(int(top))
    else:
        body = "0.5" if top >= 1 else "0.05"
    return ("−" if lo < 0 else "") + body


def _number(v) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool) and v == v  # not NaN


def _y_labels(fig: go.Figure) -> tuple[list[str], list[float]]:
    """The y axis's category names, and its numbers (the stacked bars' sums, as plotted)."""
    names, values, stacks = [], [], defaultdict(float)
    stacked = fig.layout.barmode in ("stack", "relative")
    for trace in fig.data:
        ys = getattr(trace, "y", None)
        if (getattr(trace, "yaxis", None) or "y") != "y":
            continue
        if ys is None and trace.type == "histogram" and trace.x is not None:  # counts: at most all of them
            values.append(float(len(trace.x)))
        if ys is None:
            continue
        xs = trace.x if getattr(trace, "x", None) is not None else range(len(ys))  # an array has no truth value
        for x, y in zip(xs, ys):
            if isinstance(y, str):
                names.append(y)
            elif _number(y):
                if stacked and trace.type == "bar":
                    stacks[x] += y
                else:
                    values.append(float(y))
    values.extend(stacks.values())
    for shape in fig.layout.shapes or ():  # target and zone lines (add_hline) count in autorange
        if (shape.yref or "y") == "y":
            values.extend(float(v) for v in (shape.y0, shape.y1) if _number(v))
    return names, values


def left_margin(fig: go.Figure) -> int | None:
    """The left margin (px) the y axis's tick labels need, or None when plotly is left to it (no
    automargin, no tick labels, a log or date axis, nothing plotted)."""
    ax = fig.layout.yaxis
    if ax.automargin is not True or ax.showticklabels is False or ax.type in ("log", "date"):
        return None
    names, values = _y_labels(fig)
    if names:
        widest = max(names, key=text_ems)
    elif ax.range is not None and all(_number(v) for v in ax.range):
        widest = widest_number(*ax.range)
    elif values:
        widest = widest_number(min(0.0, *values), max(0.0, *values))
    else:
        return None
    size = ax.tickfont.size or fig.layout.font.size or 12
    return int(PAD_PX + size * (PAD_EMS + text_ems(widest))) + 1


def reserve_left(fig: go.Figure, width_px: int) -> go.Figure:
    """Ask for the left margin the y axis's labels need (at most MAX_SHARE of `width_px`)."""
    need = left_margin(fig)
    if need is not None:
        fig.update_layout(margin_l=max(fig.layout.margin.l or 0, min(need, int(width_px * MAX_SHARE))))
    return fig
