"""Chinese sentences of the monthly report, generated from the indicator values.

Every number in a sentence comes from the indicator frames (compute_indicators'
output), formatted by core.present.numbers like every tile, chart and table; nothing is
typed by hand. A change or a distance is computed from unrounded values, then rounded.
A zone figure of an incomplete month carries its marker (部分县区 / 不完整); a count of such
a month is never compared with its target or the previous month.
"""
from __future__ import annotations

import pandas as pd

from core.indicators.catalog import load_catalog
from core.indicators.completeness import NOT_COMPARABLE, PARTIAL, MonthChoice
from core.month import month_label
from core.present import numbers as n
from core.present.labels import completeness_marker, reporting_text
from core.present.palette import school_lists
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
        if topic.compare_counties == "all" or (i == 0 and topic.compare_counties):
            attention = _attention_clause(row, _county_rows(counties, indicator))
            if attention:
                text += ";" + attention
        sentences.append(text + "。")
    if not sentences:
        sentences.append(f"{month_label(period)},本部分指标暂无数据。")
    if topic.school_lists:
        sentence = school_list_sentence(topic, zone)
        if sentence:
            sentences.append(sentence)
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


def school_list_sentence(topic: Topic, zone: pd.DataFrame) -> str | None:
    """How many schools are on each of the topic's lists (schools not meeting a yes/no indicator):
    a zone row's denominator minus its numerator, both counting schools."""
    parts = []
    for indicator, title in school_lists().items():
        row = _zone_row(zone, indicator)
        if indicator not in topic.table or row is None or n.is_missing(row.get("denominator")):
            continue
        count = round(float(row["denominator"]) - float(row["numerator"]))
        if count:
            parts.append(f"{title}{count}所")
    if not parts:
        return None
    return f"需要关注的学校:{','.join(parts)}(名单见看板「{topic.title}」页)。"


def completeness_sentence(choice: MonthChoice) -> str | None:
    """The report's first sentence when the month is incomplete (who is missing, what it means)."""
    if choice.complete:
        return None
    state = "尚未报送完毕" if not choice.closed else "数据不完整"
    return (f"本月{state}:{reporting_text(choice.n_reporting, choice.n_expected)},"
            f"{'、'.join(choice.missing)}未报送;实验区数据只含已报送县区,计数类指标(如优质学校数)"
            f"不与目标和上月比较,比率类指标标为「部分县区」。")


def _indicator_sentence(row: pd.Series, period: str | None) -> str:
    unit = row["unit"]
    prefix = f"{month_label(period)},全区" if period else "全区"
    marker = completeness_marker(row)
    text = f"{prefix}{row['name']}为{n.format_value(row['value'], unit)}"
    if row.get("completeness") == NOT_COMPARABLE:
        return f"{text}({marker},不与目标和上月比较)"
    clauses = [text + (f"({marker})" if marker else "")]
    change = n.change_sentence(row.get("change"), unit)
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
    goal = n.target_text(target, unit)
    if row.get("direction") == "<=":
        if value <= target:
            return f"已达到目标(不高于{goal})"
        return f"比目标上限{goal}高{_distance(value - target, unit)}"
    if value >= target:
        return f"已达到目标{goal}"
    return f"距目标{goal}差{_distance(target - value, unit)}"


def _distance(amount: float, unit) -> str:
    """A positive distance in change wording; one that rounds to nothing says so."""
    if n.rounded(amount, unit) == 0:
        return f"不足{n.amount_text(10 ** -n.decimals(unit), unit)}"
    return n.amount_text(amount, unit)


def _trajectory_clause(value, expected, target, unit) -> str:
    plan = n.format_value(expected, unit)
    behind = expected - value
    progress = "已达到进度要求" if behind <= 0 else f"落后进度{_distance(behind, unit)}"
    remaining = target - value
    tail = f",距最终目标{n.target_text(target, unit)}还差{_distance(remaining, unit)}" if remaining > 0 \
        else ",已达到最终目标"
    return f"按目标进度本月应达到{plan},{progress}{tail}"


def _attention_clause(zone_row: pd.Series, rows: pd.DataFrame) -> str | None:
    unit, direction = zone_row["unit"], zone_row.get("direction")
    # a county's count is a share of the zone's total, never "below the zone level"
    if load_catalog().get(zone_row["indicator"]).kind == "count" or rows.empty:
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
    if not found:  # of a partial zone row only the counties with data are behind the figure
        who = "有数据的县区" if zone_row.get("completeness") == PARTIAL else "各县区"
        return f"{who}均不{word}全区水平"
    found.sort(key=lambda t: (t[0] if worse_is_lower else -t[0], t[1]))
    named = "、".join(f"{c}({n.format_value(raw, unit)})" for _, c, raw in found[:MAX_NAMED_COUNTIES])
    more = f"等{len(found)}个县区" if len(found) > MAX_NAMED_COUNTIES else ""
    return f"{named}{more}{word}全区水平"


def _zone_row(zone: pd.DataFrame, indicator: str) -> pd.Series | None:
    rows = zone[(zone["indicator"] == indicator) & zone["stage"].isna()]
    return None if rows.empty else rows.iloc[0]


def _county_rows(counties: pd.DataFrame, indicator: str) -> pd.DataFrame:
    return counties[(counties["indicator"] == indicator) & counties["stage"].isna()]
