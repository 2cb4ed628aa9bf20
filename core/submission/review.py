"""Review workflow: approve / return submissions, reopen late county-months, the review queue, locks.

Locking rule (issue 7): after the due date (data/zone.toml due_day) a county-month that
already has an accepted submission is locked against re-submission from a county account,
unless the administrator reopened it or returned (退回) the submission in force. A first,
late submission is still accepted (and shown as 逾期). Administrators, and the command
line, which acts as administrator, are never locked out. The upload gate
(core.submission.gate) applies the lock.
"""
from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from core.access.audit import record
from core.db import StoreError, transaction
from core.month import clock
from core.zone import Zone, load_zone

REVIEW_LABELS: dict[str | None, str] = {None: "待审核", "approved": "审核通过", "returned": "退回"}


def review_state(con: duckdb.DuckDBPyConnection, submission_id: int) -> dict:
    """The review of one submission: status, label (待审核/审核通过/退回), comment, by whom, when."""
    row = con.execute("SELECT review_status, review_comment FROM submission WHERE id = ?",
                      [submission_id]).fetchone()
    if row is None:
        raise StoreError(f"找不到第{submission_id}号报送")
    status, comment = row
    last = con.execute("SELECT actor, \"at\" FROM audit_log WHERE submission_id = ? AND action IN"
                       " ('approve', 'return') ORDER BY id DESC LIMIT 1", [submission_id]).fetchone()
    return {"status": status, "label": REVIEW_LABELS.get(status, status), "comment": comment or "",
            "reviewed_by": last[0] if last else None, "reviewed_at": last[1] if last else None}


def approve(con: duckdb.DuckDBPyConnection, submission_id: int, actor: str, comment: str = "") -> None:
    """Mark an accepted submission 审核通过 (approved), with an optional comment."""
    _set_review(con, submission_id, actor, "approved", comment.strip())


def return_submission(con: duckdb.DuckDBPyConnection, submission_id: int, actor: str, comment: str) -> None:
    """Mark an accepted submission 退回 (returned) with a required comment; the county may resend."""
    if not comment or not comment.strip():
        raise StoreError("退回报送时必须填写退回意见,说明需要县区修改什么")
    _set_review(con, submission_id, actor, "returned", comment.strip())


def _set_review(con, submission_id: int, actor: str, status: str, comment: str) -> None:
    with transaction(con):
        row = con.execute("SELECT status, county, period, sha256 FROM submission WHERE id = ?",
                          [submission_id]).fetchone()
        if row is None:
            raise StoreError(f"找不到第{submission_id}号报送")
        if row[0] != "accepted":
            raise StoreError(f"第{submission_id}号报送未通过校验,无需审核")
        con.execute("UPDATE submission SET review_status = ?, review_comment = ? WHERE id = ?",
                    [status, comment or None, submission_id])
        record(con, actor, "approve" if status == "approved" else "return", submission_id=submission_id,
               county=row[1], period=row[2], sha256=row[3], detail={"comment": comment})


def reopen(con: duckdb.DuckDBPyConnection, county: str, period: str, actor: str) -> None:
    """Let the county account re-submit this county-month after the due date (until relocked)."""
    with transaction(con):
        con.execute("INSERT INTO reopened (county, period, \"at\", actor) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT DO UPDATE SET \"at\" = excluded.\"at\", actor = excluded.actor",
                    [county, period, clock(), actor])
        record(con, actor, "reopen", county=county, period=period)


def relock(con: duckdb.DuckDBPyConnection, county: str, period: str, actor: str) -> None:
    """Undo reopen: the county-month is locked again after its due date."""
    with transaction(con):
        con.execute("DELETE FROM reopened WHERE county = ? AND period = ?", [county, period])
        record(con, actor, "relock", county=county, period=period)


def is_reopened(con: duckdb.DuckDBPyConnection, county: str, period: str) -> bool:
    """Whether the administrator reopened this county-month."""
    return con.execute("SELECT count(*) FROM reopened WHERE county = ? AND period = ?",
                       [county, period]).fetchone()[0] > 0


def is_locked(con: duckdb.DuckDBPyConnection, county: str, period: str, now: datetime,
              zone: Zone | None = None) -> bool:
    """Locked for county accounts: past the due date, an accepted submission exists, not reopened/returned."""
    zone = zone or load_zone()
    try:
        due = zone.due_date(period)
    except (ValueError, AttributeError):
        return False
    if now.date() <= due:
        return False
    accepted = con.execute("SELECT count(*) FROM submission WHERE county = ? AND period = ?"
                           " AND status = 'accepted'", [county, period]).fetchone()[0]
    if not accepted:
        return False
    returned = con.execute("SELECT count(*) FROM submission WHERE county = ? AND period = ? AND in_force"
                           " AND review_status = 'returned'", [county, period]).fetchone()[0]
    return not returned and not is_reopened(con, county, period)


QUEUE_COLUMNS = ["submission_id", "county", "period", "file_name", "received_at", "submitted_by",
                 "n_warnings", "review_status", "review_label", "review_comment", "reopened"]


def review_queue(con: duckdb.DuckDBPyConnection, period: str | None = None,
                 county: str | None = None) -> pd.DataFrame:
    """Submissions in force (newest month first) with their review state and whether the month is reopened."""
    where, params = ["s.in_force"], []
    if period is not None:
        where.append("s.period = ?")
        params.append(period)
    if county is not None:
        where.append("s.county = ?")
        params.append(county)
    df = con.execute(
        "SELECT s.id AS submission_id, s.county, s.period, s.file_name, s.received_at, s.submitted_by,"
        " s.n_warnings, s.review_status, s.review_comment, r.county IS NOT NULL AS reopened"
        " FROM submission s LEFT JOIN reopened r ON r.county = s.county AND r.period = s.period"
        f" WHERE {' AND '.join(where)} ORDER BY s.period DESC, s.county", params).df()
    df["review_label"] = [REVIEW_LABELS.get(None if v is None or v != v else v, v) for v in df["review_status"]]
    return df[QUEUE_COLUMNS]
