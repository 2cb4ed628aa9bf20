"""The tables of the report (本月概览 and each section's county × indicator table), shared by Excel and PDF."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.present import numbers as n
from core.present.labels import INCOMPLETE, completeness_marker, reporting_text, status_key
from core.present.palette import headline_ids, status_style
from core.report.data import ReportData
from core.report.topics import Topic


@dataclass(frozen=True)
class Column:
    """One value column: an indicator (and stage group for the 优质均衡 rows)."""

    indicator: str
    stage: str | None
    header: str  # name, stage and unit as printed
    unit: str
    target: float | None
    direction: str | None


@dataclass
class SectionTable:
    """Values and statuses by row (counties, then the zone) and column."""

    columns: list[Column]
    rows: list[str]
    values: dict[tuple[str, int], float | None]  # (row label, column index) -> value
    statuses: dict[tuple[str, int], str]  # style key (labels.status_key): green … none, incomplete
    zone_label: str = ""  # the zone row's label (its name, with the reporting count when incomplete)


def section_table(data: ReportData, topic: Topic) -> SectionTable:
    """Rows: every county of the month (name order), then the zone; one column per indicator × stage."""
    columns = _columns(data, topic)
    counties = sorted(set(data.counties["county"].dropna()) | set(data.statuses["county"]))
    zone_label = zone_row_label(data)
    rows = [*counties, zone_label]
    values, statuses = {}, {}
    first: dict[tuple, dict] = {}  # (row label, indicator, stage or None) -> its first row (one pass, not a filter per cell)
    for label, frame in ((zone_label, data.zone), (None, data.counties)):
        for r in frame.to_dict("records"):
            row = label if label is not None else r["county"]
            if label is None and (not isinstance(row, str) or row == zone_label):
                continue
            first.setdefault((row, r["indicator"], r["stage"] if isinstance(r["stage"], str) else None), r)
    for j, col in enumerate(columns):
        for label in rows:
            r = first.get((label, col.indicator, col.stage))
            if r is None:
                values[(label, j)], statuses[(label, j)] = None, "none"
                continue
            values[(label, j)] = None if pd.isna(r["value"]) else float(r["value"])
            statuses[(label, j)] = status_key(r)
    return SectionTable(columns=columns, rows=rows, values=values, statuses=statuses, zone_label=zone_label)


def zone_row_label(data: ReportData) -> str:
    """'实验区', or '实验区(3/8县区已报送)' in an incomplete month."""
    month = data.month
    if month is None or month.complete:
        return data.zone_name
    return f"{data.zone_name}({reporting_text(month.n_reporting, month.n_expected)})"


def cell_colors(status: str | None, value) -> tuple[str, str] | None:
    """(background, text) colour of a value cell (a style key of labels.status_key); None (no fill)
    for a value without a target."""
    if (status or "none") in ("none", "notarget") and value is not None and not pd.isna(value):
        return None  # 无目标: plain cell, grey is kept for 无数据
    style = status_style(status)
    return style.color, style.text_color


@dataclass(frozen=True)
class OverviewRow:
    """One line of 本月概览: a zone figure as the overview tile shows it."""

    topic: str
    name: str
    value: str
    change: str
    target: str
    status: str  # style key
    status_label: str
    raw_value: float | None


def overview_rows(data: ReportData) -> list[OverviewRow]:
    """Every headline tile of 总览, then the sections' other narrative indicators, in section order."""
    heads = headline_ids()
    order = [i for t in data.topics for i in t.narrative if i in heads]
    order += [i for i in heads if i not in order]
    order += [i for t in data.topics for i in t.narrative if i not in order]
    topic_of = {i: t.title for t in data.topics for i in (*t.narrative, *t.table)}
    out = []
    for ind in order:
        rows = data.zone[(data.zone["indicator"] == ind) & data.zone["stage"].isna()]
        if rows.empty:
            continue
        r = rows.iloc[0]
        marker = completeness_marker(r)
        key = status_key(r)
        value = None if n.is_missing(r["value"]) else float(r["value"])
        out.append(OverviewRow(
            topic=topic_of.get(ind, ""), name=r["name"],
            value=n.format_value(value, r["unit"]) + (f"({marker})" if marker and key != INCOMPLETE else ""),
            change=n.format_change(r.get("change"), r["unit"]).removeprefix("较上月 "),
            target=n.format_target(r["target"], r["direction"], r["unit"]).removeprefix("目标 "),
            status=key, status_label=status_style(key).label, raw_value=value))
    return out


def _columns(data: ReportData, topic: Topic) -> list[Column]:
    out = []
    for indicator in topic.table:
        rows = data.zone[data.zone["indicator"] == indicator]
        if rows.empty:
            rows = data.counties[data.counties["indicator"] == indicator]
        if rows.empty:
            continue
        present = {s for s in rows["stage"] if isinstance(s, str)}
        stages = [s for s in data.config.stage_labels if s in present] + sorted(present - set(data.config.stage_labels))
        stages = stages or [None]
        for stage in stages:
            r = rows[_stage_is(rows["stage"], stage)].iloc[0]
            name = r["name"] + (f"·{data.stage_label(stage)}" if stage else "")
            unit = r["unit"]
            header = name if unit in ("", "系数") else f"{name}({unit})"
            out.append(Column(indicator, stage, header, unit, _num(r["target"]),
                              r["direction"] if isinstance(r["direction"], str) else None))
    return out


def _stage_is(series: pd.Series, stage: str | None) -> pd.Series:
    return series.isna() if stage is None else series == stage


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
