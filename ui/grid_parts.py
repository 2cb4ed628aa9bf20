"""Which counties a status grid shows when a province has more than a screen of them: the zone's
row and data/ui.toml [scale] grid_rows counties at a time, 「1–20」「21–40」… chosen above the grid,
following the county filter (总览's grid, ui/overview_grid.py, and 综合育人's; the same parts for
优质学校's level bars and 报送情况's status matrix)."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.present.palette import load_palette, many_counties


@dataclass(frozen=True)
class GridPart:
    """Some of a grid's county rows: 「1–20」 and the rows (label, county)."""
    label: str
    rows: tuple[tuple[str, str | None], ...]


def split(counties) -> list[GridPart]:
    """County rows (label, county) in parts of [scale] grid_rows when there are more than [scale]
    many_counties of them; else one part of them all."""
    counties = tuple(counties)
    size = load_palette().scale.grid_rows if many_counties(len(counties)) else max(len(counties), 1)
    return [GridPart(f"{i + 1}–{min(i + size, len(counties))}", counties[i:i + size])
            for i in range(0, len(counties), size)] or [GridPart("", ())]


def grid_part(parts: list[GridPart], county: str | None, key: str) -> GridPart:
    """The part to show: chosen above the grid under `key` (several parts), else the only one. A
    county chosen in the filter opens its part; clicking the open part again keeps it open."""
    if len(parts) == 1:
        return parts[0]
    labels = [p.label for p in parts]
    was_for, last = f"_{key}_for", f"_{key}_last"  # the county the part was last set for; the last choice
    if county is not None and st.session_state.get(was_for) != county:
        st.session_state[key] = next((p.label for p in parts if any(c == county for _, c in p.rows)),
                                     st.session_state.get(key))
    st.session_state[was_for] = county
    if st.session_state.get(key) not in labels:  # first visit, a new month's parts, or deselected
        st.session_state[key] = st.session_state.get(last) if st.session_state.get(last) in labels else labels[0]
    counties = sum(len(p.rows) for p in parts)
    chosen = st.segmented_control(f"显示县区(共{counties}个)", labels, key=key)
    st.session_state[last] = chosen
    return parts[labels.index(chosen)]
