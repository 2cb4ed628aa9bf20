"""One number everywhere: every figure is rounded once, for display, by the functions here.

Tiles, the matrix, chart labels and hovers, the report's sentences and tables, Excel
downloads, the PNG pack and the CLI table all format through this module, so a figure shows
the same digits wherever it appears (indicators.md, "One number everywhere"):
- decimals by unit, from data/ui.toml [numbers] (% and 分钟 1, 系数 2, 所 0);
- rounding half away from zero on the decimal text of the value (92.45 → 92.5), as a
  reader and Excel's ROUND do, not Python's binary round-half-even;
- a change (较上月) or a distance (差, 距目标) is computed from the unrounded values and
  then rounded by the same rule (percentage points for %); an expected value of a
  trajectory target and its gap take the unit's decimals (whole schools).
"""
from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pandas as pd

from core.present.palette import NumberRules, load_palette

NO_DATA = "无数据"
MINUS = "−"  # U+2212, as printed in the tiles


def _rules() -> NumberRules:
    return load_palette().numbers


def is_missing(value) -> bool:
    """True for None, NaN and pd.NA (a null figure, shown as 无数据)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def decimals(unit: str | None) -> int:
    """Decimals shown for a figure of this unit."""
    rules = _rules()
    return rules.decimals.get(unit or "", rules.default_decimals)


def round_to(value, places: int) -> float | None:
    """`value` rounded half away from zero to `places` decimals (None when missing)."""
    if is_missing(value):
        return None
    try:
        q = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # inf
        return float(value)
    out = float(q)
    return out if out else 0.0  # never '-0.0'


def rounded(value, unit: str | None) -> float | None:
    """The value as displayed, as a float (what Excel downloads store), or None when missing."""
    return round_to(value, decimals(unit))


def number_text(value, unit: str | None) -> str:
    """The number alone as displayed ('96.2', '42', '0.35'); 无数据 when missing."""
    r = rounded(value, unit)
    return NO_DATA if r is None else f"{r:.{decimals(unit)}f}"


def unit_suffix(unit: str | None) -> str:
    """What follows a number of this unit ('%', '所', '分钟'; nothing for 系数)."""
    return "" if unit in (None, "", "系数") else unit


def format_value(value, unit: str | None = None, with_unit: bool = True) -> str:
    """A figure with its unit: 93.4%, 12所, 48.2分钟, 0.35; 无数据 when null."""
    text = number_text(value, unit)
    if text == NO_DATA or not with_unit:
        return text
    return text + unit_suffix(unit)


def target_text(target, unit: str | None) -> str:
    """A target value as written: whole targets without decimals ('100%', '60所'), else the unit's ('0.45')."""
    if is_missing(target):
        return ""
    t = float(target)
    text = f"{t:.0f}" if t.is_integer() else number_text(t, unit)
    return text + unit_suffix(unit)


def format_target(target, direction: str | None, unit: str | None) -> str:
    """Target as a phrase: 目标 ≥100%, 目标 ≤0.45; 无目标 when there is none."""
    if is_missing(target):
        return "无目标"
    sign = {">=": "≥", "<=": "≤"}.get(direction or "", "")
    return f"目标 {sign}{target_text(target, unit)}"


def change_unit(unit: str | None) -> str:
    """The unit written after a change: 个百分点 for %, else the unit (nothing for 系数)."""
    return _rules().change_unit.get(unit or "", unit_suffix(unit))


def amount_text(amount, unit: str | None) -> str:
    """A distance or change size without sign, in change wording ('3.8个百分点', '2所', '0.05')."""
    return f"{number_text(abs(float(amount)), unit)}{change_unit(unit)}"


def signed_text(amount, unit: str | None, change: bool = False) -> str:
    """A gap with its sign (+2所, −1.5%), or with `change` a change in change wording
    (+1.2个百分点); '—' when unknown; an amount that rounds to 0 has no sign."""
    r = rounded(amount, unit)
    if r is None:
        return "—"
    sign = "+" if r > 0 else MINUS if r < 0 else ""
    return f"{sign}{number_text(abs(r), unit)}{change_unit(unit) if change else unit_suffix(unit)}"


def change_steps(change, unit: str | None) -> float | None:
    """The change as displayed (rounded by the unit's rule), None when unknown."""
    return rounded(change, unit)


def format_change(change, unit: str | None) -> str:
    """Change vs last month for tiles: 较上月 ▲1.2个百分点, 较上月 ▼3所, 较上月 持平, 较上月 —."""
    r = change_steps(change, unit)
    if r is None:
        return "较上月 —"
    if r == 0:
        return "较上月 持平"
    return f"较上月 {'▲' if r > 0 else '▼'}{amount_text(r, unit)}"


def change_sentence(change, unit: str | None) -> str | None:
    """Change vs last month for sentences: 较上月提高1.2个百分点 / 较上月持平; None when unknown."""
    r = change_steps(change, unit)
    if r is None:
        return None
    if r == 0:
        return "较上月持平"
    up, down = _rules().change_words.get(unit or "", _rules().default_change_words)
    return f"较上月{up if r > 0 else down}{amount_text(r, unit)}"


# Units a table header declares: 「…率」「…占比」「(%)」 percent, 「(分钟)」 minutes, 「系数」, 「(所)」.
_HEADER_UNITS = (
    ("系数", re.compile(r"系数")),
    ("%", re.compile(r"(率|占比|[%％])\)?$|[(（][%％][)）]")),
    ("分钟", re.compile(r"分钟")),
    ("所", re.compile(r"[(（]所[)）]")),
)


def header_unit(header: str) -> str | None:
    """The unit a table column's header declares, or None."""
    for unit, pattern in _HEADER_UNITS:
        if pattern.search(str(header)):
            return unit
    return None


def column_decimals(header: str, values, default: int = 2) -> int:
    """Decimals of a table column as shown and downloaded: its header's unit, else 0 for whole
    numbers, else `default`."""
    unit = header_unit(header)
    if unit is not None:
        return decimals(unit)
    finite = [float(v) for v in values if not is_missing(v)]
    if all(v.is_integer() for v in finite):
        return 0
    return default
