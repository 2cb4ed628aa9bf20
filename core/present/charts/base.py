"""What every figure shares: title and caption (口径, target, source, as-of), fonts, margins, lines.

Every figure stands alone in a screenshot: the title names what and which month, the
subtitle carries 口径, target, data source and as-of date, target/limit lines are drawn and
named in the legend.
"""
from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from core.present.charts.locale import locale_config
from core.present.charts.margin import reserve_left
from core.present.escape import chart_text
from core.present.numbers import format_target, is_missing
from core.present.palette import load_palette
from core.present.wrapping import wrap

ZONE_LABEL = "实验区"
DEFAULT_WIDTH = 1000  # px a figure is laid out for when nobody says otherwise


@dataclass(frozen=True)
class Caption:
    """What a screenshot must say besides the title: 口径, target, source, as-of date, and a
    `note` on how the chart is drawn when that is not self-evident (a band of many counties)."""

    definition: str = ""
    target: str = ""
    source: str = ""
    as_of: str = ""
    note: str = ""

    def text(self, width: int = 70) -> str:
        """The caption as wrapped plotly HTML lines (its text escaped: names may come from counties)."""
        parts = []
        if self.definition:
            parts.append(f"口径:{self.definition}")
        tail = [p for p in (self.target,
                            f"数据来源:{self.source}" if self.source else "",
                            f"数据截至 {self.as_of}" if self.as_of else "") if p]
        lines = [line for p in parts for line in wrap(p, width)]
        if self.note:
            lines.extend(wrap(self.note, width))
        if tail:
            lines.extend(wrap(" · ".join(tail), width))
        return "<br>".join(chart_text(line) for line in lines)


def _title_block(title: str, caption: Caption | None, base_size: int,
                 width_px: int) -> tuple[str, str, int]:
    """Title and caption wrapped to a figure width, and the top margin they need."""
    title_chars = max(10, int(width_px / (base_size * 1.45)) - 1)
    cap_chars = max(16, int(width_px / (base_size * 0.9)) - 2)
    title_lines = wrap(title, title_chars)
    cap = caption.text(width=cap_chars) if caption else ""
    n_cap = cap.count("<br>") + 1 if cap else 0
    top = int(len(title_lines) * base_size * 1.45 * 1.3 + n_cap * base_size * 1.25
              + base_size * 1.9 + 20)
    return "<br>".join(chart_text(line) for line in title_lines), cap, top


def _title_pad(title_html: str, base_size: int) -> int:
    """Top pad of the title (a margin above it, so it never touches the picture's edge); plotly
    grows a multi-line title upwards from its first line."""
    return int(base_size * 0.9) + 4 + int(title_html.count("<br>") * base_size * 1.45 * 1.3)


def fit_width(fig: go.Figure, width_px: int) -> go.Figure:
    """Re-wrap a figure's title and caption for a narrower (or wider) container, and ask for the
    left margin its y-axis labels need (drawn once in the browser: charts/margin.py)."""
    meta = fig.layout.meta or {}
    if not isinstance(meta, dict) or "title" not in meta:
        return reserve_left(fig, width_px)
    caption = Caption(**meta["caption"]) if meta.get("caption") else None
    title_html, cap, top = _title_block(meta["title"], caption, meta["base_size"], width_px)
    extra = (fig.layout.margin.t or 0) - _title_block(meta["title"], caption,
                                                      meta["base_size"], DEFAULT_WIDTH)[2]
    fig.update_layout(title_text=title_html, title_subtitle_text=cap,
                      title_pad_t=_title_pad(title_html, meta["base_size"]),
                      margin_t=top + max(extra, 0))
    if width_px < NARROW:
        _narrow(fig, width_px, meta["base_size"])
    return reserve_left(fig, width_px)


NARROW = 640  # px: a half-width column on a 1280-wide screen


def _narrow(fig: go.Figure, width_px: int, base_size: int) -> None:
    """A chart in a half-width column: level county names, fewer month ticks, a legend in three
    columns in a smaller type, and the height that legend needs (the plot keeps its room)."""
    small = max(10, int(base_size * 0.85))
    fig.update_xaxes(tickfont={"size": small})
    if fig.layout.xaxis.type == "date":
        fig.update_xaxes(dtick=None, nticks=max(4, width_px // 70))
    elif any(t.type == "bar" for t in fig.data):
        fig.update_xaxes(tickangle=0)
    entries = [t for t in fig.data if t.showlegend is not False and t.name]
    fig.update_layout(legend={"font": {"size": small}, "entrywidth": 1 / 3, "entrywidthmode": "fraction"})
    rows = -(-len(entries) // 3)
    if rows > 2:
        fig.update_layout(height=(fig.layout.height or 450) + (rows - 2) * int(small * 1.6),
                          margin_b=(fig.layout.margin.b or 0) + (rows - 2) * int(small * 1.6))


def plotly_config(filename: str = "chart") -> dict:
    """Config for st.plotly_chart / fig.show: camera button exports a PNG at presentation scale."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename,
                                 "scale": load_palette().export_scale,
                                 "width": 1600, "height": 900},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        **locale_config(),
    }


def frame(fig: go.Figure, title: str, caption: Caption | None, base_size: int,
          height: int | None = None, legend: bool = True) -> go.Figure:
    """Apply title, caption, fonts and margins common to every figure."""
    fig.update_layout(meta={"title": title, "caption": caption.__dict__ if caption else None,
                            "base_size": base_size})
    title_html, cap, top = _title_block(title, caption, base_size, DEFAULT_WIDTH)
    fig.update_layout(
        title={"text": title_html, "x": 0.012, "xanchor": "left", "y": 1, "yanchor": "top",
               "yref": "container", "pad": {"t": _title_pad(title_html, base_size)},
               "font": {"size": int(base_size * 1.45)},
               "subtitle": {"text": cap, "font": {"size": int(base_size * 0.9),
                                                  "color": "#444"}}},
        font={"family": load_palette().font_family, "size": base_size, "color": "#1a1a1a"},
        # side margins: nothing (bars, lines, the axis title) touches a pasted picture's edge
        margin={"t": top, "l": int(base_size * 1.4), "r": base_size * 2, "b": base_size},
        paper_bgcolor="white", plot_bgcolor="white",
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0,
                "font": {"size": base_size}},
        hoverlabel={"font": {"family": load_palette().font_family}},
    )
    if height:
        fig.update_layout(height=height)
    fig.update_xaxes(showgrid=False, linecolor="#888", automargin=True,
                     tickfont={"size": base_size})
    fig.update_yaxes(gridcolor="#e5e5e5", zeroline=False, automargin=True,
                     tickfont={"size": base_size})
    return fig


def legend_line(fig: go.Figure, label: str, color: str, dash: str) -> None:
    """A legend entry naming a reference line (labels on the plot would collide with bars)."""
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=chart_text(label), hoverinfo="skip",
                             line={"color": color, "dash": dash, "width": 2}))


def hline(fig: go.Figure, y, label: str, color: str, dash: str) -> None:
    """A horizontal reference line (target, limit, zone value), named in the legend."""
    if is_missing(y):
        return
    fig.add_hline(y=float(y), line={"color": color, "dash": dash, "width": 2})
    legend_line(fig, label, color, dash)


def vline(fig: go.Figure, x, label: str, color: str, dash: str = "dash") -> None:
    """A vertical reference line (a minutes limit, or a target on horizontal bars), in the legend."""
    if is_missing(x):
        return
    fig.add_vline(x=float(x), line={"color": color, "dash": dash, "width": 2})
    legend_line(fig, label, color, dash)


def target_label(target, direction, unit) -> str:
    """Legend text of a target line: 目标 ≥100%."""
    return format_target(target, direction, unit)


def months(periods) -> list[str]:
    """'YYYY-MM' periods as dates plotly places on a time axis (months evenly spaced)."""
    return [f"{p}-01" for p in periods]


def month_axis(fig: go.Figure, periods=()) -> None:
    """A month time axis labelled 2026-10, one tick per month for short spans."""
    ps = sorted(set(periods))
    span = 0
    if ps:
        (y0, m0), (y1, m1) = (map(int, ps[0].split("-")), map(int, ps[-1].split("-")))
        span = (y1 - y0) * 12 + m1 - m0
    # a plan to its target month (four years and more): one tick a year, which still fits where the
    # chart is drawn narrower than laid out for (an XGA projector); half-yearly ticks ran together there
    dtick = "M1" if span <= 6 else ("M2" if span <= 12 else ("M3" if span <= 24 else ("M6" if span <= 36 else "M12")))
    fig.update_xaxes(type="date", tickformat="%Y-%m", dtick=dtick, title=None, tickangle=0,
                     hoverformat="%Y-%m")
