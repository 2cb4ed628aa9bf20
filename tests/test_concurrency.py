"""Concurrent uploads: threads in one process (as Streamlit runs sessions) and two processes on one file."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.db import DatabaseBusy, open_db
from core.submission.ingest import ingest_file

ROOT = Path(__file__).resolve().parent.parent


def stored(db) -> list[tuple]:
    with open_db(db) as con:
        return con.execute("SELECT sha256, status, county, period, in_force FROM submission ORDER BY id").fetchall()


def in_force_counts(db) -> dict:
    with open_db(db) as con:
        return {(c, p): n for c, p, n in con.execute(
            "SELECT county, period, count(*) FILTER (WHERE in_force) FROM submission"
            " WHERE status = 'accepted' GROUP BY 1, 2").fetchall()}


def test_simultaneous_uploads_in_threads_lose_and_duplicate_nothing(db_path, samples_dir):
    files = sorted(samples_dir.glob("*.xlsx"))[:8]
    # each file is uploaded by two sessions at the same moment
    jobs = [f for f in files for _ in range(2)]
    barrier = threading.Barrier(len(jobs))

    def upload(path):
        data = path.read_bytes()
        barrier.wait()
        return ingest_file(data, file_name=path.name, db_path=db_path, actor="thread")

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(upload, jobs))

    by_file = {}
    for r in results:
        by_file.setdefault(r.file, []).append(r.status)
    for name, statuses in by_file.items():
        assert sorted(statuses) in (["accepted", "duplicate"], ["duplicate", "rejected"]), (name, statuses)
    rows = stored(db_path)
    assert len(rows) == len(files), "each distinct file stored exactly once"
    assert len({r[0] for r in rows}) == len(files)
    assert all(n == 1 for n in in_force_counts(db_path).values())


def test_same_county_month_versions_in_threads_leave_one_in_force(db_path, samples_dir):
    # the four layouts of different months for one county, plus re-sends, all at once
    files = sorted(samples_dir.glob("白石县*.xlsx"))
    barrier = threading.Barrier(len(files))

    def upload(path):
        barrier.wait()
        return ingest_file(path, db_path=db_path)

    with ThreadPoolExecutor(max_workers=len(files)) as pool:
        results = list(pool.map(upload, files))
    accepted = [r for r in results if r.status == "accepted"]
    counts = in_force_counts(db_path)
    assert len(counts) == len({(r.county, r.period) for r in accepted})
    assert all(n == 1 for n in counts.values())


HOLDER = textwrap.dedent("""
    import sys, time
    from core.db import open_db
    with open_db(sys.argv[1]) as con:
        con.execute("SELECT count(*) FROM submission").fetchone()
        print("HOLDING", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def _hold(db, seconds: float) -> subprocess.Popen:
    """Start another process that keeps the database open for `seconds`; return once it holds it."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), str(seconds)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    line = proc.stdout.readline()
    assert line.strip() == "HOLDING", proc.stderr.read()
    return proc


def test_busy_database_gives_a_clear_chinese_message(db_path):
    with open_db(db_path):
        pass
    holder = _hold(db_path, 8)
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseBusy) as info:
            with open_db(db_path, timeout=0.5):
                pass
        assert time.monotonic() - started < 5
        assert "数据库正被另一个程序(如看板)使用,请稍后重试" in str(info.value)
    finally:
        holder.kill()
        holder.wait()


def test_second_process_succeeds_after_retry(db_path, samples_dir):
    with open_db(db_path):
        pass
    holder = _hold(db_path, 1.5)
    try:
        res = ingest_file(sorted(samples_dir.glob("*.xlsx"))[0], db_path=db_path)
    finally:
        holder.wait(timeout=30)
    assert res.status in ("accepted", "rejected")
    assert len(stored(db_path)) == 1


def test_two_cli_processes_ingesting_at_once(db_path, samples_dir, tmp_path):
    files = sorted(samples_dir.glob("*.xlsx"))
    halves = [tmp_path / "a", tmp_path / "b"]
    for i, folder in enumerate(halves):
        folder.mkdir()
        for f in files[i::2][:4]:
            (folder / f.name).write_bytes(f.read_bytes())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "core", "ingest", str(folder), "--db", str(db_path), "--json"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for folder in halves]
    outputs = [p.communicate(timeout=120) for p in procs]
    results = []
    for (out, err), proc in zip(outputs, procs):
        assert "Traceback" not in err
        if proc.returncode in (0, 1) and out.strip():
            results += json.loads(out)["results"]
        else:  # the other process held the database too long: a clear message, nothing half-done
            assert "数据库正被另一个程序" in err, err
    rows = stored(db_path)
    assert len(rows) == len(results), "every reported result is stored exactly once"
    assert {r["file"] for r in results} <= {f.name for f in files}
    assert all(n == 1 for n in in_force_counts(db_path).values())
