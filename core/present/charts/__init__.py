"""Plotly figure builders shared by the dashboard pages and the monthly report (no streamlit).

Every figure stands alone in a screenshot: the title names what and which month, the
subtitle carries 口径, target, data source and as-of date (`Caption`), target/limit lines
are drawn, statuses use the palette's colours and counties their fixed colour.
Input frames use the column names of `core.indicators.compute_indicators`.
"""
from core.present.charts.bars import (
    bar_by_status,
    cv_bars,
    stacked_counts,
)
from core.present.charts.base import (
    DEFAULT_WIDTH,
    ZONE_LABEL,
    Caption,
    fit_width,
    plotly_config,
    wrap,
)
from core.present.charts.schools import school_value_bars, standard_label
from core.present.charts.trends import distribution_chart, trajectory_chart, trend_lines

__all__ = [
    "DEFAULT_WIDTH", "ZONE_LABEL", "Caption", "bar_by_status", "cv_bars", "distribution_chart",
    "fit_width", "plotly_config", "school_value_bars", "stacked_counts",
    "standard_label",
    "trajectory_chart", "trend_lines", "wrap",
]
