"""Load county workbooks from files and folders (the CLI): read and validate in worker processes, store
each batch through the upload gate (core.submission.gate), each workbook whole or not at all."""
from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from pydantic import BaseModel

from core.db import open_db, threads
from core.paths import default_db_path
from core.submission.arrival import arrival_key
from core.submission.archive import archive_bytes, remove_dead_writers_files, sync_archive
from core.submission.gate import admit, command_line, receive
from core.submission.outcome import STATUS_LABELS, IngestResult, duplicate, unreadable
from core.submission.prepare import Prepared, confine_worker, prepare_file, validate_safely
from core.submission.store import find_by_sha

__all__ = ["STATUS_LABELS", "WORKBOOK_SUFFIXES", "IngestBatch", "IngestResult", "SkippedFile", "collect_files",
           "ingest_file", "ingest_paths"]
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


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


def ingest_file(source: Path | str | bytes, *, file_name: str | None = None, db_path: Path | str | None = None,
                received_at: datetime | None = None, actor: str = "cli") -> IngestResult:
    """Ingest one workbook (a path or its bytes) through the upload gate; never raises for bad input.

    Raises core.db.DatabaseBusy when another process holds the database.
    """
    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), file_name or "未命名文件.xlsx"
    else:
        path = Path(source)
        name = file_name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            return unreadable(name, exc)
    return receive(data, name, command_line(actor), db_path=db_path, received_at=received_at)


def collect_files(paths: list[Path | str]) -> tuple[list[Path], list[SkippedFile], list[str]]:
    """Expand files and folders (recursively) into workbooks, skipped files, missing paths.

    Workbooks come in name order by folder, a correction right after the workbook it corrects
    (core.submission.arrival): the one stored last is in force."""
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
    files.sort(key=lambda p: (p.parent.as_posix(), arrival_key(p.name)))
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
    pooled = len(files) >= MIN_POOL_FILES
    if pooled:
        _start_fork_server()  # it imports the validator while this process opens the database
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
                if pooled:  # the workers hold the cores: DuckDB's own threads would only contend with them
                    stack.enter_context(threads(con, 1))
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
    rejected, and a new pool takes the rest. Workers come from a fork server (not fork: the
    caller may be threaded) that imports the validator once, so a second worker costs no second import.
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


def _start_fork_server() -> None:
    """Start the pool's fork server now (it imports the validator once, then forks each worker)."""
    try:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["core.submission.validate"])
        from multiprocessing import forkserver
        forkserver.ensure_running()
    except (OSError, RuntimeError, ValueError):
        pass  # _pool tries again, or the files are read one by one


def _pool(workers: int) -> ProcessPoolExecutor | None:
    try:
        _start_fork_server()
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                                   initializer=confine_worker, initargs=(dict(os.environ),))
    except (OSError, RuntimeError, ValueError):
        return None


def _store_prepared(con, items: list[Prepared], db: Path, received_at: datetime | None,
                    actor: str) -> list[IngestResult]:
    """Results of a batch of prepared files, in order: unreadable, duplicates, and the rest stored at once."""
    results: list[IngestResult | None] = [None] * len(items)
    to_store: list[tuple[int, Prepared]] = []
    for n, item in enumerate(items):
        if item.error is not None:
            results[n] = unreadable(item.name, item.error)
            continue
        if item.parsed is None:  # known when the batch started
            dup = find_by_sha(con, item.sha)
            if dup is not None:
                results[n] = duplicate(item.name, dup)
                continue
            try:  # no longer stored (rare): do it now
                data = item.path.read_bytes()
            except OSError as exc:
                results[n] = unreadable(item.name, exc)
                continue
            item.parsed = validate_safely(data, item.name)
            item.archive_path = archive_bytes(data, item.name, db, sha=item.sha)
        to_store.append((n, item))
    if to_store:
        sync_archive(db)  # the workers' archive files, durable before a row names them: one sync per batch
    stored = admit(con, [i for _, i in to_store], received_at, actor) if to_store else []
    for (n, _), result in zip(to_store, stored):
        results[n] = result
    return results
