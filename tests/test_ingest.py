"""Ingest in-process: duplicates, re-submission, back-loading, bad files, archive, folders."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from core.db import open_db
from core.submission.archive import archived_file, sha256_of
from core.submission.ingest import collect_files, ingest_file, ingest_paths
from core.submission.status import submission_history

SAMPLE = "松溪县_2026-03.xlsx"


def _count(db_path, sql, params=()):
    with open_db(db_path) as con:
        return con.execute(sql, list(params)).fetchone()[0]


def test_sample_is_accepted_archived_and_counted(db_path, samples_dir):
    path = samples_dir / SAMPLE
    r = ingest_file(path, db_path=db_path, received_at=datetime(2026, 4, 3, 9, 30))
    assert (r.status, r.county, r.period, r.submission_id, r.replaces) == ("accepted", "松溪县", "2026-03", 1, None)
    assert r.rows["学校名册"] == _count(db_path, "SELECT count(*) FROM school") > 0
    with open_db(db_path) as con:
        rel, received = con.execute("SELECT archive_path, received_at FROM submission").fetchone()
    assert received == datetime(2026, 4, 3, 9, 30)
    assert archived_file(rel, db_path).read_bytes() == path.read_bytes()  # unchanged


def test_identical_file_is_a_duplicate_and_not_stored_twice(db_path, samples_dir):
    path = samples_dir / SAMPLE
    first = ingest_file(path, db_path=db_path)
    again = ingest_file(path.read_bytes(), file_name="改了名字.xlsx", db_path=db_path)
    assert again.status == "duplicate" and again.submission_id == first.submission_id
    assert f"第{first.submission_id}号报送" in again.issues[0].message
    assert _count(db_path, "SELECT count(*) FROM submission") == 1


def test_resubmission_replaces_and_backloaded_older_does_not(db_path, samples_dir, tmp_path):
    data = (samples_dir / SAMPLE).read_bytes()
    # Same content, different bytes: an appended zip comment keeps the workbook readable.
    v2, v3 = data[:-2] + b"\x02\x00v2", data[:-2] + b"\x02\x00v3"
    a = ingest_file(data, file_name="a.xlsx", db_path=db_path, received_at=datetime(2026, 4, 3))
    b = ingest_file(v2, file_name="b.xlsx", db_path=db_path, received_at=datetime(2026, 4, 8))
    assert b.status == "accepted" and b.replaces == a.submission_id, b.issues
    old = ingest_file(v3, file_name="old.xlsx", db_path=db_path, received_at=datetime(2026, 4, 1))
    assert old.status == "accepted" and old.replaces is None
    said = [i.message for i in old.issues if "不替换现行数据" in i.message]  # the officer is told it is not in force
    assert said == [f"本文件的收到时间早于该县区2026年3月已有的版本(第{b.submission_id}号,2026-04-08 00:00收到):"
                    "已存入报送历史,不替换现行数据;如本文件才是应生效的版本,应重新报送或联系实验区管理员"]
    assert not any("不替换现行数据" in i.message for i in a.issues + b.issues)
    with open_db(db_path) as con:  # stored with it, for 报送情况
        assert con.execute("SELECT count(*) FROM submission_issue WHERE submission_id = ? AND message LIKE '%不替换%'",
                           [old.submission_id]).fetchone()[0] == 1
    with open_db(db_path) as con:
        hist = submission_history(con, "松溪县", "2026-03")
    assert list(hist["file_name"]) == ["b.xlsx", "a.xlsx", "old.xlsx"]
    assert list(hist["in_force"]) == [True, False, False]


def test_bad_files_are_rejected_logged_and_archived_without_data(db_path, tmp_path):
    cases = {"空文件.xlsx": b"", "名单.xlsx": "学校标识码,学校名称\n1,一小\n".encode("utf-8"),
             "坏压缩包.xlsx": b"PK\x03\x04garbage"}
    for name, data in cases.items():
        r = ingest_file(data, file_name=name, db_path=db_path)
        assert r.status == "rejected" and r.submission_id is None
        assert any(i.severity == "error" for i in r.issues)
        assert all(v == 0 for v in r.rows.values())
    with open_db(db_path) as con:
        rows = con.execute("SELECT status, county, period, archive_path FROM submission ORDER BY id").fetchall()
        assert [r[:3] for r in rows] == [("rejected", None, None)] * 3
        assert con.execute("SELECT count(*) FROM school").fetchone()[0] == 0
    for (_, _, _, rel), data in zip(rows, cases.values()):
        assert archived_file(rel, db_path).read_bytes() == data


def test_unreadable_path_is_rejected_without_storing(db_path, tmp_path):
    r = ingest_file(tmp_path / "不存在.xlsx", db_path=db_path)
    assert r.status == "rejected" and r.issues[0].message.startswith("无法读取文件")
    assert _count(db_path, "SELECT count(*) FROM submission") == 0


def test_validator_crash_becomes_an_issue(db_path, monkeypatch):
    import core.submission.validate

    def boom(data, name, **options):
        raise RuntimeError("bug")

    monkeypatch.setattr(core.submission.validate, "validate_workbook", boom)
    r = ingest_file(b"whatever", file_name="x.xlsx", db_path=db_path)
    assert r.status == "rejected" and "内部错误" in r.issues[0].message
    assert "bug" in r.issues[0].message or "RuntimeError" in r.issues[0].message


def test_folders_are_read_recursively_in_name_order_skipping_lock_and_other_files(tmp_path, samples_dir):
    folder = tmp_path / "收件箱"
    (folder / "十月").mkdir(parents=True)
    data = (samples_dir / SAMPLE).read_bytes()
    for rel in ("b.xlsx", "十月/a.xlsx", "~$b.xlsx", "说明.docx", "a.XLS"):
        (folder / rel).write_bytes(data)
    files, skipped, missing = collect_files([folder, tmp_path / "无"])
    assert [f.relative_to(folder).as_posix() for f in files] == ["a.XLS", "b.xlsx", "十月/a.xlsx"]
    assert sorted(Path(s.file).name for s in skipped) == ["~$b.xlsx", "说明.docx"]
    assert missing == [str(tmp_path / "无")]


def test_ingest_paths_reports_progress_and_duplicates(db_path, samples_dir, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (SAMPLE, "松溪县_2026-07.xlsx"):
        (folder / name).write_bytes((samples_dir / name).read_bytes())
    (folder / "copy.xlsx").write_bytes((samples_dir / SAMPLE).read_bytes())
    seen = []
    batch = ingest_paths([folder], db_path=db_path, progress=lambda n, total, r: seen.append((n, total, r.status)))
    assert seen == [(1, 3, "accepted"), (2, 3, "duplicate"), (3, 3, "accepted")]
    assert not batch.any_rejected
    assert sha256_of((samples_dir / SAMPLE).read_bytes()) == _count(db_path, "SELECT sha256 FROM submission WHERE id=1")


def test_archive_is_synced_once_per_batch_before_the_rows_that_name_it(db_path, samples_dir, tmp_path, monkeypatch):
    """Ingest writes the archive files without an fsync each and makes them durable with one sync per
    stored batch, before the batch's transaction names them; each file is archived whole, named by its hash."""
    import core.submission.archive as archive
    import core.submission.ingest as ingest
    folder = tmp_path / "in"
    folder.mkdir()
    names = ("松溪县_2026-07.xlsx", SAMPLE)
    for name in names:
        (folder / name).write_bytes((samples_dir / name).read_bytes())
    events = []
    monkeypatch.setattr(archive, "_syncfs", lambda fd: events.append("sync") or 0)
    monkeypatch.setattr(archive.os, "fsync", lambda fd: events.append("fsync"))
    admit = ingest.admit
    monkeypatch.setattr(ingest, "admit", lambda con, items, *a: events.append(("admit", len(items))) or
                        admit(con, items, *a))
    batch = ingest_paths([folder], db_path=db_path, workers=1)
    assert [r.status for r in batch.results] == ["accepted", "accepted"]
    assert events == ["sync", ("admit", 2)]  # fewer than MIN_POOL_FILES: archived here, no fsync per file
    with open_db(db_path) as con:
        stored = con.execute("SELECT sha256, archive_path FROM submission ORDER BY id").fetchall()
    for name, (sha, rel) in zip(sorted(names), stored):
        data = (samples_dir / name).read_bytes()
        assert sha == sha256_of(data) and archived_file(rel, db_path).read_bytes() == data


def test_pool_workers_import_the_validator_but_not_duckdb_or_pandas(monkeypatch, samples_dir, tmp_path):
    """Workers come from a fork server with the validator preloaded; their initializer pulls in no DuckDB and
    no pandas (each would cost every worker a second of imports), and they see the owner's current environment.
    Validating a workbook does not pull pandas in either (pyarrow would on its first pa.array), and the
    tables come out the same as in this process, which has pandas."""
    import sys
    import types

    import core.submission.ingest as ingest
    from core.submission.prepare import prepare_file
    monkeypatch.setenv("PILOT_TODAY", "2026-05-17")
    # As under `python -m core ingest`, whose __main__ a worker does not import (other tests run Streamlit
    # scripts, which leave their own __main__ behind, and a worker would import that script's modules).
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    pool = ingest._pool(1)
    assert pool is not None
    probe = "(sorted(m for m in ('duckdb', 'pandas', 'core.submission.validate')" \
            " if __import__('sys').modules.get(m) is not None)," \
            " __import__('os').environ.get('PILOT_TODAY'))"
    try:
        modules, today = pool.submit(eval, probe).result(timeout=120)
        there = pool.submit(prepare_file, samples_dir / SAMPLE, frozenset(), tmp_path / "w.duckdb").result(timeout=120)
        after, _ = pool.submit(eval, probe).result(timeout=120)
    finally:
        pool.shutdown()
    assert modules == ["core.submission.validate"] and today == "2026-05-17"
    assert after == ["core.submission.validate"]
    here = prepare_file(samples_dir / SAMPLE, frozenset(), tmp_path / "h.duckdb")
    assert there.parsed.ok and len(here.parsed.tables) >= 4 and set(there.parsed.tables) == set(here.parsed.tables)
    for key, table in here.parsed.tables.items():
        assert there.parsed.tables[key].equals(table), key


def test_a_month_that_has_not_begun_is_refused_and_the_running_month_warned(db_path, samples_dir):
    """A clerk's typo in 报送月份 (2026-09 sent in May 2026) is refused, nothing stored for that month;
    the month still running when the file arrives is accepted with a warning naming last month."""
    data = (samples_dir / SAMPLE).read_bytes()  # 松溪县 2026-03
    early = ingest_file(data, file_name=SAMPLE, db_path=db_path, received_at=datetime(2026, 2, 27, 10, 0))
    assert early.status == "rejected" and early.submission_id is None
    errors = [i.message for i in early.issues if i.severity == "error"]
    assert len(errors) == 1 and "报送月份「2026-03」晚于报送时间(2026-02-27)" in errors[0] and "2026-01" in errors[0]
    assert _count(db_path, "SELECT count(*) FROM school") == 0

    running = ingest_file(samples_dir / "松溪县2026年4月监测数据.xlsx", db_path=db_path,
                          received_at=datetime(2026, 4, 29, 16, 0))
    assert running.status == "accepted"
    warned = [i.message for i in running.issues if "本月尚未结束" in i.message]
    assert [i.severity for i in running.issues if "本月尚未结束" in i.message] == ["warning"]
    assert "应将报送月份改为2026-03" in warned[0]

    later = ingest_file(samples_dir / "松溪县-202605报送.xlsx", db_path=db_path, received_at=datetime(2026, 6, 3, 9, 0))
    assert later.status == "accepted" and not [i for i in later.issues if "报送时间" in i.message]


def _with_county(samples_dir, tmp_path, county: str) -> Path:
    """The 松溪县 2026-03 sample with another county written in 填报说明 and 所属县区 (new school codes,
    so that only the county name can be wrong)."""
    import openpyxl

    wb = openpyxl.load_workbook(samples_dir / SAMPLE)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "松溪县" in cell.value:
                    cell.value = cell.value.replace("松溪县", county)
                elif isinstance(cell.value, str) and len(cell.value) == 10 and cell.value.isdigit():
                    cell.value = "9" + cell.value[1:]
    out = tmp_path / f"{county}_2026-03.xlsx"
    wb.save(out)
    return out


def test_a_county_name_that_is_no_county_is_refused(db_path, samples_dir, tmp_path):
    """Without a county list every county that sends is the zone's: a typo (a name cut short, the
    traditional characters) would be expected every month after, so it is refused, naming the county."""
    for typo in ("松溪教育", "鬆溪縣"):
        r = ingest_file(_with_county(samples_dir, tmp_path, typo), db_path=db_path,
                        received_at=datetime(2026, 4, 3, 9, 0))
        assert r.status == "rejected"
        (error,) = [i.message for i in r.issues if i.severity == "error"]
        assert error.startswith(f"县区「{typo}」不是县区名称") and "如东湖区" in error
    assert _count(db_path, "SELECT count(*) FROM submission WHERE status = 'accepted'") == 0
    r = ingest_file(_with_county(samples_dir, tmp_path, "高新区"), db_path=db_path,
                    received_at=datetime(2026, 4, 3, 9, 0))
    assert r.status == "accepted" and r.county == "高新区"


def test_a_county_written_as_its_education_bureau_is_stored_as_the_county(db_path, samples_dir, tmp_path):
    """松溪县教育局 in 填报说明 and 所属县区 names the county: stored as 松溪县, with a warning."""
    r = ingest_file(_with_county(samples_dir, tmp_path, "松溪县教育局"), db_path=db_path,
                    received_at=datetime(2026, 4, 3, 9, 0))
    assert r.status == "accepted" and r.county == "松溪县"
    assert any("已按县区「松溪县」读取" in i.message for i in r.issues if i.severity == "warning")
    assert _count(db_path, "SELECT count(DISTINCT school.county) FROM school JOIN submission s ON s.id = submission_id "
                           "WHERE s.county = '松溪县'") == 1
    assert _count(db_path, "SELECT count(*) FROM school WHERE county <> '松溪县' AND county LIKE '松溪%'") == 0


def test_a_county_outside_the_zone_list_is_refused(db_path, samples_dir, tmp_path, monkeypatch):
    from core.zone import ZONE_ENV, ZONE_FILE

    zone = tmp_path / "zone.toml"
    zone.write_text(ZONE_FILE.read_text(encoding="utf-8").replace(
        "counties = []", 'counties = ["白石县", "松溪县"]'), encoding="utf-8")
    monkeypatch.setenv(ZONE_ENV, str(zone))
    r = ingest_file(_with_county(samples_dir, tmp_path, "望江县"), db_path=db_path,
                    received_at=datetime(2026, 4, 3, 9, 0))
    assert r.status == "rejected"
    assert [i.message for i in r.issues if i.severity == "error"] == [
        "县区「望江县」不是本实验区的县区(实验区县区:白石县、松溪县),应核对「填报说明」中的县区或学校名册中的所属县区"]
    assert ingest_file(samples_dir / SAMPLE, db_path=db_path,
                       received_at=datetime(2026, 4, 3, 9, 0)).status == "accepted"
