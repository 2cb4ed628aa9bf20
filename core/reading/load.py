"""The one place python-calamine loads sheets; it runs in a confined process (core.reading.sandbox).

Imports nothing but calamine, so the fork server that preloads it stays small.
"""
from __future__ import annotations

import hashlib
import io
import os

from python_calamine import CalamineWorkbook

ABORT_ENV = "PILOT_TEST_ABORT_SHA256"  # tests only: the reading process aborts on this file (a real crash)


def abort_marker() -> str | None:
    """The file hash on which load_sheets aborts (set by the isolation tests), read where the read is asked for."""
    return os.environ.get(ABORT_ENV) or None


def load_sheets(data: bytes, names: list[str] | None, abort_sha: str | None = None
                ) -> tuple[list[str], dict[str, list[list]]]:
    """(all sheet names in tab order, {name: cells from A1 with absolute positions} for the chosen sheets).

    names=None loads every sheet. Empty cells are '' (calamine), integers arrive as floats.
    """
    if abort_sha and hashlib.sha256(data).hexdigest() == abort_sha:
        os.abort()
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    chosen = book.sheet_names if names is None else [n for n in book.sheet_names if n in set(names)]
    return list(book.sheet_names), {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in chosen}
