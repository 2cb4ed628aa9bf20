"""Cell normalisation: numbers sent as text, full-width digits, unit words, yes/no words, codes.

Each function is cheap and never raises. A value that cannot be normalised is returned
as its trimmed text so that the row model rejects it with the matching pydantic error
type (float_parsing, int_from_float, bool_parsing, literal_error, string_pattern_mismatch).
"""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Callable

from core.submission.schema import CODE_PATTERN, Col

EXCEL_ERRORS = frozenset({"#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!",
                          "#GETTING_DATA", "#SPILL!", "#CALC!"})
# Yes/no words (folded). The phrases clerks write for a yes/no question (probe N16) are unambiguous too.
YES_PHRASES = ("已布置", "已建立", "已公示", "已建成", "已成立")
NO_PHRASES = ("不布置", "未布置", "未建立", "未公示", "未建成", "未成立")
# A remark after 是 that begins with a negation says "not" (是(未建成), 是(尚未验收)): the cell is not read as 是.
NEGATIONS = ("未", "不", "没", "无", "非", "尚未", "暂未", "还未", "尚无", "暂无", "还没")
TRUE_WORDS = frozenset({"是", "有", "y", "yes", "√", "✓", "✔", "1", "true", "t", "对", *YES_PHRASES})
FALSE_WORDS = frozenset({"否", "无", "没有", "n", "no", "×", "✗", "✘", "x", "0", "false", "f", *NO_PHRASES})

DATE_TYPES = (datetime, date, time, timedelta)  # what the reader gives for a cell formatted as a date or time
WHOLE_TOLERANCE = 1e-9  # a float this close to a whole number is formula noise (1965.9999999999998) in a count

_SPACES = re.compile(r"\s+")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_BRACKETS = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")"})
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_CODE = re.compile(CODE_PATTERN)
_SEPARATED = re.compile(r"\d+(?:-\d+)+")
_REMARKED = re.compile(r"([^()]+)\(([^()]*)\)")  # 是(已公示): a yes/no word with a remark (folded text)
REMARKED_MAX = 40  # characters: a longer cell is no yes/no word with a remark (and the pattern stays linear)


def fold(text: object) -> str:
    """Text folded for comparing names: NFKC (full-width), no whitespace, one bracket style, lower case."""
    try:
        return _fold(text)  # cached: the same few words (小学, 城区, 是…) fill most cells
    except TypeError:  # unhashable
        return _fold.__wrapped__(text)


@lru_cache(maxsize=8192, typed=True)
def _fold(text: object) -> str:
    s = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    return _SPACES.sub("", s).lower()


# What clerks write in a number cell that does not apply to the school or was not measured this
# month (probe N2). Where a blank is allowed such a mark is read as blank, with a warning; where the
# cell must be filled it is an error saying so. Number and yes/no columns (in a yes/no column 无 is "no").
NA_MARKS: tuple[str, ...] = ("/", "／", "—", "——", "-", "–", "无", "不适用", "未测")
_NA_FOLDED = frozenset(_fold(m) for m in NA_MARKS)  # '／' folds to '/', '－' to '-'


def is_na_mark(value: object, kind: str) -> bool:
    """True for a not-applicable mark (NA_MARKS, folded: ' / ', '／'…) in a column of `kind`: a number
    column, or a yes/no column where the mark is not a word for no (无 there is 否)."""
    if not isinstance(value, str) or kind not in ("num", "int", "bool"):
        return False
    key = fold(value)
    return key in _NA_FOLDED and not (kind == "bool" and key in FALSE_WORDS)


def is_blank(value: object) -> bool:
    """True for an empty cell ('' or only spaces, or None)."""
    return value is None or (isinstance(value, str) and not value.strip())


def display(value: object) -> str:
    """The value as the officer would read it in the cell (45.0 -> '45')."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip() if isinstance(value, str) else str(value)


def excel_error(value: object) -> str | None:
    """The Excel error literal when the cell holds one (as text, e.g. from .ods), else None."""
    if isinstance(value, str) and "#" in value and value.strip().upper() in EXCEL_ERRORS:
        return value.strip().upper()
    return None


def to_number(value: object, units: tuple[str, ...] = ()) -> object:
    """'45分钟', '４５', '1,234', ' 60 ' -> float; other text is returned trimmed (rejected later)."""
    if isinstance(value, bool):
        return display(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, DATE_TYPES):
        return str(value)
    raw = str(value).strip()
    s = _SPACES.sub("", unicodedata.normalize("NFKC", raw)).replace(",", "")
    for unit in units:
        if s.endswith(unit):
            s = s[: -len(unit)]
            break
    if _NUMBER.fullmatch(s):
        return float(s)
    return raw


def to_int(value: object, units: tuple[str, ...] = ()) -> object:
    """Like to_number, but a whole float becomes int (3.5 stays float and is rejected as not whole).

    A float within WHOLE_TOLERANCE of a whole number (a formula's rounding noise) is that number.
    """
    v = to_number(value, units)
    if isinstance(v, float):
        if v.is_integer():
            return int(v)
        if math.isfinite(v) and abs(v - round(v)) <= WHOLE_TOLERANCE:
            return int(round(v))
    return v


def date_word(value: object) -> str | None:
    """'日期' or '时间' when the cell holds a date or time (its number format), else None."""
    if isinstance(value, (time, timedelta)):
        return "时间"
    return "日期" if isinstance(value, (datetime, date)) else None


def to_bool(value: object) -> object:
    """是/否, 有/无, Y/N, √/×, 1/0, TRUE/FALSE -> bool; anything else returned as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    key = fold(value)
    remarked = _REMARKED.fullmatch(key) if key.endswith(")") and len(key) <= REMARKED_MAX else None
    if remarked:  # 是(已公示), 否(本月未布置): the word, unless the remark says the opposite (是(未公示))
        key, remark = remarked.groups()
        if (key in TRUE_WORDS and (remark in FALSE_WORDS or remark.startswith(NEGATIONS))) or (
                key in FALSE_WORDS and remark in TRUE_WORDS):
            key = ""
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    return display(value) + "\u200b"  # never a word pydantic's lax bool parser accepts


def to_code(value: object) -> object:
    """School code from 2110000001.0, '2110000001', "'2110000001", '2110000001.0' -> '2110000001'."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, int):
        return str(value)
    s = _SPACES.sub("", unicodedata.normalize("NFKC", str(value))).lstrip("'‘’`")
    if s.endswith(".0") and s[:-2].isdigit():
        s = s[:-2]
    if "-" in s and _SEPARATED.fullmatch(s) and _CODE.fullmatch(s.replace("-", "")):  # 2111-000001: typed for reading
        s = s.replace("-", "")
    return s


def to_text(value: object) -> str:
    """Trimmed text; a whole number typed into a text cell loses its '.0'; a line break typed into the
    cell (Alt+Enter, to wrap a long name) is not part of the name."""
    text = display(value)
    return _LINE_BREAKS.sub("", text) if "\n" in text or "\r" in text else text


def to_enum(value: object, choices: tuple[str, ...], synonyms: tuple[tuple[str, str], ...] = ()) -> str:
    """The listed choice that the cell, or a synonym of it (schema Col.synonyms), matches after folding;
    else the trimmed text (rejected later)."""
    return _folded_choices(choices, synonyms).get(fold(value)) or display(value)


@lru_cache(maxsize=None)
def _folded_choices(choices: tuple[str, ...], synonyms: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:
    """Folded choice -> the first listed choice with that folding; folded synonym -> its choice."""
    out: dict[str, str] = {}
    for choice in choices:
        out.setdefault(fold(choice), choice)
    for word, choice in synonyms:
        out.setdefault(fold(word), choice)
    return out


def normalise(value: object, column: Col) -> object:
    """The cell value ready for the row model (blank cells are handled by the caller)."""
    kind = column.kind
    if kind == "num":
        return to_number(value, column.units)
    if kind == "int":
        return to_int(value, column.units)
    if kind == "bool":
        return to_bool(value)
    if kind == "code":
        return to_code(value)
    if kind == "enum":
        return to_enum(value, column.enum, column.synonyms)
    return to_text(value)


def normaliser(column: Col) -> Callable[[object], object]:
    """`normalise(value, column)` as one function per column, with fast paths for the commonest cells.

    Returns exactly what normalise returns (tests/test_validate_fast.py compares them on a
    table of cells): a float in a number column is kept, a whole float in an int column
    becomes int, a 10-digit ASCII code is already clean, text is only trimmed.
    """
    return _normaliser(column)


@lru_cache(maxsize=None)
def _normaliser(column: Col) -> Callable[[object], object]:
    kind, units = column.kind, column.units
    if kind == "num":
        return lambda v: v if type(v) is float else to_number(v, units)
    if kind == "int":
        return lambda v: int(v) if type(v) is float and v.is_integer() else to_int(v, units)
    if kind == "code":
        def code(v: object) -> object:
            if type(v) is str and v.isascii() and v.isdigit():
                return v
            if type(v) is float and v.is_integer():
                return str(int(v))
            return to_code(v)
        return code
    if kind == "enum":
        choices, synonyms = column.enum, column.synonyms
        exact = {c: to_enum(c, choices, synonyms) for c in choices}  # a cell written exactly as listed

        def enum(v: object) -> object:
            if type(v) is str and v in exact:
                return exact[v]
            return to_enum(v, choices, synonyms)
        return enum
    if kind == "bool":
        return to_bool
    return lambda v: v.strip() if type(v) is str and "\n" not in v and "\r" not in v else to_text(v)
