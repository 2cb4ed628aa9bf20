"""Storing submissions: atomic loads of validated workbooks, in-force switching, restoring a version."""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from core.access.audit import record, record_many
from core.db import StoreError, transaction
from core.month import clock, period_label
from core.submission.messages import rule_issue
from core.submission.parsed import SHEET_NAMES, ParsedSubmission

# Test hook (tests/test_crash.py): seconds to sleep inside the store transaction.
PAUSE_ENV = "PILOT_STORE_PAUSE"

# Column types of the rows store_submissions writes (Arrow tables, one INSERT per table).
_SUBMISSION_SCHEMA = pa.schema([
    ("id", pa.int32()), ("county", pa.string()), ("period", pa.string()), ("file_name", pa.string()),
    ("sha256", pa.string()), ("received_at", pa.timestamp("us")), ("ingested_at", pa.timestamp("us")),
    ("status", pa.string()), ("in_force", pa.bool_()), ("replaces", pa.int32()), ("archive_path", pa.string()),
    ("n_errors", pa.int32()), ("n_warnings", pa.int32()), ("rows_json", pa.string()),
    ("submitted_by", pa.string())])
_ISSUE_SCHEMA = pa.schema([
    ("submission_id", pa.int32()), ("seq", pa.int32()), ("severity", pa.string()), ("sheet", pa.string()),
    ("excel_row", pa.int32()), ("column_name", pa.string()), ("value", pa.string()), ("message", pa.string())])


@dataclass
class Submission:
    """One received workbook to store: the validator's output and how the file arrived."""

    parsed: ParsedSubmission
    file_name: str
    sha256: str
    received_at: datetime
    archive_path: str
    actor: str

    @property
    def accepted(self) -> bool:
        """Stored with its data (no error, county and month known)."""
        p = self.parsed
        return p.ok and p.county is not None and p.period is not None


@dataclass
class Stored:
    """What storing one Submission did: its id and the one it replaced, or the stored file it duplicates."""

    id: int
    replaces: int | None = None
    duplicate: dict | None = None  # find_by_sha's row when the identical file was already stored


def store_submission(con: duckdb.DuckDBPyConnection, parsed: ParsedSubmission, *, file_name: str,
                     sha256: str, received_at: datetime, archive_path: str,
                     actor: str) -> tuple[int, int | None]:
    """Store one workbook (row, issues, data if accepted) in one transaction; return (id, replaces)."""
    sub = Submission(parsed, file_name, sha256, received_at, archive_path, actor)
    stored = store_submissions(con, [sub])[0]
    return stored.id, stored.replaces


def store_submissions(con: duckdb.DuckDBPyConnection, subs: list[Submission], *,
                      dedupe: bool = False) -> list[Stored]:
    """Store several workbooks in ONE transaction (all of them or none); one Stored per item, in order.

    Each workbook gets what store_submission would have given it had they been stored one
    after the other: ids in list order, in-force switching in list order. With `dedupe`, a
    file whose SHA-256 is already stored (or earlier in the list) is not stored again.
    Each table is written with one INSERT for the whole list, which is what makes a batch
    of workbooks much cheaper than one transaction per workbook.
    """
    if not subs:
        return []
    with transaction(con):
        out = _store_all(con, subs, dedupe)
        _pause_for_crash_test()
        record_many(con, [dict(actor=s.actor, action="ingest", submission_id=r.id, county=s.parsed.county,
                               period=s.parsed.period, sha256=s.sha256,
                               detail={"file": s.file_name, "status": "accepted" if s.accepted else "rejected",
                                       "replaces": r.replaces, "received_at": s.received_at.isoformat()})
                          for s, r in zip(subs, out) if r.duplicate is None])
    return out


def _store_all(con, subs: list[Submission], dedupe: bool) -> list[Stored]:
    """The inserts of store_submissions (inside its transaction)."""
    now = clock()  # 载入时间: when it was stored, on the zone's clock (PILOT_TODAY does not move it)
    stored_before = _find_by_shas(con, [s.sha256 for s in subs]) if dedupe else {}
    new: list[int] = []  # indexes of subs to store
    dup_of: dict[int, dict] = {}
    first_in_batch: dict[str, int] = {}
    for n, s in enumerate(subs):
        if s.sha256 in stored_before:
            dup_of[n] = stored_before[s.sha256]
        elif dedupe and s.sha256 in first_in_batch:
            dup_of[n] = {"index": first_in_batch[s.sha256]}  # filled in once ids are known
        else:
            first_in_batch[s.sha256] = n
            new.append(n)
    ids = sorted(r[0] for r in con.execute("SELECT nextval('submission_seq') FROM range(?)",
                                           [len(new)]).fetchall())
    id_of = dict(zip(new, ids))
    replaces, in_force, switched_off, behind = _in_force_plan(con, [(id_of[n], subs[n]) for n in new])
    for n in new:  # back-loaded: said on the result, and stored with the submission's issues
        if id_of[n] in behind:
            newer_id, newer_received = behind[id_of[n]]
            subs[n].parsed.issues.append(rule_issue(
                "backloaded", "warning", id=newer_id, received=f"{newer_received:%Y-%m-%d %H:%M}",
                month=period_label(subs[n].parsed.period)))
    _insert_submissions(con, [(id_of[n], subs[n]) for n in new], replaces, in_force, now)
    if switched_off:
        con.execute("UPDATE submission SET in_force = FALSE WHERE list_contains(?, id)", [sorted(switched_off)])
    _insert_issues(con, [(id_of[n], subs[n].parsed) for n in new])
    accepted = [(id_of[n], subs[n].parsed) for n in new if subs[n].accepted]
    for key in SHEET_NAMES:
        _insert_tables(con, key, [(sub_id, p.tables[key]) for sub_id, p in accepted if key in p.tables])
    out = []
    for n, s in enumerate(subs):
        dup = dup_of.get(n)
        if dup is not None and "index" in dup:
            first = subs[dup["index"]]
            dup = {"id": id_of[dup["index"]], "status": "accepted" if first.accepted else "rejected",
                   "county": first.parsed.county, "period": first.parsed.period,
                   "received_at": first.received_at, "ingested_at": now, "file_name": first.file_name}
        out.append(Stored(dup["id"], duplicate=dup) if dup is not None
                   else Stored(id_of[n], replaces.get(id_of[n])))
    return out


_SHA_KEYS = ("id", "status", "county", "period", "received_at", "ingested_at", "file_name")


def _find_by_shas(con, shas: list[str]) -> dict[str, dict]:
    """find_by_sha for several hashes in one query: sha -> earliest stored submission."""
    rows = con.execute(f"SELECT sha256, {', '.join(_SHA_KEYS)} FROM submission"
                       " WHERE list_contains(?, sha256) ORDER BY id", [sorted(set(shas))]).fetchall()
    out: dict[str, dict] = {}
    for sha, *values in rows:
        out.setdefault(sha, dict(zip(_SHA_KEYS, values)))
    return out


def _in_force_plan(con, new: list[tuple[int, Submission]]
                   ) -> tuple[dict[int, int | None], set[int], set[int], dict[int, tuple[int, datetime]]]:
    """Replay in-force switching over the new accepted submissions in order.

    A new submission goes in force if it is the newest accepted of its county-month
    (received_at, then id; so a back-loaded older e-mail joins the history without
    displacing the one in force). Returns (new id -> the id it replaced, the new ids
    in force at the end, the already-stored ids to switch off, back-loaded new id -> (id, received)
    of the newer version it stays behind).
    """
    accepted = [(i, s) for i, s in new if s.accepted]
    if not accepted:
        return {}, set(), set(), {}
    counties = sorted({s.parsed.county for _, s in accepted})
    periods = sorted({s.parsed.period for _, s in accepted})
    current: dict[tuple, int] = {}  # (county, period) -> id in force
    newest: dict[tuple, tuple] = {}  # (county, period) -> (received_at, id) of the newest accepted
    for county, period, sub_id, received, flag in con.execute(
            "SELECT county, period, id, received_at, in_force FROM submission WHERE status = 'accepted'"
            " AND list_contains(?, county) AND list_contains(?, period)", [counties, periods]).fetchall():
        key = (county, period)
        if flag:
            current[key] = sub_id
        newest[key] = max(newest.get(key, (received, sub_id)), (received, sub_id))
    before = dict(current)
    replaces: dict[int, int | None] = {}
    behind: dict[int, tuple[int, datetime]] = {}
    for sub_id, s in accepted:
        key = (s.parsed.county, s.parsed.period)
        if key in newest and newest[key] > (s.received_at, sub_id):
            behind[sub_id] = newest[key][::-1]  # back-loaded: joins the history
            continue
        newest[key] = (s.received_at, sub_id)
        replaces[sub_id] = current.get(key)
        current[key] = sub_id
    new_ids = {i for i, _ in new}
    in_force = {i for i in current.values() if i in new_ids}
    switched_off = {i for key, i in before.items() if current[key] != i}
    return replaces, in_force, switched_off, behind


def _insert_submissions(con, new: list[tuple[int, Submission]], replaces: dict[int, int | None],
                        in_force: set[int], now: datetime) -> None:
    rows = []
    for sub_id, s in new:
        p = s.parsed
        n_errors = sum(1 for i in p.issues if i.severity == "error")
        rows.append({"id": sub_id, "county": p.county, "period": p.period, "file_name": s.file_name,
                     "sha256": s.sha256, "received_at": s.received_at, "ingested_at": now,
                     "status": "accepted" if s.accepted else "rejected", "in_force": sub_id in in_force,
                     "replaces": replaces.get(sub_id), "archive_path": s.archive_path, "n_errors": n_errors,
                     "n_warnings": len(p.issues) - n_errors,
                     "rows_json": json.dumps(p.rows if s.accepted else {}, ensure_ascii=False),
                     "submitted_by": s.actor})
    _insert_arrow(con, "submission", pa.Table.from_pylist(rows, schema=_SUBMISSION_SCHEMA))


def restore_submission(con: duckdb.DuckDBPyConnection, submission_id: int, actor: str) -> int | None:
    """Make an earlier accepted submission the one in force again; return the one it replaced."""
    with transaction(con):
        row = con.execute("SELECT county, period, status, in_force, sha256 FROM submission WHERE id = ?",
                          [submission_id]).fetchone()
        if row is None:
            raise StoreError(f"找不到第{submission_id}号报送")
        county, period, status, in_force, sha = row
        if status != "accepted":
            raise StoreError(f"第{submission_id}号报送未通过校验,不能恢复为现行版本")
        if in_force:
            return None
        previous = _current(con, county, period)
        con.execute("UPDATE submission SET in_force = FALSE WHERE county = ? AND period = ? AND in_force",
                    [county, period])
        con.execute("UPDATE submission SET in_force = TRUE WHERE id = ?", [submission_id])
        record(con, actor, "restore", submission_id=submission_id, county=county, period=period,
               sha256=sha, detail={"replaces": previous})
    return previous


def find_by_sha(con: duckdb.DuckDBPyConnection, sha256: str) -> dict | None:
    """The earliest stored submission of a file with this SHA-256 (any status), or None."""
    row = con.execute(
        "SELECT id, status, county, period, received_at, ingested_at, file_name FROM submission"
        " WHERE sha256 = ? ORDER BY id LIMIT 1", [sha256]).fetchone()
    if row is None:
        return None
    keys = ("id", "status", "county", "period", "received_at", "ingested_at", "file_name")
    return dict(zip(keys, row))


def _current(con, county: str, period: str) -> int | None:
    row = con.execute("SELECT id FROM submission WHERE county = ? AND period = ? AND in_force",
                      [county, period]).fetchone()
    return row[0] if row else None


def _insert_issues(con, subs: list[tuple[int, ParsedSubmission]]) -> None:
    cols: dict[str, list] = {name: [] for name in _ISSUE_SCHEMA.names}
    for sub_id, p in subs:
        for n, i in enumerate(p.issues, start=1):
            for name, value in zip(_ISSUE_SCHEMA.names, (sub_id, n, i.severity, i.sheet, i.row, i.column,
                                                        i.value, i.message)):
                cols[name].append(value)
    if cols["seq"]:
        _insert_arrow(con, "submission_issue", pa.table(cols, schema=_ISSUE_SCHEMA))


def _insert_tables(con, key: str, parts: list[tuple[int, pd.DataFrame | pa.Table]]) -> None:
    """One INSERT of a sheet's rows for several submissions (frames or Arrow tables, by column name)."""
    if key not in SHEET_NAMES:
        raise ValueError(f"unknown table {key!r}")
    tables = []
    for sub_id, t in parts:
        if t is None or len(t) == 0:
            continue
        if isinstance(t, pd.DataFrame):
            t = pa.Table.from_pandas(t, preserve_index=False)
        tables.append(t.add_column(0, "submission_id", pa.array(np.full(len(t), sub_id, dtype=np.int32))))
    if tables:
        table = tables[0] if len(tables) == 1 else pa.concat_tables(tables, promote_options="permissive")
        _insert_arrow(con, key, table)


def _insert_arrow(con, table: str, data: pa.Table) -> None:
    """Bulk insert by column name (INSERT … SELECT FROM a registered Arrow table, never executemany)."""
    cols = ", ".join(f'"{c}"' for c in data.column_names)
    view = f"_load_{table}"
    con.register(view, data)
    try:
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {view}")
    except duckdb.Error:
        _forget(con, view)  # in an aborted transaction unregister fails too: keep the INSERT's error
        raise
    con.unregister(view)


def _forget(con, view: str) -> None:
    try:
        con.unregister(view)
    except duckdb.Error:
        pass


def _pause_for_crash_test() -> None:
    pause = os.environ.get(PAUSE_ENV)
    if pause:
        print("STORE-PAUSED", file=sys.stderr, flush=True)
        time.sleep(float(pause))
