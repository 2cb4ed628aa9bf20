"""Projector mode (投影模式): large type, high contrast; the sidebar switch or ?mode=projector.

The mode never hides navigation: Streamlit's header stays (transparent, so its button that
re-opens the sidebar is always there) and the meeting control bar (ui/meeting.py) sits at the
top of every page.
"""
from __future__ import annotations

import streamlit as st

KEY = "f_projector"
NORMAL_CHART_FONT, PROJECTOR_CHART_FONT = 14, 20

# Injected only in projector mode. Sizes: headline numbers >= 48 px, labels >= 20 px.
PROJECTOR_CSS = """
<style>
html, body, [data-testid="stApp"] { font-size: 20px; }
[data-testid="stApp"] { background: #ffffff; color: #000000; }
[data-testid="stHeader"] { background: transparent; height: 3.2rem; }
[data-testid="stHeader"], [data-testid="stHeader"] * { pointer-events: none !important; }
[data-testid="stHeader"] button { pointer-events: auto !important; }
[data-testid="stMainBlockContainer"], .block-container {
  padding-top: 0.6rem !important; padding-bottom: 0.4rem !important;
  padding-left: 1.2rem !important; padding-right: 1.2rem !important; max-width: 100% !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"], label, li,
[data-testid="stWidgetLabel"] p { font-size: 20px !important; }
h1 { font-size: 40px !important; padding: 0 0 0.2rem 0 !important; }
h2 { font-size: 32px !important; padding: 0.2rem 0 0 0 !important; } h3 { font-size: 26px !important; }
[data-testid="stMetricValue"] { font-size: 56px !important; }
[data-testid="stVerticalBlock"] { gap: 0.5rem; }
</style>
"""


def projector_requested() -> bool:
    """True when this session is in projector mode (the switch, seeded from ?mode=projector)."""
    if KEY not in st.session_state:
        st.session_state[KEY] = st.query_params.get("mode") == "projector"
    return bool(st.session_state[KEY])


def projector_switch() -> bool:
    """The sidebar switch; keeps ?mode=projector in the URL and injects the CSS when on."""
    projector_requested()
    on = st.sidebar.toggle("投影模式", key=KEY, help="大字号、高对比度,适合会议投屏")
    if on:
        st.query_params["mode"] = "projector"
        st.html(PROJECTOR_CSS)
    else:
        st.query_params.pop("mode", None)
    return on


def leave_projector() -> None:
    """Callback of the control bar's 退出投影 button."""
    st.session_state[KEY] = False


def is_projector() -> bool:
    """Whether projector mode is on (for pages choosing sizes)."""
    return bool(st.session_state.get(KEY))


def chart_font() -> int:
    """Base font size for chart builders in the current mode."""
    return PROJECTOR_CHART_FONT if is_projector() else NORMAL_CHART_FONT
