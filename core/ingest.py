"""Load county workbooks: hash, detect duplicates, archive, validate, store atomically."""
from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator, Literal

from pydantic import BaseModel

from core.archive import archive_bytes, sha256_of
from core.issues import Issue
from core.parsed import SHEET_NAMES, ParsedSubmission
from core.paths import default_db_path
from core.store import WRITE_LOCK, find_by_sha, open_db, store_submission

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
STATUS_LABELS = {"accepted": "已接收", "rejected": "已驳回", "duplicate": "重复文件"}


class IngestResult(BaseModel):
    """One file's outcome; the JSON shape of `python -m core ingest --json` (shared/spec/cli.md)."""

    file: str
    status: Literal["accepted", "rejected", "duplicate"]
    county: str | None = None
    period: str | None = None
    submission_id: int | None = None  # for a duplicate: the stored submission it duplicates
    replaces: int | None = None
    rows: dict[str, int]
    issues: list[Issue]


class SkippedFile(BaseModel):
    """A file found in a folder that is not a workbook (or an Office lock file)."""

    file: str
    reason: str


class IngestBatch(BaseModel):
    """The outcome of ingest_paths: one result per workbook, plus files skipped in folders."""

    results: list[IngestResult] = []
    skipped: list[SkippedFile] = []

    @property
    def any_rejected(self) -> bool:
        return any(r.status == "rejected" for r in self.results)


def _empty_rows() -> dict[str, int]:
    return {name: 0 for name in SHEET_NAMES.values()}


def ingest_file(source: Path | str | bytes, *, file_name: str | None = None, db_path: Path | str | None = None,
                received_at: datetime | None = None, actor: str = "cli",
                known_sha: set[str] | None = None) -> IngestResult:
    """Ingest one workbook (a path or its bytes) into the database; never raises for bad input.

    Raises core.store.DatabaseBusy when another process holds the database.
    `known_sha` (from ingest_paths) is the set of hashes already stored: a file not
    in it skips the early duplicate check (it is re-checked under the write lock).
    """
    db = Path(db_path) if db_path is not None else default_db_path()
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        name = file_name or "未命名文件.xlsx"
    else:
        path = Path(source)
        name = file_name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            return _unreadable(name, exc)
    sha = sha256_of(data)

    if known_sha is None or sha in known_sha:  # a batch skips this open for files it knows are new
        with open_db(db) as con:
            dup = find_by_sha(con, sha)
        if dup is not None:
            return _duplicate(name, dup)

    rel = archive_bytes(data, name, db)
    parsed = _validate(data, name)
    with open_db(db) as con:
        return _store(con, parsed, name, sha, rel, received_at, actor)


def _store(con, parsed: ParsedSubmission, name: str, sha: str, rel: str, received_at: datetime | None,
           actor: str) -> IngestResult:
    """Store a validated workbook on an open connection (re-checking for a duplicate under the write lock)."""
    received = received_at or datetime.now().replace(microsecond=0)
    # Check and store under the write lock: two sessions sending the same file at once store it once.
    with WRITE_LOCK:
        dup = find_by_sha(con, sha)  # another session may have stored it meanwhile
        if dup is not None:
            return _duplicate(name, dup)
        sub_id, replaces = store_submission(con, parsed, file_name=name, sha256=sha, received_at=received,
                                            archive_path=rel, actor=actor)
    accepted = parsed.ok and parsed.county is not None and parsed.period is not None
    return IngestResult(file=name, status="accepted" if accepted else "rejected", county=parsed.county,
                        period=parsed.period, submission_id=sub_id if accepted else None,
                        replaces=replaces, rows=parsed.rows if accepted else _empty_rows(),
                        issues=parsed.issues)


def _validate(data: bytes, name: str) -> ParsedSubmission:
    """Run the validator; a crash inside it becomes an error issue, never a traceback."""
    try:
        from core.validate import validate_workbook
        parsed = validate_workbook(data, name)
    except Exception as exc:  # noqa: BLE001 - a validator bug must not lose the file
        return ParsedSubmission(file_name=name, issues=[Issue(
            severity="error",
            message=f"读取文件时发生内部错误({type(exc).__name__}: {exc}),请将此文件发给管理员")])
    if parsed.ok and (parsed.county is None or parsed.period is None):
        parsed.issues.append(Issue(severity="error", message="无法确定该工作簿的县区或报送月份"))
    return parsed


def _unreadable(name: str, exc: OSError) -> IngestResult:
    return IngestResult(file=name, status="rejected", rows=_empty_rows(), issues=[Issue(
        severity="error", message=f"无法读取文件:{exc.strerror or exc}")])


def _duplicate(name: str, dup: dict) -> IngestResult:
    when = dup["ingested_at"].strftime("%Y-%m-%d %H:%M")
    label = STATUS_LABELS[dup["status"]]
    msg = (f"该文件与第{dup['id']}号报送(文件「{dup['file_name']}」,{when}载入,{label})完全相同,"
           f"未重复保存")
    return IngestResult(file=name, status="duplicate", county=dup["county"], period=dup["period"],
                        submission_id=dup["id"], rows=_empty_rows(),
                        issues=[Issue(severity="warning", message=msg)])


def collect_files(paths: list[Path | str]) -> tuple[list[Path], list[SkippedFile], list[str]]:
    """Expand files and folders (recursively, name order) into workbooks, skipped files, missing paths."""
    files: list[Path] = []
    skipped: list[SkippedFile] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted((p for p in path.rglob("*") if p.is_file()), key=lambda p: p.as_posix()):
                if child.name.startswith("~$"):
                    skipped.append(SkippedFile(file=str(child), reason="Office临时锁定文件"))
                elif child.name.startswith(".") or child.suffix.lower() not in WORKBOOK_SUFFIXES:
                    skipped.append(SkippedFile(file=str(child), reason="不是Excel/WPS工作簿"))
                else:
                    files.append(child)
        elif path.is_file():
            files.append(path)
        else:
            missing.append(str(raw))
    return files, skipped, missing


def ingest_paths(paths: list[Path | str], *, db_path: Path | str | None = None,
                 received_at: datetime | None = None, actor: str = "cli",
                 progress: Callable[[int, int, IngestResult], None] | None = None,
                 workers: int | None = None) -> IngestBatch:
    """Ingest every workbook under the given files/folders; progress(i, n, result) after each.

    Workbooks are validated in a process pool (`workers`, default: the CPU count, at most 4)
    while the main process stores them in name order on one connection, which it hands back
    to other processes (the dashboard) every couple of seconds.
    """
    files, skipped, missing = collect_files(paths)
    skipped += [SkippedFile(file=m, reason="路径不存在或无法读取") for m in missing]
    batch = IngestBatch(skipped=skipped)
    if not files:
        return batch
    db = Path(db_path) if db_path is not None else default_db_path()
    with open_db(db) as con:  # one look-up of known hashes saves an open per new file
        known = {r[0] for r in con.execute("SELECT DISTINCT sha256 FROM submission").fetchall()}
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    con, opened = None, 0.0
    with ExitStack() as stack:
        for n, (path, item) in enumerate(zip(files, _validated(files, known, workers)), start=1):
            if con is not None and time.monotonic() - opened > HOLD_SECONDS:
                stack.close()  # let a waiting process (the dashboard) in between files
                con = None
            if con is None:
                con, opened = stack.enter_context(open_db(db)), time.monotonic()
            result = _ingest_item(con, path, item, db, received_at, actor, known)
            batch.results.append(result)
            if progress is not None:
                progress(n, len(files), result)
    return batch


HOLD_SECONDS = 2.0  # how long a batch keeps the database before letting others in
MIN_POOL_FILES = 8  # fewer files are validated in this process (starting a pool costs ~1 s)


def _read_and_validate(path: Path, known: frozenset[str]) -> tuple[bytes | OSError, str, ParsedSubmission | None]:
    """(bytes or the read error, SHA-256, parsed or None for a known duplicate); runs in a pool worker."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return exc, "", None
    sha = sha256_of(data)
    return data, sha, None if sha in known else _validate(data, path.name)


def _validated(files: list[Path], known: set[str], workers: int) -> Iterator[tuple]:
    """_read_and_validate of every file, in order; a process pool when it helps, else here.

    spawn, not fork: the caller may be threaded. If the pool breaks, the rest is done here.
    """
    frozen = frozenset(known)
    done = 0
    if workers > 1 and len(files) >= MIN_POOL_FILES:
        try:
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                for item in pool.map(_read_and_validate, files, [frozen] * len(files), chunksize=2):
                    done += 1
                    yield item
        except (BrokenProcessPool, OSError, RuntimeError):
            pass
    for path in files[done:]:
        yield _read_and_validate(path, frozen)


def _ingest_item(con, path: Path, item: tuple, db: Path, received_at: datetime | None, actor: str,
                 known: set[str]) -> IngestResult:
    """Archive and store one validated file of a batch (or report it as unreadable / duplicate)."""
    data, sha, parsed = item
    if isinstance(data, OSError):
        return _unreadable(path.name, data)
    if sha in known:
        dup = find_by_sha(con, sha)
        if dup is not None:
            return _duplicate(path.name, dup)
    if parsed is None:  # known when validation started but no longer stored: validate now
        parsed = _validate(data, path.name)
    rel = archive_bytes(data, path.name, db)
    result = _store(con, parsed, path.name, sha, rel, received_at, actor)
    known.add(sha)
    return result
