"""A topic page's charts and tables laid out from data/ui.toml [layout.<page>]: in rows as the pilot
zone sees them, or, above [scale] many_counties counties, in tabs of which only the open one is
computed and drawn (a click then waits for two or three charts, not seven)."""
from __future__ import annotations

from typing import Callable

import streamlit as st

from core.present.palette import load_palette, many_counties
from ui import data
from ui.projector import is_projector
from ui.render import chart_columns

Piece = Callable[[float], object]  # draws one chart or table at a share of the page width


def tab_key(page: str) -> str:
    """Session-state key of a page's tabs (the open tab's label)."""
    return f"tabs_{page}"


def in_tabs() -> bool:
    """True when the zone has more counties than the pages draw at once (data/ui.toml [scale])."""
    return many_counties(len(data.load("zone_counties")))


def lay_out(page: str, pieces: dict[str, Piece]) -> None:
    """Draw `pieces` as data/ui.toml [layout.<page>] places them. In tabs, the open tab's label is
    kept under tab_key(page), so it stays open when the month or the county changes."""
    layout = load_palette().layout[page]
    if not in_tabs():
        _rows(layout.rows, pieces)
        return
    tabs = st.tabs([t.label for t in layout.tabs], key=tab_key(page), on_change="rerun")
    for tab, group in zip(tabs, layout.tabs):
        if tab.open:  # the other tabs stay empty until chosen (each choice reruns the page)
            with tab:
                _rows(group.rows, pieces)


def _rows(rows, pieces: dict[str, Piece]) -> None:
    for row in rows:
        if len(row) == 1:
            pieces[row[0]](1.0)
            continue
        span = 1.0 if is_projector() else 1.0 / len(row)
        for slot, name in zip(chart_columns(len(row)), row):
            with slot:
                pieces[name](span)
