"""The one place python-calamine loads sheets; it runs in a confined process (core.reading.sandbox).

Imports nothing but calamine, so the fork server that preloads it stays small.
"""
from __future__ import annotations

import io

from python_calamine import CalamineWorkbook


def load_sheets(data: bytes, names: list[str] | None) -> tuple[list[str], dict[str, list[list]]]:
    """(all sheet names in tab order, {name: cells from A1 with absolute positions} for the chosen sheets).

    names=None loads every sheet. Empty cells are '' (calamine), integers arrive as floats.
    """
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    chosen = book.sheet_names if names is None else [n for n in book.sheet_names if n in set(names)]
    return list(book.sheet_names), {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in chosen}
