"""Backup and restore of the database file and the raw-file archive, with a checked manifest.

A backup folder holds `pilot.duckdb` (a consistent copy: checkpointed and copied while this
process holds DuckDB's file lock and the store's write lock), `archive/` (every raw workbook,
content-addressed) and `manifest.json` (SHA-256 of every file, submission count, when).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import duckdb

from core.db import WRITE_LOCK, DatabaseBusy, open_db
from core.paths import archive_dir, default_db_path

MANIFEST = "manifest.json"
DB_FILE = "pilot.duckdb"
ARCHIVE = "archive"
FORMAT = 1


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message is Chinese and says what to do."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _copy_atomic(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.partial")
    shutil.copyfile(src, tmp)
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, dst)


def backup(out_dir: Path | str, db_path: Path | str | None = None, *, force: bool = False) -> dict:
    """Copy the database and raw archive into out_dir with a manifest; return the manifest."""
    db = Path(db_path) if db_path is not None else default_db_path()
    out = Path(out_dir)
    if not db.is_file():
        raise BackupError(f"数据库文件 {db} 不存在,没有可备份的内容")
    if (out / MANIFEST).exists() and not force:
        raise BackupError(f"文件夹 {out} 中已有一份备份;请换一个文件夹,或加 --force 覆盖")
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise BackupError(f"文件夹 {out} 不是空的;请指定一个新的或空的文件夹")
    out.mkdir(parents=True, exist_ok=True)
    with open_db(db) as con:  # holds DuckDB's file lock: no other process can write meanwhile
        with WRITE_LOCK:  # no other thread of this process writes meanwhile
            con.execute("CHECKPOINT")
            _copy_atomic(db, out / DB_FILE)
            wal = db.with_name(db.name + ".wal")
            if wal.exists() and wal.stat().st_size:
                _copy_atomic(wal, out / (DB_FILE + ".wal"))
            n_subs = con.execute("SELECT count(*) FROM submission").fetchone()[0]
            referenced = {r[0] for r in con.execute("SELECT DISTINCT archive_path FROM submission").fetchall()}
    # Archived files are immutable and written before their submission row, so every file the
    # copied database refers to already exists.
    files = {}
    src_archive = archive_dir(db)
    dst_archive = out / ARCHIVE
    if dst_archive.exists():
        shutil.rmtree(dst_archive)
    if src_archive.is_dir():
        for f in sorted(p for p in src_archive.rglob("*") if p.is_file() and not p.name.startswith(".")):
            rel = f.relative_to(src_archive).as_posix()
            _copy_atomic(f, dst_archive / rel)
            files[rel] = _sha256(dst_archive / rel)
    missing = sorted(referenced - set(files))
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now().isoformat(timespec="seconds"),
        "source_db": str(db.resolve()),
        "db_file": DB_FILE,
        "db_sha256": _sha256(out / DB_FILE),
        "db_bytes": (out / DB_FILE).stat().st_size,
        "submissions": n_subs,
        "archive_files": files,
        "missing_archive_files": missing,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def read_manifest(backup_dir: Path | str) -> dict:
    """The backup's manifest after checking every file's SHA-256 against it."""
    src = Path(backup_dir)
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{src} 中没有 {MANIFEST},不是本系统生成的备份文件夹") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BackupError(f"{src / MANIFEST} 已损坏,无法读取") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式版本「{manifest.get('format')}」不受支持")
    db_copy = src / manifest["db_file"]
    if not db_copy.is_file() or _sha256(db_copy) != manifest["db_sha256"]:
        raise BackupError(f"备份中的数据库文件 {db_copy} 缺失或已损坏(校验值不符),不能用它恢复")
    bad = [rel for rel, sha in manifest["archive_files"].items()
           if not (src / ARCHIVE / rel).is_file() or _sha256(src / ARCHIVE / rel) != sha]
    if bad:
        raise BackupError(f"备份中有{len(bad)}个原始文件缺失或已损坏(如 {bad[0]}),不能用它恢复")
    return manifest


def restore(backup_dir: Path | str, db_path: Path | str | None = None, *, force: bool = False) -> dict:
    """Replace the database and archive by a checked backup; without force refuse to overwrite."""
    src = Path(backup_dir)
    db = Path(db_path) if db_path is not None else default_db_path()
    manifest = read_manifest(src)
    arch = archive_dir(db)
    exists = db.exists() or (arch.is_dir() and any(arch.iterdir()))
    if exists and not force:
        raise BackupError(f"数据库 {db} 已存在;恢复会覆盖现有数据。确认要覆盖时请加 --force"
                          f"(现有数据会先改名保留)")
    with WRITE_LOCK:
        if db.exists():
            _ensure_unused(db)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        if db.exists():
            os.replace(db, db.with_name(f"{db.name}.before-restore-{stamp}"))
        wal = db.with_name(db.name + ".wal")
        if wal.exists():
            os.replace(wal, db.with_name(f"{wal.name}.before-restore-{stamp}"))
        if arch.exists():
            os.replace(arch, arch.with_name(f"{arch.name}.before-restore-{stamp}"))
        _copy_atomic(src / manifest["db_file"], db)
        if (src / (manifest["db_file"] + ".wal")).is_file():
            _copy_atomic(src / (manifest["db_file"] + ".wal"), wal)
        arch.mkdir(parents=True, exist_ok=True)
        for rel in manifest["archive_files"]:
            _copy_atomic(src / ARCHIVE / rel, arch / rel)
    return manifest


def _ensure_unused(db: Path) -> None:
    """Raise DatabaseBusy when another process holds the database (the dashboard must be stopped)."""
    try:
        duckdb.connect(str(db)).close()
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusy(db) from None
        raise
