"""Staying signed in, in a real Chromium: reload, a second tab with a shared link, sign-out everywhere,
idle expiry, a removed account refused on its next click, uploads only for signed-in uploaders.

`streamlit run app.py` serves the app through app.py's st.App (session-cookie routes, upload gate).
Screenshots go to test-artifacts/. Needs Debian chromium (scripts/setup_system.sh).
"""
from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime

import pytest

from core.access.accounts import add_user
from core.access.audit import list_audit
from core.db import open_db
from core.submission.ingest import ingest_file
from core.zone import ZONE_FILE
from tests.builders import build_workbook, valid_submission_sheets
from tests.test_browser import ARTIFACTS, CHROMIUM, ROOT, _settle, _streamlit, browser  # noqa: F401

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="需要 /usr/bin/chromium(运行 bash scripts/setup_system.sh 安装)")

PASSWORD = 'input[type="password"]'
SHARED = "/compare?month=2026-10&county=云岭县&mode=projector"


def _setup(work, idle_minutes: float) -> dict:
    """A database with 云岭县 2026-10, two accounts, a zone file with the given idle limit."""
    db, users, zone = work / "pilot.duckdb", work / "users.toml", work / "zone.toml"
    book = build_workbook(valid_submission_sheets("云岭县", "2026-10", n_schools=8))
    assert ingest_file(book, file_name="云岭县_2026-10.xlsx", db_path=db,
                       received_at=datetime(2026, 11, 3)).status == "accepted"
    add_user("office", "office-pass-1", "admin", display="张主任", path=users)
    add_user("yl01", "clerk-pass-1", "clerk", county="云岭县", path=users)
    zone.write_text(ZONE_FILE.read_text(encoding="utf-8").replace(
        "session_idle_minutes = 60", f"session_idle_minutes = {idle_minutes}"), encoding="utf-8")
    return {"PILOT_DB": str(db), "PILOT_USERS": str(users), "PILOT_ZONE": str(zone),
            "PILOT_NO_DEMO": "1", "PYTHONPATH": str(ROOT)}


@contextlib.contextmanager
def _server(work, idle_minutes: float, log: str):
    import os

    env = {**os.environ, **_setup(work, idle_minutes)}
    env.pop("PILOT_DEMO", None)
    with _streamlit(env, log) as base:
        yield base, env


def _sign_in(page, name: str, password: str) -> None:
    page.get_by_label("账号", exact=True).fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_function("() => !document.querySelector('input[type=password]')", timeout=60_000)
    _settle(page)


def _main(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def _form_after_click(page) -> None:
    page.wait_for_selector(PASSWORD, timeout=60_000)
    _settle(page)


def test_sign_in_survives_reload_new_tab_and_shared_link_and_sign_out_ends_it_everywhere(tmp_path, browser):
    with _server(tmp_path, 60, "streamlit-session.log") as (base, env):
        context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
        first = context.new_page()
        first.goto(base + SHARED)  # a shared link, opened by someone not signed in
        _settle(first)
        assert first.locator(PASSWORD).count() == 1
        assert first.locator('[data-testid="stSidebarNav"]').count() == 0
        # a sign-in form the browser's password manager fills, not a new password to be saved
        assert first.locator(PASSWORD).get_attribute("autocomplete") == "current-password"
        assert first.get_by_label("账号", exact=True).get_attribute("autocomplete") == "username"
        _sign_in(first, "Office", "office-pass-1")  # names are case-insensitive
        view = _main(first)  # the exact view of the link: page, month, county, projector mode
        # (projector mode: the meeting bar names page, month and county; 县区对比 opens on the county)
        bar = [first.locator(f".st-key-{k} [role='combobox']").input_value() for k in ("bar_page", "bar_month",
                                                                                        "bar_county")]
        assert bar[0] == "县区对比 / 学校明细" and bar[1].startswith("2026年10月") and bar[2] == "云岭县", bar
        assert "云岭县各校" in view
        assert "mode=projector" in first.url and "month=2026-10" in first.url
        cookie = next(c for c in context.cookies() if c["name"] == "pilot_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        first.screenshot(path=str(ARTIFACTS / "session-shared-link-after-sign-in.png"))

        first.reload()
        _settle(first)
        assert first.locator(PASSWORD).count() == 0 and "云岭县各校" in _main(first)

        second = context.new_page()
        second.goto(base + "/pe?month=2026-10&county=云岭县")
        _settle(second)
        assert second.locator(PASSWORD).count() == 0
        assert "2026年10月 云岭县" in _main(second)
        second.screenshot(path=str(ARTIFACTS / "session-second-tab.png"))

        second.get_by_role("button", name="退出登录").click()
        _form_after_click(second)
        assert "已退出登录" in _main(second)
        # The first tab's next click (another indicator) meets the login form too.
        first.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
        first.get_by_role("option").nth(1).click()
        _form_after_click(first)
        first.reload()
        _settle(first)
        assert first.locator(PASSWORD).count() == 1
        first.screenshot(path=str(ARTIFACTS / "session-after-sign-out.png"))
        assert not [c for c in context.cookies() if c["name"] == "pilot_session"]
        context.close()
        with open_db(env["PILOT_DB"]) as con:
            log = list_audit(con)
        assert {"login", "logout"} <= set(log[log["actor"] == "office"]["action"])


def test_a_removed_account_is_refused_on_its_next_click_and_uploads_need_a_sign_in(tmp_path, browser):
    with _server(tmp_path, 60, "streamlit-session-removed.log") as (base, env):
        anonymous = urllib.request.Request(f"{base}/_stcore/upload_file/any-session/any-file", data=b"x" * 1000,
                                           method="PUT")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(anonymous, timeout=10)
        assert refused.value.code == 403  # refused before Streamlit's handler holds anything

        context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
        page = context.new_page()
        page.goto(base + "/upload")
        _settle(page)
        _sign_in(page, "yl01", "clerk-pass-1")
        assert "上传县区月度报送工作簿" in _main(page)
        book = build_workbook(valid_submission_sheets("云岭县", "2026-11", n_schools=8))
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            files=[{"name": "云岭县_2026-11.xlsx", "mimeType": "application/octet-stream", "buffer": book}])
        page.get_by_text("已接收", exact=False).first.wait_for(timeout=60_000)  # a signed-in clerk uploads
        page.goto(base + "/review?month=2026-10")  # a link to the administrator's page
        _settle(page)
        assert "当前账号没有「审核与审计日志」页面的权限,已打开「总览」。" in _main(page)
        page.goto(base + "/upload")
        _settle(page)
        assert "上传县区月度报送工作簿" in _main(page) and "页面的权限" not in _main(page)

        removed = subprocess.run([sys.executable, "-m", "core", "users", "--db", env["PILOT_DB"], "remove", "yl01"],
                                 cwd=ROOT, env=env, capture_output=True, text=True)
        assert removed.returncode == 0, removed.stderr
        # the page still open: the next file is refused by the server's gate, and the clerk reads why in Chinese
        book = build_workbook(valid_submission_sheets("云岭县", "2026-10", n_schools=8))
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            files=[{"name": "云岭县_2026-10.xlsx", "mimeType": "application/octet-stream", "buffer": book}])
        shown = ("() => document.body.innerText + [...document.querySelectorAll('[title],[aria-label]')]"
                 ".map(e => (e.getAttribute('title') || '') + (e.getAttribute('aria-label') || '')).join(' ')")
        page.wait_for_function(f"() => ({shown})().includes('未能上传')", timeout=60_000)
        page.get_by_text("云岭县_2026-10.xlsx").last.hover()
        page.wait_for_timeout(800)
        text = page.evaluate(shown)
        assert "请刷新页面重新登录" in text and "AxiosError" not in text and "status code" not in text, text
        page.screenshot(path=str(ARTIFACTS / "session-removed-upload-refused.png"))
        page.locator('[data-testid="stSidebarNav"] a', has_text="总览").first.click()
        _form_after_click(page)
        assert "请重新登录" in _main(page)
        page.screenshot(path=str(ARTIFACTS / "session-removed-account.png"))
        context.close()
        with open_db(env["PILOT_DB"]) as con:
            log = list_audit(con)
        assert "user_remove" in set(log["action"]) and "ingest" in set(log[log["actor"] == "yl01"]["action"])


def test_idle_sign_in_ends_after_the_zone_office_limit(tmp_path, browser):
    with _server(tmp_path, 0.1, "streamlit-session-idle.log") as (base, _):  # 6 seconds
        context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
        page = context.new_page()
        page.goto(base + "/?month=2026-10")
        _settle(page)
        _sign_in(page, "office", "office-pass-1")
        assert page.locator(PASSWORD).count() == 0
        time.sleep(8)
        page.locator('[data-testid="stSidebarNav"] a', has_text="体育").first.click()
        _form_after_click(page)
        assert "长时间未操作" in _main(page)
        page.reload()
        _settle(page)
        assert page.locator(PASSWORD).count() == 1  # the cookie's session is gone as well
        page.screenshot(path=str(ARTIFACTS / "session-idle-expired.png"))
        context.close()


def test_a_stopped_server_is_said_in_chinese(tmp_path, browser):
    """The server restarts for an update while a page is open: the connection dialog speaks Chinese."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    page = context.new_page()
    with _server(tmp_path, 60, "streamlit-session-stopped.log") as (base, _):
        page.goto(base + "/")
        _settle(page)
        assert page.locator(PASSWORD).count() == 1
    page.get_by_text("看板服务器没有响应", exact=False).first.wait_for(timeout=60_000)
    text = page.locator("body").inner_text()
    page.screenshot(path=str(ARTIFACTS / "session-server-stopped.png"))
    context.close()
    assert "not responding" not in text and "internet" not in text, text
