"""Who sent what, when: status per county × month (按时/逾期/未报送/已驳回) and version history."""
from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from core.access.accounts import demo_offered
from core.month import deadline, month_range
from core.zone import Zone, load_zone

ON_TIME, LATE, MISSING, REJECTED = "按时", "逾期", "未报送", "已驳回"
STATUSES = (ON_TIME, LATE, REJECTED, MISSING)

MATRIX_COLUMNS = ["county", "period", "status", "due_date", "submission_id", "file_name", "received_at",
                  "first_accepted_at", "n_errors", "n_warnings", "versions", "review_status"]
HISTORY_COLUMNS = ["submission_id", "file_name", "status", "in_force", "received_at", "ingested_at",
                   "replaces", "n_errors", "n_warnings", "sha256", "submitted_by", "archive_path",
                   "review_status", "review_comment"]
ISSUE_COLUMNS = ["seq", "severity", "sheet", "row", "column", "value", "message"]


def zone_county_list(con: duckdb.DuckDBPyConnection, zone: Zone | None = None) -> list[str]:
    """Counties of the zone: data/zone.toml's list, else every county ever accepted (name order)."""
    zone = zone or load_zone()
    if zone.counties:
        return list(zone.counties)
    rows = con.execute("SELECT DISTINCT county FROM submission WHERE status = 'accepted'"
                       " AND county IS NOT NULL ORDER BY county").fetchall()
    return [r[0] for r in rows]


def county_list_unset(con: duckdb.DuckDBPyConnection, zone: Zone | None = None) -> bool:
    """True when data/zone.toml lists no counties and the database holds data beyond the demo zone's.

    The zone's counties are then those that have reported so far, so a first month that 3 of 8
    counties sent is "complete" (indicators.md, Submissions); the administrator is told to fill the list
    in. The demo zone's counties all report from its first month: its data alone needs no list.
    """
    if (zone or load_zone()).counties:
        return False
    return not demo_offered(con)  # an empty database, or the demo's data only: nothing to say


def submission_matrix(con: duckdb.DuckDBPyConnection, period: str | None = None,
                      zone: Zone | None = None) -> pd.DataFrame:
    """One row per county × month: status, the submission in force, when received, issue counts.

    A month with accepted workbooks: 按时/逾期 by its first accepted one, the one in force (else the
    newest accepted) named; only rejected ones: 已驳回 with the newest; none: 未报送. Column-wise:
    each county × month's first, newest and in-force rows are picked by groups, never one filter of
    every submission per cell (~0.5 ms each: seconds for a province's history).
    """
    zone = zone or load_zone()
    counties = zone_county_list(con, zone)
    if period is not None:
        periods = [period]
    else:
        first, last = con.execute("SELECT min(period), max(period) FROM submission"
                                  " WHERE period IS NOT NULL").fetchone()
        periods = month_range(first, last) if first else []
    subs = con.execute(
        "SELECT id, county, period, status, in_force, file_name, received_at, n_errors, n_warnings,"
        " review_status FROM submission WHERE county IS NOT NULL AND period IS NOT NULL"
        " ORDER BY received_at, id").df()
    grid = pd.MultiIndex.from_product([counties, periods], names=["county", "period"])
    cols = {c: np.full(len(grid), None, dtype=object) for c in MATRIX_COLUMNS}
    cols["county"][:], cols["period"][:] = grid.get_level_values(0), grid.get_level_values(1)
    due = {p: zone.due_date(p).isoformat() for p in periods}
    cols["due_date"][:] = [due[p] for p in cols["period"]]
    cols["status"][:] = MISSING
    for c in ("n_errors", "n_warnings", "versions"):
        cols[c][:] = 0
    subs = subs[subs["county"].isin(counties) & subs["period"].isin(periods)]
    if len(subs):
        _fill(cols, grid, subs, zone.due_day)
    # one tuple per cell, as the matrix was always built (the columns' types inferred alike)
    return pd.DataFrame(list(zip(*(cols[c] for c in MATRIX_COLUMNS))), columns=MATRIX_COLUMNS)


def _fill(cols: dict[str, np.ndarray], grid: pd.MultiIndex, subs: pd.DataFrame, due_day: int) -> None:
    """The cells with workbooks, from `subs` (received order): versions; the newest workbook of a cell
    with only rejected ones; the first accepted one's time; the one in force (else the newest accepted)."""
    subs = subs.set_index(pd.MultiIndex.from_frame(subs[["county", "period"]]))
    by_cell = lambda frame: frame.groupby(level=[0, 1], sort=False)  # noqa: E731
    versions = by_cell(subs).size()
    cols["versions"][grid.get_indexer(versions.index)] = versions.tolist()
    accepted = subs[(subs["status"] == "accepted").to_numpy()]
    rejected = subs[~subs.index.isin(accepted.index)]
    newest = by_cell(rejected).tail(1)
    current = by_cell(pd.concat([accepted[accepted["in_force"].astype(bool).to_numpy()],
                                 by_cell(accepted).tail(1)])).head(1)
    for rows, status in ((newest, REJECTED), (current, None)):
        at = grid.get_indexer(rows.index)
        if status:
            cols["status"][at] = status
        for c in ("file_name", "received_at") + (("review_status",) if status is None else ()):
            cols[c][at] = rows[c].tolist()
        for c in ("n_errors", "n_warnings"):
            cols[c][at] = [int(v) for v in rows[c].tolist()]
        if status is None:
            cols["submission_id"][at] = [int(v) for v in rows["id"].tolist()]
    first = by_cell(accepted).head(1)
    at = grid.get_indexer(first.index)
    first_at = first["received_at"].tolist()
    cols["first_accepted_at"][at] = first_at
    deadlines = {p: deadline(p, due_day) for p in set(first["period"])}
    cols["status"][at] = [ON_TIME if t is not None and t < deadlines[p] else LATE
                          for t, p in zip(first_at, first["period"].tolist())]


def submission_history(con: duckdb.DuckDBPyConnection, county: str, period: str) -> pd.DataFrame:
    """Every workbook received for one county × month, newest first, with which one is in force."""
    return con.execute(
        "SELECT id AS submission_id, file_name, status, in_force, received_at, ingested_at, replaces,"
        " n_errors, n_warnings, sha256, submitted_by, archive_path, review_status, review_comment"
        " FROM submission WHERE county = ? AND period = ? ORDER BY received_at DESC, id DESC",
        [county, period]).df()[HISTORY_COLUMNS]


def submission_issues(con: duckdb.DuckDBPyConnection, submission_id: int) -> pd.DataFrame:
    """The issues found in one workbook, errors first, in the order they were found."""
    return con.execute(
        "SELECT seq, severity, sheet, excel_row AS row, column_name AS \"column\", value, message"
        " FROM submission_issue WHERE submission_id = ?"
        " ORDER BY CASE severity WHEN 'error' THEN 0 ELSE 1 END, seq", [submission_id]).df()[ISSUE_COLUMNS]


def unassigned_submissions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rejected workbooks whose county or month could not be determined (not in the matrix)."""
    return con.execute(
        "SELECT id AS submission_id, file_name, status, received_at, n_errors, n_warnings, county, period"
        " FROM submission WHERE county IS NULL OR period IS NULL ORDER BY received_at DESC, id DESC").df()


def latest_submission_id(con: duckdb.DuckDBPyConnection) -> int:
    """The highest submission id (0 if none): a cheap cache key that changes on every ingest."""
    return int(con.execute("SELECT coalesce(max(id), 0) FROM submission").fetchone()[0])
