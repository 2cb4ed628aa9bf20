"""Plotly figure builders shared by the dashboard pages and the monthly report (no streamlit).

Every figure stands alone in a screenshot: the title names what and which month, the
subtitle carries 口径, target, data source and as-of date (see `caption`), target/limit
lines are drawn, statuses use the palette's colours and counties their fixed colour.
Input frames use the column names of `core.indicators.compute_indicators`.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from core.palette import (
    county_colors, format_target, format_value, is_missing, load_palette, status_label,
    status_style, zone_color,
)

ZONE_LABEL = "实验区"


@dataclass(frozen=True)
class Caption:
    """What a screenshot must say besides the title: 口径, target, source, as-of date."""

    definition: str = ""
    target: str = ""
    source: str = ""
    as_of: str = ""

    def text(self, width: int = 70) -> str:
        """The caption as wrapped plotly HTML lines."""
        parts = []
        if self.definition:
            parts.append(f"口径:{self.definition}")
        tail = [p for p in (self.target,
                            f"数据来源:{self.source}" if self.source else "",
                            f"数据截至 {self.as_of}" if self.as_of else "") if p]
        lines = [line for p in parts for line in wrap(p, width)]
        if tail:
            lines.extend(wrap(" · ".join(tail), width))
        return "<br>".join(lines)


def wrap(text: str, width: int) -> list[str]:
    """Split text into lines of about `width` Chinese characters (ASCII counts half)."""
    lines, cur, n = [], "", 0.0
    for ch in text:
        w = 0.55 if ord(ch) < 128 else 1.0
        if n + w > width and cur:
            lines.append(cur)
            cur, n = "", 0.0
        cur += ch
        n += w
    if cur:
        lines.append(cur)
    return lines


DEFAULT_WIDTH = 1000  # px a figure is laid out for when nobody says otherwise


def _title_block(title: str, caption: Caption | None, base_size: int,
                 width_px: int) -> tuple[str, str, int]:
    """Title and caption wrapped to a figure width, and the top margin they need."""
    title_chars = max(10, int(width_px / (base_size * 1.45)) - 1)
    cap_chars = max(16, int(width_px / (base_size * 0.9)) - 2)
    title_lines = wrap(title, title_chars)
    cap = caption.text(width=cap_chars) if caption else ""
    n_cap = cap.count("<br>") + 1 if cap else 0
    top = int(len(title_lines) * base_size * 1.45 * 1.3 + n_cap * base_size * 1.25
              + base_size + 16)
    return "<br>".join(title_lines), cap, top


def _title_pad(title_html: str, base_size: int) -> int:
    """Top pad of the title: plotly grows a multi-line title upwards from its first line."""
    return 10 + int(title_html.count("<br>") * base_size * 1.45 * 1.3)


def fit_width(fig: go.Figure, width_px: int) -> go.Figure:
    """Re-wrap a figure's title and caption for a narrower (or wider) container."""
    meta = fig.layout.meta or {}
    if not isinstance(meta, dict) or "title" not in meta:
        return fig
    caption = Caption(**meta["caption"]) if meta.get("caption") else None
    title_html, cap, top = _title_block(meta["title"], caption, meta["base_size"], width_px)
    extra = (fig.layout.margin.t or 0) - _title_block(meta["title"], caption,
                                                      meta["base_size"], DEFAULT_WIDTH)[2]
    fig.update_layout(title_text=title_html, title_subtitle_text=cap,
                      title_pad_t=_title_pad(title_html, meta["base_size"]),
                      margin_t=top + max(extra, 0))
    return fig


def plotly_config(filename: str = "chart") -> dict:
    """Config for st.plotly_chart / fig.show: camera button exports a PNG at presentation scale."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename,
                                 "scale": load_palette().export_scale,
                                 "width": 1600, "height": 900},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }


def _frame(fig: go.Figure, title: str, caption: Caption | None, base_size: int,
           height: int | None = None, legend: bool = True) -> go.Figure:
    """Apply title, caption, fonts and margins common to every figure."""
    fig.update_layout(meta={"title": title, "caption": caption.__dict__ if caption else None,
                            "base_size": base_size})
    title_html, cap, top = _title_block(title, caption, base_size, DEFAULT_WIDTH)
    fig.update_layout(
        title={"text": title_html, "x": 0.01, "xanchor": "left", "y": 1, "yanchor": "top",
               "yref": "container", "pad": {"t": _title_pad(title_html, base_size)}, "font": {"size": int(base_size * 1.45)},
               "subtitle": {"text": cap, "font": {"size": int(base_size * 0.9),
                                                  "color": "#444"}}},
        font={"family": load_palette().font_family, "size": base_size, "color": "#1a1a1a"},
        margin={"t": top, "l": 10, "r": 10, "b": 10},
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


def _legend_line(fig: go.Figure, label: str, color: str, dash: str) -> None:
    """A legend entry naming a reference line (labels on the plot would collide with bars)."""
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=label, hoverinfo="skip",
                             line={"color": color, "dash": dash, "width": 2}))


def _hline(fig: go.Figure, y, label: str, color: str, dash: str, base_size: int,
           position: str = "top right") -> None:
    """A horizontal reference line (target, limit, zone value), named in the legend."""
    if is_missing(y):
        return
    fig.add_hline(y=float(y), line={"color": color, "dash": dash, "width": 2})
    _legend_line(fig, label, color, dash)


def _vline(fig: go.Figure, x, label: str, color: str, base_size: int,
           dash: str = "dash") -> None:
    """A vertical reference line (a minutes limit, or a target on horizontal bars), in the legend."""
    if is_missing(x):
        return
    fig.add_vline(x=float(x), line={"color": color, "dash": dash, "width": 2})
    _legend_line(fig, label, color, dash)


def _months(periods) -> list[str]:
    """'YYYY-MM' periods as dates plotly places on a time axis (months evenly spaced)."""
    return [f"{p}-01" for p in periods]


def _month_axis(fig: go.Figure, periods=()) -> None:
    """A month time axis labelled 2026-10, one tick per month for short spans."""
    ps = sorted(set(periods))
    span = 0
    if ps:
        (y0, m0), (y1, m1) = (map(int, ps[0].split("-")), map(int, ps[-1].split("-")))
        span = (y1 - y0) * 12 + m1 - m0
    dtick = "M1" if span <= 6 else ("M2" if span <= 12 else ("M3" if span <= 36 else "M6"))
    fig.update_xaxes(type="date", tickformat="%Y-%m", dtick=dtick, title=None, tickangle=0,
                     hoverformat="%Y-%m")


def _target_label(target, direction, unit) -> str:
    return format_target(target, direction, unit)


def bar_by_status(df: pd.DataFrame, label_col: str, title: str, unit: str,
                  caption: Caption | None = None, target=None, direction: str | None = None,
                  zone_value=None, key_col: str | None = None, horizontal: bool = False,
                  base_size: int = 14, height: int | None = None) -> go.Figure:
    """Bars (one per county or school) coloured by status, with target and zone lines.

    `df` needs `label_col`, `value`, `status`; `key_col` goes to customdata (for drill-down).
    """
    data = df.copy()
    sort_cols = ["value"]
    data = data.sort_values(sort_cols, ascending=horizontal, na_position="first"
                            if horizontal else "last")
    colors = [status_style(s).color for s in data["status"]]
    text = [format_value(v, unit) for v in data["value"]]
    hover = [f"{lbl}<br>{format_value(v, unit)} · {status_label(s, not is_missing(v))}"
             for lbl, v, s in zip(data[label_col], data["value"], data["status"])]
    values = [None if is_missing(v) else float(v) for v in data["value"]]
    custom = list(data[key_col] if key_col else data[label_col])
    bar = go.Bar(x=values if horizontal else list(data[label_col]),
                 y=list(data[label_col]) if horizontal else values,
                 orientation="h" if horizontal else "v",
                 marker={"color": colors}, text=text, textposition="outside",
                 cliponaxis=False, customdata=custom, hovertext=hover, hoverinfo="text",
                 textfont={"size": base_size}, name="", showlegend=False)
    fig = go.Figure(bar)
    if horizontal:
        _vline(fig, target, _target_label(target, direction, unit),
               load_palette().lines["target"], base_size)
        _vline(fig, zone_value, f"{ZONE_LABEL} {format_value(zone_value, unit)}",
               zone_color(), base_size, dash="dot")
        rows = max(len(data), 1)
        height = height or max(320, int(rows * base_size * 2.1) + 220)
    else:
        _hline(fig, target, _target_label(target, direction, unit),
               load_palette().lines["target"], "dash", base_size)
        _hline(fig, zone_value, f"{ZONE_LABEL} {format_value(zone_value, unit)}",
               zone_color(), "dot", base_size, position="bottom right")
    _status_legend(fig, data["status"], data["value"])
    axis = {"title": {"text": unit}, "rangemode": "tozero"}
    if unit == "%":
        axis["range"] = [0, 118]
    if horizontal:
        fig.update_xaxes(**axis)
    else:
        fig.update_yaxes(**axis)
    return _frame(fig, title, caption, base_size, height=height)


def _status_legend(fig: go.Figure, statuses, values) -> None:
    """Legend entries for the statuses present (dummy traces: bars carry per-bar colours)."""
    present = []
    for s, v in zip(statuses, values):
        lbl = status_label(s, not is_missing(v))
        if (s or "none", lbl) not in present:
            present.append((s or "none", lbl))
    order = {k: i for i, k in enumerate(("green", "amber", "red", "none"))}
    for s, lbl in sorted(present, key=lambda p: order.get(p[0], 9)):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=lbl,
                                 marker={"size": 14, "symbol": "square",
                                         "color": status_style(s).color},
                                 hoverinfo="skip"))


def trend_lines(df: pd.DataFrame, title: str, unit: str, caption: Caption | None = None,
                target=None, direction: str | None = None, zone: pd.DataFrame | None = None,
                base_size: int = 14, height: int | None = None) -> go.Figure:
    """Monthly lines, one per county in its fixed colour, the zone in bold, the target line.

    `df` needs `period`, `county`, `value`; `zone` (optional) `period`, `value`.
    """
    fig = go.Figure()
    colors = county_colors(df["county"].dropna().unique() if len(df) else [])
    for county, part in sorted(df.groupby("county"), key=lambda kv: kv[0]) if len(df) else []:
        part = part.sort_values("period")
        fig.add_trace(go.Scatter(
            x=_months(part["period"]), y=[None if is_missing(v) else v for v in part["value"]],
            mode="lines+markers", name=county, line={"color": colors[county], "width": 2},
            hovertemplate=f"{county} %{{x}}: %{{y:.1f}}{unit}<extra></extra>"))
    if zone is not None and len(zone):
        z = zone.sort_values("period")
        fig.add_trace(go.Scatter(
            x=_months(z["period"]), y=[None if is_missing(v) else v for v in z["value"]],
            mode="lines+markers", name=ZONE_LABEL,
            line={"color": zone_color(), "width": 4},
            hovertemplate=f"{ZONE_LABEL} %{{x}}: %{{y:.1f}}{unit}<extra></extra>"))
    _hline(fig, target, _target_label(target, direction, unit),
           load_palette().lines["target"], "dash", base_size)
    _month_axis(fig, [*df["period"], *(zone["period"] if zone is not None else [])])
    fig.update_yaxes(title={"text": unit})
    if unit == "%":
        fig.update_yaxes(range=[0, 105])
    return _frame(fig, title, caption, base_size, height=height)


def trajectory_chart(actual: pd.DataFrame, plan: list[tuple[str, float]], title: str,
                     unit: str, caption: Caption | None = None,
                     projection: list[tuple[str, float]] | None = None,
                     base_size: int = 14, height: int | None = None) -> go.Figure:
    """Actual monthly values against the planned trajectory to the target month, with projection.

    `actual` needs `period`, `value` (and optional `status` for marker colours);
    `plan` and `projection` are (period, value) points drawn as lines.
    """
    fig = go.Figure()
    lines = load_palette().lines
    if plan:
        fig.add_trace(go.Scatter(x=_months(p for p, _ in plan), y=[v for _, v in plan],
                                 mode="lines+markers", name="计划轨迹",
                                 line={"color": lines["plan"], "dash": "dash", "width": 2}))
    if projection:
        fig.add_trace(go.Scatter(x=_months(p for p, _ in projection), y=[v for _, v in projection],
                                 mode="lines+markers", name="按当前进度预测",
                                 line={"color": lines["projection"], "dash": "dot",
                                       "width": 3}))
    a = actual.sort_values("period")
    marker_colors = ([status_style(s).color for s in a["status"]]
                     if "status" in a else zone_color())
    fig.add_trace(go.Scatter(x=_months(a["period"]), y=list(a["value"]), mode="lines+markers+text",
                             name="实际", line={"color": zone_color(), "width": 4},
                             marker={"size": 12, "color": marker_colors},
                             text=["" for _ in a["value"][:-1]]
                             + [format_value(v, unit) for v in a["value"][-1:]],
                             textposition="top center", textfont={"size": base_size}))
    if plan:
        p_last, v_last = plan[-1]
        fig.add_annotation(x=_months([p_last])[0], y=v_last, text=f"目标 {format_value(v_last, unit)}",
                           showarrow=True, arrowhead=2, ax=-40, ay=-30,
                           font={"color": lines["target"], "size": base_size})
    _month_axis(fig, [*a["period"], *(p for p, _ in plan), *(p for p, _ in projection or [])])
    fig.update_yaxes(title={"text": unit}, rangemode="tozero")
    return _frame(fig, title, caption, base_size, height=height)


def distribution_chart(values: pd.Series, limit: float, direction: str, title: str,
                       unit: str = "分钟", caption: Caption | None = None,
                       limit_label: str | None = None, bin_size: float = 5,
                       base_size: int = 14, height: int | None = None) -> go.Figure:
    """Histogram of per-school values, bars within the limit green and beyond it red."""
    vals = pd.to_numeric(values, errors="coerce").dropna()
    ok = vals[vals >= limit] if direction == ">=" else vals[vals <= limit]
    bad = vals.drop(ok.index)
    fig = go.Figure()
    bins = {"size": bin_size, "start": 0}
    for part, status, name in ((ok, "green", "达标学校"), (bad, "red", "未达标学校")):
        fig.add_trace(go.Histogram(x=list(part), xbins=bins, name=f"{name}({len(part)}所)",
                                   marker={"color": status_style(status).color,
                                           "line": {"color": "white", "width": 1}}))
    fig.update_layout(barmode="overlay", bargap=0.05)
    _vline(fig, limit, limit_label or f"标准 {format_value(limit, unit)}",
           load_palette().lines["target"], base_size)
    fig.update_xaxes(ticksuffix=unit)
    fig.update_yaxes(title={"text": "学校数(所)"})
    return _frame(fig, title, caption, base_size, height=height)


def status_matrix(df: pd.DataFrame, title: str, caption: Caption | None = None,
                  row_order: list[str] | None = None, col_order: list[str] | None = None,
                  base_size: int = 14, height: int | None = None,
                  col_width: int = 7) -> go.Figure:
    """County × indicator matrix: each cell coloured by status with the value written in it.

    `df` needs `row` (county or 实验区), `col` (indicator name), `value`, `unit`, `status`.
    """
    rows = row_order or list(dict.fromkeys(df["row"]))
    cols = col_order or list(dict.fromkeys(df["col"]))
    code = {"green": 0, "amber": 1, "red": 2, "none": 3}
    z, text, hover = [], [], []
    cell = {(r.row, r.col): r for r in df.itertuples()}
    for r in rows:
        zr, tr, hr = [], [], []
        for c in cols:
            rec = cell.get((r, c))
            s = (rec.status if rec is not None else None) or "none"
            v = rec.value if rec is not None else None
            zr.append(code.get(s, 3))
            tr.append(format_value(v, rec.unit if rec is not None else ""))
            hr.append(f"{r} · {c}<br>{tr[-1]} · {status_label(s, not is_missing(v))}")
        z.append(zr), text.append(tr), hover.append(hr)
    scale = []
    for i, s in enumerate(("green", "amber", "red", "none")):
        scale += [[i / 4, status_style(s).color], [(i + 1) / 4, status_style(s).color]]
    # Text colour per status: draw values as annotations for per-cell contrast.
    fig = go.Figure(go.Heatmap(z=z, x=["<br>".join(wrap(c, col_width)) for c in cols], y=rows,
                               zmin=-0.5, zmax=3.5, colorscale=scale, showscale=False,
                               xgap=3, ygap=3, hovertext=hover, hoverinfo="text"))
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            st_key = ("green", "amber", "red", "none")[z[i][j]]
            fig.add_annotation(x=j, y=i, text=f"<b>{text[i][j]}</b>", showarrow=False,
                               xref="x", yref="y",
                               font={"size": int(base_size * 1.15),
                                     "color": status_style(st_key).text_color})
    fig.update_xaxes(side="top", tickfont={"size": base_size}, type="category")
    fig.update_yaxes(autorange="reversed", type="category", tickfont={"size": base_size})
    for s in ("green", "amber", "red", "none"):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers",
                                 name=status_style(s).label,
                                 marker={"size": 14, "symbol": "square",
                                         "color": status_style(s).color}, hoverinfo="skip"))
    height = height or int(base_size * 4.2 * (len(rows) + 2) + 150)
    fig = _frame(fig, title, caption, base_size, height=height)
    n_label_lines = max((len(wrap(c, col_width)) for c in cols), default=1)
    fig.update_layout(legend={"y": -0.02, "yanchor": "top"},
                      margin={"t": fig.layout.margin.t + int(n_label_lines * base_size * 1.4)})
    fig.update_yaxes(gridcolor="rgba(0,0,0,0)")
    return fig


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
        fig.add_trace(go.Bar(x=xs, y=ys, name=lvl, marker={"color": levels.get(lvl, "#888")},
                             text=[y if y else "" for y in ys], textposition="inside",
                             textfont={"size": base_size}))
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_yaxes(title={"text": unit})
    return _frame(fig, title, caption, base_size, height=height)


def grouped_bars(df: pd.DataFrame, x_col: str, series_col: str, title: str, unit: str,
                 caption: Caption | None = None, target=None, direction: str | None = None,
                 base_size: int = 14, height: int | None = None,
                 colors: dict[str, str] | None = None) -> go.Figure:
    """Grouped bars (e.g. two PE indicators per county) with a common target line."""
    fig = go.Figure()
    xs = list(dict.fromkeys(df[x_col]))
    palette = colors or {}
    defaults = ["#1f4e99", "#0f8b8d", "#7b3fa0", "#6d4c41"]
    for i, (name, part) in enumerate(df.groupby(series_col, sort=False)):
        part = part.set_index(x_col)
        ys = [part["value"].get(x) for x in xs]
        fig.add_trace(go.Bar(x=xs, y=[None if is_missing(v) else v for v in ys], name=name,
                             marker={"color": palette.get(name, defaults[i % len(defaults)])},
                             text=[format_value(v, unit, with_unit=False) for v in ys],
                             textposition="outside", cliponaxis=False,
                             textfont={"size": base_size}))
    _hline(fig, target, _target_label(target, direction, unit),
           load_palette().lines["target"], "dash", base_size)
    fig.update_layout(barmode="group")
    fig.update_yaxes(title={"text": unit}, rangemode="tozero",
                     range=[0, 112] if unit == "%" else None)
    return _frame(fig, title, caption, base_size, height=height)


def cv_bars(df: pd.DataFrame, title: str, threshold, caption: Caption | None = None,
            base_size: int = 14, height: int | None = None) -> go.Figure:
    """差异系数 per resource item against the threshold; items over it red, else green."""
    data = df.copy()
    status = ["none" if is_missing(v) else ("green" if v <= threshold else "red")
              for v in data["value"]]
    fig = go.Figure(go.Bar(x=list(data["item"]), y=list(data["value"]),
                           marker={"color": [status_style(s).color for s in status]},
                           text=[format_value(v, "系数") for v in data["value"]],
                           textposition="outside", cliponaxis=False,
                           textfont={"size": base_size}, name="", showlegend=False))
    _hline(fig, threshold, f"标准 ≤{threshold}", load_palette().lines["target"], "dash",
           base_size)
    fig.update_yaxes(title={"text": "差异系数"}, rangemode="tozero")
    return _frame(fig, title, caption, base_size, height=height)


def tile_figure(value, unit: str, status: str | None, title: str,
                caption: Caption | None = None, subtitle: str = "",
                base_size: int = 14) -> go.Figure:
    """A single big number on its status colour (slides and report cover)."""
    style = status_style(status)
    fig = go.Figure()
    fig.add_annotation(x=0.5, y=0.58, xref="paper", yref="paper", showarrow=False,
                       text=f"<b>{format_value(value, unit)}</b>",
                       font={"size": base_size * 6, "color": style.text_color})
    fig.add_annotation(x=0.5, y=0.2, xref="paper", yref="paper", showarrow=False,
                       text=subtitle or status_label(status, not is_missing(value)),
                       font={"size": int(base_size * 1.6), "color": style.text_color})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig = _frame(fig, title, caption, base_size, legend=False)
    fig.update_layout(plot_bgcolor=style.color)
    return fig
