"""Raw-file archive: every received workbook kept unchanged, content-addressed by SHA-256."""
from __future__ import annotations

import ctypes
import hashlib
import os
import tempfile
from pathlib import Path

from core.paths import archive_dir

TEMP_PREFIX = ".incoming-"


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of the file's bytes (the identity used for duplicate detection)."""
    return hashlib.sha256(data).hexdigest()


def archive_bytes(data: bytes, file_name: str, db_path: Path, *, sha: str | None = None,
                  durable: bool = True) -> str:
    """Write the raw bytes into the archive beside db_path; return the path relative to it.

    Written to a temporary file (named after this process) then os.replace'd, so a crash
    leaves either the whole file or a temporary file that remove_dead_writers_files clears.
    `sha` is the file's sha256_of when the caller has it (one hash per file). With
    durable=False the file is not fsync'ed: the caller then calls sync_archive before it
    commits a row that names the file (ingest: one sync per batch instead of one per file).
    """
    sha = sha or sha256_of(data)
    suffix = Path(file_name).suffix.lower()[:8]
    rel = Path(sha[:2]) / f"{sha}{suffix}"
    target = archive_dir(Path(db_path)) / rel
    if target.exists() and target.stat().st_size == len(data):
        return rel.as_posix()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f"{TEMP_PREFIX}{os.getpid()}-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return rel.as_posix()


def sync_archive(db_path: Path) -> None:
    """Make every file written into the archive so far durable, with one call: syncfs(2) of the archive's
    file system (one journal commit for a whole batch; os.sync where syncfs is not available)."""
    folder = archive_dir(Path(db_path))
    fd = os.open(folder if folder.is_dir() else folder.parent, os.O_RDONLY)
    try:
        if _syncfs is None or _syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def _load_syncfs():
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):  # not Linux/glibc
        return None


_syncfs = _load_syncfs()


def remove_dead_writers_files(db_path: Path) -> int:
    """Delete temporary files left in the archive by processes that died while writing (e.g. an ingest
    worker killed with its pool); a live process's file is left alone. Returns how many were deleted."""
    removed = 0
    for tmp in archive_dir(Path(db_path)).glob(f"*/{TEMP_PREFIX}*"):
        pid = tmp.name[len(TEMP_PREFIX):].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)
            removed += 1
        except PermissionError:  # alive, someone else's
            pass
    return removed


def archived_file(rel_path: str, db_path: Path) -> Path:
    """Absolute path of an archived raw file (submission.archive_path is relative)."""
    return archive_dir(Path(db_path)) / rel_path
