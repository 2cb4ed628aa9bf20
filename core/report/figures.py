"""The report's charts as plotly figures, built with core.present.charts from the report's data."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.indicators.catalog import load_catalog
from core.indicators.targets import load_targets
from core.month import period_label
from core.present import charts
from core.present.numbers import format_target
from core.present import numbers as n
from core.report.data import ReportData
from core.report.topics import ChartSpec


def chart_caption(data: ReportData, indicator: str, target=None, direction=None, unit=None) -> charts.Caption:
    """口径, target, data source and as-of date of one indicator's chart."""
    ind = load_catalog().get(indicator)
    target_text = format_target(target, direction, unit) if not n.is_missing(target) else ""
    return charts.Caption(definition=ind.definition, target=target_text, source=data.source,
                          as_of=data.as_of)


def chart_title(data: ReportData, spec: ChartSpec) -> str:
    """Title naming the indicator and the month."""
    name = load_catalog().get(spec.indicator).name
    month = period_label(data.period)
    if spec.kind == "county":
        return f"{month} 各县区{name}"
    if spec.kind == "trajectory":
        return f"{name}:实际与目标进度(截至{month})"
    return f"{name}月度趋势(截至{month})"


def chart_figure(data: ReportData, spec: ChartSpec, base_size: int = 14,
                 height: int | None = None) -> go.Figure:
    """The figure of one chart spec, with title, caption and status colours."""
    zone_row = _zone_row(data.zone, spec.indicator)
    unit = zone_row["unit"] if zone_row is not None else load_catalog().get(spec.indicator).unit
    target = zone_row["target"] if zone_row is not None else None
    direction = zone_row["direction"] if zone_row is not None else None
    caption = chart_caption(data, spec.indicator, target, direction, unit)
    title = chart_title(data, spec)
    if spec.kind == "county":
        rows = data.counties[(data.counties["indicator"] == spec.indicator) & data.counties["stage"].isna()]
        zone_value = zone_row["value"] if zone_row is not None else None
        trajectory, target_name = rows[rows["expected"].notna()], None
        if len(trajectory):  # the counties are judged on this month's expected value, as on the page
            target = trajectory["expected"].iloc[0]
            target_name = f"本月应达 {n.format_value(target, unit)}"
        fig = charts.bar_by_status(rows, "county", title, unit, caption=caption, target=target,
                                   direction=direction, zone_value=zone_value,
                                   base_size=base_size, height=height, target_name=target_name)
        # bars are sorted high to low: the zone label reads best over the first (tallest) bar's body,
        # not over the last bar's value label
        for a in fig.layout.annotations:
            if (a.text or "").startswith(charts.ZONE_LABEL):
                a.update(x=0, xanchor="left")
        return fig
    trend = data.trends.get(spec.indicator, pd.DataFrame(columns=["period", "county", "value"]))
    if "stage" in trend:
        trend = trend[trend["stage"].isna()]
    zone = trend[trend["county"].isna()]
    if spec.kind == "trajectory" and "expected" in zone and zone["expected"].notna().any():
        plan = [(p, float(e)) for p, e in zip(zone["period"], zone["expected"]) if pd.notna(e)]
        plan += _final_target(spec.indicator, plan)
        fig = charts.trajectory_chart(zone, plan, title, unit, caption=caption,
                                      base_size=base_size, height=height)
        # the axis runs to the target month: label only the first and latest actual values
        for trace in fig.data:
            if trace.name == "实际" and trace.text is not None and len(trace.text) > 2:
                trace.text = [t if i in (0, len(trace.text) - 1) else "" for i, t in enumerate(trace.text)]
        return fig
    return charts.trend_lines(trend[trend["county"].notna()], title, unit, caption=caption,
                              target=target, direction=direction, zone=zone,
                              base_size=base_size, height=height)


def report_charts(data: ReportData) -> list[tuple[str, ChartSpec]]:
    """Every chart of the report in order, with its topic key."""
    return [(topic.key, spec) for topic in data.topics for spec in topic.charts]


def _final_target(indicator: str, plan: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The trajectory's end point (target month, target value), so the chart's 目标 label is the goal."""
    target = load_targets().find(indicator, "zone")
    if target is None or not target.is_trajectory or not plan or target.target_month <= plan[-1][0]:
        return []
    return [(target.target_month, float(target.value))]


def _zone_row(zone: pd.DataFrame, indicator: str) -> pd.Series | None:
    rows = zone[(zone["indicator"] == indicator) & zone["stage"].isna()]
    return None if rows.empty else rows.iloc[0]
