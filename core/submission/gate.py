"""The upload gate: the one way a workbook enters the database, from the app and from the command line.

One file (数据报送 in the app, `ingest_file`), on one connection:
    hash → duplicate? → validate once → may this account send this county and month (permission,
    lock; a refusal is audited) → archive → admit.
A folder (`ingest_paths`) is read, hashed, validated and archived by worker processes
(core.submission.prepare); its files then go through `admit` in batches, in name order (a correction
after its original, core.submission.arrival).

admit: the county against the zone's counties and the month against the time of receipt (a month that
has not begun is refused, the month still running is warned about); then, under the write lock,
checks against stored data (school codes of other counties: error; implausible values: warnings;
core.submission.crosscheck) and one transaction storing the batch (duplicates re-checked; each
workbook whole or not at all).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from core.access.accounts import User, can
from core.access.audit import record
from core.db import WRITE_LOCK, open_db, transaction
from core.month import month_add, of
from core.month import now as month_now
from core.month import period_label
from core.paths import default_db_path
from core.submission.archive import archive_bytes, sha256_of
from core.submission.crosscheck import check_against_stored
from core.submission.issues import Issue
from core.submission.messages import rule_issue
from core.submission.outcome import IngestResult, duplicate, empty_rows, refused
from core.submission.prepare import Prepared, validate_safely
from core.submission.review import is_locked
from core.submission.store import Stored, Submission, find_by_sha, store_submissions
from core.zone import Zone, load_zone


def command_line(actor: str = "cli") -> User:
    """The sender behind the command line (and the demo builder): acts as administrator."""
    return User(username=actor, role="admin", display="命令行")


def submit_workbook(user: User | None, data: bytes, file_name: str, *, db_path: Path | str | None = None,
                    now: datetime | None = None, received_at: datetime | None = None) -> IngestResult:
    """A workbook uploaded in the app by `user`: through the gate, or refused (and audited) with the reason."""
    refusal = check_can_submit(user, None, None)
    if refusal is not None:  # no account, or one that may only look: nothing to read
        if user is not None:
            with open_db(db_path) as con:
                _audit_refusal(con, user, None, None, sha256_of(data), file_name, refusal)
        return refused(file_name, None, None, refusal)
    return receive(data, file_name, user, db_path=db_path, now=now, received_at=received_at)


def receive(data: bytes, file_name: str, sender: User, *, db_path: Path | str | None = None,
            now: datetime | None = None, received_at: datetime | None = None) -> IngestResult:
    """One workbook's way in, on one connection; never raises for bad input (DatabaseBusy when locked)."""
    db = Path(db_path) if db_path is not None else default_db_path()
    sha = sha256_of(data)
    with open_db(db) as con:
        dup = find_by_sha(con, sha)
        if dup is not None:
            return duplicate(file_name, dup)
        parsed = validate_safely(data, file_name)
        refusal = check_can_submit(sender, parsed.county, parsed.period, con=con, now=now)
        if refusal is not None:
            _audit_refusal(con, sender, parsed.county, parsed.period, sha, file_name, refusal)
            return refused(file_name, parsed.county, parsed.period, refusal)
        item = Prepared(file_name, sha, parsed=parsed, archive_path=archive_bytes(data, file_name, db, sha=sha))
        return admit(con, [item], received_at, sender.username)[0]


def admit(con: duckdb.DuckDBPyConnection, items: list[Prepared], received_at: datetime | None,
          actor: str) -> list[IngestResult]:
    """Check validated files against stored data and store them in one transaction; results in order.

    If the batch fails, each file is stored on its own, so that one bad file does not take the
    others with it (and its own error is raised as before).
    """
    received = received_at or month_now()
    subs = [Submission(i.parsed, i.name, i.sha, received, i.archive_path, actor) for i in items]
    zone = load_zone()
    checked = []  # a workbook not of the zone's county is refused as such, not also for other counties' codes
    for s in subs:
        county = county_of_zone(s.parsed.county, zone)
        s.parsed.issues += county + month_timing(s.parsed.period, received)
        if not county:
            checked.append(s.parsed)
    # Check and store under the write lock: two sessions sending the same file (or the same school
    # codes for two counties) at once cannot both pass.
    with WRITE_LOCK:
        check_against_stored(con, checked, received)
        try:
            stored = store_submissions(con, subs, dedupe=True)
        except Exception:
            if len(subs) == 1:
                raise
            stored = [store_submissions(con, [s], dedupe=True)[0] for s in subs]
    return [duplicate(s.file_name, r.duplicate) if r.duplicate is not None else _result(s, r)
            for s, r in zip(subs, stored)]


def county_of_zone(county: str | None, zone: Zone) -> list[Issue]:
    """An error when the workbook's county is not one of the zone's (core.zone.Zone.county_problem)."""
    problem = zone.county_problem(county) if county is not None else None
    return [] if problem is None else [rule_issue(problem[0], **problem[1])]


def month_timing(period: str | None, received: datetime) -> list[Issue]:
    """A month after the month of receipt cannot have data yet (a typo such as 2027-03 for 2026-11):
    an error. The month still running when the file arrives: a warning (usually last month was meant)."""
    if period is None:
        return []
    now = of(received.date())
    if period < now:
        return []
    kw = dict(period=period, received=f"{received:%Y-%m-%d}", last=month_add(now, -1))
    return [rule_issue("period_ahead" if period > now else "period_current",
                       "error" if period > now else "warning", **kw)]


def check_can_submit(user: User | None, county: str | None, period: str | None, *,
                     con: duckdb.DuckDBPyConnection | None = None, now: datetime | None = None,
                     zone: Zone | None = None) -> str | None:
    """None if the user may submit this county-month now, else the Chinese reason for refusing.

    Locking rule (core.submission.review.is_locked): after the due date a county-month with an
    accepted submission is closed to county accounts until reopened or returned. Administrators, and
    the command line, are never locked out. Without a connection only the account is checked.
    """
    if user is None:
        return "请先登录后再报送数据"
    if can(user, "upload_any"):
        return None
    if not can(user, "upload_own"):
        return f"当前账号「{user.label}」只能查看数据,不能报送"
    if county is not None and county != user.county:
        return (f"该工作簿是「{county}」的数据,您的账号只能报送「{user.county}」的数据;"
                f"请检查填报说明中的县区或学校名册中的所属县区")
    if con is None or county is None or period is None:
        return None  # the validator rejects a workbook whose county or month is unknown
    zone = zone or load_zone()
    if is_locked(con, county, period, now or month_now(), zone):
        return (f"{county}{period_label(period)}的数据已报送,且已过截止日期({zone.due_date(period):%Y-%m-%d}),"
                f"已锁定,不能再次报送;如需更正,请联系实验区管理员重新开放该月份")
    return None


def _audit_refusal(con, user: User, county: str | None, period: str | None, sha: str, file_name: str,
                   reason: str) -> None:
    with transaction(con):
        record(con, user.username, "refused", county=county, period=period, sha256=sha,
               detail={"file": file_name, "reason": reason})


def _result(sub: Submission, stored: Stored) -> IngestResult:
    p = sub.parsed
    return IngestResult(file=sub.file_name, status="accepted" if sub.accepted else "rejected", county=p.county,
                        period=p.period, submission_id=stored.id if sub.accepted else None,
                        replaces=stored.replaces, rows=p.rows if sub.accepted else empty_rows(), issues=p.issues)
