"""总览's county × indicator grid of a month, built once per data version.

The page (pages/overview.py) and the server's warm-up (ui/warmup.py) call the same functions, so
they share the cache keys: a grid the warm-up built is the one the first visitor gets. Nothing
here reads the session (the links' URL parameters are passed in).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.indicators.catalog import load_catalog
from core.present.grid import Grid, overview_grid
from core.present.palette import grid_ids, short_name
from core.zone import load_zone
from ui import data
from ui.drill import CARRIED
from ui.grid_parts import GridPart, split
from ui.status_grid import grid_cells, grid_html


@dataclass(frozen=True)
class GridMonth:
    """What the grid of `period` shows: the zone row, then the counties that reported the month."""
    period: str
    zone_name: str
    columns: tuple[str, ...]  # indicator ids (the tiles', then a few more)
    names: dict[str, str]  # indicator id -> short name
    zone: pd.DataFrame
    by_county: pd.DataFrame
    missing: tuple[str, ...]  # counties that have not reported the month (no row)
    rows: tuple[tuple[str, str | None], ...]  # (label, county or None for the zone)
    note: str  # names the missing counties
    footer: str  # the note, the data source and 数据截至


def grid_month(period: str) -> GridMonth:
    """The month's GridMonth, once per data version (every overview run and the warm-up ask)."""
    return data.remember(data.cache_key("grid_month", period), lambda: _grid_month(period))


def _grid_month(period: str) -> GridMonth:
    catalog, zone = load_catalog(), load_zone()
    columns = tuple(grid_ids())
    by_county = data.indicators(period, level="county")
    missing = tuple(data.load("missing_counties", period))
    rows = ((zone.name, None), *((c, c) for c in sorted(set(by_county["county"].dropna()) - set(missing))))
    note = f"未报送县区:{'、'.join(missing)}(实验区数值不含这些县区)。" if missing else ""
    footer = f"{note}数据来源:{zone.source} · 数据截至 {data.as_of(period) or '—'}"
    return GridMonth(period, zone.name, columns, {i: short_name(i, catalog.get(i).name) for i in columns},
                     data.indicators(period, level="zone"), by_county, missing, rows, note, footer)


def parts(m: GridMonth) -> list[GridPart]:
    """The grid's county rows in parts (ui/grid_parts.py)."""
    return split(m.rows[1:])


def grid(m: GridMonth, view: str, projector: bool, links: tuple[str | None, ...],
         part: GridPart | None = None) -> tuple[str, str]:
    """(the grid's HTML, its legend and footer): the zone row and the counties of `part` (default: the
    first of parts(m)), once per data version and everything it shows; `links`: the URL's month,
    county and mode (ui.drill.CARRIED), which every cell's link keeps."""
    rows = (m.rows[0], *(part or parts(m)[0]).rows)

    def build() -> tuple[str, str]:
        cells = grid_cells(list(rows), m.zone, m.by_county, m.columns)
        carried = {k: v for k, v in zip(CARRIED, links) if v is not None}
        return grid_html(cells, list(rows), [(i, m.names[i]) for i in m.columns], view, projector, m.footer,
                         carried)

    return data.remember(data.cache_key("overview_grid", m.period, rows, m.columns, view, projector, m.footer,
                                        tuple(links)), build)


def download(m: GridMonth) -> Grid:
    """The grid as the Excel download lays it out (core.present.grid)."""
    return data.remember(data.cache_key("overview_download", m.period, m.columns, m.missing),
                         lambda: overview_grid(m.zone, m.by_county, list(m.columns), m.names, m.zone_name,
                                               list(m.missing)))
