"""The county × indicator status matrix as a figure, and a single big-number tile figure."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.present.charts.base import Caption, frame, wrap
from core.present.escape import chart_text
from core.present.numbers import format_value, is_missing
from core.present.palette import NO_TARGET, STATUSES, display_status, status_style

# Colour codes of the heatmap, in legend order.
KEYS = (*STATUSES[:3], NO_TARGET, "none")


def status_matrix(df: pd.DataFrame, title: str, caption: Caption | None = None,
                  row_order: list[str] | None = None, col_order: list[str] | None = None,
                  base_size: int = 14, height: int | None = None,
                  col_width: int = 7) -> go.Figure:
    """County × indicator matrix: each cell coloured by status with the value written in it.

    `df` needs `row` (county or 实验区), `col` (indicator name), `value`, `unit`, `status`.
    """
    rows = row_order or list(dict.fromkeys(df["row"]))
    cols = col_order or list(dict.fromkeys(df["col"]))
    z, text, hover = [], [], []
    cell = {(r.row, r.col): r for r in df.itertuples()}
    for r in rows:
        zr, tr, hr = [], [], []
        for c in cols:
            rec = cell.get((r, c))
            v = rec.value if rec is not None else None
            key = display_status(rec.status if rec is not None else None, not is_missing(v))
            zr.append(KEYS.index(key))
            tr.append(format_value(v, rec.unit if rec is not None else ""))
            hr.append(f"{chart_text(r)} · {chart_text(c)}<br>{tr[-1]} · {status_style(key).label}")
        z.append(zr), text.append(tr), hover.append(hr)
    n = len(KEYS)
    scale = []
    for i, key in enumerate(KEYS):
        scale += [[i / n, status_style(key).color], [(i + 1) / n, status_style(key).color]]
    # Text colour per status: draw values as annotations for per-cell contrast.
    fig = go.Figure(go.Heatmap(z=z, x=["<br>".join(chart_text(w) for w in wrap(c, col_width)) for c in cols],
                               y=[chart_text(r) for r in rows],
                               zmin=-0.5, zmax=n - 0.5, colorscale=scale, showscale=False,
                               xgap=3, ygap=3, hovertext=hover, hoverinfo="text"))
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            fig.add_annotation(x=j, y=i, text=f"<b>{text[i][j]}</b>", showarrow=False,
                               xref="x", yref="y",
                               font={"size": int(base_size * 1.15),
                                     "color": status_style(KEYS[z[i][j]]).text_color})
    fig.update_xaxes(side="top", tickfont={"size": base_size}, type="category")
    fig.update_yaxes(autorange="reversed", type="category", tickfont={"size": base_size})
    present = {k for zr in z for k in zr}
    for i, key in enumerate(KEYS):  # the legend names the colours used (and always the statuses)
        if i in present or key in STATUSES:
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers",
                                     name=status_style(key).label,
                                     marker={"size": 14, "symbol": "square",
                                             "color": status_style(key).color}, hoverinfo="skip"))
    height = height or int(base_size * 4.2 * (len(rows) + 2) + 150)
    fig = frame(fig, title, caption, base_size, height=height)
    n_label_lines = max((len(wrap(c, col_width)) for c in cols), default=1)
    fig.update_layout(legend={"y": -0.02, "yanchor": "top"},
                      margin={"t": fig.layout.margin.t + int(n_label_lines * base_size * 1.4)})
    fig.update_yaxes(gridcolor="rgba(0,0,0,0)")
    return fig


def tile_figure(value, unit: str, status: str | None, title: str,
                caption: Caption | None = None, subtitle: str = "",
                base_size: int = 14) -> go.Figure:
    """A single big number on its status colour (slides and report cover)."""
    style = status_style(display_status(status, not is_missing(value)))
    fig = go.Figure()
    fig.add_annotation(x=0.5, y=0.58, xref="paper", yref="paper", showarrow=False,
                       text=f"<b>{format_value(value, unit)}</b>",
                       font={"size": base_size * 6, "color": style.text_color})
    fig.add_annotation(x=0.5, y=0.2, xref="paper", yref="paper", showarrow=False,
                       text=chart_text(subtitle or style.label),
                       font={"size": int(base_size * 1.6), "color": style.text_color})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig = frame(fig, title, caption, base_size, legend=False)
    fig.update_layout(plot_bgcolor=style.color)
    return fig
