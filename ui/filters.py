"""The global month selector and county filter, kept in the URL and carried across pages.

The widgets live in app.py's sidebar (rendered on every page), their values in session
state; each run writes them back to the query params so a copied URL reproduces the view.
The month opens on the newest closed month (indicators.md, Completeness); a newer, open
month is an option labelled with its reporting count, and every page showing an incomplete
month carries a banner naming the missing counties.
"""
from __future__ import annotations

from html import escape

import streamlit as st

from core.indicators.completeness import MonthChoice, months_without_data, pick_default
from core.month import period_label
from core.present.labels import banner_text, month_option, no_data_text

ALL_COUNTIES = "全部县区"
MONTH_KEY, COUNTY_KEY, CHOICES_KEY = "f_month", "f_county", "f_month_choices"


LINK_NOTES = {"month": "链接中的月份「{wanted}」没有可显示的数据,已显示{shown}。",
              "county": "链接中的县区「{wanted}」不是本实验区的县区,已显示{shown}。"}
LINK_SHOWN_MAX = 20  # characters of a link's value repeated in the note (the rest: …)


def _init(key: str, param: str, options: list[str], default: str, shown=str) -> None:
    """Seed a widget's state from the URL once per session, or repair a stale value. A link whose
    month or county cannot be shown says so once (a mistyped or old link), not a silent default."""
    if key not in st.session_state:
        wanted = st.query_params.get(param)
        st.session_state[key] = wanted if wanted in options else default
        if wanted and wanted not in options:
            from core.present.escape import md_text

            short = wanted if len(wanted) <= LINK_SHOWN_MAX else wanted[:LINK_SHOWN_MAX] + "…"
            st.info(LINK_NOTES[param].format(wanted=md_text(short), shown=md_text(shown(default))))
    elif st.session_state[key] not in options:
        st.session_state[key] = default


def global_filters(choices: list[MonthChoice], counties: list[str]) -> None:
    """Render 月份 and 县区 in the sidebar and mirror them into the URL (?month=&county=).

    `choices`: the months with data, newest first, with their completeness (month_choices).
    """
    months = [c.period for c in choices]
    st.session_state[CHOICES_KEY] = {c.period: c for c in choices}
    if months:
        _init(MONTH_KEY, "month", months, pick_default(choices), shown=period_label)
        st.sidebar.selectbox("月份", months, key=MONTH_KEY, format_func=option_label)
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


def option_label(period: str) -> str:
    """How a month reads in every month selector: '2026年11月(3/8县区已报送)' when incomplete."""
    choice = st.session_state.get(CHOICES_KEY, {}).get(period)
    return month_option(choice) if choice is not None else period_label(period)


def chosen_month() -> MonthChoice | None:
    """The selected month's completeness (None when the database has no data)."""
    return st.session_state.get(CHOICES_KEY, {}).get(month())


def completeness_banner() -> None:
    """The banners of the month shown: months past their due date that no county has reported (every
    view opens on an older month); an incomplete month: who reported, who is missing, what it means."""
    choices = list(st.session_state.get(CHOICES_KEY, {}).values())  # newest first
    gap = months_without_data(choices)
    if gap:
        _banner(no_data_text(gap, choices[0].period), no_data_text(gap, choices[0].period, short=True),
                ":material/event_busy:")
    choice = chosen_month()
    if choice is None or choice.complete:
        return
    _banner(banner_text(choice), banner_text(choice, short=True),
            ":material/hourglass_top:" if not choice.closed else ":material/warning:")


def _banner(text: str, short: str, icon: str) -> None:
    """A warning over the page; in projector mode one line, so the overview still fits the screen."""
    from ui.projector import is_projector

    if is_projector():
        st.html(f'<div class="hx-banner" style="background:#fff4e0;border-left:6px solid #b26a00;color:#1a1a1a;'
                f'font-size:18px;line-height:1.3;padding:2px 10px;font-weight:600">{escape(short)}</div>')
        return
    st.warning(text, icon=icon)


def county_list_note() -> None:
    """The administrator's note while data/zone.toml lists no counties: completeness is judged against
    the counties that have reported so far (core.submission.status.county_list_unset). Not on the projector."""
    from core.access.accounts import can
    from core.present.labels import county_list_note as note
    from ui import data
    from ui.auth import current_user
    from ui.projector import is_projector

    if is_projector() or not can(current_user(), "view_all_submissions"):
        return
    if data.load("county_list_unset"):
        st.info(note(page=True), icon=":material/settings:")


def selection_or_stop() -> tuple[str, str | None]:
    """The chosen (month, county), with the incomplete-month banner; with no data at all, the
    upload hint and the page stops."""
    from ui.firstrun import (
        no_data_hint,  # firstrun imports ui.data; keep this module light
    )

    period = month()
    if not period:
        no_data_hint()
        st.stop()
    completeness_banner()
    return period, county()
