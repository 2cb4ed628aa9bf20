"""Indicators (监测指标): every number the dashboard shows, computed in DuckDB SQL.

The public API used by pages, the CLI and the report (docs/ARCHITECTURE.md, "Indicator API").
"""
from core.indicators.base import available_periods, zone_counties
from core.indicators.completeness import default_period, missing_counties, month_choices, month_completeness
from core.indicators.change import rating_key
from core.indicators.compute import COLUMNS, compute_indicators
from core.indicators.detail import school_detail, school_history
from core.indicators.resource import resource_table
from core.indicators.trend import indicator_trend

__all__ = ["COLUMNS", "available_periods", "compute_indicators", "data_quality_warnings", "default_period",
           "indicator_trend", "missing_counties", "month_choices", "month_completeness", "rating_key", "resource_table", "school_detail", "school_history",
           "zone_counties"]


def data_quality_warnings(con, period: str, county: str | None = None):
    """Outlier schools and implausible monthly jumps (see core/dataquality.py; imported late: it uses base)."""
    from core.indicators.dataquality import data_quality_warnings as warnings
    return warnings(con, period, county)
