"""Several workbooks per transaction: the same database as storing them one by one, all or nothing."""
from __future__ import annotations

from datetime import datetime

import pytest
from test_store import parsed

from core.db import open_db
from core.submission.issues import Issue
from core.submission.store import Submission, store_submission, store_submissions

WARN = Issue(severity="warning", sheet="体育", row=5, column="学校名称", value="x", message="名称不一致")
ERR = Issue(severity="error", message="缺少工作表「体育」")

# (county, period, received day in 2026-11, sha, issues, students) in the order they arrive.
ARRIVALS = [
    ("松溪县", "2026-10", 3, "a", [WARN], 100),
    ("松溪县", "2026-10", 8, "b", [], 110),      # replaces a
    ("松溪县", "2026-10", 2, "c", [], 120),      # back-loaded: joins the history
    ("白石县", "2026-10", 3, "d", [ERR], 130),   # rejected
    ("松溪县", "2026-10", 8, "e", [WARN, WARN], 140),  # same received time as b: the later one wins
    ("松溪县", "2026-09", 4, "f", [], 150),      # replaces the one stored before the batch
    ("白石县", "2026-10", 4, "g", [], 160),
]


def _subs() -> list[Submission]:
    out = []
    for county, period, day, sha, issues, students in ARRIVALS:
        p = parsed(county=county, period=period, n=3, students=students, issues=issues)
        out.append(Submission(p, f"{sha}.xlsx", sha, datetime(2026, 11, day), f"{sha}.xlsx", "test"))
    return out


def _store_earlier(con) -> int:
    p = parsed(period="2026-09", n=3)
    return store_submission(con, p, file_name="old.xlsx", sha256="old", received_at=datetime(2026, 10, 5),
                            archive_path="old.xlsx", actor="test")[0]


def _dump(con) -> dict:
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    return {
        "submission": q("SELECT id, county, period, file_name, sha256, received_at, status, in_force, replaces,"
                        " archive_path, n_errors, n_warnings, rows_json, submitted_by FROM submission ORDER BY id"),
        "issues": q("SELECT * FROM submission_issue ORDER BY submission_id, seq"),
        "school": q("SELECT * FROM school ORDER BY ALL"),
        "pe": q("SELECT * FROM pe ORDER BY ALL"),
        "homework": q("SELECT * FROM homework ORDER BY ALL"),
        "audit": q("SELECT actor, action, submission_id, county, period, sha256, detail FROM audit_log ORDER BY id"),
    }


def test_batch_stores_exactly_what_one_by_one_stores(db_path, tmp_path):
    with open_db(tmp_path / "one.duckdb") as con:
        _store_earlier(con)
        singles = [store_submission(con, s.parsed, file_name=s.file_name, sha256=s.sha256,
                                    received_at=s.received_at, archive_path=s.archive_path, actor=s.actor)
                   for s in _subs()]
        expected = _dump(con)
    with open_db(db_path) as con:
        earlier = _store_earlier(con)
        stored = store_submissions(con, _subs())
        got = _dump(con)
    assert [(s.id, s.replaces) for s in stored] == singles
    assert got == expected
    # the history the table above describes, spelled out
    in_force = {(r[1], r[2]): r[0] for r in got["submission"] if r[7]}
    ids = {r[4]: r[0] for r in got["submission"]}
    assert in_force == {("松溪县", "2026-10"): ids["e"], ("松溪县", "2026-09"): ids["f"],
                        ("白石县", "2026-10"): ids["g"]}
    assert [s.replaces for s in stored] == [None, ids["a"], None, None, ids["b"], earlier, None]


def test_dedupe_skips_files_already_stored_or_earlier_in_the_batch(db_path):
    subs = _subs()[:3]
    copy = Submission(parsed(), "copy.xlsx", "a", datetime(2026, 11, 9), "a.xlsx", "test")
    with open_db(db_path) as con:
        earlier = _store_earlier(con)
        again = Submission(parsed(), "again.xlsx", "old", datetime(2026, 11, 9), "old.xlsx", "test")
        stored = store_submissions(con, [*subs, copy, again], dedupe=True)
        n = con.execute("SELECT count(*) FROM submission").fetchone()[0]
        audits = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    assert [s.duplicate is None for s in stored] == [True, True, True, False, False]
    assert stored[3].duplicate["id"] == stored[0].id and stored[3].duplicate["file_name"] == "a.xlsx"
    assert stored[4].duplicate["id"] == earlier and stored[4].duplicate["status"] == "accepted"
    assert n == audits == 4  # the earlier one and the three new ones


def test_a_failing_workbook_rolls_back_the_whole_batch(db_path):
    subs = _subs()
    bad = subs[2].parsed
    bad.tables["pe"] = bad.tables["pe"].assign(activity_minutes=None)  # NOT NULL violation
    with open_db(db_path) as con:
        with pytest.raises(Exception):
            store_submissions(con, subs)
        for table in ("submission", "submission_issue", "school", "pe", "homework", "audit_log"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_ingest_paths_in_small_batches_keeps_order_and_duplicates(db_path, samples_dir, tmp_path, monkeypatch):
    import core.submission.ingest
    from core.submission.ingest import ingest_paths
    monkeypatch.setattr(core.submission.ingest, "BATCH_FILES", 2)
    folder = tmp_path / "in"
    folder.mkdir()
    names = ["松溪县_2026-03.xlsx", "松溪县_2026-07.xlsx", "白石县_2026-06.xlsx"]
    for n, name in enumerate(names):
        (folder / f"{n}{n}.xlsx").write_bytes((samples_dir / name).read_bytes())
    (folder / "01.xlsx").write_bytes((samples_dir / names[0]).read_bytes())  # same batch as 00
    (folder / "99.xlsx").write_bytes((samples_dir / names[1]).read_bytes())  # a later batch than 11
    seen = []
    batch = ingest_paths([folder], db_path=db_path, progress=lambda n, total, r: seen.append((n, r.file, r.status)))
    assert seen == [(1, "00.xlsx", "accepted"), (2, "01.xlsx", "duplicate"), (3, "11.xlsx", "accepted"),
                    (4, "22.xlsx", "accepted"), (5, "99.xlsx", "duplicate")]
    by_file = {r.file: r for r in batch.results}
    assert by_file["01.xlsx"].submission_id == by_file["00.xlsx"].submission_id
    assert by_file["99.xlsx"].submission_id == by_file["11.xlsx"].submission_id
    with open_db(db_path) as con:
        assert con.execute("SELECT list(file_name ORDER BY id) FROM submission").fetchone()[0] == [
            "00.xlsx", "11.xlsx", "22.xlsx"]


def test_a_failing_batch_is_stored_file_by_file(db_path, samples_dir, tmp_path, monkeypatch):
    """Only the file that cannot be stored is lost; the ones before it in its batch are kept."""
    import core.submission.gate
    import core.submission.store
    from core.submission.ingest import ingest_paths
    real = core.submission.store.store_submissions

    def fragile(con, subs, **kw):
        if any(s.file_name == "2.xlsx" for s in subs):
            raise RuntimeError("disk full")
        return real(con, subs, **kw)

    monkeypatch.setattr(core.submission.gate, "store_submissions", fragile)
    folder = tmp_path / "in"
    folder.mkdir()
    for n, path in enumerate(sorted(samples_dir.glob("*.xlsx"))[:3], start=1):
        (folder / f"{n}.xlsx").write_bytes(path.read_bytes())
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_paths([folder], db_path=db_path)
    with open_db(db_path) as con:
        assert con.execute("SELECT list(file_name) FROM submission").fetchone()[0] == ["1.xlsx"]


def test_pool_and_this_process_share_the_files_and_give_the_same_results(samples_dir, tmp_path):
    from core.submission.ingest import ingest_paths
    received = datetime(2026, 11, 3, 9)
    alone = ingest_paths([samples_dir], db_path=tmp_path / "one.duckdb", received_at=received, workers=1)
    shared = ingest_paths([samples_dir], db_path=tmp_path / "two.duckdb", received_at=received, workers=2)
    assert len(shared.results) == len(alone.results) == 24
    assert [r.model_dump() for r in shared.results] == [r.model_dump() for r in alone.results]


def test_a_pooled_ingest_stores_on_one_duckdb_thread_and_gives_the_default_back(samples_dir, db_path, monkeypatch):
    """While pool workers read, the storing connection runs DuckDB on one thread (its own threads would
    contend with the workers for the cores); the setting is the database instance's, so a connection
    the caller keeps open (as the dashboard's would be) sees the default again afterwards."""
    import core.submission.ingest as ingest
    seen = []
    admit = ingest.admit
    monkeypatch.setattr(ingest, "admit", lambda con, items, *a: seen.append(
        con.execute("SELECT current_setting('threads')").fetchone()[0]) or admit(con, items, *a))
    with open_db(db_path) as kept:
        default = kept.execute("SELECT current_setting('threads')").fetchone()[0]
        batch = ingest.ingest_paths([samples_dir], db_path=db_path, workers=2)
        assert kept.execute("SELECT current_setting('threads')").fetchone()[0] == default
    assert len(batch.results) == 24 and seen and set(seen) == {1}


def test_a_count_too_large_for_the_database_is_rejected_not_a_crash(db_path):
    from builders import build_workbook, valid_submission_sheets

    from core.submission.ingest import ingest_file
    sheets = valid_submission_sheets(n_schools=6)
    sheets["优质学校"][1][9] = 3e9  # 网络多媒体教室数 has no upper bound of its own; DuckDB INTEGER has
    r = ingest_file(build_workbook(sheets), file_name="云岭县_2026-10.xlsx", db_path=db_path)
    assert r.status == "rejected"
    assert [i.message for i in r.issues] == [
        "优质学校 第2行「网络多媒体教室数」:值「3000000000」大于2147483647,应填写不小于0的整数"]
