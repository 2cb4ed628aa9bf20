"""Everything one monthly report shows, gathered once from the database."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from core.indicators.completeness import MonthChoice
from core.month import now
from core.report.narrative import completeness_sentence, topic_sentences
from core.report.topics import ReportConfig, Topic, load_report_config
from core.zone import load_zone


class ReportError(ValueError):
    """The report cannot be made (no data for the month, unknown suffix); Chinese message."""


@dataclass
class ReportData:
    """The numbers, texts and labels of one month's report; builders only format them."""

    period: str
    zone_name: str
    source: str
    as_of: str  # date of the newest workbook in force for the month, 'YYYY-MM-DD'
    generated_at: str  # 'YYYY-MM-DD HH:MM'
    zone: pd.DataFrame  # compute_indicators(level="zone")
    counties: pd.DataFrame  # compute_indicators(level="county")
    statuses: pd.DataFrame  # submission_matrix(period): county, status, received_at, ...
    trends: dict[str, pd.DataFrame] = field(default_factory=dict)  # indicator -> zone+county rows
    narrative: dict[str, list[str]] = field(default_factory=dict)  # topic key -> sentences
    config: ReportConfig = field(default_factory=load_report_config)
    month: MonthChoice | None = None  # the month's completeness (who reported, closed or open)
    lead: list[str] = field(default_factory=list)  # sentences before every topic (an incomplete month)
    _kept: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _kept_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def kept(self, key: str, compute):
        """compute() once for this report's data (the dashboard keeps the data per data version and
        month); a second caller waits for the first one's result."""
        with self._kept_lock:
            if key not in self._kept:
                self._kept[key] = compute()
            return self._kept[key]

    @property
    def topics(self) -> tuple[Topic, ...]:
        """Sections in order."""
        return self.config.topics

    def stage_label(self, stage) -> str:
        """'primary' -> '小学'; '' for none."""
        return self.config.stage_labels.get(stage, str(stage)) if isinstance(stage, str) else ""


def collect_report_data(con: duckdb.DuckDBPyConnection, period: str | None = None) -> ReportData:
    """Compute every indicator, trend, status and sentence of the report for `period`.

    Default: the newest closed month (indicators.md, Completeness). The report of an
    incomplete month opens with the sentence saying so (`lead`).
    """
    from core.indicators import (
        available_periods,
        compute_indicators,
        default_period,
        indicator_trend,
        month_choices,
    )
    from core.submission.status import submission_matrix

    periods = available_periods(con)
    if not periods:
        raise ReportError("数据库中还没有任何已通过校验的报送数据,无法生成月报")
    period = period or default_period(con)
    if period not in periods:
        raise ReportError(f"{period} 没有任何已通过校验的报送数据,可选月份:{periods[0]} 至 {periods[-1]}")
    choices = {c.period: c for c in month_choices(con)}
    zone_cfg = load_zone()
    config = load_report_config()
    zone = compute_indicators(con, period=period, level="zone")
    counties = compute_indicators(con, period=period, level="county")
    statuses = submission_matrix(con, period=period)
    trends = {}
    for topic in config.topics:
        for chart in topic.charts:
            if chart.kind in ("trend", "trajectory") and chart.indicator not in trends:
                trends[chart.indicator] = _trend(con, indicator_trend, chart.indicator, period,
                                                 config.trend_months)
    data = ReportData(period=period, zone_name=zone_cfg.name, source=zone_cfg.source,
                      as_of=_as_of(statuses, period), generated_at=now().strftime("%Y-%m-%d %H:%M"),
                      zone=zone, counties=counties, statuses=statuses, trends=trends, config=config,
                      month=choices[period])
    data.lead = [s for s in [completeness_sentence(choices[period])] if s]
    data.narrative = {t.key: topic_sentences(t, zone, counties, period, statuses[["county", "status"]])
                      for t in config.topics}
    return data


def _trend(con, indicator_trend, indicator: str, period: str, months: int) -> pd.DataFrame:
    zone = indicator_trend(con, indicator, level="zone", end=period, months=months)
    county = indicator_trend(con, indicator, level="county", end=period, months=months)
    return pd.concat([zone, county], ignore_index=True)


def _as_of(statuses: pd.DataFrame, period: str) -> str:
    """When the newest workbook in force arrived: the data are as of that day."""
    received = pd.to_datetime(statuses["received_at"], errors="coerce").dropna()
    if received.empty:
        return period
    return received.max().strftime("%Y-%m-%d")
