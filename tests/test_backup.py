"""Backup and restore: back up, change the database, restore, compare with what was backed up."""
from __future__ import annotations

import json
from datetime import datetime

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

    with pytest.raises(BackupError, match="--force"):
        restore(out, loaded_db)
    restore(out, loaded_db, force=True)
    assert snapshot(loaded_db) == before
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
    assert snapshot(target)["tables"] == snapshot(loaded_db)["tables"]
    assert main(["restore", str(out), "--db", str(target)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "nope"), "--db", str(target)]) == 2
