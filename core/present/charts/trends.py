"""Charts over months and distributions: county trend lines, trajectory to a target, histograms.

A zone point of an incomplete month (indicators.md, Completeness) is drawn hollow: a count of
such a month (`completeness` = not_comparable) stands apart, not joined to the line; a rate over
the reporting counties (partial) stays on the line with a hollow marker. A month with no value
(a county that did not report, a month without data) breaks the line there: it is never drawn
straight across the missing month. Hover texts carry the figure as every other output shows it
(core.present.numbers) and the month's marker.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.indicators.completeness import NOT_COMPARABLE, PARTIAL
from core.month import month_range
from core.present.charts.axis import value_axis
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
from core.present.labels import completeness_marker, coverage_text, reporting_text
from core.present.numbers import format_value, is_missing
from core.present.palette import county_looks, load_palette, status_style, zone_color


def trend_lines(df: pd.DataFrame, title: str, unit: str, caption: Caption | None = None,
                target=None, direction: str | None = None, zone: pd.DataFrame | None = None,
                base_size: int = 14, height: int | None = None,
                target_name: str | None = None, band: tuple[float, float] | None = None,
                highlight: str | None = None) -> go.Figure:
    """Monthly lines, one per county in its fixed colour, the zone in bold, the target line.

    `df` needs `period`, `county`, `value`; `zone` (optional) `period`, `value`;
    `target_name` names the line when it is a limit rather than a target (上限 ≤60分钟).
    `band` (quantiles, e.g. (0.1, 0.9)): too many counties for a line each — the counties are a
    band (those quantiles, inside a lighter min–max band) and only `highlight`'s line is drawn.
    """
    fig = go.Figure()
    lines = df
    if band is not None:
        for trace in band_traces(df, unit, band):
            fig.add_trace(trace)
        lines = df[df["county"] == highlight] if highlight else df.iloc[0:0]
    looks = county_looks(lines["county"].dropna().unique() if len(lines) else [])
    for county, part in sorted(lines.groupby("county"), key=lambda kv: kv[0]) if len(lines) else []:
        part = part.sort_values("period")
        color, symbol, dash = looks[county]
        periods, (y, hover) = broken_at_gaps(list(part["period"]), [
            [None if is_missing(v) else v for v in part["value"]], [format_value(v, unit) for v in part["value"]]],
            [None, ""])
        fig.add_trace(go.Scatter(
            x=months(periods), y=y,
            mode="lines+markers", name=chart_text(county), line={"color": color, "width": 2.5, "dash": dash},
            marker={"symbol": symbol, "size": 9, "color": color}, customdata=hover,
            hovertemplate="%{fullData.name} %{x}: %{customdata}<extra></extra>",
            **_gapped(periods, part["period"])))
    if zone is not None and len(zone):
        for trace in zone_traces(zone.sort_values("period"), unit, {"color": zone_color(), "width": 4}):
            fig.add_trace(trace)
    hline(fig, target, target_name or target_label(target, direction, unit),
          load_palette().lines["target"], "dash")
    month_axis(fig, [*df["period"], *(zone["period"] if zone is not None else [])])
    axis = value_axis([*df["value"], *(zone["value"] if zone is not None else [])], [target], headroom=0.06)
    fig.update_yaxes(title={"text": axis.title(unit)}, range=[axis.lo, axis.hi])
    return frame(fig, title, caption, base_size, height=height)


def gap_months(periods, skip=()) -> list[str]:
    """The months between the first and last of `periods` that are neither in it nor in `skip`: where a
    line over `periods` has no point and must break (a county that did not report that month)."""
    have = {p for p in periods if isinstance(p, str)}
    if not have:
        return []
    skip = set(skip)
    return [p for p in month_range(min(have), max(have)) if p not in have and p not in skip]


def broken_at_gaps(periods: list[str], columns: list[list], blanks: list,
                   skip=()) -> tuple[list[str], list[list]]:
    """`periods` (ascending) with each gap month inserted, and each column with its blank there (None
    for y: plotly breaks the line at a None when connectgaps is off). Unchanged without a gap."""
    gaps = gap_months(periods, skip)
    if not gaps or len(set(periods)) != len(periods):
        return periods, columns
    at = {p: i for i, p in enumerate(periods)}
    full = sorted([*periods, *gaps])
    return full, [[col[at[p]] if p in at else blank for p in full] for col, blank in zip(columns, blanks)]


def _gapped(periods: list[str], before) -> dict:
    """connectgaps=False, said explicitly, on a line that had months inserted (figures without a gap
    stay as they were; False is plotly's default)."""
    return {"connectgaps": False} if len(periods) != len(before) else {}


def band_label(band: tuple[float, float]) -> str:
    """Legend text of the inner band: 中间80%县区(P10–P90)."""
    lo, hi = (round(q * 100) for q in band)
    return f"中间{hi - lo}%县区(P{lo}–P{hi})"


def band_traces(df: pd.DataFrame, unit: str, band: tuple[float, float]) -> list[go.Scatter]:
    """The counties as two shaded bands per month: min–max (light) and the `band` quantiles (darker);
    each band's hover gives its range as every output shows figures."""
    values = df[df["value"].notna()].assign(value=lambda d: d["value"].astype(float))
    by_month = values.groupby("period")["value"]
    edges = pd.DataFrame({"min": by_month.min(), "lo": by_month.quantile(band[0]),
                          "hi": by_month.quantile(band[1]), "max": by_month.max()}).sort_index()
    x = months(edges.index)
    color = load_palette().lines
    traces = []
    for low, high, name, fill in (("min", "max", "各县区最低–最高", color["band_outer"]),
                                  ("lo", "hi", band_label(band), color["band"])):
        spans = [f"{format_value(a, unit)}–{format_value(b, unit)}" for a, b in zip(edges[low], edges[high])]
        traces.append(go.Scatter(x=x, y=list(edges[low]), mode="lines", line={"width": 0}, hoverinfo="skip",
                                 showlegend=False, name=name))
        traces.append(go.Scatter(x=x, y=list(edges[high]), mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=fill, name=name, customdata=spans,
                                 hovertemplate=f"{name} %{{x}}: %{{customdata}}<extra></extra>"))
    return traces


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
                     if "status" in a else [zone_color()] * len(a))
    # the latest point (joined or hollow) carries its value as text, as the tile shows it
    labels = ["" for _ in a["value"][:-1]] + [_point_text(r, unit) for _, r in a.tail(1).iterrows()]
    for trace in zone_traces(a, unit, {"color": zone_color(), "width": 4}, name="实际",
                             marker_colors=marker_colors, labels=labels, base_size=base_size):
        fig.add_trace(trace)
    if plan:
        p_last, v_last = plan[-1]
        # the label on the side away from the projection's end, so the dotted line never crosses it
        below = bool(projection) and projection[-1][1] > v_last
        fig.add_annotation(x=months([p_last])[0], y=v_last, text=f"目标 {format_value(v_last, unit)}",
                           showarrow=True, arrowhead=2, ax=-40, ay=30 if below else -30,
                           font={"color": lines["target"], "size": base_size})
    month_axis(fig, [*a["period"], *(p for p, _ in plan), *(p for p, _ in projection or [])])
    axis = value_axis([*a["value"], *(v for _, v in plan), *(v for _, v in projection or [])], headroom=0.12)
    fig.update_yaxes(title={"text": axis.title(unit)}, range=[axis.lo, axis.hi])
    return frame(fig, title, caption, base_size, height=height)


HOLLOW = "circle-open"


def _hollow(frame: pd.DataFrame, kind: str) -> pd.Series:
    """Rows whose month is incomplete in the given way (completeness column of the zone rows)."""
    if "completeness" not in frame:
        return pd.Series(False, index=frame.index)
    return frame["completeness"] == kind


def _point_text(row: pd.Series, unit: str) -> str:
    """A point's value as shown everywhere, with its completeness marker (29所(不完整))."""
    marker = completeness_marker(row)
    return format_value(row["value"], unit) + (f"({marker})" if marker else "")


def _hover(row: pd.Series, unit: str) -> str:
    text = _point_text(row, unit)
    if row.get("complete") is False and not is_missing(row.get("counties_expected")):
        text += f" · {reporting_text(int(row['counties_reporting']), int(row['counties_expected']))}"
    elif coverage := coverage_text(row):  # every county reported, not every one has data (体质健康 not tested)
        text += f" · {coverage}"
    return text


def zone_traces(z: pd.DataFrame, unit: str, line: dict, name: str = ZONE_LABEL,
                marker_colors: list[str] | None = None, labels: list[str] | None = None,
                base_size: int = 14) -> list[go.Scatter]:
    """The zone's line (partial months with hollow markers) and, apart, the hollow unjoined points
    of counts of incomplete months (never part of the line)."""
    apart = _hollow(z, NOT_COMPARABLE).to_numpy()
    partial = _hollow(z, PARTIAL).to_numpy()
    colors = marker_colors or [line["color"]] * len(z)
    text = labels or [""] * len(z)
    hover = [_hover(r, unit) for _, r in z.iterrows()]
    on = [i for i in range(len(z)) if not apart[i]]
    off = [i for i in range(len(z)) if apart[i]]
    size = 12 if labels is not None else 8
    # a month without data breaks the line; a count drawn apart (below) is no gap of it
    on_periods = list(z["period"].iloc[on])
    periods, (y, fill, edge, width, words, hovers) = broken_at_gaps(on_periods, [
        [None if is_missing(v) else v for v in z["value"].iloc[on]],
        ["white" if partial[i] else colors[i] for i in on], [colors[i] for i in on],
        [3 if partial[i] else 0 for i in on], [text[i] for i in on], [hover[i] for i in on]],
        [None, line["color"], line["color"], 0, "", ""], skip=z["period"].iloc[off])
    traces = [go.Scatter(
        x=months(periods), y=y,
        mode="lines+markers+text" if labels is not None else "lines+markers", name=name, line=line,
        marker={"size": size, "color": fill, "symbol": ["circle" for _ in periods],
                "line": {"color": edge, "width": width}},
        text=words, textposition="top center", textfont={"size": base_size},
        customdata=hovers, hovertemplate=f"{name} %{{x}}: %{{customdata}}<extra></extra>",
        **_gapped(periods, on_periods))]
    if partial.any():  # the legend says what a hollow point on the line means
        traces.append(go.Scatter(x=[None], y=[None], mode="markers", hoverinfo="skip",
                                 name=f"{load_palette().completeness['partial']}(空心点)",
                                 marker={"size": size, "color": "white", "line": {"color": line["color"], "width": 3}}))
    if off:
        incomplete = load_palette().completeness["incomplete"]
        unreported = (z["complete"].iloc[off] == False).any()  # noqa: E712 - else: reported, no data (体质健康)
        traces.append(go.Scatter(
            x=months(z["period"].iloc[off]), y=[None if is_missing(v) else v for v in z["value"].iloc[off]],
            mode="markers+text" if labels is not None else "markers",
            name=f"{incomplete}({'未全部报送' if unreported else '部分县区无数据'},不连线)",
            marker={"size": size + 2, "symbol": HOLLOW, "color": line["color"], "line": {"width": 3}},
            text=[text[i] for i in off], textposition="bottom center", textfont={"size": base_size},
            customdata=[hover[i] for i in off], hovertemplate=f"{name} %{{x}}: %{{customdata}}<extra></extra>"))
    return traces


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
    counted = len(vals) > load_palette().scale.many_points  # thousands of values: counts per bin
    for part, status, name in ((ok, "green", "达标学校"), (bad, "red", "未达标学校")):
        marker = {"color": status_style(status).color, "line": {"color": "white", "width": 1}}
        if counted:
            fig.add_trace(binned_bars(part, bin_size, f"{name}({len(part)}所)", marker, unit))
        else:
            fig.add_trace(go.Histogram(x=list(part), xbins=bins, name=f"{name}({len(part)}所)", marker=marker))
    fig.update_layout(barmode="overlay", bargap=0.05)
    vline(fig, limit, limit_label or f"标准 {format_value(limit, unit)}",
          load_palette().lines["target"])
    fig.update_xaxes(ticksuffix=unit)
    fig.update_yaxes(title={"text": "学校数(所)"})
    return frame(fig, title, caption, base_size, height=height)


def binned_bars(values: pd.Series, bin_size: float, name: str, marker: dict, unit: str) -> go.Bar:
    """The bars a histogram of `values` draws (bins of `bin_size` from 0), counted here: a few
    dozen bars instead of every value in the page and in plotly.js."""
    start = np.floor(values.to_numpy(dtype=float) / bin_size) * bin_size
    counts = pd.Series(start).value_counts().sort_index()
    lows = [float(v) for v in counts.index]
    spans = [f"{format_value(lo, unit)}–{format_value(lo + bin_size, unit)}" for lo in lows]
    return go.Bar(x=[lo + bin_size / 2 for lo in lows], y=[int(c) for c in counts], width=bin_size * 0.95,
                  name=name, marker=marker, customdata=spans,
                  hovertemplate="%{customdata}: %{y}所<extra>" + name + "</extra>")
