"""Login for the app: a login form, the session's user, permission gates for pages.

Without data/users.toml (or with PILOT_DEMO=1) the app runs in demo mode, logged in as the
demo administrator, and says so in a banner, so `streamlit run app.py` just works.
"""
from __future__ import annotations

import time

import streamlit as st

from core.access.accounts import (
    ACTION_LABELS,
    DEMO_USER,
    AuthError,
    User,
    can,
    demo_mode,
    verify,
)

SESSION_KEY = "auth_user"
FAILS_KEY = "auth_failures"
DEMO_BANNER = "演示模式:已以 演示管理员 身份登录。正式使用前,请管理员用 `python -m core users add` 创建账号。"


def current_user() -> User | None:
    """The logged-in user of this browser session (the demo administrator in demo mode)."""
    try:
        if demo_mode():
            return DEMO_USER
    except AuthError:
        return None
    raw = st.session_state.get(SESSION_KEY)
    return User.model_validate(raw) if raw else None


def login_gate() -> User:
    """Return the session's user; show the login form and stop the script while nobody is logged in."""
    user = current_user()
    if user is not None:
        _sidebar(user)
        return user
    st.title("实验区监测看板 · 登录")
    with st.form("login_form"):
        name = st.text_input("账号", key="login_name")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        fails = st.session_state.get(FAILS_KEY, 0)
        if fails >= 5:
            time.sleep(min(10, fails))  # slow down guessing from one session
        found = verify(name, password)
        if found is None:
            st.session_state[FAILS_KEY] = fails + 1
            st.error("账号或密码不正确")
        else:
            st.session_state[SESSION_KEY] = found.model_dump()
            st.session_state[FAILS_KEY] = 0
            st.rerun()
    st.caption("账号由实验区管理员分配;忘记密码请联系管理员重设。")
    st.stop()


def _sidebar(user: User) -> None:
    with st.sidebar:
        if user == DEMO_USER and demo_mode():
            st.info(DEMO_BANNER)
            return
        st.caption(f"当前用户:{user.label}")
        if st.button("退出登录", key="logout"):
            st.session_state.pop(SESSION_KEY, None)
            st.rerun()


def require(action: str) -> User:
    """The session's user if allowed to do `action`; otherwise an error on the page and stop."""
    user = current_user()
    if not can(user, action):
        st.error(f"当前账号无权{ACTION_LABELS[action]},请联系实验区管理员。")
        st.stop()
    return user
