"""Backup and restore of the database file and the raw-file archive, with a checked manifest.

A backup folder holds `pilot.duckdb` (a consistent copy: checkpointed and copied while this
process holds DuckDB's file lock and the store's write lock, then read back block by block),
`archive/` (every raw workbook, content-addressed) and `manifest.json` (SHA-256 of every file,
submission count, when).

Restore trusts nothing in the folder: every path of the manifest must name a file inside the
backup (no `..`, no absolute path, no link leading out), the database copy must be a readable
DuckDB database of this system, and nothing is replaced while the dashboard or another
program uses the database. The audit log is never rolled back: entries written after the
backup are carried into the restored database, followed by an entry for the restore itself.
"""
from __future__ import annotations

import getpass
import hashlib
import json
import os
import shutil
from pathlib import Path, PurePosixPath

import duckdb

from core.access.audit import record
from core.db import (
    WRITE_LOCK,
    DatabaseBusy,
    DatabaseUnavailable,
    dashboard_holds,
    open_db,
)
from core.month import clock
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


# Tables every database of this system has (core/sql/schema.sql).
REQUIRED_TABLES = {"submission", "submission_issue", "audit_log"}
DUCKDB_MAGIC = b"DUCK"  # bytes 8–11 of a DuckDB database file


def verify_database(path: Path) -> dict[str, int]:
    """Rows per table after reading every value of every table of a DuckDB file (read-only).

    Raises BackupError when the file is not a DuckDB database, lacks this system's tables or a
    block of it cannot be read (checksum). Opened read-only: nothing of it is changed.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
    except OSError:
        raise BackupError(f"数据库文件 {path} 无法读取") from None
    if head[8:12] != DUCKDB_MAGIC:
        raise BackupError(f"{path} 不是 DuckDB 数据库文件")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise BackupError(f"数据库文件 {path} 无法打开(已损坏?):{str(exc).splitlines()[0]}") from None
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()]
        missing = REQUIRED_TABLES - set(tables)
        if missing:
            raise BackupError(f"{path} 不是本系统的数据库(缺少表 {'、'.join(sorted(missing))})")
        counts = {}
        for table in tables:  # hashing every column reads every block: a damaged one raises
            counts[table] = con.execute(f'SELECT count(*), bit_xor(hash(COLUMNS(*))) FROM "{table}"').fetchone()[0]
        return counts
    except duckdb.Error as exc:
        raise BackupError(f"数据库文件 {path} 已损坏,读取失败:{str(exc).splitlines()[0]}") from None
    finally:
        con.close()


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
    try:
        return _backup(db, out)
    except DatabaseUnavailable as exc:
        if isinstance(exc, DatabaseBusy):
            raise
        raise BackupError(f"备份未完成:{exc}") from None


def _backup(db: Path, out: Path) -> dict:
    with open_db(db) as con:  # holds DuckDB's file lock: no other process can write meanwhile
        with WRITE_LOCK:  # no other thread of this process writes meanwhile
            con.execute("CHECKPOINT")
            _copy_atomic(db, out / DB_FILE)
            wal = db.with_name(db.name + ".wal")
            if wal.exists() and wal.stat().st_size:
                _copy_atomic(wal, out / (DB_FILE + ".wal"))
            n_subs = con.execute("SELECT count(*) FROM submission").fetchone()[0]
            referenced = {r[0] for r in con.execute("SELECT DISTINCT archive_path FROM submission").fetchall()}
    try:  # read the copy back: a database with a damaged block is not a backup
        verify_database(out / DB_FILE)
    except BackupError as exc:
        for f in (out / DB_FILE, out / (DB_FILE + ".wal")):
            f.unlink(missing_ok=True)
        raise BackupError(f"备份未完成:{exc}。请从更早的备份恢复,或联系技术支持") from None
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
        "created_at": clock().isoformat(timespec="seconds"),
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


def _inside(base: Path, rel: object, what: str) -> Path:
    """base/rel when rel is a plain relative path that stays inside base (else BackupError)."""
    if not isinstance(rel, str) or not rel or "\\" in rel or "\x00" in rel:
        raise BackupError(f"备份清单中的{what}「{rel}」不是有效的文件路径,拒绝恢复")
    parts = PurePosixPath(rel).parts
    if PurePosixPath(rel).is_absolute() or any(p in ("..", ".", "") for p in parts):
        raise BackupError(f"备份清单中的{what}「{rel}」指向备份文件夹之外,拒绝恢复")
    path = base.joinpath(*parts)
    if not path.resolve().is_relative_to(base.resolve()):
        raise BackupError(f"备份清单中的{what}「{rel}」经链接指向备份文件夹之外,拒绝恢复")
    return path


def read_manifest(backup_dir: Path | str) -> dict:
    """The backup's manifest after checking its paths and every file's SHA-256 against it."""
    src = Path(backup_dir)
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{src} 中没有 {MANIFEST},不是本系统生成的备份文件夹") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BackupError(f"{src / MANIFEST} 已损坏,无法读取") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式版本「{manifest.get('format') if isinstance(manifest, dict) else '?'}」不受支持")
    if manifest.get("db_file") != DB_FILE:  # always pilot.duckdb beside the manifest
        raise BackupError(f"备份清单中的数据库文件名「{manifest.get('db_file')}」无效(应为 {DB_FILE}),拒绝恢复")
    files = manifest.get("archive_files")
    if not isinstance(files, dict):
        raise BackupError(f"{src / MANIFEST} 缺少原始文件清单,不能用它恢复")
    db_copy = _inside(src, manifest["db_file"], "数据库文件")
    if not db_copy.is_file() or _sha256(db_copy) != manifest.get("db_sha256"):
        raise BackupError(f"备份中的数据库文件 {db_copy} 缺失或已损坏(校验值不符),不能用它恢复")
    bad = []
    for rel, sha in files.items():
        f = _inside(src / ARCHIVE, rel, "原始文件")
        if not f.is_file() or _sha256(f) != sha:
            bad.append(rel)
    if bad:
        raise BackupError(f"备份中有{len(bad)}个原始文件缺失或已损坏(如 {bad[0]}),不能用它恢复")
    return manifest


def restore(backup_dir: Path | str, db_path: Path | str | None = None, *, force: bool = False,
            actor: str = "cli") -> dict:
    """Replace the database and archive by a checked backup; without force refuse to overwrite.

    The replaced files are kept as `*.before-restore-<time>`. Audit entries of the replaced
    database newer than the backup are carried over, then the restore itself is recorded.
    Returns the manifest with `carried_audit` (entries carried over) added.
    """
    src = Path(backup_dir)
    db = Path(db_path) if db_path is not None else default_db_path()
    manifest = read_manifest(src)
    verify_database(src / manifest["db_file"])  # a DuckDB database of this system, every block readable
    arch = archive_dir(db)
    exists = db.exists() or (arch.is_dir() and any(arch.iterdir()))
    if exists and not force:
        raise BackupError(f"数据库 {db} 已存在;恢复会覆盖现有数据。确认要覆盖时请加 --force"
                          f"(现有数据会先改名保留)")
    targets = [_inside(arch, rel, "原始文件") for rel in manifest["archive_files"]]
    with WRITE_LOCK:
        if dashboard_holds(db):
            raise BackupError("看板正在使用该数据库;请先停止看板(streamlit),再恢复备份")
        later = []
        if db.exists():
            _ensure_unused(db)
            later = _audit_after(db, src / manifest["db_file"])
        stamp = clock().strftime("%Y%m%d-%H%M%S")
        kept = db.with_name(f"{db.name}.before-restore-{stamp}")
        if db.exists():
            os.replace(db, kept)
        wal = db.with_name(db.name + ".wal")
        if wal.exists():
            os.replace(wal, db.with_name(f"{wal.name}.before-restore-{stamp}"))
        if arch.exists():
            os.replace(arch, arch.with_name(f"{arch.name}.before-restore-{stamp}"))
        _copy_atomic(src / manifest["db_file"], db)
        if (src / (manifest["db_file"] + ".wal")).is_file():
            _copy_atomic(src / (manifest["db_file"] + ".wal"), wal)
        arch.mkdir(parents=True, exist_ok=True)
        for rel, target in zip(manifest["archive_files"], targets):
            _copy_atomic(_inside(src / ARCHIVE, rel, "原始文件"), target)
        _record_restore(db, src, manifest, later, kept if kept.exists() else None, actor)
    return {**manifest, "carried_audit": len(later) if isinstance(later, list) else 0}


AUDIT_FIELDS = ('"at"', "actor", "action", "submission_id", "county", "period", "sha256", "detail")


def _audit_after(db: Path, backup_db: Path) -> list[tuple] | None:
    """Audit entries of the database about to be replaced that the backup does not have
    (written after the backup); None when the replaced database cannot be read."""
    with duckdb.connect(str(backup_db), read_only=True) as b:
        last = b.execute('SELECT max("at") FROM audit_log').fetchone()[0]
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            sql = f"SELECT {', '.join(AUDIT_FIELDS)} FROM audit_log"
            if last is not None:
                return con.execute(sql + ' WHERE "at" > ? ORDER BY id', [last]).fetchall()
            return con.execute(sql + " ORDER BY id").fetchall()
    except duckdb.Error:
        return None


def _record_restore(db: Path, src: Path, manifest: dict, later: list[tuple] | None, kept: Path | None,
                    actor: str) -> None:
    """In the restored database: the carried-over audit entries, then one for the restore."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = ""
    with open_db(db) as con:
        con.execute("BEGIN TRANSACTION")
        if later:
            con.executemany(f"INSERT INTO audit_log ({', '.join(AUDIT_FIELDS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            later)
        record(con, actor, "db_restore", detail={
            "backup": str(src.resolve()), "backup_created_at": manifest.get("created_at"),
            "db_sha256": manifest.get("db_sha256"), "submissions": manifest.get("submissions"),
            "replaced_db_kept_as": kept.name if kept else None,
            "audit_entries_carried_over": len(later) if later is not None else "旧数据库无法读取,未能带入",
            "os_user": who})
        con.execute("COMMIT")


def _ensure_unused(db: Path) -> None:
    """Raise DatabaseBusy when another process holds the database (the dashboard must be stopped)."""
    try:
        duckdb.connect(str(db)).close()
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusy(db) from None
        if "not a valid duckdb" not in str(exc).lower():
            raise
    except duckdb.Error:
        pass  # a damaged database is what a restore replaces
