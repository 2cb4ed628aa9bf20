"""Load county workbooks: hash, detect duplicates, archive, validate, store atomically."""
from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator, Literal

from pydantic import BaseModel

from core.db import WRITE_LOCK, open_db
from core.month import now
from core.paths import default_db_path
from core.submission.archive import archive_bytes, remove_dead_writers_files, sha256_of
from core.submission.issues import Issue
from core.submission.parsed import SHEET_NAMES
from core.submission.prepare import Prepared, prepare_file, validate_safely
from core.submission.store import Stored, Submission, find_by_sha, store_submissions

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
STATUS_LABELS = {"accepted": "已接收", "rejected": "已驳回", "duplicate": "重复文件"}


class IngestResult(BaseModel):
    """One file's outcome; the JSON shape of `python -m core ingest --json` (docs/cli.md)."""

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

    Raises core.submission.store.DatabaseBusy when another process holds the database.
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
    parsed = validate_safely(data, name)
    with open_db(db) as con:
        return _store_batch(con, [Prepared(name, sha, parsed=parsed, archive_path=rel)], received_at, actor)[0]


def _store_batch(con, items: list[Prepared], received_at: datetime | None, actor: str) -> list[IngestResult]:
    """Store prepared files in one transaction (duplicates re-checked under the write lock); results in order.

    If the batch fails, each file is stored on its own, so that one bad file does
    not take the others with it (and its own error is raised as before).
    """
    received = received_at or now()
    subs = [Submission(i.parsed, i.name, i.sha, received, i.archive_path, actor) for i in items]
    # Check and store under the write lock: two sessions sending the same file at once store it once.
    with WRITE_LOCK:
        try:
            stored = store_submissions(con, subs, dedupe=True)
        except Exception:
            if len(subs) == 1:
                raise
            stored = [store_submissions(con, [s], dedupe=True)[0] for s in subs]
    return [_duplicate(s.file_name, r.duplicate) if r.duplicate is not None else _result(s, r)
            for s, r in zip(subs, stored)]


def _result(sub: Submission, stored: Stored) -> IngestResult:
    p = sub.parsed
    return IngestResult(file=sub.file_name, status="accepted" if sub.accepted else "rejected", county=p.county,
                        period=p.period, submission_id=stored.id if sub.accepted else None,
                        replaces=stored.replaces, rows=p.rows if sub.accepted else _empty_rows(), issues=p.issues)


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

    Workbooks are read, archived and validated by `workers` confined processes (default: the CPU
    count, at most 4) while this process stores them in name order, up to
    BATCH_FILES per transaction (each workbook still all or nothing), on one connection
    that it hands back to other processes (the dashboard) every couple of seconds.
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
    pending: list[Prepared] = []
    started = 0.0
    with ExitStack() as stack:

        def flush() -> None:
            nonlocal con, opened
            if con is not None and time.monotonic() - opened > HOLD_SECONDS:
                stack.close()  # let a waiting process (the dashboard) in between batches
                con = None
            if con is None:
                con, opened = stack.enter_context(open_db(db)), time.monotonic()
            for result in _store_prepared(con, pending, db, received_at, actor):
                batch.results.append(result)
                if progress is not None:
                    progress(len(batch.results), len(files), result)
            pending.clear()

        for item in _prepared(files, known, workers, db):
            if not pending:
                started = time.monotonic()
            pending.append(item)
            if len(pending) >= BATCH_FILES or time.monotonic() - started > BATCH_SECONDS:
                flush()
        if pending:
            flush()
    return batch


HOLD_SECONDS = 2.0  # how long a batch keeps the database before letting others in
BATCH_FILES = 32  # workbooks stored per transaction
BATCH_SECONDS = 1.0  # ... or fewer, so that progress is reported at least about every second
MIN_POOL_FILES = 8  # fewer files are read each in a confined child (a pool process needs ~1 s to start)
POOL_QUEUE = 6  # files queued per pool process: enough to keep it busy while this process stores a batch
MAX_POOL_RESTARTS = 3  # after that many dead workers the rest of the files are read one by one


def _prepared(files: list[Path], known: set[str], workers: int, db: Path) -> Iterator[Prepared]:
    """prepare_file of every file, yielded in order, read by `workers` confined pool processes.

    This process never reads a workbook itself: pool workers read under a memory limit
    (confine_worker), and any read done here (fewer than MIN_POOL_FILES files, or after a worker
    died) runs in a confined child (core.reading.sandbox). A file that kills a worker breaks the
    pool: the files that were in flight are then done here one by one, so only the culprit is
    rejected, and a new pool takes the rest. spawn, not fork: the caller may be threaded.
    """
    frozen = frozenset(known)
    workers = max(workers, 1)
    pool = _pool(workers) if len(files) >= MIN_POOL_FILES else None
    restarts = 0
    queued: dict[int, Future] = {}  # files given to the pool
    done: dict[int, Prepared] = {}  # files done here ahead of their turn (after a worker died)
    submitted = 0  # files before this index are queued or done
    try:
        for n, path in enumerate(files):
            while pool is not None and submitted < len(files) and len(queued) < POOL_QUEUE * workers:
                if submitted not in done:
                    try:
                        queued[submitted] = pool.submit(prepare_file, files[submitted], frozen, db)
                    except (BrokenProcessPool, RuntimeError):
                        break
                submitted += 1
            if n in done:
                yield done.pop(n)
                continue
            future = queued.pop(n, None)
            if future is None:
                yield prepare_file(path, frozen, db)
                continue
            try:
                yield future.result()
                continue
            except (BrokenProcessPool, OSError, RuntimeError):  # a worker died (or the file's own OSError)
                pass
            pool.shutdown(wait=True, cancel_futures=True)  # every worker gone: no file is being written
            remove_dead_writers_files(db)  # what a worker killed mid-write left in the archive
            for k in sorted([n, *queued]):  # redo the files in flight one by one: only the culprit fails
                done[k] = prepare_file(files[k], frozen, db)
            queued.clear()
            restarts += 1
            pool = _pool(workers) if restarts <= MAX_POOL_RESTARTS else None
            yield done.pop(n)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _pool(workers: int) -> ProcessPoolExecutor | None:
    try:
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=confine_worker)
    except (OSError, RuntimeError):
        return None


def confine_worker() -> None:
    """Pool initializer: a worker reads workbooks in-process under a memory limit (core.reading.sandbox).

    If a file kills it, the pool breaks and _prepared redoes the unfinished files here, each read
    in its own confined child, so only the culprit is rejected.
    """
    import core.submission.validate  # noqa: F401 - the heavy imports first: the limit counts from here
    from core.reading.sandbox import confine
    confine()


def _store_prepared(con, items: list[Prepared], db: Path, received_at: datetime | None,
                    actor: str) -> list[IngestResult]:
    """Results of a batch of prepared files, in order: unreadable, duplicates, and the rest stored at once."""
    results: list[IngestResult | None] = [None] * len(items)
    to_store: list[tuple[int, Prepared]] = []
    for n, item in enumerate(items):
        if item.error is not None:
            results[n] = _unreadable(item.name, item.error)
            continue
        if item.parsed is None:  # known when the batch started
            dup = find_by_sha(con, item.sha)
            if dup is not None:
                results[n] = _duplicate(item.name, dup)
                continue
            try:  # no longer stored (rare): do it now
                data = item.path.read_bytes()
            except OSError as exc:
                results[n] = _unreadable(item.name, exc)
                continue
            item.parsed, item.archive_path = validate_safely(data, item.name), archive_bytes(data, item.name, db)
        to_store.append((n, item))
    stored = _store_batch(con, [i for _, i in to_store], received_at, actor) if to_store else []
    for (n, _), result in zip(to_store, stored):
        results[n] = result
    return results
