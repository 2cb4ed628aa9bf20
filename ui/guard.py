"""Route every request through app.py, even the first one on a freshly started server.

Streamlit treats a `pages/` folder next to the main script as a legacy (v1) multipage app
until some session has called `st.navigation`: a first visitor who opens `/upload`
directly would run that page file alone — no login gate, no wide layout, the raw file
list in the sidebar. Each page calls `ensure_app()` first; it switches the legacy mode off
and reruns, so app.py runs, applies the login gate and routes to the requested page (the
page hash is derived from the URL path, which is the same in both modes).

Under `streamlit run app.py` the web server imports app.py before any session exists, and app.py
switches the legacy mode off there: first visitors arriving together can then not race each
other's switch. The checks here stay for runs that start otherwise (AppTest, a bare script run).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx


def legacy_pages_mode() -> bool:
    """True when this run was routed by Streamlit's legacy pages/ mode instead of app.py.

    Checked on this session's own page registry, not only on the process-wide flag: two
    first visitors arriving together may both be routed the legacy way before either run
    has switched the flag off. The legacy registry lists app.py itself as a page; ours never.
    """
    if PagesManager.uses_pages_directory:
        return True
    ctx = get_script_run_ctx()
    if ctx is None:
        return False
    main = Path(ctx.pages_manager.main_script_path).resolve()
    pages = ctx.pages_manager.get_pages().values()
    # (A registry of the main script alone is no navigation at all: a page run as the main
    # script, as AppTest.from_file("pages/x.py") does.)
    return len(pages) > 1 and any(
        info.get("script_path") and Path(info["script_path"]).resolve() == main for info in pages)


def leave_legacy_pages_mode() -> None:
    """Called first by app.py: the first run of a fresh server reruns without the legacy routing.

    (app.py checks only the process-wide flag: before its own st.navigation call this
    session's registry may still be the default one, which lists app.py.)
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False  # what st.navigation itself does
        st.rerun()


def ensure_app() -> None:
    """Called first by every page: if it runs without app.py, rerun the request through app.py."""
    if legacy_pages_mode():
        PagesManager.uses_pages_directory = False
        st.rerun()


def land_unknown_paths(url_paths) -> str | None:
    """Called by app.py before st.navigation: a URL naming no page of ours (a stale link such as
    /overview, a page this account may not open) opens the default page instead of Streamlit's
    English 「Page not found」 dialog. Returns the path it turned away (None: nothing turned away).

    Streamlit resolves the requested page by its URL path and, failing that, shows the dialog and
    runs the default page; clearing the request first leaves only the second half.
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    manager = ctx.pages_manager
    wanted = manager.intended_page_name
    if not manager.intended_page_script_hash and wanted and wanted not in set(url_paths):
        manager.set_script_intent("", "")
        return wanted
    return None
