"""总览's choice of which counties the grid shows, when a province has more than a screen of them
(ui/overview_grid.parts): 「1–30」「31–60」… above the grid, following the county filter."""
from __future__ import annotations

import streamlit as st

from ui.overview_grid import GridPart

PART_KEY = "ov_part"  # the chosen part's label
_FOR, _LAST = "_ov_part_for", "_ov_part_last"  # the county the part was last set for; the last choice


def grid_part(parts: list[GridPart], county: str | None) -> GridPart:
    """The part to show: chosen above the grid (several parts), else the only one. A county chosen in
    the filter opens its part; clicking the open part again keeps it open."""
    if len(parts) == 1:
        return parts[0]
    labels = [p.label for p in parts]
    if county is not None and st.session_state.get(_FOR) != county:
        st.session_state[PART_KEY] = next((p.label for p in parts if any(c == county for _, c in p.rows)),
                                          st.session_state.get(PART_KEY))
    st.session_state[_FOR] = county
    if st.session_state.get(PART_KEY) not in labels:  # first visit, a new month's parts, or deselected
        st.session_state[PART_KEY] = st.session_state.get(_LAST) if st.session_state.get(_LAST) in labels else labels[0]
    counties = sum(len(p.rows) for p in parts)
    chosen = st.segmented_control(f"显示县区(共{counties}个)", labels, key=PART_KEY)
    st.session_state[_LAST] = chosen
    return parts[labels.index(chosen)]
