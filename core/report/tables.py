"""The county × indicator table of a report section, shared by the Excel and PDF builders."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.present.palette import status_style
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
    statuses: dict[tuple[str, int], str]


def section_table(data: ReportData, topic: Topic) -> SectionTable:
    """Rows: every county of the month (name order), then the zone; one column per indicator × stage."""
    columns = _columns(data, topic)
    counties = sorted(set(data.counties["county"].dropna()) | set(data.statuses["county"]))
    rows = [*counties, data.zone_name]
    values, statuses = {}, {}
    frames = {data.zone_name: data.zone}
    for j, col in enumerate(columns):
        for label in rows:
            frame = frames.get(label)
            if frame is None:
                frame = data.counties[data.counties["county"] == label]
            match = frame[(frame["indicator"] == col.indicator) & _stage_is(frame["stage"], col.stage)]
            if match.empty:
                values[(label, j)], statuses[(label, j)] = None, "none"
                continue
            r = match.iloc[0]
            values[(label, j)] = None if pd.isna(r["value"]) else float(r["value"])
            statuses[(label, j)] = r["status"] if isinstance(r["status"], str) else "none"
    return SectionTable(columns=columns, rows=rows, values=values, statuses=statuses)


def cell_colors(status: str | None, value) -> tuple[str, str] | None:
    """(background, text) colour of a value cell; None (no fill) for a value without a target."""
    if (status or "none") == "none" and value is not None and not pd.isna(value):
        return None  # 无目标: plain cell, grey is kept for 无数据
    style = status_style(status)
    return style.color, style.text_color


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
