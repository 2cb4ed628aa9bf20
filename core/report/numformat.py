"""Number formatting rules of the monthly report, in one place.

Values are rounded for display only here, the same way as the charts' labels
(core.present.palette.format_value: Python's fixed-point formatting, 1 decimal for %, 3 for 系数).
Changes and distances are computed from the *displayed* (rounded) values, so that the
sentences add up for a reader (96.2% + 3.8 个百分点 = 100%) and match last month's report.
"""
from __future__ import annotations

import math

# Decimals shown per unit; a unit not listed gets DEFAULT_DECIMALS.
DECIMALS: dict[str, int] = {"%": 1, "所": 0, "分钟": 1, "系数": 3}
DEFAULT_DECIMALS = 1
# Unit word written after a change of this unit ("个百分点" for rates).
CHANGE_UNIT: dict[str, str] = {"%": "个百分点", "系数": ""}
# Verbs for a rise / fall, per unit (rates 提高/下降, counts 增加/减少).
CHANGE_WORDS: dict[str, tuple[str, str]] = {
    "%": ("提高", "下降"), "所": ("增加", "减少"), "分钟": ("增加", "减少"), "系数": ("上升", "下降"),
}
DEFAULT_CHANGE_WORDS = ("提高", "下降")
# Units whose county values are sums (not comparable with the zone's total).
EXTENSIVE_UNITS = frozenset({"所"})


def is_missing(value) -> bool:
    """True for None, NaN and pd.NA (a null indicator, shown as 无数据)."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def decimals(unit: str | None) -> int:
    """Decimals shown for a value of this unit."""
    return DECIMALS.get(unit or "", DEFAULT_DECIMALS)


def rounded(value, unit: str | None) -> float | None:
    """The value as displayed (fixed-point formatting, as on the charts), or None when missing."""
    if is_missing(value):
        return None
    out = float(f"{float(value):.{decimals(unit)}f}")
    return out if out else 0.0  # no '-0.0'


def number_text(value, unit: str | None) -> str:
    """The number alone as displayed ('96.2', '42', '0.35'); '无数据' when missing."""
    r = rounded(value, unit)
    if r is None:
        return "无数据"
    return f"{r:.{decimals(unit)}f}"


def value_text(value, unit: str | None) -> str:
    """Number with its unit ('96.2%', '42所', '63.5分钟', '0.35'); '无数据' when missing."""
    text = number_text(value, unit)
    if text == "无数据":
        return text
    return text + _unit_suffix(unit)


def target_text(target, unit: str | None) -> str:
    """A target as written in a sentence: no trailing '.0' ('100%', '97%', '0.5')."""
    if is_missing(target):
        return ""
    t = float(target)
    text = f"{t:g}" if t == round(t, 4) else number_text(t, unit)
    return text + _unit_suffix(unit)


def difference(a, b, unit: str | None) -> float | None:
    """a − b computed on displayed values, rounded to the unit's decimals."""
    ra, rb = rounded(a, unit), rounded(b, unit)
    if ra is None or rb is None:
        return None
    return rounded(ra - rb, unit)


def change_text(value, prev, unit: str | None) -> str | None:
    """'较上月提高1.3个百分点' / '较上月持平'; None when last month has no value."""
    delta = difference(value, prev, unit)
    if delta is None:
        return None
    if delta == 0:
        return "较上月持平"
    up, down = CHANGE_WORDS.get(unit or "", DEFAULT_CHANGE_WORDS)
    word = up if delta > 0 else down
    return f"较上月{word}{number_text(abs(delta), unit)}{_change_unit(unit)}"


def amount_text(amount, unit: str | None) -> str:
    """A distance in the unit's change wording ('3.8个百分点', '2所', '0.05')."""
    return f"{number_text(abs(amount), unit)}{_change_unit(unit)}"


def _unit_suffix(unit: str | None) -> str:
    return "" if unit in (None, "", "系数") else unit


def _change_unit(unit: str | None) -> str:
    return CHANGE_UNIT.get(unit or "", _unit_suffix(unit))
