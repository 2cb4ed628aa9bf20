"""实验区监测看板: page config, login, projector switch, global filters, the list of pages.

`streamlit run app.py` finds the `app = st.App(...)` at the bottom and serves this script
through it, with the session-cookie routes, the upload gate and the Chinese error handler of
ui/web.py, Streamlit's page files from memory (ui/static_files.py) and Nagle's algorithm off on
its connections (ui/nodelay.py); the script itself runs as `__main__` (and so does AppTest.from_file).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
# The browser tab's icon, drawn here: Streamlit would fetch a material-icon favicon from
# fonts.gstatic.com, which a county's intranet (or any network in China) cannot reach.
ICON = (HERE / "ui" / "favicon.svg").read_text(encoding="utf-8")

# The navigation as data: (section, file, title, icon). Optional pages appear when their file exists.
PAGES = [
    ("监测", "pages/overview.py", "总览", ":material/dashboard:"),
    ("监测", "pages/quality.py", "优质学校", ":material/school:"),
    ("监测", "pages/pe.py", "体育", ":material/sports_soccer:"),
    ("监测", "pages/homework.py", "作业", ":material/menu_book:"),
    ("监测", "pages/whole_child.py", "综合育人", ":material/diversity_3:"),
    ("监测", "pages/compare.py", "县区对比 / 学校明细", ":material/bar_chart:"),
    ("会议", "pages/slideshow.py", "投影放映", ":material/slideshow:"),
    ("会议", "pages/report.py", "月报", ":material/description:"),
    ("报送", "pages/upload.py", "数据报送", ":material/upload_file:"),
    ("报送", "pages/submissions.py", "报送情况", ":material/fact_check:"),
    ("管理", "pages/review.py", "审核与审计日志", ":material/verified:"),
]
# Pages shown only to roles allowed this action (core/auth.py PERMISSIONS); the rest need view_zone.
PAGE_ACTIONS = {"pages/upload.py": "upload_own", "pages/review.py": "review"}
NOT_ALLOWED = "当前账号没有「{page}」页面的权限,已打开「{home}」。"


def main() -> None:
    # Imported here, not at the top: the web server imports this file before Streamlit's runtime
    # exists, and ui.data's caches must be created inside it.
    from core.access.accounts import can
    from core.db import DatabaseUnavailable, hold_for_dashboard
    from core.present.escape import md_text
    from core.zone import load_zone
    from ui import data
    from ui.auth import current_user, demo_banner, demo_note, login_gate
    from ui.chrome import chinese_chrome
    from ui.filters import global_filters
    from ui.firstrun import ensure_data
    from ui.guard import land_unknown_paths, leave_legacy_pages_mode
    from ui.meeting import NavPage, meeting_bar
    from ui.narrow import is_narrow, narrow_layout, phone_filters
    from ui.projector import is_projector, projector_requested, projector_switch

    leave_legacy_pages_mode()  # first visitor of a fresh server: leave Streamlit's legacy pages/ mode first
    hold_for_dashboard(data.db_path())  # a restore refuses while the dashboard runs on this database
    st.set_page_config(page_title=f"{load_zone().name}监测看板", page_icon=ICON,
                       layout="wide",
                       initial_sidebar_state="collapsed" if projector_requested() else "auto")

    # Navigation is declared before the login form, hidden while nobody is logged in: the sidebar
    # never shows a stale page list, and after login the user lands on the page the URL asked for
    # (with its month, county and mode: the query parameters are left as they are until then).
    chinese_chrome()  # Streamlit's own English (uploader, tables, menus) in Chinese, from the first screen on
    user = current_user()
    sections: dict[str, list] = {}
    shown: list[NavPage] = []
    withheld: dict[str, str] = {}  # url path -> title of the pages this account may not open
    for section, file, title, icon in PAGES:
        if (HERE / file).exists() and (user is None or can(user, PAGE_ACTIONS.get(file, "view_zone"))):
            entry = st.Page(str(HERE / file), title=title, icon=icon, default=file == PAGES[0][1])
            sections.setdefault(section, []).append(entry)
            shown.append(NavPage(title, file, entry.url_path, section))
        else:
            withheld[Path(file).stem] = title
    turned_away = land_unknown_paths(p.url_path for p in shown)  # a stale link such as /overview: the overview
    page = st.navigation(sections, position="sidebar" if user else "hidden")
    login_gate()  # login form (or first-start screen) and stop until someone is signed in
    if turned_away in withheld:  # a link to a page of another role: say so, not a silent 总览
        st.info(NOT_ALLOWED.format(page=withheld[turned_away], home=shown[0].title))

    projector_switch()
    try:
        ensure_data()
        choices, counties = data.month_choices(), data.load("zone_counties")
        global_filters(choices, counties)
        narrow_layout()  # the phone layout by the screen's width (CSS, and charts laid out for it)
        if not is_projector() and is_narrow():  # the sidebar is folded away on a phone: month and county on top
            phone_filters([c.period for c in choices], counties)
        demo = demo_note()  # on every page in demo mode: in projector mode as a chip in the meeting's bar
        meeting_bar(shown, page.url_path, [c.period for c in reversed(choices)], counties, note=demo)
        if not is_projector():
            demo_banner()
        page.run()
    except DatabaseUnavailable as exc:  # busy or damaged database: say so, no traceback
        st.error(md_text(exc))


if __name__ == "__main__":
    main()
elif __name__ != "__mp_main__":  # imported by `streamlit run app.py`'s web server: served with ui/web.py's additions
    # (A process that multiprocessing starts while this script runs, such as the demo build's and
    # ingest's pool workers, imports it again as __mp_main__: none of this is for them. They would
    # mark the database as held, start a warm-up that opens it while the build writes it, and
    # build a web app nobody serves.)
    from starlette.middleware import Middleware

    from core.db import hold_for_dashboard
    from ui.nodelay import server_no_delay
    from ui.static_files import StaticFromMemory
    from ui.web import HealthWhenWarm, UploadGate, on_script_error, routes

    hold_for_dashboard()
    server_no_delay()  # Streamlit's listening socket leaves Nagle on: 40 ms stalls on every kept-alive reply

    middleware = [Middleware(HealthWhenWarm), Middleware(StaticFromMemory, preload=True), Middleware(UploadGate)]
    app = st.App(__file__, routes=routes(), middleware=middleware, on_script_error=on_script_error)
    # Before any session exists: no request is ever routed by Streamlit's legacy pages/ mode, so
    # first visitors arriving together cannot race the switch that ui/guard.py makes per run.
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False

    from ui import warmup

    warmup.start()  # the overview's default month computed before the first visitor (in the background)
