"""The global month selector and county filter, kept in the URL and carried across pages.

The widgets live in app.py's sidebar (rendered on every page), their values in session
state; each run writes them back to the query params so a copied URL reproduces the view.
"""
from __future__ import annotations

import streamlit as st

from core.month import period_label

ALL_COUNTIES = "全部县区"
MONTH_KEY, COUNTY_KEY = "f_month", "f_county"


def _init(key: str, param: str, options: list[str], default: str) -> None:
    """Seed a widget's state from the URL once per session, or repair a stale value."""
    if key not in st.session_state:
        wanted = st.query_params.get(param)
        st.session_state[key] = wanted if wanted in options else default
    elif st.session_state[key] not in options:
        st.session_state[key] = default


def global_filters(periods: list[str], counties: list[str]) -> None:
    """Render 月份 and 县区 in the sidebar and mirror them into the URL (?month=&county=)."""
    months = list(reversed(periods))
    if months:
        _init(MONTH_KEY, "month", months, months[0])
        st.sidebar.selectbox("月份", months, key=MONTH_KEY, format_func=period_label)
        st.query_params["month"] = st.session_state[MONTH_KEY]
    options = [ALL_COUNTIES, *counties]
    _init(COUNTY_KEY, "county", options, ALL_COUNTIES)
    st.sidebar.selectbox("县区", options, key=COUNTY_KEY)
    if st.session_state[COUNTY_KEY] == ALL_COUNTIES:
        st.query_params.pop("county", None)
    else:
        st.query_params["county"] = st.session_state[COUNTY_KEY]


def month() -> str | None:
    """The selected month 'YYYY-MM' (None when the database has no data)."""
    return st.session_state.get(MONTH_KEY)


def county() -> str | None:
    """The selected county, or None for the whole zone."""
    value = st.session_state.get(COUNTY_KEY)
    return None if value in (None, ALL_COUNTIES) else value


def selection_or_stop() -> tuple[str, str | None]:
    """The chosen (month, county); with no data at all, the upload hint and the page stops."""
    from ui.firstrun import (
        no_data_hint,  # firstrun imports ui.data; keep this module light
    )

    period = month()
    if not period:
        no_data_hint()
        st.stop()
    return period, county()
