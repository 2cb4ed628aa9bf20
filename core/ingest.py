"""Load county workbooks: hash, detect duplicates, archive, validate, store atomically."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable, Literal

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
    received = received_at or datetime.now().replace(microsecond=0)
    sha = sha256_of(data)

    if known_sha is None or sha in known_sha:  # a batch skips this open for files it knows are new
        with open_db(db) as con:
            dup = find_by_sha(con, sha)
        if dup is not None:
            return _duplicate(name, dup)

    rel = archive_bytes(data, name, db)
    parsed = _validate(data, name)
    # Check and store under the write lock: two sessions sending the same file at once store it once.
    with open_db(db) as con, WRITE_LOCK:
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
                 progress: Callable[[int, int, IngestResult], None] | None = None) -> IngestBatch:
    """Ingest every workbook under the given files/folders; progress(i, n, result) after each."""
    files, skipped, missing = collect_files(paths)
    skipped += [SkippedFile(file=m, reason="路径不存在或无法读取") for m in missing]
    batch = IngestBatch(skipped=skipped)
    if not files:
        return batch
    with open_db(db_path) as con:  # one look-up of known hashes saves an open per new file
        known = {r[0] for r in con.execute("SELECT DISTINCT sha256 FROM submission").fetchall()}
    for n, path in enumerate(files, start=1):
        result = ingest_file(path, db_path=db_path, received_at=received_at, actor=actor, known_sha=known)
        batch.results.append(result)
        if progress is not None:
            progress(n, len(files), result)
    return batch
