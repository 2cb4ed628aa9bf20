"""The 县区 and 报送月份 labels of the 填报说明 sheet, as clerks lay them out.

Accepted layouts (docs/submission-format.md): the label in a cell and its value in the next
non-blank cell to the right (the template); labels in one row and values in the row below
(the value is looked for below when the cell to the right is itself a label, or there is none);
`报送月份:2026年10月` typed in one cell (half- or full-width colon). A label may carry a mark
or a hint: `*县区`, `县区名称`, `报送月份(YYYY-MM)`, `报送月份:`.
"""
from __future__ import annotations

import re

from core.reading.cells import fold, is_blank
from core.submission.schema import INSTRUCTION_LABELS

# Folded word -> the label it stands for.
_WORDS = {fold(word): label for label, words in INSTRUCTION_LABELS.items() for word in (label, *words)}
_MARKS = "*★※"
_HINT = re.compile(r"\([^()]*\)$")  # a trailing (YYYY-MM), (必填), (如2026-10)
# A `label:value` cell whose value part reads like an instruction (报送月份:填写本表所属月份,如2026-10) is text,
# not a value.
_INSTRUCTION_TEXT = re.compile(r"填写|请|例如|格式|如\s*\d|[,，。;；]")
INLINE_VALUE_MAX = 20  # characters: 白石县, 2026年10月; a longer text after a colon is a sentence
BELOW_ROWS = 3  # the value of a label in a row of labels is within the next rows


def label_of(cell: object) -> str | None:
    """The label (COUNTY_LABEL or PERIOD_LABEL) a cell holding only a label stands for; None otherwise."""
    if not isinstance(cell, str):
        return None
    text = fold(cell).strip(_MARKS).rstrip(":").strip(_MARKS)
    return _WORDS.get(text) or _WORDS.get(_HINT.sub("", text).strip(_MARKS))


def inline_label(cell: object) -> tuple[str, str] | None:
    """(label, value) for a cell typed `label:value` (half- or full-width colon); None otherwise."""
    if not isinstance(cell, str):
        return None
    text = cell.replace("：", ":")
    start = 0
    while (k := text.find(":", start)) >= 0:  # the label part may hold a colon of its own: 报送月份(格式:YYYY-MM):
        label, value = label_of(text[:k]), text[k + 1:].strip()
        if label is not None:
            if not value or len(value) > INLINE_VALUE_MAX or _INSTRUCTION_TEXT.search(value):
                return None
            return label, value
        start = k + 1
    return None


def _is_label(cell: object) -> bool:
    return label_of(cell) is not None or inline_label(cell) is not None


def instruction_labels(rows: list[list]) -> dict[str, tuple[int, object]]:
    """Folded label -> (Excel row of the value, value) for the 填报说明 labels; the first one of each wins."""
    out: dict[str, tuple[int, object]] = {}
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            label = label_of(cell)
            if label is not None:
                found = _value_of(rows, i, j)
            elif (inline := inline_label(cell)) is not None:
                label, found = inline[0], (i + 1, inline[1])
            else:
                continue
            if found is not None and fold(label) not in out:
                out[fold(label)] = found
    return out


def _value_of(rows: list[list], i: int, j: int) -> tuple[int, object] | None:
    """(Excel row, value) of the label at rows[i][j]: the next non-blank cell to the right unless that is a
    label, else the first non-blank cell below it unless that is a label."""
    right = next((v for v in rows[i][j + 1:] if not is_blank(v)), None)
    if right is not None and not _is_label(right):
        return i + 1, right
    for r in range(i + 1, min(i + 1 + BELOW_ROWS, len(rows))):
        below = rows[r][j] if j < len(rows[r]) else None
        if not is_blank(below):
            return None if _is_label(below) else (r + 1, below)
    return None
