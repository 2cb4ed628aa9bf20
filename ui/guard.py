"""Route every request through app.py, even the first one on a freshly started server.

Streamlit treats a `pages/` folder next to the main script as a legacy (v1) multipage app
until some session has called `st.navigation`: a first visitor who opens `/upload`
directly would run that page file alone — no login gate, no wide layout, the raw file
list in the sidebar. Each page calls `ensure_app()` first; it switches the legacy mode off
and reruns, so app.py runs, applies the login gate and routes to the requested page (the
page hash is derived from the URL path, which is the same in both modes).
"""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def legacy_pages_mode() -> bool:
    """True while Streamlit would run a `pages/` file without app.py (no st.navigation yet)."""
    return bool(PagesManager.uses_pages_directory)


def ensure_app() -> None:
    """Called first by every page: if it runs without app.py, rerun the request through app.py."""
    if legacy_pages_mode():
        PagesManager.uses_pages_directory = False  # what st.navigation itself does
        st.rerun()
