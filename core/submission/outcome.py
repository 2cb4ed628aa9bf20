"""What the sender of a workbook is told: one result per file (the app's result box, the CLI's line and JSON)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from core.submission.issues import Issue
from core.submission.parsed import SHEET_NAMES

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


def empty_rows() -> dict[str, int]:
    return {name: 0 for name in SHEET_NAMES.values()}


def unreadable(name: str, exc: OSError) -> IngestResult:
    """A file that could not even be read from disk."""
    return IngestResult(file=name, status="rejected", rows=empty_rows(), issues=[Issue(
        severity="error", message=f"无法读取文件:{exc.strerror or exc}")])


def refused(name: str, county: str | None, period: str | None, reason: str) -> IngestResult:
    """A workbook this account may not send (nothing stored; the refusal is audited)."""
    return IngestResult(file=name, status="rejected", county=county, period=period, rows=empty_rows(),
                        issues=[Issue(severity="error", message=reason)])


def duplicate(name: str, dup: dict) -> IngestResult:
    """The identical file (same SHA-256) is already stored: `dup` is store.find_by_sha's row."""
    when = dup["ingested_at"].strftime("%Y-%m-%d %H:%M")
    label = STATUS_LABELS[dup["status"]]
    msg = (f"该文件与第{dup['id']}号报送(文件「{dup['file_name']}」,{when}载入,{label})完全相同,"
           f"未重复保存")
    return IngestResult(file=name, status="duplicate", county=dup["county"], period=dup["period"],
                        submission_id=dup["id"], rows=empty_rows(),
                        issues=[Issue(severity="warning", message=msg)])
