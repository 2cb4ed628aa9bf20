"""Display definitions (colours, status labels, fonts) from data/ui.toml, and value formatting."""
from __future__ import annotations

import math
import tomllib
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from core.paths import DATA_DIR

STATUSES = ("green", "amber", "red", "none")


class StatusStyle(BaseModel):
    """How one status (green/amber/red/none) is shown."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    label: str
    color: str
    text_color: str


class Palette(BaseModel):
    """Everything visual that is data: fonts, status colours, county colours, lines."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    font_family: str
    export_scale: int
    status: dict[str, StatusStyle]
    counties: dict[str, list[str] | str]
    levels: dict[str, str]
    lines: dict[str, str]
    overview: dict[str, list[str] | dict[str, str]]


@lru_cache(maxsize=1)
def load_palette() -> Palette:
    """The palette defined in data/ui.toml."""
    with open(DATA_DIR / "ui.toml", "rb") as fh:
        return Palette.model_validate(tomllib.load(fh))


def headline_ids() -> list[str]:
    """Indicator ids of the overview tiles, matrix columns and slideshow screens, in order."""
    return list(load_palette().overview["tiles"])


def short_name(indicator_id: str, name: str) -> str:
    """The short display name of an indicator (tiles, matrix columns), else its catalogue name."""
    return dict(load_palette().overview.get("short_names", {})).get(indicator_id, name)


def status_style(status: str | None) -> StatusStyle:
    """Style of a status key; unknown or missing statuses are shown as 无数据."""
    styles = load_palette().status
    return styles.get(status or "none", styles["none"])


NO_TARGET = "notarget"  # display key of a value that has no target (status none, value present)


def display_status(status: str | None, has_value: bool = False) -> str:
    """The style key to show: the status, or 'notarget' for a value without a target (not 无数据)."""
    key = status if status in load_palette().status else "none"
    return NO_TARGET if key == "none" and has_value else key


def status_label(status: str | None, has_value: bool = False) -> str:
    """Chinese label of a status; a value without a target reads 无目标, not 无数据."""
    return status_style(display_status(status, has_value)).label


def county_colors(counties) -> dict[str, str]:
    """One stable colour per county: the palette in order of the sorted county names."""
    palette = list(load_palette().counties["palette"])
    names = sorted({c for c in counties if c})
    return {name: palette[i % len(palette)] for i, name in enumerate(names)}


def zone_color() -> str:
    """Colour of the zone (实验区) series."""
    return str(load_palette().counties["zone_color"])


def is_missing(value) -> bool:
    """True for None/NaN/NA."""
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))
    except (TypeError, ValueError):
        return False


def format_value(value, unit: str | None = None, with_unit: bool = True) -> str:
    """A value rounded for display with its unit: 93.4%, 12所, 48.2分钟, 0.35; 无数据 when null."""
    if is_missing(value):
        return "无数据"
    v = float(value)
    unit = unit or ""
    if unit == "%":
        text = f"{v:.1f}"
    elif unit == "所" or unit == "校" or (v.is_integer() and unit not in ("系数",)):
        text = f"{v:.0f}"
    elif unit == "系数":
        text = f"{v:.3f}"
    else:
        text = f"{v:.1f}"
    if not with_unit or unit in ("", "系数"):
        return text
    return f"{text}{unit}"


def format_target(target, direction: str | None, unit: str | None) -> str:
    """Target as a phrase: 目标 ≥100%, 目标 ≤0.45; 无目标 when there is none."""
    if is_missing(target):
        return "无目标"
    sign = {">=": "≥", "<=": "≤"}.get(direction or "", "")
    t = float(target)
    text = f"{t:.0f}{unit or ''}" if t.is_integer() and unit != "系数" else format_value(t, unit)
    return f"目标 {sign}{text}"


def format_change(change, unit: str | None) -> str:
    """Change vs last month with an arrow: ▲2.1个百分点, ▼3所, — when unknown."""
    if is_missing(change):
        return "较上月 —"
    v = float(change)
    arrow = "▲" if v > 0 else ("▼" if v < 0 else "持平")
    if v == 0:
        return "较上月 持平"
    unit_text = "个百分点" if unit == "%" else (unit or "")
    if unit_text == "系数":
        unit_text = ""
    return f"较上月 {arrow}{format_value(abs(v), None, with_unit=False)}{unit_text}"
