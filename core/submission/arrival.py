"""The order in which files sent together are stored: a correction after the workbook it corrects.

Within one upload or one folder every file gets the same time of receipt, so for two workbooks of
the same county and month the one stored last is in force. Name order alone would store
「云岭县_2026-09(更正).xlsx」 before 「云岭县_2026-09.xlsx」 ('(' sorts before '.') and put the
original back in force over its correction. So files are ordered by their name with the marks of a
later version taken out, then by that mark: none, a correction word (更正, 修改 …, anywhere in the
name), a version number (v2, 第2版) or a browser's duplicate-download number ((1), (2)).
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

CORRECTION_WORDS = ("重新报送", "更正", "修正", "修改", "修订", "更新", "补报", "重报", "最终", "终版", "定稿", "新版")
_WORD = re.compile(r"[\s_\-—]*[\[【(]?(?:" + "|".join(CORRECTION_WORDS) + r")[版稿后]?[\]】)]?[\s_\-—]*")
_NUMBER = re.compile(r"[\s_\-—]*(?:\((\d{1,3})\)|[vV](\d{1,3})|第(\d{1,3})版)[\s_\-—]*$")


def arrival_key(name: str) -> tuple[str, int, int, str]:
    """Sort key of a file name: (name without version marks, has a correction word, version number, name)."""
    stem = unicodedata.normalize("NFKC", PurePath(name).stem)  # full-width brackets and digits folded
    version = 0
    found = _NUMBER.search(stem)
    if found:
        version = int(next(g for g in found.groups() if g is not None))
        stem = stem[:found.start()]
    base, words = _WORD.subn("", stem)
    return base, int(words > 0), version, name
