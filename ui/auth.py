"""Login for the app: who this browser is, the login form, sign-out, permission gates for pages.

Where accounts come from is `core.access.accounts.access_mode()`:
- "accounts": a sign-in is a server-side session (core/access/sessions.py) kept by this tab
  and, through an HttpOnly cookie the web server sets (ui/web.py), by every tab of the browser;
  every run re-checks it (idle and absolute expiry, the account as the users file says now);
- "demo" (PILOT_DEMO=1): everyone is the demo administrator, a banner says so on every page
  and in projector mode;
- "missing": PILOT_USERS names a file that does not exist — an error page, nobody gets in;
- "unconfigured" (no users file at all): a first-start screen that explains how to create the
  first account and, while the database holds only demo data, offers the demo explicitly.
"""
from __future__ import annotations

import logging

import streamlit as st

from core.access import sessions, throttle
from core.access.accounts import (
    ACTION_LABELS,
    DEMO_USER,
    MAX_NAME,
    AuthError,
    User,
    access_mode,
    can,
    canonical,
    current_record,
    demo_offered,
    load_users,
    stamp,
    users_path,
    verify,
)
from core.access.audit import record_event
from core.present.escape import md_text

LOG = logging.getLogger(__name__)
UNKNOWN_ACCOUNT = "(不存在的账号)"  # the audit log's actor of a failed sign-in under no account's name
TOKEN_KEY = "auth_token"  # this tab's session token
ENDED_KEY = "auth_ended"  # why this tab's session ended (shown on the login form)
COOKIE_KEY = "auth_cookie"  # a cookie change for the web server to make on this page load
DEMO_CHOSEN_KEY = "auth_demo_chosen"  # the demo chosen on the first-start screen (this tab)
ROUTE = "_pilot/session"  # ui/web.py
DEMO_BANNER = ("演示模式:所有访问者都以「演示管理员」身份使用本看板(可上传、审核),数据仅供演示。"
               "正式使用前,请管理员创建账号并关闭演示模式(见使用说明「运行维护」)。")


def _policy() -> sessions.Policy:
    return sessions.Policy.from_zone()


def _cookie_token() -> str | None:
    try:
        raw = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # noqa: BLE001 - no browser context (bare mode)
        return None
    return sessions.store().token_of(raw) if isinstance(raw, str) else None  # (AppTest: a mock)


def current_user() -> User | None:
    """The signed-in user of this browser (re-checked now), the demo administrator, or None."""
    mode = access_mode()
    if mode == "demo":
        return DEMO_USER
    if mode == "unconfigured":
        return DEMO_USER if st.session_state.get(DEMO_CHOSEN_KEY) else None
    if mode != "accounts":
        return None
    tried = []
    for token in (st.session_state.get(TOKEN_KEY), _cookie_token()):
        if not token or token in tried:
            continue
        tried.append(token)
        try:
            user, why = sessions.check(token, _policy())
        except sessions.SessionError as exc:
            LOG.error("%s", exc)
            return None
        if user is not None:
            st.session_state[TOKEN_KEY] = token
            return user
        if why != "signed_out" or token == st.session_state.get(TOKEN_KEY):
            st.session_state[ENDED_KEY] = why
    st.session_state.pop(TOKEN_KEY, None)
    return None


def login_gate() -> User:
    """Return the session's user; otherwise show the login (or first-start) screen and stop."""
    mode = access_mode()
    user = current_user()
    _apply_cookie_change()
    if user is not None:
        _sidebar(user)
        return user
    if mode == "missing":
        _missing_users_file()
    elif mode == "unconfigured":
        _first_start()
    else:
        _login_form()
    st.stop()


def demo_note() -> tuple[str, str] | None:
    """('演示模式', the banner's text) in demo mode, for projector mode's meeting bar; else None."""
    return ("演示模式", DEMO_BANNER) if current_user() == DEMO_USER else None


def demo_banner() -> None:
    """In demo mode, one line at the top of every page (app.py: under projector mode's meeting bar,
    where the sidebar is closed)."""
    if current_user() != DEMO_USER:
        return
    st.html('<div style="background:#fff3cd;color:#5c4400;border:1px solid #e0c36a;border-radius:6px;'
            f'padding:4px 12px;font-size:15px;line-height:1.5">{DEMO_BANNER}</div>')


def _missing_users_file() -> None:
    path = users_path()
    LOG.error("PILOT_USERS names %s, which does not exist", path)
    st.title("实验区监测看板", anchor=False)
    st.error(f"环境变量 `PILOT_USERS` 指定的账号文件({md_text(path.name)})不存在,看板不能登录。"
             "请管理员检查该设置是否写错;如需新建账号,请在服务器上运行 `python -m core users add`。")


def _first_start() -> None:
    st.title("实验区监测看板 · 首次启动", anchor=False)
    st.warning("尚未创建任何账号(服务器上没有 `data/users.toml`)。")
    st.markdown("**正式使用**:请管理员在服务器上创建第一个账号,然后刷新本页:\n\n"
                "```\npython -m core users add 账号名 --role admin --display 姓名\n```")
    from core.db import DatabaseUnavailable, open_db
    from ui.data import db_path

    try:
        with open_db(db_path()) as con:
            offered = demo_offered(con)
    except DatabaseUnavailable as exc:
        st.error(md_text(exc))
        return
    if not offered:
        st.error("数据库中已有正式报送数据,不能以演示模式进入。请管理员先创建账号。")
        return
    st.markdown("**仅试用演示数据**:以演示模式进入后,本浏览器标签页以「演示管理员」身份使用看板"
                "(可上传、审核),页面顶部一直显示演示模式提示。")
    if st.button("以演示模式进入", key="auth_demo"):
        st.session_state[DEMO_CHOSEN_KEY] = True
        st.rerun()


def _login_form() -> None:
    st.title("实验区监测看板 · 登录", anchor=False)
    try:
        load_users()
    except AuthError as exc:
        LOG.error("%s", exc)
        st.error(md_text(str(exc).replace(str(users_path()), users_path().name)))
        return
    ended = st.session_state.pop(ENDED_KEY, None)
    if ended in sessions.ENDED:
        st.info(sessions.ENDED[ended])
    with st.form("login_form"):
        # a sign-in form (not "new-password", Streamlit's default): the browser offers a saved password
        name = st.text_input("账号", key="login_name", autocomplete="username")
        password = st.text_input("密码", type="password", key="login_password", autocomplete="current-password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        _sign_in(name, password)
    st.caption("账号由实验区管理员分配;忘记密码请联系管理员重设。")


def _address() -> str:
    try:
        ip = st.context.ip_address
    except Exception:  # noqa: BLE001 - no browser context
        ip = None
    return ip if isinstance(ip, str) and ip else "本机"  # None for localhost; a mock under AppTest


def _sign_in(name: str, password: str) -> None:
    username, address = canonical(name)[:MAX_NAME], _address()
    refused = throttle.refusal(username, address)
    if refused:
        st.error(refused)
        return
    found = verify(username, password)
    if found is None:
        throttle.failed(username, address)
        # The name only when it is an account's: a password typed into 账号 must not reach the log.
        actor = username if current_record(username) is not None else UNKNOWN_ACCOUNT
        record_event(actor, "login_failed", detail={"address": address})
        st.error("账号或密码不正确")
        return
    throttle.succeeded(username)
    rec = current_record(found.username)
    try:
        token = sessions.store().create(found.username, stamp(rec), address)
    except sessions.SessionError as exc:
        LOG.error("%s", exc)
        st.error("服务器无法保存登录状态,请联系实验区管理员。")
        return
    record_event(found.username, "login", county=found.county, detail={"address": address})
    st.session_state[TOKEN_KEY] = token
    st.session_state[COOKIE_KEY] = ("start", sessions.issue_ticket(token))
    st.rerun()


def sign_out() -> None:
    """End this sign-in everywhere (every tab, every copy of the cookie) and forget it here."""
    token = st.session_state.pop(TOKEN_KEY, None) or _cookie_token()
    ended = sessions.store().end(token) if token else None
    if ended is not None:
        record_event(ended.username, "logout", detail={"address": _address()})
    st.session_state[ENDED_KEY] = "you_signed_out"
    st.session_state[COOKIE_KEY] = ("end", "")


def _apply_cookie_change() -> None:
    """Ask the web server (an invisible image request) to set or clear the session cookie."""
    change = st.session_state.pop(COOKIE_KEY, None)
    if not change:
        return
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    action, ticket = change
    st.html(f'<img src="{prefix}/{ROUTE}/{action}?t={ticket}" alt="" width="1" height="1" '
            'style="position:absolute;opacity:0">')


def _sidebar(user: User) -> None:
    with st.sidebar:
        st.caption(f"当前用户:{md_text(user.label)}")
        if user == DEMO_USER:
            return
        if st.button("退出登录", key="logout"):
            sign_out()
            st.rerun()


def recheck() -> None:
    """For fragments that rerun by themselves (the slideshow's auto-advance), which skip app.py:
    once the sign-in has ended, rerun the whole app (it shows the login form)."""
    if current_user() is None:
        st.rerun(scope="app")


def require(action: str) -> User:
    """The session's user if allowed to do `action`; otherwise an error on the page and stop."""
    user = current_user()
    if not can(user, action):
        st.error(f"当前账号无权{ACTION_LABELS[action]},请联系实验区管理员。")
        st.stop()
    return user
