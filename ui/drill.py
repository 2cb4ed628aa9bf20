"""Drill state kept in the URL (indicator, county, school) and the breadcrumbs that walk it back up."""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from core.present.escape import md_text

WRITTEN = "_url_written"  # the values this session last wrote into the URL, per widget key


def adopt(key: str, param: str, options: list, default) -> None:
    """Seed the state of `key` from the URL parameter `param`.

    The URL wins when it changed since this page last wrote it (a link from a tile or a matrix
    cell, a shared link, Back); otherwise the state stays. An invalid value falls back to
    `default`; so does an absent parameter on the first visit. (Later, an absent parameter counts
    as None, which `options` may contain: Back to the 实验区 level.)
    """
    wanted = st.query_params.get(param)
    written = st.session_state.setdefault(WRITTEN, {})
    if key in written and wanted != written[key] and wanted in options:
        st.session_state[key] = wanted
    elif key not in st.session_state or st.session_state[key] not in options:
        st.session_state[key] = wanted if wanted is not None and wanted in options else default


def write(key: str, param: str, value) -> None:
    """Mirror the state of `key` into the URL parameter `param` (None removes it)."""
    if value is None:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = value
    st.session_state.setdefault(WRITTEN, {})[key] = value


def breadcrumbs(crumbs: list[tuple[str, dict]], key: str = "crumbs") -> None:
    """实验区 › 东湖区 › 永安镇中心小学: each crumb but the last a button that sets the state in its dict."""
    bar = st.container(key=key, horizontal=True, vertical_alignment="center", gap="xsmall")
    for i, (label, state) in enumerate(crumbs):
        if i:
            bar.markdown("›")
        if i == len(crumbs) - 1:
            bar.markdown(f"**{md_text(label)}**")
        else:
            bar.button(md_text(label), key=f"{key}_{i}", type="tertiary", on_click=st.session_state.update,
                       args=(state,))


CARRIED = ("month", "county", "mode")  # what a link to another page keeps of the URL


def page_link_href(path: str, carried: dict[str, str] | None = None, **params) -> str:
    """A relative link to a page of the app carrying the meeting's month, county and mode
    (this session's URL's, or `carried`: for HTML built outside a session, ui/warmup.py)."""
    if carried is None:
        carried = {k: st.query_params[k] for k in CARRIED if k in st.query_params}
    query = urlencode({**carried, **{k: v for k, v in params.items() if v is not None}})
    return f"{path}?{query}" if query else path
