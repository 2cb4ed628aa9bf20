"""The report's charts: the dashboard's figures (core/present/figures.py) from the report's data.

A county chart whose counties all have the same value is left out; the report says it in a
sentence instead (`chart_note`).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.present import figures
from core.report.data import ReportData
from core.report.topics import ChartSpec


def chart_figure(data: ReportData, spec: ChartSpec, base_size: int = 14,
                 height: int | None = None) -> go.Figure:
    """The figure of one chart spec, with title, caption and status colours (as on the pages)."""
    zone_row = _zone_row(data.zone, spec.indicator)
    if spec.kind == "county":
        rows = data.counties[data.counties["indicator"] == spec.indicator]
        return figures.county_bars(spec.indicator, data.period, rows, zone_row, data.source, data.as_of,
                                   base_size=base_size, height=height)
    trend = data.trends.get(spec.indicator, pd.DataFrame(columns=["period", "county", "value", "stage"]))
    zone = trend[trend["county"].isna()]
    if spec.kind == "trajectory":
        return figures.trajectory(spec.indicator, data.period, zone, zone_row, data.zone_name, data.source,
                                  data.as_of, base_size=base_size, height=height)
    return figures.trend_lines(spec.indicator, data.period, trend[trend["county"].notna()], zone, data.source,
                               data.as_of, base_size=base_size, height=height)


def chart_note(data: ReportData, spec: ChartSpec) -> str | None:
    """The sentence standing in for a county chart that would tell nothing, else None."""
    if spec.kind != "county":
        return None
    rows = data.counties[(data.counties["indicator"] == spec.indicator) & data.counties["stage"].isna()]
    return figures.same_everywhere(spec.indicator, data.period, rows)


def report_charts(data: ReportData) -> list[tuple[str, ChartSpec]]:
    """Every chart the report draws, in order, with its topic key (not those replaced by a note)."""
    return [(topic.key, spec) for topic in data.topics for spec in topic.charts
            if chart_note(data, spec) is None]


def _zone_row(zone: pd.DataFrame, indicator: str) -> pd.Series | None:
    rows = zone[(zone["indicator"] == indicator) & zone["stage"].isna()]
    return None if rows.empty else rows.iloc[0]
