"""Chinese sentences of the monthly report, generated from the indicator values.

Every number in a sentence comes from the indicator frames (compute_indicators'
output), formatted by core.report.numformat; nothing is typed by hand.
"""
from __future__ import annotations

import pandas as pd

from core.month import month_label
from core.report import numformat as n
from core.report.topics import Topic

MAX_NAMED_COUNTIES = 4
# Submission statuses named in the 报送 sentence, in order, with their wording.
LATE_STATUSES = (("逾期", "逾期报送"), ("未报送", "未报送"), ("已驳回", "报送被驳回、尚未重报"))


def topic_sentences(topic: Topic, zone: pd.DataFrame, counties: pd.DataFrame, period: str,
                    statuses: pd.DataFrame | None = None) -> list[str]:
    """2–4 sentences for one topic: values, change, distance to target, counties to watch."""
    sentences: list[str] = []
    for i, indicator in enumerate(topic.narrative):
        row = _zone_row(zone, indicator)
        if row is None or n.is_missing(row["value"]):
            continue
        headline = not sentences
        text = _indicator_sentence(row, period if headline else None)
        if i == 0 and topic.compare_counties:
            attention = _attention_clause(row, _county_rows(counties, indicator))
            if attention:
                text += ";" + attention
        sentences.append(text + "。")
    if not sentences:
        sentences.append(f"{month_label(period)},本部分指标暂无数据。")
    if topic.submissions and statuses is not None:
        sentences.append(submission_sentence(period, statuses))
    return sentences


def submission_sentence(period: str, statuses: pd.DataFrame) -> str:
    """Who reported on time, late, or not at all ('county', 'status' columns)."""
    total = len(statuses)
    on_time = int((statuses["status"] == "按时").sum())
    text = f"{month_label(period)}应报送{total}个县区,按时报送{on_time}个"
    parts = []
    for status, wording in LATE_STATUSES:
        names = sorted(statuses.loc[statuses["status"] == status, "county"].tolist())
        if names:
            parts.append(f"{'、'.join(names)}{wording}")
    if parts:
        return text + ";" + ",".join(parts) + "。"
    return text + ",全部按时报送。" if on_time == total and total else text + "。"


def _indicator_sentence(row: pd.Series, period: str | None) -> str:
    unit = row["unit"]
    prefix = f"{month_label(period)},全区" if period else "全区"
    clauses = [f"{prefix}{row['name']}为{n.value_text(row['value'], unit)}"]
    change = n.change_text(row["value"], row.get("prev_value"), unit)
    if change:
        clauses.append(change)
    target = _target_clause(row)
    if target:
        clauses.append(target)
    return ",".join(clauses)


def _target_clause(row: pd.Series) -> str | None:
    unit, value, target = row["unit"], row["value"], row.get("target")
    if n.is_missing(target):
        return None
    expected = row.get("expected")
    if not n.is_missing(expected):
        return _trajectory_clause(value, expected, target, unit)
    if row.get("direction") == "<=":
        over = n.difference(value, target, unit)
        if over <= 0:
            return f"已达到目标(不高于{n.target_text(target, unit)})"
        return f"比目标上限{n.target_text(target, unit)}高{n.amount_text(over, unit)}"
    gap = n.difference(target, value, unit)
    if gap <= 0:
        return f"已达到目标{n.target_text(target, unit)}"
    return f"距目标{n.target_text(target, unit)}差{n.amount_text(gap, unit)}"


def _trajectory_clause(value, expected, target, unit) -> str:
    # expected is fractional for counts: show it with one decimal, like the charts' plan line
    plan_unit = "%" if unit == "%" else None
    plan = n.number_text(expected, plan_unit) + ("" if unit in (None, "系数") else unit)
    behind = n.difference(expected, value, plan_unit)
    progress = "已达到进度要求" if behind <= 0 else f"落后进度{n.number_text(behind, plan_unit)}{unit or ''}"
    remaining = n.difference(target, value, unit)
    tail = f",距最终目标{n.target_text(target, unit)}还差{n.amount_text(remaining, unit)}" if remaining > 0 else ",已达到最终目标"
    return f"按目标进度本月应达到{plan},{progress}{tail}"


def _attention_clause(zone_row: pd.Series, rows: pd.DataFrame) -> str | None:
    unit, direction = zone_row["unit"], zone_row.get("direction")
    if unit in n.EXTENSIVE_UNITS or rows.empty:
        return None
    worse_is_lower = direction != "<="
    zone_value = n.rounded(zone_row["value"], unit)
    found = []
    for _, r in rows.iterrows():
        v = n.rounded(r["value"], unit)
        if v is None:
            continue
        if (v < zone_value) if worse_is_lower else (v > zone_value):
            found.append((v, r["county"], r["value"]))
    word = "低于" if worse_is_lower else "高于"
    if not found:
        return f"各县区均不{word}全区水平"
    found.sort(key=lambda t: (t[0] if worse_is_lower else -t[0], t[1]))
    named = "、".join(f"{c}({n.value_text(raw, unit)})" for _, c, raw in found[:MAX_NAMED_COUNTIES])
    more = f"等{len(found)}个县区" if len(found) > MAX_NAMED_COUNTIES else ""
    return f"{named}{more}{word}全区水平"


def _zone_row(zone: pd.DataFrame, indicator: str) -> pd.Series | None:
    rows = zone[(zone["indicator"] == indicator) & zone["stage"].isna()]
    return None if rows.empty else rows.iloc[0]


def _county_rows(counties: pd.DataFrame, indicator: str) -> pd.DataFrame:
    return counties[(counties["indicator"] == indicator) & counties["stage"].isna()]
