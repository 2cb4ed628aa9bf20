"""Which sheet of a county workbook is which data sheet, by name.

A sheet is the 学校名册 when its folded name is 学校名册 or an alias (exact), or when it is once the
decorations clerks add are removed (`SHEET_NAME_DECORATIONS`: `学校名册 (2)`, `表1 学校名册`, `体育(10月)`,
`优质学校情况`). An exact name wins over decorated ones (the others are ignored, with a warning); one
decorated name is read as the sheet, with a warning saying so; two decorated names and no exact one
refuse the workbook, naming both. A sheet matching nothing is ignored with a warning, which names the
sheet it resembles when its name contains a sheet's name that was not found.
"""
from __future__ import annotations

import re
from functools import lru_cache

from core.reading.cells import fold
from core.reading.workbook import RawSheet, RawWorkbook
from core.submission.issues import Issue
from core.submission.messages import rule_issue
from core.submission.schema import INSTRUCTIONS_SHEET, SHEET_NAME_DECORATIONS, SHEETS, Sheet

_DECORATIONS = tuple(re.compile(p) for p in SHEET_NAME_DECORATIONS)


def bare_name(name: str) -> str:
    """The folded name without the decorations clerks add ('表1 学校名册 (2)' -> '学校名册'); never empty."""
    text = fold(name)
    changed = True
    while changed:
        changed = False
        for pattern in _DECORATIONS:
            shorter = pattern.sub("", text, count=1)
            if shorter != text and shorter:
                text, changed = shorter, True
    return text


@lru_cache(maxsize=1)
def _names() -> tuple[dict[str, str], dict[str, str]]:
    """(folded exact name -> sheet key, bare name -> sheet key) over every sheet's name and aliases."""
    exact, bare = {}, {}
    for key, spec in SHEETS.items():
        for n in (spec.name, *spec.aliases):
            exact.setdefault(fold(n), key)
            bare.setdefault(bare_name(n), key)
    return exact, bare


def sheet_key(name: str) -> tuple[str | None, bool]:
    """(key of the data sheet this name stands for or None, whether the name is exact)."""
    exact, bare = _names()
    if fold(name) in exact:
        return exact[fold(name)], True
    return bare.get(bare_name(name)), False


def is_known_sheet(name: str) -> bool:
    """True for the sheets the validator reads (data sheets, decorated names too, and 填报说明); others are not loaded."""
    return fold(name) == fold(INSTRUCTIONS_SHEET) or sheet_key(name)[0] is not None


def find_sheets(book: RawWorkbook) -> tuple[dict[str, RawSheet], RawSheet | None, list[Issue]]:
    """Data sheets by key and the 填报说明 sheet; issues for missing, renamed, doubled and extra sheets."""
    exact_order = {fold(n): k for spec in SHEETS.values() for k, n in enumerate((spec.name, *spec.aliases))}
    candidates: dict[str, tuple[list[RawSheet], list[RawSheet]]] = {key: ([], []) for key in SHEETS}
    for s in book.sheets:
        key, exact = sheet_key(s.name)
        if key is not None and (exact or s.has_content):  # a blank copy is no candidate
            candidates[key][0 if exact else 1].append(s)
    found: dict[str, RawSheet] = {}
    issues: list[Issue] = []
    for key, spec in SHEETS.items():
        exact, decorated = candidates[key]
        exact.sort(key=lambda s: exact_order[fold(s.name)])  # the sheet's own name before its aliases
        if exact:
            found[key] = exact[0]
            issues += [rule_issue("sheet_copy_ignored", "warning", sheet=s.name.strip(), used=exact[0].name.strip(),
                                  wanted=spec.name) for s in exact[1:] + decorated]
        elif len(decorated) == 1:
            found[key] = decorated[0]
            issues.append(rule_issue("sheet_renamed", "warning", sheet=decorated[0].name.strip(), wanted=spec.name))
        elif decorated:
            names = "、".join(f"「{s.name.strip()}」" for s in decorated)
            issues.append(rule_issue("sheet_ambiguous", sheet=decorated[0].name.strip(), names=names,
                                     wanted=spec.name))
        elif spec.required:
            issues.append(rule_issue("missing_sheet", sheet=spec.name, found="、".join(book.names) or "无"))
    instructions = next((s for s in book.sheets if fold(s.name) == fold(INSTRUCTIONS_SHEET)), None)
    claimed = {id(s) for key in SHEETS for group in candidates[key] for s in group} | {id(instructions)}
    for s in book.sheets:
        if id(s) not in claimed and s.has_content:
            issues.append(_extra_sheet(s.name, [spec for key, spec in SHEETS.items() if key not in found]))
    return found, instructions, issues


def _extra_sheet(name: str, not_found: list[Sheet]) -> Issue:
    """The warning for a sheet that is not read: which sheet it resembles, when it contains a missing one's name."""
    folded = fold(name)
    resembles = [(len(fold(n)), spec.name) for spec in not_found for n in (spec.name, *spec.aliases)
                 if fold(n) in folded]
    if resembles:
        return rule_issue("sheet_looks_like", "warning", sheet=name.strip(), wanted=max(resembles)[1])
    return rule_issue("extra_sheet", "warning", sheet=name)
