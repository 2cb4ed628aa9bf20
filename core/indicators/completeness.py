"""Completeness (报送完整性) of a month, and the default month every view opens on.

For month M, `expected` = the zone's counties and `reporting` = those with an accepted
workbook in force for M. M is complete when every expected county reports, closed when it
is complete or its due date (day `due_day` of M+1) has passed (indicators.md, Completeness).

What an incomplete month does to a zone row depends on what the indicator adds up
(`row_completeness`):
- a count (优质学校数) summed over the reporting counties is not comparable with a full
  month: status none (shown 不完整), no change against the previous month, drawn hollow and
  never used for a projection — `NOT_COMPARABLE`;
- a rate or mean over the reporting counties stays a fair figure of those counties and is
  marked 部分县区 — `PARTIAL`;
- an indicator over every expected county (按时报送率) is final once the month is closed;
  before that it is provisional and treated like a count — `NOT_COMPARABLE`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np

from core.indicators.base import available_periods, zone_counties
from core.indicators.catalog import Catalog, Indicator
from core.indicators.change import rate
from core.month import due_date, is_closed, is_past_due, month_add, today
from core.zone import load_zone

COMPLETE, PARTIAL, NOT_COMPARABLE = "complete", "partial", "not_comparable"


@dataclass(frozen=True)
class Completeness:
    """Who reported for one month, of the counties expected."""

    period: str
    expected: tuple[str, ...]
    reporting: tuple[str, ...]
    due_day: int

    @property
    def missing(self) -> tuple[str, ...]:
        """Expected counties without data for the month, in zone order."""
        have = set(self.reporting)
        return tuple(c for c in self.expected if c not in have)

    @property
    def complete(self) -> bool:
        """Every expected county reported."""
        return not self.missing

    @property
    def due(self) -> date:
        """The month's due date."""
        return due_date(self.period, self.due_day)

    def closed(self, day: date | None = None) -> bool:
        """Complete, or past its due date on `day` (default today())."""
        return is_closed(self.period, self.complete, self.due_day, day)

    @property
    def n_reporting(self) -> int:
        """Expected counties that reported (a county outside the zone list is not counted)."""
        return len(self.expected) - len(self.missing)


def completeness(con: duckdb.DuckDBPyConnection, periods: list[str]) -> dict[str, Completeness]:
    """Completeness of each month in `periods` (one query)."""
    expected = tuple(zone_counties(con))
    due_day = load_zone().due_day
    rows = con.execute("SELECT DISTINCT period, county FROM submission WHERE status = 'accepted' AND in_force"
                       " AND county IS NOT NULL AND period IN (SELECT unnest(?::VARCHAR[]))"
                       " ORDER BY county", [list(periods)]).fetchall()
    have: dict[str, list[str]] = {p: [] for p in periods}
    for period, county in rows:
        have[period].append(county)
    return {p: Completeness(p, expected, tuple(have[p]), due_day) for p in periods}


def month_completeness(con: duckdb.DuckDBPyConnection, period: str) -> Completeness:
    """Completeness of one month."""
    return completeness(con, [period])[period]


def missing_counties(con: duckdb.DuckDBPyConnection, period: str) -> list[str]:
    """Zone counties without data for `period` (left out of the zone figures, never filled in)."""
    return list(month_completeness(con, period).missing)


def default_period(con: duckdb.DuckDBPyConnection, day: date | None = None) -> str | None:
    """The month every view opens on (pages, slideshow, 月报, CLI): see `pick_default`."""
    return pick_default(month_choices(con, day))


def pick_default(choices: list["MonthChoice"]) -> str | None:
    """The newest closed month of `choices` (newest first); when none is closed yet (a zone's very
    first month), the newest month; None when there is no data at all."""
    return next((c.period for c in choices if c.closed), choices[0].period if choices else None)


@dataclass(frozen=True)
class MonthChoice:
    """One month of the month selector: completeness, closed or open."""

    period: str
    n_reporting: int
    n_expected: int
    missing: tuple[str, ...]
    closed: bool
    due: date

    @property
    def complete(self) -> bool:
        """Every expected county reported."""
        return not self.missing


def month_choices(con: duckdb.DuckDBPyConnection, day: date | None = None) -> list[MonthChoice]:
    """Every month with data, newest first, with its completeness (the month selector's options)."""
    periods = available_periods(con)
    day = day or today()
    cov = completeness(con, periods)
    return [MonthChoice(p, cov[p].n_reporting, len(cov[p].expected), cov[p].missing, cov[p].closed(day),
                        cov[p].due) for p in reversed(periods)]


def months_without_data(choices: list[MonthChoice], day: date | None = None) -> list[str]:
    """The months after the newest month with data (`choices`, newest first) that are past their due
    date on `day`: no county has reported them at all, so every view opens on an older month. [] when
    there is no data."""
    if not choices:
        return []
    due_day, out = load_zone().due_day, []
    period = month_add(choices[0].period, 1)
    while is_past_due(period, due_day, day):
        out.append(period)
        period = month_add(period, 1)
    return out


def row_completeness(ind: Indicator, cov: Completeness, day: date | None = None) -> str:
    """COMPLETE, PARTIAL or NOT_COMPARABLE for a zone row of `ind` in the month of `cov`."""
    if ind.counties == "expected":
        return COMPLETE if cov.closed(day) else NOT_COMPARABLE
    if cov.complete:
        return COMPLETE
    return NOT_COMPARABLE if ind.kind == "count" else PARTIAL


def with_data(ind: Indicator, kind: str, counties: frozenset | set, cov: Completeness) -> tuple[str, int]:
    """(the row's completeness, how many expected counties have a value) for a zone row whose month's
    county values come from `counties`: a complete month that reporting counties have no data for
    (体质健康 not tested in the last 12 months, 综合育人 never sent) is partial (a count: not comparable)."""
    n = len([c for c in counties if c in cov.expected])
    if kind == COMPLETE and n < cov.n_reporting:
        kind = NOT_COMPARABLE if ind.kind == "count" else PARTIAL
    return kind, n


def mark_rows(out: dict[str, np.ndarray], cat: Catalog, cov: Completeness, prev: Completeness | None,
              day: date | None = None, covered: dict[str, frozenset] | None = None) -> None:
    """Fill the completeness columns of rated rows (compute.COLUMNS arrays) in place.

    Zone rows get counties_reporting / counties_expected / complete and `completeness`; a
    NOT_COMPARABLE row loses its status (none), change, rating and gap, and so does a row whose
    previous month was NOT_COMPARABLE (a full month is never compared with a partial count).
    A county row of an indicator over every expected county (按时报送率) is NOT_COMPARABLE while
    the month is open and the county has not reported yet (not late: not due yet).

    `covered` (indicator -> the counties with a value this month) makes a zone
    row of a complete month partial too when reporting counties have no data for the indicator
    (体质健康 not tested in the last 12 months, 综合育人 never sent): `counties_with_data` says how
    many have. (The change of such a row compares the same counties: compute.py.)
    """
    n = len(out["indicator"])
    for col in ("counties_reporting", "counties_expected", "complete", "completeness", "counties_with_data"):
        out[col] = np.full(n, None, dtype=object)
    meta = {i.id: i for i in cat.indicator}
    open_month = not cov.closed(day)
    for i in np.flatnonzero(out["level"] != "school"):
        ind = meta[out["indicator"][i]]
        if out["level"][i] == "county":
            if ind.counties == "expected" and open_month and out["county"][i] not in cov.reporting:
                _not_comparable(out, i, cat)
            continue
        out["counties_reporting"][i] = cov.n_reporting
        out["counties_expected"][i] = len(cov.expected)
        out["complete"][i] = cov.complete
        kind = row_completeness(ind, cov, day)
        if covered is not None and ind.id in covered and ind.counties != "expected":
            kind, out["counties_with_data"][i] = with_data(ind, kind, covered[ind.id], cov)
        out["completeness"][i] = kind
        if kind == NOT_COMPARABLE or (prev is not None and row_completeness(ind, prev, day) == NOT_COMPARABLE):
            _not_comparable(out, i, cat, keep_status=kind != NOT_COMPARABLE)


def _not_comparable(out: dict[str, np.ndarray], i: int, cat: Catalog, keep_status: bool = False) -> None:
    """Row i is not compared with the previous month (and, unless `keep_status`, not with its target)."""
    if not keep_status:
        out["status"][i] = "none"
        out["gap"][i] = out["remaining"][i] = None
        out["completeness"][i] = NOT_COMPARABLE
    out["change"][i] = out["improving"][i] = None
    out["change_direction"][i] = "none"
    out["rating"][i] = rate(out["status"][i], None, cat.rating)  # no change: the 持平 column
