"""Kill the process in the middle of storing a submission: the database has all of it or none."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from core.db import open_db
from core.submission.store import PAUSE_ENV

TESTS = Path(__file__).resolve().parent

# Stores three versions of one county-month, then a fourth in another month.
SCRIPT = textwrap.dedent("""
    import sys
    from datetime import datetime
    sys.path.insert(0, {tests!r})
    from test_store import parsed
    from core.db import open_db
    from core.submission.store import store_submission
    for n, (period, day) in enumerate([("2026-10", 3), ("2026-10", 4), ("2026-10", 5), ("2026-09", 2)]):
        with open_db({db!r}) as con:
            p = parsed(period=period, n=40, students=100 + n)
            store_submission(con, p, file_name=p.file_name, sha256=str(n),
                             received_at=datetime(2026, 11, day), archive_path="x", actor="crash")
        print("stored", n, flush=True)
""")


def _spawn(db_path: Path, pause: str | None) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop(PAUSE_ENV, None)
    if pause:
        env[PAUSE_ENV] = pause
    code = SCRIPT.format(tests=str(TESTS), db=str(db_path))
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=TESTS.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _assert_consistent(db_path: Path) -> int:
    """No data without an accepted submission, row counts complete, one in force per county-month."""
    with open_db(db_path) as con:
        q = con.execute
        for table in ("school", "pe", "homework", "submission_issue"):
            orphans = q(f"SELECT count(*) FROM {table} t LEFT JOIN submission s ON s.id = t.submission_id"
                        f" WHERE s.id IS NULL").fetchone()[0]
            assert orphans == 0, table
        for table in ("school", "pe", "homework"):
            partial = q(f"SELECT count(*) FROM submission s WHERE status = 'accepted' AND"
                        f" (SELECT count(*) FROM {table} t WHERE t.submission_id = s.id) <> 40").fetchone()[0]
            assert partial == 0, table
        multi = q("SELECT count(*) FROM (SELECT county, period FROM submission WHERE in_force"
                  " GROUP BY ALL HAVING count(*) > 1)").fetchone()[0]
        assert multi == 0
        missing = q("SELECT count(*) FROM (SELECT county, period, bool_or(in_force) f FROM submission"
                    " WHERE status = 'accepted' GROUP BY ALL) WHERE NOT f").fetchone()[0]
        assert missing == 0
        audits = q("SELECT count(*) FROM audit_log").fetchone()[0]
        n = q("SELECT count(*) FROM submission").fetchone()[0]
        assert audits == n
        return n


def test_kill_inside_transaction_leaves_nothing(db_path):
    proc = _spawn(db_path, pause="60")
    try:
        assert proc.stderr.readline().strip() == "STORE-PAUSED"  # inside the first transaction
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        proc.kill()
    assert _assert_consistent(db_path) == 0


def test_kill_at_several_moments_keeps_database_consistent(db_path, tmp_path):
    # Time one complete run (on a scratch database), then kill later runs at fractions of it.
    start = time.monotonic()
    proc = _spawn(tmp_path / "timing.duckdb", pause=None)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    total = time.monotonic() - start
    for fraction in (0.55, 0.7, 0.8, 0.9):
        proc = _spawn(db_path, pause=None)
        time.sleep(total * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        _assert_consistent(db_path)
    # The database still works afterwards and a complete run stores everything.
    proc = _spawn(db_path, pause=None)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert _assert_consistent(db_path) >= 4
