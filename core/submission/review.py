"""Review workflow: approve / return submissions, reopen late county-months, who may submit what.

Locking rule (issue 7): after the due date (data/zone.toml due_day) a county-month that
already has an accepted submission is locked against re-submission from a county account,
unless the administrator reopened it or returned (退回) the submission in force. A first,
late submission is still accepted (and shown as 逾期). Administrators, and the command
line, which acts as administrator, are never locked out.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from core.access.accounts import User, can
from core.access.audit import record
from core.db import StoreError, open_db, transaction
from core.month import now as month_now
from core.month import period_label
from core.submission.issues import Issue
from core.submission.parsed import SHEET_NAMES
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
                    [county, period, datetime.now(), actor])
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


def check_can_submit(user: User | None, county: str | None, period: str | None, now: datetime | None = None,
                     *, con: duckdb.DuckDBPyConnection | None = None, db_path: Path | str | None = None,
                     zone: Zone | None = None) -> str | None:
    """None if the user may submit this county-month now, else the Chinese reason for refusing."""
    if user is None:
        return "请先登录后再报送数据"
    if can(user, "upload_any"):
        return None
    if not can(user, "upload_own"):
        return f"当前账号「{user.label}」只能查看数据,不能报送"
    if county is not None and county != user.county:
        return (f"该工作簿是「{county}」的数据,您的账号只能报送「{user.county}」的数据;"
                f"请检查填报说明中的县区或学校名册中的所属县区")
    if county is None or period is None:
        return None  # the validator rejects a workbook whose county or month is unknown
    now = now or month_now()
    zone = zone or load_zone()
    if con is None:
        with open_db(db_path) as own:
            locked = is_locked(own, county, period, now, zone)
    else:
        locked = is_locked(con, county, period, now, zone)
    if locked:
        return (f"{county}{period_label(period)}的数据已报送,且已过截止日期({zone.due_date(period):%Y-%m-%d}),"
                f"已锁定,不能再次报送;如需更正,请联系实验区管理员重新开放该月份")
    return None


def submit_workbook(user: User | None, data: bytes, file_name: str, *, db_path: Path | str | None = None,
                    now: datetime | None = None, received_at: datetime | None = None):
    """Upload path for the app: check permission and lock, then ingest as the user; returns IngestResult."""
    from core.submission.archive import sha256_of
    from core.submission.ingest import IngestResult, ingest_file

    county = period = None
    if can(user, "upload_own") and not can(user, "upload_any"):
        county, period = _county_period(data, file_name)
    refusal = check_can_submit(user, county, period, now, db_path=db_path)
    if refusal is None:
        return ingest_file(data, file_name=file_name, db_path=db_path, received_at=received_at,
                           actor=user.username)
    if user is not None:
        with open_db(db_path) as con, transaction(con):
            record(con, user.username, "refused", county=county, period=period, sha256=sha256_of(data),
                   detail={"file": file_name, "reason": refusal})
    return IngestResult(file=file_name, status="rejected", county=county, period=period,
                        rows={name: 0 for name in SHEET_NAMES.values()},
                        issues=[Issue(severity="error", message=refusal)])


def _county_period(data: bytes, file_name: str) -> tuple[str | None, str | None]:
    """County and month the validator reads from the workbook (None when it cannot tell)."""
    try:
        from core.submission.validate import validate_workbook
        parsed = validate_workbook(data, file_name)
    except Exception:  # noqa: BLE001 - ingest reports the validator's failure itself
        return None, None
    return parsed.county, parsed.period


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
