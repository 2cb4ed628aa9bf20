"""The store: atomic loads, in-force switching (incl. back-loading), restore, audit, lock handling."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import datetime

import pandas as pd
import pytest

from core.db import DatabaseBusy, StoreError, open_db
from core.submission.issues import Issue
from core.submission.parsed import ParsedSubmission
from core.submission.store import restore_submission, store_submission


def parsed(county="松溪县", period="2026-10", n=2, students=100, issues=()) -> ParsedSubmission:
    """A hand-built accepted submission with n schools (the validator's output shape)."""
    ids = [f"{3600000000 + i}" for i in range(n)]
    school = pd.DataFrame({"school_id": ids, "name": [f"第{i}小学" for i in range(n)], "county": county,
                           "school_type": "小学", "locale": "城区", "students": students,
                           "classes": 4, "teachers": 10})
    pe = pd.DataFrame({"school_id": ids, "lessons_g12": 4.0, "lessons_g36": 3.0, "lessons_g79": None,
                       "lessons_g1012": None, "activity_minutes": 60.0, "fitness_tested": None,
                       "fitness_passed": None, "fitness_good": None})
    hw = pd.DataFrame({"school_id": ids, "g12_written": False, "g36_minutes": 50.0, "g79_minutes": None,
                       "publicity": True, "afterschool": 80})
    return ParsedSubmission(file_name=f"{county}_{period}.xlsx", county=county, period=period,
                            tables={"school": school, "pe": pe, "homework": hw}, issues=list(issues))


def store(con, p, received, sha="x", actor="test"):
    return store_submission(con, p, file_name=p.file_name, sha256=sha, received_at=received,
                            archive_path="ab/x.xlsx", actor=actor)


def in_force(con, county="松溪县", period="2026-10"):
    return [r[0] for r in con.execute("SELECT id FROM submission WHERE county=? AND period=? AND in_force",
                                      [county, period]).fetchall()]


def test_accepted_submission_stores_rows_issues_and_audit(db_path):
    warn = Issue(severity="warning", sheet="体育", row=5, column="学校名称", value="x", message="名称不一致")
    with open_db(db_path) as con:
        sub_id, replaces = store(con, parsed(n=3, issues=[warn]), datetime(2026, 11, 3))
        assert replaces is None
        assert con.execute("SELECT count(*) FROM school WHERE submission_id=?", [sub_id]).fetchone()[0] == 3
        assert con.execute("SELECT count(*) FROM pe WHERE lessons_g79 IS NULL").fetchone()[0] == 3
        assert con.execute("SELECT status, in_force, n_warnings FROM submission").fetchone() == (
            "accepted", True, 1)
        assert con.execute("SELECT excel_row, column_name, message FROM submission_issue").fetchone() == (
            5, "学校名称", "名称不一致")
        assert con.execute("SELECT action, actor, submission_id FROM audit_log").fetchall() == [
            ("ingest", "test", sub_id)]


def test_rejected_submission_stores_issues_but_no_data(db_path):
    err = Issue(severity="error", message="缺少工作表「体育」")
    p = parsed(issues=[err])
    with open_db(db_path) as con:
        sub_id, replaces = store(con, p, datetime(2026, 11, 3))
        assert (sub_id, replaces) == (1, None)
        assert con.execute("SELECT status, in_force, n_errors FROM submission").fetchone() == (
            "rejected", False, 1)
        assert con.execute("SELECT count(*) FROM school").fetchone()[0] == 0


def test_resubmission_replaces_and_keeps_history(db_path):
    with open_db(db_path) as con:
        first, _ = store(con, parsed(students=100), datetime(2026, 11, 3), sha="a")
        second, replaces = store(con, parsed(students=200), datetime(2026, 11, 4), sha="b")
        assert replaces == first
        assert in_force(con) == [second]
        assert con.execute("SELECT count(*) FROM school").fetchone()[0] == 4  # both versions kept


def test_backloaded_older_email_does_not_replace_newer(db_path):
    with open_db(db_path) as con:
        newer, _ = store(con, parsed(), datetime(2026, 11, 8), sha="a")
        older, replaces = store(con, parsed(), datetime(2026, 11, 2), sha="b")
        assert replaces is None
        assert in_force(con) == [newer]
        # A still newer e-mail then replaces the one in force, not the back-loaded one.
        newest, replaces = store(con, parsed(), datetime(2026, 11, 9), sha="c")
        assert replaces == newer and in_force(con) == [newest]
        # Same received time: the later-loaded one wins (id breaks the tie).
        tie, replaces = store(con, parsed(), datetime(2026, 11, 9), sha="d")
        assert replaces == newest and in_force(con) == [tie]
        assert older not in in_force(con)


def test_months_and_counties_are_independent(db_path):
    with open_db(db_path) as con:
        a, _ = store(con, parsed(period="2026-09"), datetime(2026, 10, 3), sha="a")
        b, replaces = store(con, parsed(period="2026-10"), datetime(2026, 11, 3), sha="b")
        c, _ = store(con, parsed(county="白石县"), datetime(2026, 11, 3), sha="c")
        assert replaces is None
        assert in_force(con, period="2026-09") == [a]
        assert in_force(con) == [b] and in_force(con, county="白石县") == [c]


def test_restore_makes_earlier_version_in_force_and_is_audited(db_path):
    with open_db(db_path) as con:
        first, _ = store(con, parsed(), datetime(2026, 11, 3), sha="a")
        second, _ = store(con, parsed(), datetime(2026, 11, 4), sha="b")
        assert restore_submission(con, first, actor="admin") == second
        assert in_force(con) == [first]
        assert restore_submission(con, first, actor="admin") is None  # already in force
        assert con.execute("SELECT actor, submission_id FROM audit_log WHERE action='restore'"
                           ).fetchall() == [("admin", first)]


def test_restore_refuses_rejected_and_unknown(db_path):
    with open_db(db_path) as con:
        bad, _ = store(con, parsed(issues=[Issue(severity="error", message="坏")]), datetime(2026, 11, 3))
        with pytest.raises(StoreError, match="未通过校验"):
            restore_submission(con, bad, actor="admin")
        with pytest.raises(StoreError, match="找不到第99号"):
            restore_submission(con, 99, actor="admin")


def test_failure_inside_transaction_leaves_nothing(db_path):
    p = parsed()
    p.tables["pe"] = p.tables["pe"].assign(activity_minutes=None)  # NOT NULL violation
    with open_db(db_path) as con:
        with pytest.raises(Exception):
            store(con, p, datetime(2026, 11, 3))
        for table in ("submission", "submission_issue", "school", "pe", "homework", "audit_log"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_open_db_creates_file_and_is_idempotent(tmp_path):
    path = tmp_path / "sub" / "new.duckdb"
    with open_db(path) as con:
        con.execute("SELECT count(*) FROM submission")
    with open_db(path) as con:
        assert con.execute("SELECT count(*) FROM submission").fetchone()[0] == 0


def test_busy_database_raises_chinese_error(db_path):
    with open_db(db_path):
        pass
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, time, sys
        con = duckdb.connect({str(db_path)!r})
        print("held", flush=True)
        time.sleep(30)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        with pytest.raises(DatabaseBusy) as exc:
            with open_db(db_path, timeout=0.5):
                pass
        assert time.monotonic() - start >= 0.5
        assert "数据库正被另一个程序(如看板)使用,请稍后重试" in str(exc.value)
        assert exc.value.path == db_path  # for the command line and the log;
        assert str(db_path) not in str(exc.value)  # the message pages show names no server path
    finally:
        holder.kill()
        holder.wait()


def test_concurrent_sessions_in_threads_store_everything(db_path):
    """Streamlit sessions are threads of one process: each opens its own short-lived connection."""
    from concurrent.futures import ThreadPoolExecutor

    def work(n):
        with open_db(db_path) as con:
            return store(con, parsed(period=f"2026-{n % 3 + 8:02d}"), datetime(2026, 11, 1, n), sha=str(n))

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = [sub_id for sub_id, _ in pool.map(work, range(12))]
    assert sorted(ids) == list(range(1, 13))
    with open_db(db_path) as con:
        assert con.execute("SELECT count(*) FROM school").fetchone()[0] == 24
        assert con.execute("SELECT count(*) FROM submission WHERE in_force").fetchone()[0] == 3
        # The newest received per month is the one in force, whatever order the threads ran in.
        assert con.execute("SELECT list(hour(received_at) ORDER BY period) FROM submission WHERE in_force"
                           ).fetchone()[0] == [9, 10, 11]
