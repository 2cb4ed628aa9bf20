"""Display definitions from data/ui.toml: colours, status labels, fonts (numbers: core/present/numbers.py)."""
from __future__ import annotations

import tomllib
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.paths import DATA_DIR

STATUSES = ("green", "amber", "red", "none")


class StatusStyle(BaseModel):
    """How one status (green/amber/red/none) is shown."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    label: str
    color: str
    text_color: str


class NumberRules(BaseModel):
    """How figures are rounded and worded (core/present/numbers.py applies them)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    default_decimals: int = Field(ge=0, le=6)
    decimals: dict[str, int]
    change_unit: dict[str, str]
    change_words: dict[str, tuple[str, str]]
    default_change_words: tuple[str, str]


class GridStyle(BaseModel):
    """How the overview's status grid and tiles shade, sign and rate a cell (data/ui.toml [grid])."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    far_factor: float = Field(gt=0)
    far_gap: float = Field(lt=0)
    far_label: str
    near_label: str
    signs: dict[str, str]
    tints: dict[str, tuple[str, str]]
    rating_signs: tuple[str, str, str, str, str]
    change_note: str


class ScaleRules(BaseModel):
    """Where charts switch to their many-counties forms (data/ui.toml [scale])."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    many_counties: int = Field(ge=1)
    grid_rows: int = Field(ge=1)
    many_points: int = Field(ge=1)
    band: tuple[float, float]
    max_names: int = Field(ge=1)


class TabGroup(BaseModel):
    """One tab of a topic page at province scale: its label and its rows of pieces."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    label: str = Field(min_length=1)
    rows: tuple[tuple[str, ...], ...]


class PageLayout(BaseModel):
    """A topic page's pieces (charts, tables) in rows, and in tabs above [scale] many_counties
    (data/ui.toml [layout.<page>], ui/tabs.py). A piece of `rows` missing from the tabs must be a
    heading (its name ends in `_heading`): every chart and table stays reachable."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    rows: tuple[tuple[str, ...], ...]
    tabs: tuple[TabGroup, ...]

    @model_validator(mode="after")
    def _every_piece_once(self) -> "PageLayout":
        shown = [p for row in self.rows for p in row]
        tabbed = [p for tab in self.tabs for row in tab.rows for p in row]
        labels = [t.label for t in self.tabs]
        if len(set(labels)) != len(labels) or len(set(tabbed)) != len(tabbed) or len(set(shown)) != len(shown):
            raise ValueError("a tab label or a piece appears twice")
        if set(tabbed) - set(shown) or {p for p in set(shown) - set(tabbed) if not p.endswith("_heading")}:
            raise ValueError(f"pieces differ between rows and tabs: {sorted(set(shown) ^ set(tabbed))}")
        return self


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
    numbers: NumberRules
    completeness: dict[str, str]
    columns: dict[str, str]
    school_lists: dict[str, str] = {}  # indicator id -> title of the list of schools not meeting it
    grid: GridStyle
    wrap: dict[str, tuple[str, ...]]
    scale: ScaleRules
    layout: dict[str, PageLayout] = {}


@lru_cache(maxsize=1)
def load_palette() -> Palette:
    """The palette defined in data/ui.toml."""
    with open(DATA_DIR / "ui.toml", "rb") as fh:
        return Palette.model_validate(tomllib.load(fh))


def headline_ids() -> list[str]:
    """Indicator ids of the overview's headline tiles, in order."""
    return list(load_palette().overview["tiles"])


def grid_ids() -> list[str]:
    """Indicator ids of the county × indicator grid's columns and the slideshow's screens, in order:
    the headline tiles, then the [overview] `grid_more` ids (grid only: no tile of their own)."""
    tiles = headline_ids()
    return tiles + [i for i in load_palette().overview.get("grid_more", []) if i not in tiles]


def short_name(indicator_id: str, name: str) -> str:
    """The short display name of an indicator (tiles, matrix columns), else its catalogue name."""
    return dict(load_palette().overview.get("short_names", {})).get(indicator_id, name)


def school_lists() -> dict[str, str]:
    """Indicator id -> title of a topic page's list of the schools that do not meet it (data/ui.toml)."""
    return dict(load_palette().school_lists)


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
    return {name: look[0] for name, look in county_looks(counties).items()}


def county_looks(counties) -> dict[str, tuple[str, str, str]]:
    """One stable (colour, marker symbol, line dash) per county, in order of the sorted names;
    shapes and dashes cycle at other lengths than colours, so no two of a dozen counties match."""
    c = load_palette().counties
    palette, symbols, dashes = list(c["palette"]), list(c["symbols"]), list(c["dashes"])
    names = sorted({c for c in counties if c})
    return {name: (palette[i % len(palette)], symbols[i % len(symbols)], dashes[i % len(dashes)])
            for i, name in enumerate(names)}


def many_counties(n: int) -> bool:
    """True when `n` counties are more than a chart draws one by one (data/ui.toml [scale])."""
    return n > load_palette().scale.many_counties


def zone_color() -> str:
    """Colour of the zone (实验区) series."""
    return str(load_palette().counties["zone_color"])
