"""Column-wise cell checks: a whole column of a sheet at once, per-cell Python only where that fails.

A cell is *clean* when its row-model value is known without pydantic: it is blank in a column that
may be blank, or normalising it (core.reading.cells) gives a value the row model's field accepts
unchanged (a finite float within the field's bounds, a whole number for an int field, a 10-digit
code, text of at most TEXT_MAX characters, a listed choice, yes/no). `column_values` checks a column with C-level passes (types,
min/max, string methods mapped over the column) and falls back to checking cell by cell only when
such a pass fails; the cells it cannot vouch for are returned as `bad`, and the validator gives
their rows to the exact path (normalise + pydantic), which words the messages.
"""
from __future__ import annotations

import math
import operator
import re
from functools import lru_cache
from itertools import compress, repeat
from typing import Callable

from core.reading.cells import normaliser
from core.submission.schema import CODE_PATTERN, TEXT_MAX, Col, Row

_BAD = object()  # a cell that is not clean
_UNSEEN = object()
_CODE = re.compile(CODE_PATTERN, re.ASCII)  # ASCII digits only: what pydantic's pattern accepts, and less


@lru_cache(maxsize=None)
def bounds(model: type[Row]) -> dict[str, tuple[float | None, float | None]]:
    """Field -> (ge, le) of the row model's constraints (None: unbounded)."""
    out = {}
    for name, field in model.model_fields.items():
        ge = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
        le = next((m.le for m in field.metadata if hasattr(m, "le")), None)
        out[name] = (ge, le)
    return out


def _within(x: float, ge: float | None, le: float | None) -> bool:
    return (ge is None or x >= ge) and (le is None or x <= le)


@lru_cache(maxsize=None)
def _accepts(c: Col, ge: float | None, le: float | None) -> Callable[[object], bool]:
    """Whether the row model's field takes a normalised value as it is (None is handled by the caller)."""
    kind = c.kind
    if kind == "num":
        return lambda x: type(x) is float and math.isfinite(x) and _within(x, ge, le)
    if kind == "int":
        return lambda x: type(x) is int and _within(x, ge, le)
    if kind == "code":
        return lambda x: type(x) is str and _CODE.fullmatch(x) is not None
    if kind == "enum":
        choices = frozenset(c.enum)
        return lambda x: type(x) is str and x in choices
    if kind == "bool":
        return lambda x: type(x) is bool
    return lambda x: type(x) is str and len(x) <= TEXT_MAX


def column_values(col: list, c: Col, model: type[Row]) -> tuple[list, list[int]]:
    """(value of each cell, None for blanks; indexes of the cells that are not clean) of one column.

    A blank cell is '' or whitespace or None; in a required column it is not clean (the row model
    reports it missing). Text holding '#' is never clean (it may be an Excel error value).
    """
    ge, le = bounds(model)[c.name]
    vals = _bulk(col, c, ge, le)
    if vals is not None:
        return vals, []
    return _cell_by_cell(col, c, ge, le)


def _bulk(col: list, c: Col, ge, le) -> list | None:
    """The column's values from C-level passes when every cell is clean and of the usual type, else None."""
    kind, n = c.kind, len(col)
    blanks = col.count("")
    if blanks and c.required:
        return None
    types = set(map(type, col))
    if kind in ("num", "int"):
        if types == {float}:
            nums = col
        elif types == {float, str} and blanks:
            nums = list(compress(col, map(isinstance, col, repeat(float))))
            if len(nums) + blanks != n:
                return _mixed(col, c, ge, le)  # numbers written as text too
        else:
            return _mixed(col, c, ge, le) if types == {float, str} or types == {str} else None
        if nums and not _numbers_clean(nums, kind, ge, le):
            return None
        if kind == "int":
            return [None if v == "" else int(v) for v in col] if blanks else list(map(int, col))
        return list(map(_BLANK_NONE.get, col, col))  # '' -> None, a number stays
    if kind == "bool":  # a few distinct words: each checked once
        words = _words(c, set(col), ge, le) if types == {str} else None
        return None if words is None else list(map(words.__getitem__, col))
    if blanks or types != {str}:
        return _mixed(col, c, ge, le) if kind == "code" and types == {float, str} else None
    if kind == "code":
        return list(col) if all(map(str.isascii, col)) and all(map(str.isdigit, col)) \
            and set(map(len, col)) == {10} else _mixed(col, c, ge, le)
    if kind == "enum":
        choice = _choices(c)
        return list(map(choice.__getitem__, col)) if set(col) <= choice.keys() else None
    if kind == "text":
        joined = "".join(col)
        if any(map(str.isspace, col)) or "#" in joined or "\n" in joined or "\r" in joined:
            return None  # blanks, Excel errors and line breaks (Alt+Enter) are the exact path's
        texts = list(map(str.strip, col))
        return texts if max(map(len, texts), default=0) <= TEXT_MAX else None
    return None


def _numbers_clean(nums: list[float], kind: str, ge, le) -> bool:
    """Floats the row model takes as they are: finite, within the bounds, whole for an int column."""
    total = sum(nums)
    if not math.isfinite(total) or not _within(min(nums), ge, le) or not _within(max(nums), ge, le):
        return False
    return kind != "int" or all(map(float.is_integer, nums))


def _words(c: Col, distinct: set[str], ge, le) -> dict[str, object] | None:
    """Each distinct text of a column -> its clean value (None for a blank ''); None when one is not clean."""
    norm, accepts = normaliser(c), _accepts(c, ge, le)
    words = {}
    for word in distinct:
        if not word:
            words[word] = None  # a blank: _bulk has returned already if the column is required
            continue
        if word.isspace() or "#" in word:
            return None
        value = norm(word)
        if not accepts(value):
            return None
        words[word] = value
    return words


def _mixed(col: list, c: Col, ge, le) -> list | None:
    """A number or code column holding floats and text (numbers typed as text, '45分钟', codes as numbers):
    each distinct text normalised once, the floats checked together; None when some cell is not clean."""
    is_text = list(map(isinstance, col, repeat(str)))
    words = _words(c, set(compress(col, is_text)), ge, le)
    if words is None:
        return None
    floats = list(compress(col, map(operator.not_, is_text)))
    if c.kind == "code":
        norm, accepts = normaliser(c), _accepts(c, ge, le)
        codes = {v: norm(v) for v in floats}
        if not all(map(accepts, codes.values())):
            return None
        words.update(codes)
        return list(map(words.__getitem__, col))
    if floats and not _numbers_clean(floats, c.kind, ge, le):
        return None
    if c.kind == "int":
        return [words[v] if t else int(v) for v, t in zip(col, is_text)]
    return list(map(words.get, col, col))  # text -> its value, a float stays


_BLANK_NONE = {"": None}


@lru_cache(maxsize=None)
def _choices(c: Col) -> dict[str, str]:
    """Each listed choice, and each synonym as written in the schema, -> its normalised value (the choice)."""
    norm = normaliser(c)
    return {word: norm(word) for word in (*c.enum, *(w for w, _ in c.synonyms))}


def _cell_by_cell(col: list, c: Col, ge, le) -> tuple[list, list[int]]:
    norm, accepts = normaliser(c), _accepts(c, ge, le)
    vals: list = []
    bad: list[int] = []
    seen: dict = {}  # cell -> value for repeated cells (yes/no words, choices)
    for i, v in enumerate(col):
        kind = type(v)
        if v is None or kind is str and (not v or v.isspace()):
            vals.append(None)
            if c.required:
                bad.append(i)
            continue
        if kind is str and "#" in v:
            vals.append(_BAD)
            bad.append(i)
            continue
        x = seen.get(v, _UNSEEN) if kind is str else _UNSEEN
        if x is _UNSEEN:
            x = norm(v)
            x = x if accepts(x) else _BAD
            if kind is str:
                seen[v] = x
        vals.append(x)
        if x is _BAD:
            bad.append(i)
    return vals, bad
