"""The audit log: who did what, when, to which submission (with the file's SHA-256)."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from core.db import open_db
from core.month import clock

LOG = logging.getLogger(__name__)

# Action codes written to audit_log.action, with the label the administrator sees.
ACTION_LABELS: dict[str, str] = {
    "ingest": "报送",
    "restore": "恢复历史版本",
    "approve": "审核通过",
    "return": "退回",
    "reopen": "重新开放",
    "relock": "重新锁定",
    "refused": "拒绝报送",
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "user_add": "新建账号",
    "user_change": "修改账号",
    "user_remove": "删除账号",
    "db_restore": "从备份恢复数据库",
}
AUDIT_COLUMNS = ["id", "at", "actor", "action", "action_label", "submission_id", "county", "period",
                 "sha256", "detail"]


def record(con: duckdb.DuckDBPyConnection, actor: str, action: str, *, submission_id: int | None = None,
           county: str | None = None, period: str | None = None, sha256: str | None = None,
           detail: dict | None = None) -> None:
    """Append one entry to the audit log (call inside the action's own transaction)."""
    if action not in ACTION_LABELS:
        raise KeyError(f"unknown audit action {action!r}")
    con.execute("INSERT INTO audit_log (\"at\", actor, action, submission_id, county, period, sha256, detail)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [clock(), actor, action, submission_id, county, period, sha256,
                 json.dumps(detail or {}, ensure_ascii=False, default=str)])


def record_event(actor: str, action: str, *, db_path: Path | str | None = None, county: str | None = None,
                 detail: dict | None = None) -> bool:
    """Append one entry outside any other transaction (logins, sign-outs); False if the database
    could not be opened (busy or damaged) — the event is then written to the server log instead."""
    try:
        with open_db(db_path) as con:
            record(con, actor, action, county=county, detail=detail)
        return True
    except (duckdb.Error, RuntimeError, OSError) as exc:
        LOG.warning("audit entry not written (%s): %s %s %s", exc, actor, action, detail)
        return False


def record_many(con: duckdb.DuckDBPyConnection, entries: list[dict]) -> None:
    """Append several entries (each the keyword arguments of `record`, with actor and action) in one INSERT."""
    if not entries:
        return
    now = clock()
    keys = ("actor", "action", "submission_id", "county", "period", "sha256")
    cols: dict[str, list] = {"at": [now] * len(entries), **{k: [e.get(k) for e in entries] for k in keys},
                             "detail": [json.dumps(e.get("detail") or {}, ensure_ascii=False, default=str)
                                        for e in entries]}
    unknown = set(cols["action"]) - set(ACTION_LABELS)
    if unknown:
        raise KeyError(f"unknown audit action {sorted(unknown)[0]!r}")
    con.register("_load_audit", pa.table(cols))
    try:
        con.execute("INSERT INTO audit_log (\"at\", actor, action, submission_id, county, period, sha256, detail)"
                    " SELECT \"at\", actor, action, submission_id, county, period, sha256, detail FROM _load_audit")
    finally:
        con.unregister("_load_audit")


def list_audit(con: duckdb.DuckDBPyConnection, *, county: str | None = None, period: str | None = None,
               actor: str | None = None, action: str | None = None, limit: int = 1000) -> pd.DataFrame:
    """The newest audit entries first, optionally filtered; columns AUDIT_COLUMNS."""
    where, params = [], []
    for col, val in (("county", county), ("period", period), ("actor", actor), ("action", action)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    sql = ("SELECT id, \"at\", actor, action, submission_id, county, period, sha256, detail FROM audit_log"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC LIMIT ?")
    df = con.execute(sql, [*params, int(limit)]).df()
    df.insert(4, "action_label", df["action"].map(lambda a: ACTION_LABELS.get(a, a)).astype(str))
    return df[AUDIT_COLUMNS]
