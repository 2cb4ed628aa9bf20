"""The meeting control bar of projector mode: page ◀ ▶, month, county, slideshow, leave projector mode.

It sits at the top of every page (sticky while the page scrolls), in type a presenter can hit
with a mouse from the lectern. Its month and county selectors have keys of their own and copy
the choice into the global filters (ui/filters.py), which stay the one home of month and county.
The slideshow has a slimmer strip of its own (pages/slideshow.py) built from the same parts.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

import streamlit as st

from core.present.wrapping import width_of
from ui.filters import ALL_COUNTIES, COUNTY_KEY, MONTH_KEY, option_label
from ui.projector import is_projector, leave_projector

GOTO = "_meeting_goto"
BAR_KEY = "meeting_bar"
SLIDESHOW = "slideshow"  # url path of the slideshow page
CARRIED = ("month", "county", "mode")  # query params a page change keeps

# --bar-font: the bar's type, smaller on a screen under 1500 px wide so the bar stays one row
# at 1280 × 720 with an open month's long label; selectors are sized from it (fit_css). The
# slideshow's strip sets its own (pages/slideshow.py).
BAR_CSS = """
<style>
.st-key-meeting_bar { background: #ffffff; --bar-font: 22px;
  padding: 0.2rem 0 0.4rem 2.6rem; border-bottom: 2px solid #d0d7e2; }
/* sticky on Streamlit's wrapper, a child of the page's tall block: the bar itself fills its wrapper
   exactly, so sticky there had no room to stay and the bar scrolled away on a long page */
[data-testid="stLayoutWrapper"]:has(> .st-key-meeting_bar), .st-key-meeting_bar:not(
  [data-testid="stLayoutWrapper"] > .st-key-meeting_bar) { position: sticky; top: 0; z-index: 990; }
@media (max-width: 1500px) { .st-key-meeting_bar { --bar-font: 17px; } }
.st-key-meeting_bar button, .st-key-slide_bar button { min-height: 2.6rem; font-size: var(--bar-font);
  padding: 0.2rem 0.7rem; }
.st-key-meeting_bar button p, .st-key-slide_bar button p { font-size: var(--bar-font) !important; }
.st-key-meeting_bar [data-testid="stSelectbox"] [role="group"] { min-height: 2.6rem; }
.st-key-meeting_bar [data-testid="stSelectbox"] input { font-size: var(--bar-font); padding-left: 6px;
  padding-right: 6px; }
%s
</style>
"""
SELECT_CHROME = 70  # px of a selectbox beside its text: padding, the ▾ button, a little slack


@dataclass(frozen=True)
class NavPage:
    """A page as the bar offers it: title, script file (for st.switch_page), URL path, section."""

    title: str
    file: str
    url_path: str
    section: str


def go(url_path: str) -> None:
    """Callback: open the page with this URL path on the next run."""
    st.session_state[GOTO] = url_path


def follow(pages: list[NavPage], current: str) -> None:
    """Switch to the page a bar control asked for (called before the page runs)."""
    wanted = st.session_state.pop(GOTO, None)
    target = next((p for p in pages if p.url_path == wanted), None)
    if target is not None and target.url_path != current:
        carried = {k: st.query_params[k] for k in CARRIED if k in st.query_params}
        st.switch_page(target.file, query_params=carried)


def _copy(key: str, target: str) -> None:
    st.session_state[target] = st.session_state[key]


def fit_css(key: str, labels: list[str]) -> str:
    """CSS giving a bar selector the width of its longest label at the bar's font (never cut:
    「2026年11月(3/8县区已报送)」, 「县区对比 / 学校明细」)."""
    ems = max((width_of(t) for t in labels), default=4.0) + 0.2
    return (f".st-key-{key} {{ width: calc(var(--bar-font, 22px) * {ems:.2f} + {SELECT_CHROME}px) !important;"
            f" flex: 0 0 auto !important; }}")


def synced_select(where, label: str, key: str, target: str, options: list, format_func=str,
                  width: int | str | None = None) -> None:
    """A selector that mirrors the global filter `target` (shown with the label hidden). In the
    bars its width comes from fit_css; `width` is Streamlit's (the phone's row: "stretch")."""
    if st.session_state.get(target) in options:
        st.session_state[key] = st.session_state[target]
    where.selectbox(label, options, key=key, format_func=format_func, on_change=_copy,
                    args=(key, target), label_visibility="collapsed", **({"width": width} if width else {}))


def month_select(where, periods: list[str]) -> None:
    """The month, newest first (mirrors the sidebar's 月份); sized by month_css."""
    if periods:
        synced_select(where, "月份", "bar_month", MONTH_KEY, list(reversed(periods)), format_func=option_label)


def month_css(periods: list[str]) -> str:
    """The month selector's width: its longest label (an open month's, with its reporting count)."""
    return fit_css("bar_month", [option_label(p) for p in periods])


def exit_projector_button(where) -> None:
    """Leave projector mode (the page stays)."""
    where.button("退出投影", key="bar_exit", on_click=leave_projector,
                 icon=":material/close_fullscreen:")


NOTE_KEY = "_meeting_note"


def note_chip(where) -> None:
    """A short note (演示模式) at the end of a bar, its full text as the tooltip."""
    note = st.session_state.get(NOTE_KEY)
    if note:
        where.html(f'<span title="{escape(note[1])}" style="background:#fff3cd;color:#5c4400;'
                   f'border:1px solid #e0c36a;border-radius:6px;padding:2px 10px;'
                   f'font-size:calc(var(--bar-font, 22px) * 0.8);white-space:nowrap">{escape(note[0])}</span>',
                   width="content")


def meeting_bar(pages: list[NavPage], current: str, periods: list[str], counties: list[str],
                note: tuple[str, str] | None = None) -> None:
    """The bar at the top of a page in projector mode (the slideshow has its own); follows a page
    request. `note` (short text, tooltip): a chip at the bar's end (演示模式)."""
    st.session_state[NOTE_KEY] = note
    follow(pages, current)
    if not is_projector() or current == SLIDESHOW:
        return
    counties = [ALL_COUNTIES, *counties]
    st.html(BAR_CSS % "\n".join([fit_css("bar_page", [p.title for p in pages]), month_css(periods),
                                  fit_css("bar_county", counties)]))
    deck = [p for p in pages if p.section == pages[0].section]  # the monitoring pages, in order
    paths = [p.url_path for p in deck]
    here = paths.index(current) if current in paths else -1
    titles = {p.url_path: p.title for p in pages}
    bar = st.container(key=BAR_KEY, horizontal=True, vertical_alignment="center", gap="xsmall")
    bar.button("◀", key="bar_prev", help="上一个页面", on_click=go,
               args=(paths[(here - 1) % len(paths)] if here >= 0 else paths[-1],))
    st.session_state["bar_page"] = current
    bar.selectbox("页面", [p.url_path for p in pages], key="bar_page", format_func=titles.get,
                  on_change=lambda: go(st.session_state["bar_page"]), label_visibility="collapsed")
    bar.button("▶", key="bar_next", help="下一个页面", on_click=go,
               args=(paths[(here + 1) % len(paths)],))
    month_select(bar, periods)
    synced_select(bar, "县区", "bar_county", COUNTY_KEY, counties)
    if any(p.url_path == SLIDESHOW for p in pages):
        bar.button("放映", key="bar_show", on_click=go, args=(SLIDESHOW,),
                   icon=":material/slideshow:", type="primary")
    exit_projector_button(bar)
    note_chip(bar)
