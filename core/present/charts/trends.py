"""Charts over months and distributions: county trend lines, trajectory to a target, histograms."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.present.charts.base import (
    ZONE_LABEL,
    Caption,
    frame,
    hline,
    month_axis,
    months,
    target_label,
    vline,
)
from core.present.escape import chart_text
from core.present.palette import (
    county_colors,
    format_value,
    is_missing,
    load_palette,
    status_style,
    zone_color,
)


def trend_lines(df: pd.DataFrame, title: str, unit: str, caption: Caption | None = None,
                target=None, direction: str | None = None, zone: pd.DataFrame | None = None,
                base_size: int = 14, height: int | None = None,
                target_name: str | None = None) -> go.Figure:
    """Monthly lines, one per county in its fixed colour, the zone in bold, the target line.

    `df` needs `period`, `county`, `value`; `zone` (optional) `period`, `value`;
    `target_name` names the line when it is a limit rather than a target (上限 ≤60分钟).
    """
    fig = go.Figure()
    colors = county_colors(df["county"].dropna().unique() if len(df) else [])
    for county, part in sorted(df.groupby("county"), key=lambda kv: kv[0]) if len(df) else []:
        part = part.sort_values("period")
        fig.add_trace(go.Scatter(
            x=months(part["period"]), y=[None if is_missing(v) else v for v in part["value"]],
            mode="lines+markers", name=chart_text(county), line={"color": colors[county], "width": 2},
            hovertemplate=f"%{{fullData.name}} %{{x}}: %{{y:.1f}}{unit}<extra></extra>"))
    if zone is not None and len(zone):
        z = zone.sort_values("period")
        fig.add_trace(go.Scatter(
            x=months(z["period"]), y=[None if is_missing(v) else v for v in z["value"]],
            mode="lines+markers", name=ZONE_LABEL,
            line={"color": zone_color(), "width": 4},
            hovertemplate=f"{ZONE_LABEL} %{{x}}: %{{y:.1f}}{unit}<extra></extra>"))
    hline(fig, target, target_name or target_label(target, direction, unit),
          load_palette().lines["target"], "dash")
    month_axis(fig, [*df["period"], *(zone["period"] if zone is not None else [])])
    fig.update_yaxes(title={"text": unit})
    if unit == "%":
        fig.update_yaxes(range=[0, 105])
    return frame(fig, title, caption, base_size, height=height)


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
        fig.add_trace(go.Scatter(x=months(p for p, _ in plan), y=[v for _, v in plan],
                                 mode="lines+markers", name="计划轨迹",
                                 line={"color": lines["plan"], "dash": "dash", "width": 2}))
    if projection:
        fig.add_trace(go.Scatter(x=months(p for p, _ in projection), y=[v for _, v in projection],
                                 mode="lines+markers", name="按当前进度预测",
                                 line={"color": lines["projection"], "dash": "dot",
                                       "width": 3}))
    a = actual.sort_values("period")
    marker_colors = ([status_style(s).color for s in a["status"]]
                     if "status" in a else zone_color())
    fig.add_trace(go.Scatter(x=months(a["period"]), y=list(a["value"]), mode="lines+markers+text",
                             name="实际", line={"color": zone_color(), "width": 4},
                             marker={"size": 12, "color": marker_colors},
                             text=["" for _ in a["value"][:-1]]
                             + [format_value(v, unit) for v in a["value"][-1:]],
                             textposition="top center", textfont={"size": base_size}))
    if plan:
        p_last, v_last = plan[-1]
        fig.add_annotation(x=months([p_last])[0], y=v_last, text=f"目标 {format_value(v_last, unit)}",
                           showarrow=True, arrowhead=2, ax=-40, ay=-30,
                           font={"color": lines["target"], "size": base_size})
    month_axis(fig, [*a["period"], *(p for p, _ in plan), *(p for p, _ in projection or [])])
    fig.update_yaxes(title={"text": unit}, rangemode="tozero")
    return frame(fig, title, caption, base_size, height=height)


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
    vline(fig, limit, limit_label or f"标准 {format_value(limit, unit)}",
          load_palette().lines["target"])
    fig.update_xaxes(ticksuffix=unit)
    fig.update_yaxes(title={"text": "学校数(所)"})
    return frame(fig, title, caption, base_size, height=height)
