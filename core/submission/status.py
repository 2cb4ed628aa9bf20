"""Who sent what, when: status per county × month (按时/逾期/未报送/已驳回) and version history."""
from __future__ import annotations

import duckdb
import pandas as pd

from core.month import month_range, on_time
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


def submission_matrix(con: duckdb.DuckDBPyConnection, period: str | None = None,
                      zone: Zone | None = None) -> pd.DataFrame:
    """One row per county × month: status, the submission in force, when received, issue counts."""
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
    rows = []
    for county in counties:
        for p in periods:
            mine = subs[(subs["county"] == county) & (subs["period"] == p)]
            rows.append(_cell(county, p, mine, zone))
    return pd.DataFrame(rows, columns=MATRIX_COLUMNS)


def _cell(county: str, period: str, mine: pd.DataFrame, zone: Zone) -> dict:
    due = zone.due_date(period)
    row = dict.fromkeys(MATRIX_COLUMNS)
    row.update(county=county, period=period, due_date=due.isoformat(), versions=len(mine), status=MISSING,
               n_errors=0, n_warnings=0)
    accepted = mine[mine["status"] == "accepted"]
    if accepted.empty:
        if not mine.empty:
            last = mine.iloc[-1]
            row.update(status=REJECTED, file_name=last["file_name"], received_at=last["received_at"],
                       n_errors=int(last["n_errors"]), n_warnings=int(last["n_warnings"]))
        return row
    first_at = accepted["received_at"].iloc[0]
    in_force = accepted[accepted["in_force"]]
    current = in_force.iloc[0] if not in_force.empty else accepted.iloc[-1]
    row.update(status=ON_TIME if on_time(first_at, period, zone.due_day) else LATE, first_accepted_at=first_at,
               submission_id=int(current["id"]), file_name=current["file_name"],
               received_at=current["received_at"], n_errors=int(current["n_errors"]),
               n_warnings=int(current["n_warnings"]), review_status=current["review_status"])
    return row


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
