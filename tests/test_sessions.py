"""Sign-ins: server-side sessions re-checked on every run, expiry, throttling, audit, access modes."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.access import accounts as auth
from core.access import sessions, throttle
from core.access.accounts import add_user, remove_user
from core.access.audit import list_audit
from core.db import open_db
from core.present.escape import md_text

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
POLICY = sessions.Policy(idle=600, lifetime=3600)


@pytest.fixture(autouse=True)
def warm_server(monkeypatch):
    """Every AppTest run starts like a fresh server, in Streamlit's legacy pages/ mode, and the pages
    reroute through app.py (ui/guard.py) — which drops a click. A running server leaves that mode
    on its first visitor for good; so do these tests."""
    from streamlit.runtime.pages_manager import PagesManager

    init = PagesManager.__init__

    def warm_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", warm_init)


@pytest.fixture
def accounts(tmp_path, db_path, monkeypatch):
    """Accounts mode: a users file with an administrator and a clerk; an empty database, no demo."""
    path = tmp_path / "users.toml"
    monkeypatch.setenv(auth.USERS_ENV, str(path))
    monkeypatch.delenv(auth.DEMO_ENV, raising=False)
    monkeypatch.setenv("PILOT_NO_DEMO", "1")
    add_user("office", "office-pass-1", "admin", display="张主任", path=path)
    add_user("yl01", "clerk-pass-1", "clerk", county="云岭县", path=path)
    for t in (throttle.ACCOUNTS, throttle.ADDRESSES):
        t._fails.clear()
    return path


def _sign_in(name: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="login_name").set_value(name)
    at.text_input(key="login_password").set_value(password)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _has_form(at: AppTest) -> bool:
    return any(t.key == "login_password" for t in at.text_input)


def test_a_removed_account_loses_its_open_session_at_the_next_click(accounts):
    at = _sign_in("YL01", "clerk-pass-1")  # names are case-insensitive
    assert not _has_form(at)
    assert any("当前用户:" in c.value for c in at.sidebar.caption)
    remove_user("yl01", accounts)
    at.run()  # the next click
    assert _has_form(at)
    assert any("账号已被删除" in i.value for i in at.info)


def test_a_removed_clerk_cannot_upload_from_an_open_upload_page(accounts, db_path):
    from tests.builders import build_workbook, valid_submission_sheets

    at = _sign_in("yl01", "clerk-pass-1")
    at.switch_page(str(ROOT / "pages" / "upload.py")).run()
    assert at.file_uploader, "the clerk sees the upload page"
    remove_user("yl01", accounts)
    book = build_workbook(valid_submission_sheets("云岭县", "2026-10"))
    at.file_uploader[0].set_value(("云岭县_2026-10.xlsx", book, "application/octet-stream")).run()
    assert _has_form(at)
    with open_db(db_path) as con:
        assert con.execute("SELECT count(*) FROM submission").fetchone()[0] == 0


def test_a_role_change_applies_at_once_and_a_password_reset_ends_the_session(accounts):
    at = _sign_in("yl01", "clerk-pass-1")
    at.switch_page(str(ROOT / "pages" / "upload.py")).run()
    assert at.file_uploader
    text = accounts.read_text(encoding="utf-8")  # the administrator edits the role in the file
    block = text[text.index('[users."yl01"]'):]
    accounts.write_text(text.replace(block, block.replace('role = "clerk"', 'role = "viewer"', 1)),
                        encoding="utf-8")
    at.run()  # the next click: still signed in (same password), but no longer a clerk
    assert not _has_form(at) and not at.file_uploader
    assert any("查看" in c.value for c in at.sidebar.caption)
    add_user("yl01", "new-password-2", "clerk", county="云岭县", path=accounts, replace=True)
    at.run()
    assert _has_form(at) and any("密码已重设" in i.value for i in at.info)


def test_sign_out_ends_the_session_for_every_tab(accounts):
    a = _sign_in("office", "office-pass-1")
    token = a.session_state[sessions_token_key()]
    b = AppTest.from_file(APP, default_timeout=60)
    b.session_state[sessions_token_key()] = token  # a second tab of the same browser (the cookie)
    b.run()
    assert not _has_form(b)
    a.button(key="logout").click().run()
    assert _has_form(a)
    b.run()
    assert _has_form(b)
    with open_db() as con:
        log = list_audit(con)
    assert list(log["action"][:2]) == ["logout", "login"]
    assert list(log["actor"][:2]) == ["office", "office"]


def sessions_token_key() -> str:
    from ui.auth import TOKEN_KEY

    return TOKEN_KEY


def test_logins_and_failures_are_audited_and_throttled_per_account(accounts):
    at = AppTest.from_file(APP, default_timeout=60).run()
    for _ in range(throttle.ACCOUNT_LIMIT):
        at.text_input(key="login_name").set_value("office")
        at.text_input(key="login_password").set_value("wrong-password")
        at.button[0].click().run()
        assert any("账号或密码不正确" in e.value for e in at.error)
    at.text_input(key="login_password").set_value("office-pass-1")  # right, but too late
    at.button[0].click().run()
    assert _has_form(at) and any("登录失败次数过多" in e.value for e in at.error)
    other = _sign_in("yl01", "clerk-pass-1")  # another account from the same address still may
    assert not _has_form(other)
    with open_db() as con:
        log = list_audit(con)
    failed = log[log["action"] == "login_failed"]
    assert len(failed) == throttle.ACCOUNT_LIMIT and set(failed["actor"]) == {"office"}
    assert "yl01" in set(log[log["action"] == "login"]["actor"])


def test_a_password_typed_into_the_name_box_never_reaches_the_audit_log(accounts):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_name").set_value("Secret-Pass-9")  # the password, in the wrong box
    at.text_input(key="login_password").set_value("")
    at.button[0].click().run()
    assert any("账号或密码不正确" in e.value for e in at.error)
    with open_db() as con:
        log = list_audit(con)
    failed = log[log["action"] == "login_failed"]
    assert list(failed["actor"]) == ["(不存在的账号)"]
    assert not log.astype(str).apply(lambda col: col.str.contains("secret-pass-9", case=False)).any().any()


def test_throttle_counts_per_account_and_per_address():
    acc = throttle.Throttle(limit=3, window=100)
    for t in (0, 1, 2):
        acc.fail("a", now=t)
    assert acc.wait("a", now=3) == pytest.approx(97)
    assert acc.wait("b", now=3) == 0
    assert acc.wait("a", now=100.5) == 0  # the oldest failure left the window
    small = throttle.Throttle(limit=1, window=100, max_keys=2)
    for key in ("x", "y", "z"):
        small.fail(key, now=0)
    assert small.wait("x", now=1) == 0 and small.wait("z", now=1) > 0  # oldest key forgotten, memory bounded


def test_sessions_expire_after_idle_time_and_lifetime(accounts):
    from core.access.accounts import current_record, stamp

    store = sessions.store()
    rec = current_record("office")
    token = store.create("office", stamp(rec), now=1000)
    user, why = sessions.check(token, POLICY, now=1000 + 599)
    assert user.username == "office" and why is None
    assert sessions.check(token, POLICY, now=1000 + 599 + 601) == (None, "idle")
    assert store.get(token) is None  # an ended session is gone
    token = store.create("office", stamp(rec), now=0)
    for t in range(500, 3600, 500):  # kept busy, still ends at the absolute lifetime
        assert sessions.check(token, POLICY, now=t)[0] is not None
    assert sessions.check(token, POLICY, now=3601) == (None, "lifetime")


def test_cookie_signature_refuses_altered_or_forged_values(accounts):
    store = sessions.store()
    token = store.create("office", "x")
    value = store.cookie_value(token)
    assert store.token_of(value) == token
    assert store.token_of(value[:-1] + ("0" if value[-1] != "0" else "1")) is None
    assert store.token_of(("B" if value[0] == "A" else "A") + value[1:]) is None  # the token altered
    assert store.token_of("no-dot") is None and store.token_of("") is None and store.token_of("é.x") is None
    assert (accounts.parent / sessions.KEY_FILE).stat().st_mode & 0o077 == 0  # secret: owner only


def test_tickets_are_one_time_and_short_lived():
    ticket = sessions.issue_ticket("tok")
    assert sessions.redeem_ticket(ticket) == "tok"
    assert sessions.redeem_ticket(ticket) is None
    assert sessions.redeem_ticket("made-up") is None and sessions.redeem_ticket(None) is None


def test_only_signed_in_uploaders_may_hand_the_server_a_file(accounts, monkeypatch):
    from core.access.accounts import current_record, stamp
    from ui.web import may_upload

    store = sessions.store()
    cookie = {n: store.cookie_value(store.create(n, stamp(current_record(n)))) for n in ("office", "yl01")}
    add_user("meeting", "meeting-pass", "viewer", path=accounts)
    cookie["meeting"] = store.cookie_value(store.create("meeting", stamp(current_record("meeting"))))
    assert may_upload(None) is False and may_upload("forged.value") is False
    assert may_upload(cookie["meeting"]) is False  # a viewer
    assert may_upload(cookie["office"]) is True and may_upload(cookie["yl01"]) is True
    remove_user("yl01", accounts)
    assert may_upload(cookie["yl01"]) is False
    monkeypatch.setenv(auth.DEMO_ENV, "1")
    assert may_upload(None) is True  # demo chosen: everyone is the demo administrator


def test_missing_users_file_is_an_error_never_the_demo(tmp_path, db_path, monkeypatch):
    monkeypatch.setenv(auth.USERS_ENV, str(tmp_path / "typo-users.toml"))
    monkeypatch.delenv(auth.DEMO_ENV, raising=False)
    monkeypatch.setenv("PILOT_NO_DEMO", "1")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("PILOT_USERS` 指定的账号文件" in e.value and md_text("typo-users.toml") in e.value for e in at.error)
    assert not _has_form(at)  # nobody can sign in against a users file that is not there
    assert str(tmp_path) not in " ".join(e.value for e in at.error)  # no server path shown
    assert not any("演示模式" in h.proto.body for h in at.get("html"))


def test_first_start_offers_the_demo_explicitly_and_only_on_demo_data(tmp_path, db_path, monkeypatch):
    from datetime import datetime

    from core.submission.ingest import ingest_file
    from tests.builders import build_workbook, valid_submission_sheets

    monkeypatch.delenv(auth.USERS_ENV)
    monkeypatch.delenv(auth.DEMO_ENV, raising=False)
    monkeypatch.setattr(auth, "DATA_DIR", tmp_path / "fresh-checkout")
    monkeypatch.setenv("PILOT_NO_DEMO", "1")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "首次启动" in at.title[0].value and not _has_form(at)
    at.button(key="auth_demo").click().run()
    assert any("演示模式" in h.proto.body for h in at.get("html"))  # the banner on the page itself
    assert any("演示管理员" in c.value for c in at.sidebar.caption)
    book = build_workbook(valid_submission_sheets("云岭县", "2026-10"))
    assert ingest_file(book, file_name="云岭县.xlsx", db_path=db_path,
                       received_at=datetime(2026, 11, 3)).status == "accepted"  # from the command line
    fresh = AppTest.from_file(APP, default_timeout=60).run()
    assert not [b for b in fresh.button if b.key == "auth_demo"]
    assert any("已有正式报送数据" in e.value for e in fresh.error)


def test_users_file_with_names_differing_in_case_is_refused(accounts):
    accounts.write_text(accounts.read_text(encoding="utf-8").replace('[users."yl01"]', '[users."YL01"]')
                        + '\n[users."yl01"]\nrole = "viewer"\ncounty = ""\ndisplay = ""\nsalt = "00"\nhash = "00"\n',
                        encoding="utf-8")
    with pytest.raises(auth.AuthError, match="只差大小写"):
        auth.load_users(accounts)


def test_a_clerk_whose_sidebar_names_another_county_is_told_whose_submissions_are_shown(accounts, db_path):
    from datetime import datetime

    from core.submission.ingest import ingest_file
    from tests.builders import build_workbook, valid_submission_sheets
    from ui.filters import COUNTY_KEY

    for k, county in enumerate(("云岭县", "临江区")):
        sheets = valid_submission_sheets(county, "2026-10")
        for rows in sheets.values():  # each county its own school codes
            for row in rows[1:]:
                if row and str(row[0]).isdigit():
                    row[0] = str(int(row[0]) + k * 1000)
        assert ingest_file(build_workbook(sheets), file_name=f"{county}_2026-10.xlsx", db_path=db_path,
                           received_at=datetime(2026, 11, 3)).status == "accepted"
    at = _sign_in("yl01", "clerk-pass-1")
    at.switch_page(str(ROOT / "pages" / "submissions.py")).run()
    assert not any("只能查看" in i.value for i in at.info)  # the sidebar on the whole zone: nothing to say
    at.session_state[COUNTY_KEY] = "临江区"  # a shared link with ?county=临江区
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("当前账号只能查看云岭县的报送情况,下表为云岭县。" in i.value for i in at.info)
    assert "临江区" not in " ".join(str(t.value) for t in at.dataframe) + " ".join(str(t.value) for t in at.table)
