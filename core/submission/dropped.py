"""A correction that leaves out an optional sheet the version it replaces had: a warning that says so.

The workbook in force for a county × month is the county's data for that month, whole (indicators.md,
Conventions): a correction without the 优质学校 or 综合育人 sheet of the version it replaces is accepted,
and the county's values for that sheet then come from an older workbook (carried forward) or from none.
That is right when the county meant to withdraw the sheet, and silent data loss when the clerk re-exported
the workbook without it. So the gate accepts it with a warning naming the sheet, the replaced submission
(month, time received) and what the county's figures will become, and asks for the sheet if it was left
out by mistake (docs/submission-format.md, Re-submission).

A county's newest month without the 综合育人 sheet, whose values are carried forward 12 months only, is
also told when they run out: in the last month that still reaches the county's newest sheet, and in the
first that no longer does (before, its figures would turn to 无数据 the next month without a word).

Workbooks of one list are replayed in order, as the store does: a workbook that passed earlier in the
list is the version the next one of its county-month replaces.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from core.month import month_add, period_label
from core.submission.issues import Issue
from core.submission.messages import rule_issue
from core.submission.parsed import SHEET_NAMES, ParsedSubmission

# Optional sheet -> months its values are carried forward (None: no limit). indicators.md, Carried forward:
# 优质学校 from the newest workbook ≤ M that listed the school; 综合育人 within M−11 … M.
OPTIONAL: dict[str, int | None] = {"quality": None, "whole_child": 12}


@dataclass
class Version:
    """A county-month's workbook in force: when it was received and its rows per optional sheet."""

    received: datetime | None
    rows: dict[str, int] = field(default_factory=dict)


@dataclass
class County:
    """One county's workbooks in force by month, and the newest receipt of an accepted one per month."""

    in_force: dict[str, Version] = field(default_factory=dict)
    newest: dict[str, datetime] = field(default_factory=dict)


def dropped_sheet_warnings(con: duckdb.DuckDBPyConnection, workbooks: list[ParsedSubmission],
                           received: datetime | None = None) -> None:
    """Add to each accepted workbook (in place, in list order) a warning per optional sheet that the
    version it replaces had and it lacks. `received`: when the list arrived (None: it replaces)."""
    todo = [p for p in workbooks if p.ok and p.county is not None and p.period is not None]
    if not todo:
        return
    counties = _stored(con, sorted({p.county for p in todo}))
    for p in todo:
        county = counties.setdefault(p.county, County())
        newest = county.newest.get(p.period)
        if received is not None and newest is not None and newest > received:
            continue  # an older e-mail loaded late: joins the history, replaces nothing
        old = county.in_force.get(p.period)
        new = Version(received, {key: _rows(p, key) for key in OPTIONAL})
        county.in_force[p.period] = new
        if received is not None:
            county.newest[p.period] = received
        dropped = [key for key in OPTIONAL if old is not None and old.rows.get(key) and not new.rows[key]]
        p.issues += [_warning(p, key, old, county) for key in dropped]
        p.issues += [w for key in OPTIONAL if key not in dropped and (w := _running_out(p, key, county))]


def _rows(p: ParsedSubmission, key: str) -> int:
    table = p.tables.get(key)
    return 0 if table is None else len(table)


def _warning(p: ParsedSubmission, key: str, old: Version, county: County) -> Issue:
    sheet = SHEET_NAMES[key]
    months = _affected(county, p.period, key)
    groups: list[tuple[str | None, list[str]]] = []  # consecutive months with the same fallback
    for m in months:
        source = _fallback(county, p.period, key, m)
        if groups and groups[-1][0] == source:
            groups[-1][1].append(m)
        else:
            groups.append((source, [m]))
    if len(groups) == 1:
        effect = _effect(key, groups[0][0])
    else:  # a later month's window no longer reaches the older workbook: it has no data
        effect = "变化如下:" + ",".join(f"{_span(ms)}{_effect(key, source)}" for source, ms in groups)
    when = f"{old.received:%Y-%m-%d %H:%M}接收" if old.received is not None else "此前接收"
    return rule_issue("optional_sheet_dropped", "warning", sheet=sheet, county=p.county,
                      period=period_label(p.period), when=when, n=old.rows[key], months=_span(months), effect=effect)


def _running_out(p: ParsedSubmission, key: str, county: County) -> Issue | None:
    """For the county's newest month without the sheet: a warning when this is the last month its newest
    sheet is carried to, or the first it no longer reaches (None otherwise, and for a sheet without limit)."""
    limit = OPTIONAL[key]
    if limit is None or county.in_force[p.period].rows.get(key) or max(county.in_force) != p.period:
        return None
    source = max((m for m, v in county.in_force.items() if m < p.period and v.rows.get(key)), default=None)
    if source is None or source < month_add(p.period, -limit):
        return None  # never sent, or ran out before this month (told then)
    last = source == month_add(p.period, -(limit - 1))
    if not last and source != month_add(p.period, -limit):
        return None
    return rule_issue("optional_sheet_last_month" if last else "optional_sheet_ran_out", "warning",
                      sheet=SHEET_NAMES[key], county=p.county, period=period_label(p.period),
                      source=period_label(source), limit=limit, next=period_label(month_add(p.period, 1)))


def _span(months: list[str]) -> str:
    return period_label(months[0]) if len(months) == 1 else f"{period_label(months[0])}至{period_label(months[-1])}"


def _effect(key: str, source: str | None) -> str:
    if source is not None:
        return f"改为沿用更早的报送(最近一次含此表的是{period_label(source)}的报送)"
    if OPTIONAL[key] is None:
        return "变为无数据(此前没有含此表的报送)"
    return f"变为无数据(此前{OPTIONAL[key]}个月内没有含此表的报送)"


def _fallback(county: County, period: str, key: str, month: str) -> str | None:
    """Where `month` takes the sheet from once `period` has none: the newest month in force before
    `period` whose workbook has it, within the carry-forward limit counted from `month`."""
    limit = OPTIONAL[key]
    earliest = month_add(month, -(limit - 1)) if limit else ""
    found = [m for m, v in county.in_force.items() if earliest <= m < period and v.rows.get(key)]
    return max(found, default=None)


def _affected(county: County, period: str, key: str) -> list[str]:
    """`period` and the later months in force that carried the sheet forward from it."""
    limit = OPTIONAL[key]
    latest = month_add(period, limit - 1) if limit else "9999-12"
    out = [period]
    for m in sorted(m for m in county.in_force if period < m <= latest):
        if county.in_force[m].rows.get(key):
            break
        out.append(m)
    return out


def _stored(con: duckdb.DuckDBPyConnection, counties: list[str]) -> dict[str, County]:
    """The counties' accepted workbooks: the ones in force with their optional sheets' row counts."""
    out: dict[str, County] = {}
    rows = con.execute(
        "WITH s AS (SELECT id, county, period, received_at, in_force FROM submission"
        "  WHERE status = 'accepted' AND period IS NOT NULL AND list_contains(?, county)),"
        " q AS (SELECT submission_id, count(*) AS n FROM quality SEMI JOIN s ON s.id = submission_id AND s.in_force"
        "  GROUP BY ALL),"
        " w AS (SELECT submission_id, count(*) AS n FROM whole_child SEMI JOIN s ON s.id = submission_id AND s.in_force"
        "  GROUP BY ALL)"
        " SELECT s.county, s.period, s.received_at, s.in_force, coalesce(q.n, 0), coalesce(w.n, 0) FROM s"
        " LEFT JOIN q ON q.submission_id = s.id LEFT JOIN w ON w.submission_id = s.id", [counties]).fetchall()
    for county, period, received, in_force, n_quality, n_whole in rows:
        c = out.setdefault(county, County())
        c.newest[period] = max(c.newest.get(period, received), received)
        if in_force:
            c.in_force[period] = Version(received, {"quality": n_quality, "whole_child": n_whole})
    return out
