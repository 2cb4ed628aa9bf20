"""The charts of one indicator, the same on the pages and in the report: data, title, caption, lines.

ui/render.py (the pages, from their cached loaders) and core/report/figures.py (the report's PDF
and PNG pack, from ReportData) both call these with plain frames of compute_indicators and
indicator_trend rows, so a chart reads the same — title, caption, target and trajectory —
wherever it is pasted. A chart with nothing to tell (every county at the same value) is not
drawn: `same_everywhere` gives the sentence that replaces it.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go

from core.indicators.catalog import load_catalog
from core.indicators.targets import load_targets
from core.indicators.trend import provisional
from core.month import period_label
from core.present import charts
from core.present.charts.base import months
from core.present.escape import chart_text
from core.present.labels import reporting_text
from core.present.numbers import format_target, format_value, is_missing, target_text
from core.present.palette import load_palette, many_counties, status_style


def indicator_caption(indicator: str, row, source: str, as_of: str) -> charts.Caption:
    """口径, target (of `row`, a compute_indicators row, if any), data source and as-of date."""
    target = ""
    if row is not None and not is_missing(row.get("target")):
        target = format_target(row.get("target"), row.get("direction"), row.get("unit"))
    return charts.Caption(definition=load_catalog().get(indicator).definition, target=target,
                          source=source, as_of=as_of)


def same_everywhere(indicator: str, period: str, rows: pd.DataFrame) -> str | None:
    """'2026年10月 各县区…均为100.0%(全部达标)' when every county has the same value (a chart
    of equal bars tells nothing), else None."""
    values = [v for v in rows["value"] if not is_missing(v)] if len(rows) else []
    unit = load_catalog().get(indicator).unit
    if len(values) < 2 or len({format_value(v, unit) for v in values}) > 1 or len(values) < len(rows):
        return None
    statuses = {s for s in rows["status"] if isinstance(s, str) and s != "none"}
    verdict = f"(全部{status_style(statuses.pop()).label})" if len(statuses) == 1 else ""
    return (f"{period_label(period)} 各县区{load_catalog().get(indicator).name}"
            f"均为{format_value(values[0], unit)}{verdict}。")


def county_bars(indicator: str, period: str, rows: pd.DataFrame, zone_row, source: str, as_of: str,
                base_size: int = 14, height: int | None = None, highlight: str | None = None) -> go.Figure:
    """A bar per county in its status colour, with the counties' target and the zone value."""
    ind = load_catalog().get(indicator)
    rows = rows[rows["stage"].isna()] if "stage" in rows else rows
    # The line is the counties' own target (a zone-only target, e.g. a count, is not theirs).
    with_target = rows[rows["target"].notna()]
    ref = with_target.iloc[0] if len(with_target) else None
    shown = rows.assign(label=[f"▶ {c}" if c == highlight else c for c in rows["county"]])
    caption = indicator_caption(indicator, ref if ref is not None else zone_row, source, as_of)
    target = ref.get("target") if ref is not None else None
    target_name = None
    if ref is not None and not is_missing(ref.get("expected")):  # a trajectory: this month's expected value
        target = ref.get("expected")
        target_name = f"本月应达 {format_value(target, ind.unit)}"
    elif ref is not None and len(set(with_target["target"])) > 1:  # each county its own target (a plan)
        ref, target, caption = None, None, replace(caption, target="各县区目标不同(见各县区计划进度)")
    labelled, zone_value = None, zone_row.get("value") if zone_row is not None else None
    if many_counties(len(rows)):  # a label per bar no longer fits: the chosen county's only
        labelled = {highlight} if highlight else set()
        note = (f"共{len(rows)}个县区,按数值从高到低;柱上不逐一标注县区名与数值"
                + (f"(只标所选的▶{highlight})" if highlight else "") + ",悬停可见")
        if ind.kind == "count" and not is_missing(zone_value):  # the zone's sum flattens a hundred bars
            note += f";实验区合计{format_value(zone_value, ind.unit)}"
            zone_value = None
        caption = replace(caption, note=note)
    title = f"{period_label(period)} 各县区{ind.name}"
    if zone_row is not None and not is_missing(zone_row.get("complete")) and not bool(zone_row.get("complete")):
        # an open month: the picture says whose bars these are (pasted without the page's banner)
        title += f"({reporting_text(int(zone_row['counties_reporting']), int(zone_row['counties_expected']))})"
    return charts.bar_by_status(
        shown, "label", title, ind.unit, caption=caption,
        target=target, direction=ref.get("direction") if ref is not None else ind.direction,
        zone_value=zone_value, key_col="county",
        base_size=base_size, height=height, target_name=target_name, labelled=labelled)


def trend_lines(indicator: str, period: str, counties: pd.DataFrame, zone: pd.DataFrame, source: str,
                as_of: str, base_size: int = 14, height: int | None = None, county: str | None = None,
                limit: float | None = None) -> go.Figure:
    """Monthly lines per county (or one county) with the zone line and the target (or a policy
    `limit`, 上限 ≤60分钟). Counties whose values are yes/no (0 or 100 %, e.g. 按时报送率) are not
    drawn as spikes: the zone line carries the names of the counties at 0 in that month.
    `counties` may hold every county when one is chosen: more than a chart draws one by one
    (palette.many_counties) become a band around the zone line with the chosen county's line; else
    only the chosen county's line is drawn."""
    ind = load_catalog().get(indicator)
    counties = counties[counties["stage"].isna()] if "stage" in counties else counties
    zone = zone[zone["stage"].isna()] if "stage" in zone else zone
    n = counties["county"].nunique()
    band = load_palette().scale.band if many_counties(n) else None
    if county is not None and band is None:
        counties = counties[counties["county"] == county]
    last = zone.iloc[-1] if len(zone) else None
    caption = indicator_caption(indicator, last, source, as_of)
    target, limit_name = (last.get("target") if last is not None else None), None
    if limit is not None:  # a policy limit (作业时长上限), not a target of the indicator
        limit_name = f"上限 {'≤' if ind.direction == '<=' else '≥'}{target_text(limit, ind.unit)}"
        caption, target = replace(caption, target=limit_name), limit
    values = [float(v) for v in counties["value"] if not is_missing(v)]
    yes_no = ind.unit == "%" and county is None and values and set(values) <= {0.0, 100.0}
    if band is not None and not yes_no:
        lo, hi = (round(q * 100) for q in band)
        caption = replace(caption, note=f"阴影:{n}个县区每月的P{lo}–P{hi}(深,中间{hi - lo}%的县区)"
                                        f"与最低–最高(浅)")
    fig = charts.trend_lines(counties.iloc[0:0] if yes_no else counties,
                             f"{ind.name}月度趋势({county or '各县区'},截至{period_label(period)})", ind.unit,
                             caption=caption, target=target, direction=ind.direction, zone=zone,
                             base_size=base_size, height=height, target_name=limit_name,
                             band=None if yes_no else band, highlight=county)
    if yes_no:
        _name_counties_at_zero(fig, counties, zone, base_size)
    return fig


def _name_counties_at_zero(fig: go.Figure, counties: pd.DataFrame, zone: pd.DataFrame, base_size: int) -> None:
    """Label each zone point below 100 % with the counties at 0 that month (one layout update)."""
    at_zero = counties[counties["value"] == 0].groupby("period")["county"].apply(list)
    level = dict(zip(zone["period"], zone["value"]))
    most = load_palette().scale.max_names if many_counties(counties["county"].nunique()) else None
    notes = [{"x": months([p])[0], "y": level.get(p), "text": _names(names, most) + "未达标",
              "showarrow": True, "arrowhead": 0, "ax": 0, "ay": base_size * 2.4, "yanchor": "top",
              "font": {"size": int(base_size * 0.9), "color": load_palette().lines["target"]}}
             for p, names in at_zero.items() if not is_missing(level.get(p))]
    fig.update_layout(annotations=[*fig.layout.annotations, *notes])


def _names(names: list[str], most: int | None) -> str:
    """「甲、乙」, or with `most` set and more names than that 「甲、乙…等12个县区」."""
    if most is None or len(names) <= most:
        return chart_text("、".join(names))
    return chart_text("、".join(names[:most])) + f"等{len(names)}个县区"


def trajectory(indicator: str, period: str, trend: pd.DataFrame, row, scope: str, source: str, as_of: str,
               county: str | None = None, base_size: int = 14, height: int | None = None) -> go.Figure:
    """Actual values month by month against the planned trajectory (baseline → target month), with
    the projection from the newest point that is part of the line (never from a count of an
    incomplete month). `scope` names whose figures these are (实验区, a county)."""
    ind = load_catalog().get(indicator)
    trend = trend[trend["stage"].isna()] if "stage" in trend else trend
    target = load_targets().find(indicator, "county" if county else "zone", county)
    plan, projection = [], None
    if target is not None and target.is_trajectory:
        plan = [(target.baseline_month, target.baseline_value), (target.target_month, target.value)]
        joined = trend[trend["value"].notna()]
        if "completeness" in joined:  # the projection's own points (trend.provisional): it starts at the newest
            closed = joined["closed"] if "closed" in joined else [None] * len(joined)
            joined = joined[[not provisional(k, c) for k, c in zip(joined["completeness"], closed)]]
        if row is not None and not is_missing(row.get("projection")) and len(joined):
            start = joined.iloc[-1]
            projection = [(start["period"], float(start["value"])), (target.target_month, float(row["projection"]))]
    return charts.trajectory_chart(
        trend[trend["value"].notna()], plan, f"{scope}{ind.name}:实际与计划进度(截至{period_label(period)})",
        ind.unit, caption=indicator_caption(indicator, row, source, as_of), projection=projection,
        base_size=base_size, height=height)
