"""Read, hash, archive and validate one received file: the part of ingest a pool worker does.

Kept apart from core.submission.ingest (which stores) so that a worker process imports no DuckDB and
no pandas: the fork server that starts the workers imports ~0.3 s of modules instead of ~0.7 s.
"""
from __future__ import annotations

import importlib.abc
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from core.submission.archive import archive_bytes, sha256_of
from core.submission.issues import Issue
from core.submission.parsed import ParsedSubmission


@dataclass
class Prepared:
    """A file read, hashed, archived and validated, ready to store (or unreadable, or a known duplicate)."""

    name: str
    sha: str = ""
    error: OSError | None = None  # the file could not be read
    parsed: ParsedSubmission | None = None  # None: a duplicate known when the batch started
    archive_path: str = ""
    path: Path | None = None


def prepare_file(path: Path, known: frozenset[str], db: Path) -> Prepared:
    """Read, hash, archive (beside db) and validate one file; nothing but the hash for a known duplicate.

    The archived file is not yet durable: the storing process calls sync_archive before its commit.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Prepared(path.name, error=exc, path=path)
    sha = sha256_of(data)
    if sha in known:
        return Prepared(path.name, sha, path=path)
    return Prepared(path.name, sha, parsed=validate_safely(data, path.name),
                    archive_path=archive_bytes(data, path.name, db, sha=sha, durable=False), path=path)


def validate_safely(data: bytes, name: str) -> ParsedSubmission:
    """Run the validator (tables as Arrow, what the store loads); a crash inside it becomes an error issue."""
    try:
        from core.submission.validate import validate_workbook
        parsed = validate_workbook(data, name, arrow=True)
    except Exception as exc:  # noqa: BLE001 - a validator bug must not lose the file
        return ParsedSubmission(file_name=name, issues=[Issue(
            severity="error",
            message=f"读取文件时发生内部错误({type(exc).__name__}: {exc}),请将此文件发给管理员")])
    if parsed.ok and (parsed.county is None or parsed.period is None):
        parsed.issues.append(Issue(severity="error", message="无法确定该工作簿的县区或报送月份"))
    return parsed


def keep_pandas_out() -> None:
    """Make `import pandas` fail in this process, unless it is already imported.

    A worker builds Arrow tables only, but pyarrow imports pandas, if it can, the first time
    pa.array is called (to check whether a list is a pandas object): ~0.25 s and ~40 MB in every
    worker, on its first workbook. Without pandas pyarrow builds the same arrays.
    """
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _NoPandas())


class _NoPandas(importlib.abc.MetaPathFinder):
    """An import finder that refuses pandas (not None in sys.modules: Cython's import would return that None)."""

    def find_spec(self, name, path, target=None):
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError("an ingest worker builds Arrow tables without pandas", name=name)
        return None


def confine_worker(environ: dict[str, str] | None = None) -> None:
    """Pool initializer: a worker reads workbooks in-process under a memory limit (core.reading.sandbox).

    It lives here, not in core.submission.ingest, so that a worker imports neither DuckDB nor pandas.

    If a file kills it, the pool breaks and _prepared redoes the unfinished files here, each read
    in its own confined child, so only the culprit is rejected. `environ` is the pool owner's
    environment now (a fork server keeps the one it started with; PILOT_TODAY and the like may have
    changed since).
    """
    if environ is not None:
        os.environ.clear()
        os.environ.update(environ)
    keep_pandas_out()
    import core.submission.validate  # noqa: F401 - the heavy imports first: the limit counts from here
    from core.reading.sandbox import confine
    confine()
