"""How a figure looks beside its target: sign, shade (near or far from the target), rating.

The overview's status grid and its tiles say a status in a sign and a word as well as a colour,
tint the cells near their target and keep the full colour for values far from it (data/ui.toml
[grid]); the 5-level status × change rating (core/indicators/rated.py, data/indicators.toml
[rating]) has a look of its own.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.indicators.catalog import load_catalog
from core.indicators.targets import load_targets, tolerance_of
from core.present import numbers as n
from core.present.labels import status_key
from core.present.palette import load_palette, status_style


def _get(row, key: str):
    """A field of a row given as a dict, a pandas Series or a namedtuple (None when absent)."""
    return row.get(key) if hasattr(row, "get") else getattr(row, key, None)


@dataclass(frozen=True)
class Look:
    """Background and text colour, sign and words of one figure."""

    key: str
    background: str
    text: str
    sign: str
    label: str
    far: bool = False


def is_far(row) -> bool:
    """未达标 and far from the target: beyond `far_factor` × the 接近 band (a trajectory target:
    behind plan by more than `far_gap` of the planned rise)."""
    if status_key(row) != "red":
        return False
    grid = load_palette().grid
    gap = _get(row, "gap")
    if not n.is_missing(gap):
        return float(gap) < grid.far_gap
    remaining = _get(row, "remaining")
    target = load_targets().find(_get(row, "indicator"), _get(row, "level") or "zone", _get(row, "county"),
                                 _get(row, "stage"))
    if target is None or n.is_missing(remaining):
        return False
    return float(remaining) > grid.far_factor * tolerance_of(target, _get(row, "unit") or "")


def status_look(row) -> Look:
    """The look of a figure by its status: a light tint near the target, the full colour far from it."""
    grid = load_palette().grid
    key = status_key(row)
    style = status_style(key)
    sign = grid.signs.get(key, "")
    if is_far(row):
        return Look(key, style.color, style.text_color, sign, f"{style.label}({grid.far_label})", True)
    background, text = grid.tints.get(key, (style.color, style.text_color))
    label = f"{style.label}({grid.near_label})" if key == "red" else style.label
    return Look(key, background, text, sign, label)


def rating_look(row) -> Look | None:
    """The look of a figure by its status × change rating (1 差 … 5 优), None when it has none."""
    rating = _get(row, "rating")
    if n.is_missing(rating) or not 1 <= int(rating) <= 5:
        return None
    r = load_catalog().rating
    i = int(rating) - 1
    return Look(f"rating{i + 1}", r.colours[i], readable_on(r.colours[i]), load_palette().grid.rating_signs[i],
                r.labels[i])


def readable_on(background: str) -> str:
    """Black or white text, whichever reads better on `background` ('#rrggbb')."""
    red, green, blue = (int(background[i:i + 2], 16) for i in (1, 3, 5))
    return "#1a1a1a" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "#ffffff"


def change_mark(row) -> str:
    """The change vs last month in a cell: ▲2.1, ▼3, 持平, or — when unknown (the unit is in the legend)."""
    unit = _get(row, "unit")
    r = n.change_steps(_get(row, "change"), unit)
    if r is None:
        return "—"
    if r == 0:
        return "持平"
    return f"{'▲' if r > 0 else '▼'}{n.number_text(abs(r), unit)}"
