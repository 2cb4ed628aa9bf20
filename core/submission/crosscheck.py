"""Checks of validated workbooks against stored data, run by the upload gate just before storing.

- School codes belong to one county: a 学校名册 code that another county's roster for the same month
  holds (its newest in force at or before the month) is an error naming that county
  (docs/submission-format.md, 学校标识码归属).
- A school that moved in from another county, listed without its 优质学校 row while the old county
  reported it as a quality school: a warning on its code (core.submission.moved).
- A correction that leaves out an optional sheet the version it replaces had: a warning naming the
  sheet and what the county's figures become (core.submission.dropped).
- Implausible values (warnings that do not block): minutes far from the county's other schools in
  the workbook, a jump from the school's own previous month in force, minutes that look like hours,
  a roster clearly shorter than last month's in force (schools left out when pasting).

A list of workbooks is checked as if they were stored one after the other: an earlier workbook of
the list that passes counts as stored for the later ones (its roster, its month's values).
"""
from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pyarrow as pa

from core.indicators.catalog import DataQuality, load_catalog
from core.month import month_add
from core.submission.dropped import dropped_sheet_warnings
from core.submission.issues import Issue
from core.submission.messages import rule_issue
from core.submission.moved import moved_quality_warnings
from core.submission.parsed import ParsedSubmission
from core.submission.plausibility import METRICS, find, first_per_cell, number
from core.submission.rules import codes_of_other_counties

Values = dict[str, dict[str, float]]  # metric -> school code -> value


@dataclass
class Rosters:
    """Which months each county has a roster in force for, and which of those rosters hold the codes
    being checked (of counties other than the one checking them)."""

    months: dict[str, list[str]]  # county -> its months with a roster in force, sorted
    holders: dict[tuple[str, str], set[str]]  # (county, month) -> the codes being checked its roster holds
    stored_holders: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # the same, stored only

    def owners(self, codes: set[str], county: str, period: str) -> dict[str, list[tuple[str, str]]]:
        """Code -> the other counties whose roster for `period` (their newest at or before it) holds
        it, with that roster's month. A school that moved since is not the old month's problem: a
        county may still correct a month in which the school was its own."""
        found: dict[str, list[tuple[str, str]]] = {}
        for c in {c for c, _ in self.holders} - {county}:
            months = self.months.get(c, [])
            at = bisect_right(months, period)
            held = self.holders.get((c, months[at - 1])) if at else None
            for code in codes & held if held else ():
                found.setdefault(code, []).append((c, months[at - 1]))
        return {code: sorted(f) for code, f in found.items()}

    def moved_in(self, codes: set[str], county: str, period: str) -> set[str]:
        """The codes a stored roster of another county held in a month before `period`: schools that
        moved to `county` since."""
        out: set[str] = set()
        for (c, m), held in self.stored_holders.items():
            if c != county and m < period:
                out |= codes & held
        return out

    def stored(self, county: str, period: str, codes: set[str]) -> None:
        """A workbook of the list passed: its roster is the county's for its month from now on."""
        months = self.months.setdefault(county, [])
        if period not in months:
            insort(months, period)
        self.holders[(county, period)] = codes


def check_against_stored(con: duckdb.DuckDBPyConnection, workbooks: list[ParsedSubmission],
                         received: datetime | None = None) -> None:
    """Add to each workbook (in place, in list order) the issues found against stored data.
    `received`: when the workbooks arrived (which of them will replace the version in force).

    A failure of these checks (a bug) refuses the workbook with a message for the administrator,
    as a crashing rule does; it never takes the upload or the folder down.
    """
    todo = [p for p in workbooks if p.county is not None and p.period is not None and "school" in p.places]
    if not todo:
        return
    try:
        dq = load_catalog().data_quality
        rosters = _rosters(con, sorted({(c, p.county) for p in todo for c in _column(p.tables["school"], "school_id")}))
        previous = _stored_values(con, _months_before(todo))
    except Exception as exc:  # noqa: BLE001 - see above
        for p in todo:
            p.issues.append(rule_issue("rule_crashed", rule="check_against_stored", error=type(exc).__name__))
        return
    months: dict[tuple[str, str], Values] = {}  # values of the workbooks of the list that passed
    for p in todo:
        try:
            _check(con, p, rosters, months, previous, dq)
        except Exception as exc:  # noqa: BLE001 - see above
            p.issues.append(rule_issue("rule_crashed", rule="check_against_stored", error=type(exc).__name__))
    try:
        dropped_sheet_warnings(con, todo, received)
    except Exception as exc:  # noqa: BLE001 - see above
        for p in todo:
            p.issues.append(rule_issue("rule_crashed", rule="dropped_sheet_warnings", error=type(exc).__name__))


def _check(con, p: ParsedSubmission, rosters: Rosters, months: dict[tuple[str, str], Values],
           previous: dict[tuple[str, str], Values], dq: DataQuality) -> None:
    codes = _column(p.tables["school"], "school_id")
    owners = rosters.owners(set(codes), p.county, p.period)
    p.issues += codes_of_other_counties(p.places["school"], codes, owners)
    if not p.ok:
        return
    moved = rosters.moved_in(set(codes), p.county, p.period)
    if moved:
        quality = set(_column(p.tables["quality"], "school_id")) if "quality" in p.tables else set()
        moved_quality_warnings(con, p, codes, moved - quality)
    values = _values(p)
    last = (p.county, month_add(p.period, -1))
    before = months.get(last, previous.get(last, {}))
    p.issues += _roster_drop(p, values, before, dq) + _warnings(p, values, before, dq)
    months[(p.county, p.period)] = values
    rosters.stored(p.county, p.period, set(codes))


def _rosters(con, codes: list[tuple[str, str]]) -> Rosters:
    """Rosters of the submissions in force: every county's months, and the (code, checking county)
    pairs `codes` held by another county's roster, in which month."""
    months: dict[str, list[str]] = {county: sorted(periods) for county, periods in con.execute(
        "SELECT county, list(period) FROM submission WHERE status = 'accepted' AND in_force"
        " AND county IS NOT NULL AND period IS NOT NULL GROUP BY county").fetchall()}
    holders: dict[tuple[str, str], set[str]] = {}
    # the pairs as a registered Arrow table: joined from two unnested parameter lists, the same
    # query took ten times as long (34 against 2.6 ms for 1,500 pairs)
    con.register("_checked_codes", pa.table({"code": [c for c, _ in codes], "county": [c for _, c in codes]},
                                            schema=pa.schema([("code", pa.string()), ("county", pa.string())])))
    try:
        found = con.execute(
            "SELECT DISTINCT s.county, s.period, sc.school_id FROM school sc"
            " JOIN _checked_codes k ON k.code = sc.school_id"
            " JOIN submission s ON s.id = sc.submission_id AND s.county <> k.county"
            " WHERE s.status = 'accepted' AND s.in_force AND s.period IS NOT NULL").fetchall()
    finally:
        con.unregister("_checked_codes")
    for county, period, code in found:
        holders.setdefault((county, period), set()).add(code)
    return Rosters(months, holders, {k: set(v) for k, v in holders.items()})


def _months_before(todo: list[ParsedSubmission]) -> list[tuple[str, str]]:
    """The (county, previous month) keys to read from the database: not sent earlier in the list."""
    sent, keys = set(), set()
    for p in todo:
        last = (p.county, month_add(p.period, -1))
        if last not in sent:
            keys.add(last)
        sent.add((p.county, p.period))
    return sorted(keys)


def _stored_values(con, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Values]:
    """The checked values of the submissions in force for (county, month) keys."""
    out: dict[tuple[str, str], Values] = {}
    ids = {sub_id: (county, period) for sub_id, county, period in con.execute(
        "SELECT s.id, s.county, s.period FROM (SELECT unnest(?::VARCHAR[]) AS county, unnest(?::VARCHAR[]) AS period) k"
        " JOIN submission s ON s.county = k.county AND s.period = k.period AND s.status = 'accepted' AND s.in_force",
        [[k[0] for k in keys], [k[1] for k in keys]]).fetchall()} if keys else {}
    if not ids:
        return out
    rows = con.execute(
        "WITH ids AS (SELECT unnest(?::INTEGER[]) AS id)"
        " SELECT sc.submission_id, sc.school_id, sc.students, e.activity_minutes, h.g36_minutes, h.g79_minutes"
        " FROM (SELECT * FROM school SEMI JOIN ids ON ids.id = submission_id) sc"
        " LEFT JOIN (SELECT * FROM pe SEMI JOIN ids ON ids.id = submission_id) e"
        "  ON e.submission_id = sc.submission_id AND e.school_id = sc.school_id"
        " LEFT JOIN (SELECT * FROM homework SEMI JOIN ids ON ids.id = submission_id) h"
        "  ON h.submission_id = sc.submission_id AND h.school_id = sc.school_id", [sorted(ids)]).fetchall()
    for sub_id, sid, *xs in rows:
        values = out.setdefault(ids[sub_id], {})
        for metric, x in zip(("students", "activity_minutes", "g36_minutes", "g79_minutes"), xs):
            if x is not None:
                values.setdefault(metric, {})[sid] = float(x)
    return out


def _column(table, name: str) -> list:
    """A column of a validated table (Arrow table or DataFrame) as a list, None for blanks."""
    if hasattr(table, "column_names"):
        return table.column(name).to_pylist()
    col = table[name]
    return col.astype(object).where(col.notna(), None).tolist()


def _has(table, name: str) -> bool:
    return name in (table.column_names if hasattr(table, "column_names") else table.columns)


def _values(p: ParsedSubmission) -> Values:
    values: Values = {}
    for metric, (_, _, key) in METRICS.items():
        table = p.tables.get(key)
        if table is not None and _has(table, metric):
            column = zip(_column(table, "school_id"), _column(table, metric))
            values[metric] = {sid: float(x) for sid, x in column if x is not None}
    return values


def _roster_drop(p: ParsedSubmission, values: Values, before: Values, dq: DataQuality) -> list[Issue]:
    """A warning when the roster lists clearly fewer schools than last month's in force (rows left out
    when pasting), naming a few of the schools it no longer lists."""
    was, now = before.get("students", {}), values.get("students", {})
    gone = sorted(set(was) - set(now))
    if not was or len(gone) < max(2, dq.roster_drop_share * len(was)):
        return []
    examples = "、".join(gone[:3]) + ("等" if len(gone) > 3 else "")
    return [rule_issue("roster_shrank", "warning", sheet=p.places["school"].label, n=len(now), m=len(was),
                       d=len(gone), examples=examples)]


def _warnings(p: ParsedSubmission, values: Values, before: Values, dq: DataQuality) -> list[Issue]:
    rows = {key: {sid: n for n, sid in enumerate(_column(p.tables[key], "school_id"))}
            for key in {k for _, _, k in METRICS.values()} if key in p.tables}
    return [rule_issue("implausible", "warning", value=number(f.value), reason=f.reason,
                       **p.places[METRICS[f.metric][2]].where(rows[METRICS[f.metric][2]][f.school_id], f.metric))
            for f in first_per_cell(find(p.county, values, before, dq))]
