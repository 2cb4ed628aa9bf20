"""Backup and restore: back up, change the database, restore, compare with what was backed up."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from core.access.backup import MANIFEST, BackupError, backup, read_manifest, restore
from core.cli import main
from core.db import open_db
from core.paths import archive_dir
from core.submission.ingest import ingest_file
from core.submission.review import approve

TABLES = ("submission", "submission_issue", "school", "pe", "homework", "quality", "audit_log", "reopened")


def snapshot(db) -> dict:
    """Every row of every table (ordered), plus the archive's files and bytes."""
    with open_db(db) as con:
        tables = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    arch = archive_dir(db)
    files = {p.relative_to(arch).as_posix(): p.read_bytes() for p in arch.rglob("*") if p.is_file()}
    return {"tables": tables, "files": files}


@pytest.fixture
def loaded_db(db_path, samples_dir):
    for name in sorted(p.name for p in samples_dir.glob("松溪县*.xlsx"))[:3]:
        ingest_file(samples_dir / name, db_path=db_path, received_at=datetime(2026, 11, 1))
    return db_path


def test_backup_change_restore_gives_back_the_backed_up_state(loaded_db, samples_dir, tmp_path):
    before = snapshot(loaded_db)
    assert before["tables"]["submission"] and before["files"]
    out = tmp_path / "backup-1"
    manifest = backup(out, loaded_db)
    assert manifest["submissions"] == len(before["tables"]["submission"])
    assert set(manifest["archive_files"]) == set(before["files"])
    assert manifest["missing_archive_files"] == []

    # change the database: a new workbook and a review
    extra = sorted(samples_dir.glob("白石县*.xlsx"))[0]
    res = ingest_file(extra, db_path=loaded_db)
    with open_db(loaded_db) as con:
        first = con.execute("SELECT min(id) FROM submission WHERE status = 'accepted'").fetchone()[0]
        if first is not None:
            approve(con, first, "admin")
    assert snapshot(loaded_db) != before

    with open_db(loaded_db) as con:
        after_backup = con.execute("SELECT actor, action, submission_id FROM audit_log WHERE id > ? ORDER BY id",
                                   [max(r[0] for r in before["tables"]["audit_log"])]).fetchall()
    assert after_backup  # the ingest and the approval above
    with pytest.raises(BackupError, match="--force"):
        restore(out, loaded_db)
    result = restore(out, loaded_db, force=True)
    restored = snapshot(loaded_db)
    assert {t: rows for t, rows in restored["tables"].items() if t != "audit_log"} == \
        {t: rows for t, rows in before["tables"].items() if t != "audit_log"}
    assert restored["files"] == before["files"]
    # The audit log is not rolled back: the backup's entries, those written since, then the restore.
    with open_db(loaded_db) as con:
        log = con.execute("SELECT actor, action, submission_id, detail FROM audit_log ORDER BY id").fetchall()
    n = len(before["tables"]["audit_log"])
    assert [r[:3] for r in log[n:-1]] == after_backup and result["carried_audit"] == len(after_backup)
    assert log[-1][:2] == ("cli", "db_restore")
    assert json.loads(log[-1][3])["audit_entries_carried_over"] == len(after_backup)
    kept = list(loaded_db.parent.glob(f"{loaded_db.name}.before-restore-*"))
    assert len(kept) == 1, "the overwritten database is kept, not deleted"

    # the restored database keeps working: new ids continue after the restored ones
    again = ingest_file(extra, db_path=loaded_db)
    assert again.status == res.status
    with open_db(loaded_db) as con:
        ids = [r[0] for r in con.execute("SELECT id FROM submission ORDER BY id").fetchall()]
    assert len(ids) == len(set(ids)) == len(before["tables"]["submission"]) + 1


def test_restore_refuses_a_damaged_backup(loaded_db, tmp_path):
    out = tmp_path / "b"
    manifest = backup(out, loaded_db)
    rel = next(iter(manifest["archive_files"]))
    (out / "archive" / rel).write_bytes(b"tampered")
    with pytest.raises(BackupError, match="缺失或已损坏"):
        read_manifest(out)
    target = tmp_path / "fresh" / "pilot.duckdb"
    with pytest.raises(BackupError):
        restore(out, target)
    assert not target.exists()


def test_backup_refuses_to_overwrite_a_backup(loaded_db, tmp_path):
    out = tmp_path / "b"
    backup(out, loaded_db)
    with pytest.raises(BackupError, match="已有一份备份"):
        backup(out, loaded_db)
    backup(out, loaded_db, force=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    with pytest.raises(BackupError, match="不是空的"):
        backup(tmp_path / "other", loaded_db)


def test_cli_backup_and_restore_to_a_new_place(loaded_db, tmp_path, capsys):
    out = tmp_path / "cli-backup"
    assert main(["backup", "-o", str(out), "--db", str(loaded_db)]) == 0
    assert "已备份到" in capsys.readouterr().out
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["format"] == 1
    target = tmp_path / "elsewhere" / "pilot.duckdb"
    assert main(["restore", str(out), "--db", str(target)]) == 0
    restored, source = snapshot(target)["tables"], snapshot(loaded_db)["tables"]
    assert restored.pop("audit_log")[:-1] == source.pop("audit_log")  # plus one entry: the restore
    assert restored == source
    assert main(["restore", str(out), "--db", str(target)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "nope"), "--db", str(target)]) == 2


# --- a backup folder is not trusted ---------------------------------------------------------------

def _tamper(out, **changes):
    """Rewrite the manifest with changes (its checksums kept consistent where the attacker could)."""
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest.update(changes)
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return manifest


def _untouched(db, sha_before):
    from core.access.backup import _sha256

    assert _sha256(db) == sha_before
    assert not list(db.parent.glob(f"{db.name}.before-restore-*"))


def test_restore_refuses_a_manifest_key_leading_out_of_the_backup(loaded_db, tmp_path):
    from core.access.backup import _sha256

    out = tmp_path / "deep" / "b"
    manifest = backup(out, loaded_db)
    payload = b"not from this backup"
    (out / "x").write_bytes(payload)
    files = dict(manifest["archive_files"])
    files["../../x"] = _sha256(out / "x")
    _tamper(out, archive_files=files)
    sha = _sha256(loaded_db)
    with pytest.raises(BackupError, match="备份文件夹之外"):
        restore(out, loaded_db, force=True)
    _untouched(loaded_db, sha)
    assert not (archive_dir(loaded_db).parent.parent / "x").exists()  # nothing written outside
    for bad in ("/etc/passwd", "a/../../x", "a\\..\\x", ""):
        _tamper(out, archive_files={bad: "0" * 64})
        with pytest.raises(BackupError):
            read_manifest(out)


def test_restore_refuses_a_database_file_outside_the_backup_or_not_a_database(loaded_db, tmp_path):
    from core.access.backup import _sha256

    out = tmp_path / "b"
    backup(out, loaded_db)
    some = tmp_path / "somefile"
    some.write_text("just text, not a database", encoding="utf-8")
    sha = _sha256(loaded_db)
    _tamper(out, db_file="../somefile", db_sha256=_sha256(some))
    with pytest.raises(BackupError, match="数据库文件名"):
        restore(out, loaded_db, force=True)
    _untouched(loaded_db, sha)
    # the right name, a matching checksum, but not a DuckDB database
    (out / "pilot.duckdb").write_text("just text, not a database", encoding="utf-8")
    _tamper(out, db_file="pilot.duckdb", db_sha256=_sha256(out / "pilot.duckdb"))
    with pytest.raises(BackupError, match="不是 DuckDB 数据库"):
        restore(out, loaded_db, force=True)
    _untouched(loaded_db, sha)
    assert main(["restore", str(out), "--db", str(loaded_db), "--force"]) == 1


def test_restore_refuses_an_archive_file_linked_out_of_the_backup(loaded_db, tmp_path):
    from core.access.backup import _sha256

    out = tmp_path / "b"
    manifest = backup(out, loaded_db)
    rel = next(iter(manifest["archive_files"]))
    secret = tmp_path / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    (out / "archive" / rel).unlink()
    (out / "archive" / rel).symlink_to(secret)
    _tamper(out, archive_files={**manifest["archive_files"], rel: _sha256(secret)})
    with pytest.raises(BackupError, match="链接"):
        read_manifest(out)


def _corrupt(db):
    with db.open("r+b") as fh:  # overwrite data blocks (the header stays: DuckDB still opens it)
        fh.seek(3 * 262144)
        fh.write(b"\xff" * 262144)


def test_backup_of_a_damaged_database_is_refused(loaded_db, tmp_path, capsys):
    _corrupt(loaded_db)
    out = tmp_path / "b"
    with pytest.raises(BackupError, match="已损坏"):
        backup(out, loaded_db)
    assert not (out / "pilot.duckdb").exists() and not (out / MANIFEST).exists()
    assert main(["backup", "-o", str(tmp_path / "c"), "--db", str(loaded_db)]) == 1
    err = capsys.readouterr().err
    assert "已损坏" in err and "Traceback" not in err


def test_restore_replaces_a_damaged_database(loaded_db, tmp_path):
    out = tmp_path / "b"
    backup(out, loaded_db)
    _corrupt(loaded_db)
    result = restore(out, loaded_db, force=True)
    assert result["carried_audit"] == 0
    with open_db(loaded_db) as con:
        detail = json.loads(con.execute("SELECT detail FROM audit_log WHERE action = 'db_restore'").fetchone()[0])
    assert detail["replaced_db_kept_as"].startswith("pilot.duckdb.before-restore-")


def test_restore_refuses_while_the_dashboard_runs(loaded_db, tmp_path):
    import subprocess
    import sys

    from core.db import dashboard_holds

    out = tmp_path / "b"
    backup(out, loaded_db)
    holder = subprocess.Popen([sys.executable, "-c", "import sys; from core.db import hold_for_dashboard; "
                               f"hold_for_dashboard({str(loaded_db)!r}); print('held', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              cwd=str(Path(__file__).resolve().parent.parent))
    try:
        assert holder.stdout.readline().strip() == "held"
        assert dashboard_holds(loaded_db)
        with pytest.raises(BackupError, match="看板正在使用"):
            restore(out, loaded_db, force=True)
        assert not list(loaded_db.parent.glob(f"{loaded_db.name}.before-restore-*"))
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert not dashboard_holds(loaded_db)  # the lock ends with the dashboard's process
    restore(out, loaded_db, force=True)


# --- one submission's earlier version ----------------------------------------------------------

@pytest.fixture
def two_versions(db_path):
    from tests.builders import build_workbook, valid_submission_sheets

    first = valid_submission_sheets("云岭县", "2026-10", n_schools=4)
    second = valid_submission_sheets("云岭县", "2026-10", n_schools=4)
    second["体育"][1][6] = 30  # a correction
    a = ingest_file(build_workbook(first), file_name="v1.xlsx", db_path=db_path, received_at=datetime(2026, 11, 3))
    b = ingest_file(build_workbook(second), file_name="v2.xlsx", db_path=db_path, received_at=datetime(2026, 11, 4))
    assert a.status == b.status == "accepted"
    return db_path, a.submission_id, b.submission_id


def _in_force(db):
    with open_db(db) as con:
        return con.execute("SELECT id FROM submission WHERE in_force").fetchall()


def test_cli_restores_an_earlier_version_audited(two_versions, capsys):
    db, first, second = two_versions
    assert _in_force(db) == [(second,)]
    assert main(["restore", "--submission", str(first), "--db", str(db)]) == 0
    assert f"已将第{first}号报送恢复为云岭县 2026年10月的现行版本(替换第{second}号)" in capsys.readouterr().out
    assert _in_force(db) == [(first,)]
    with open_db(db) as con:
        row = con.execute("SELECT actor, action, submission_id FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert row == ("cli", "restore", first)
    assert main(["restore", "--submission", str(first), "--db", str(db)]) == 0
    assert "已是" in capsys.readouterr().out
    assert main(["restore", "--submission", "999", "--db", str(db)]) == 1
    assert "找不到第999号报送" in capsys.readouterr().err
    assert main(["restore", "--db", str(db)]) == 2


def test_submissions_page_restores_an_earlier_version_for_the_administrator(two_versions, monkeypatch):
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    db, first, second = two_versions
    init = PagesManager.__init__

    def warm_init(self, *args, **kwargs):  # a running server has left Streamlit's legacy pages mode
        init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", warm_init)
    root = Path(__file__).resolve().parent.parent
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60)
    at.query_params["month"] = "2026-10"
    at.query_params["county"] = "云岭县"
    at.run()
    at.switch_page(str(root / "pages" / "submissions.py")).run()
    options = at.selectbox(key="sub_version").options
    at.selectbox(key="sub_version").set_value(next(i for i, o in enumerate(options) if f"第{first}号" in o)).run()
    at.button(key="btn_restore_version").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"已将第{first}号报送恢复为" in s.value for s in at.success)
    assert _in_force(db) == [(first,)]
    with open_db(db) as con:
        assert con.execute("SELECT actor, action FROM audit_log ORDER BY id DESC LIMIT 1").fetchone() == \
            ("demo", "restore")
