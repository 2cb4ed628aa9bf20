"""A value axis that shows the differences between the values it carries.

County rates of 90–95 % on a 0–100 axis are eight bars of the same height: when every value
(and the target, which stays on the axis) sits in the upper part of the range, the axis starts
near them instead of at 0, and its title says where it starts ("%(纵轴从86起)"). Values
spread from low to high keep a zero-based axis.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from core.present.numbers import is_missing, unit_suffix

ZOOM_SHARE = 0.5  # the axis leaves 0 when the smallest value is at least this share of the largest
LOW_ROOM = 0.2  # room under the smallest value, as a share of the values' range
NICE = (1, 2, 2.5, 5)


@dataclass(frozen=True)
class Axis:
    """The range a value axis is drawn over."""

    lo: float
    hi: float

    @property
    def span(self) -> float:
        return max(self.hi - self.lo, 1e-9)

    @property
    def zoomed(self) -> bool:
        """True when the axis does not start at 0 (bars are then cut at its foot)."""
        return self.lo > 0

    def title(self, unit: str) -> str:
        """The axis title: the unit, and where the axis starts when not at 0."""
        word = unit_suffix(unit) or unit or ""
        return f"{word}(纵轴从{self.lo:g}起)" if self.zoomed else word


def nice_step(raw: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least `raw`."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next((n * power for n in NICE if n * power >= raw), 10 * power)


def value_axis(values, refs=(), headroom: float = 0.15) -> Axis:
    """The axis for `values` with reference lines `refs` (target, zone value) kept in view;
    `headroom` is the room above the largest, as a share of the axis (for value labels)."""
    finite = [float(v) for v in [*values, *refs] if not is_missing(v)]
    if not finite:
        return Axis(0.0, 1.0)
    lo, hi = min(finite), max(finite)
    if lo >= 0 and hi > lo and lo >= ZOOM_SHARE * hi:
        step = nice_step((hi - lo) / 4)
        start = max(0.0, math.floor((lo - (hi - lo) * LOW_ROOM) / step) * step)
        return Axis(start, hi + (hi - start) * headroom)
    low = min(0.0, lo)
    top = hi if hi > 0 else 1.0
    return Axis(low, top + (top - low) * headroom)
