"""Accounts: salted scrypt hashes, verify, roles → permissions, the users file and its command."""
from __future__ import annotations

import io
import stat
import tomllib

import pytest

from core.access import accounts as auth
from core.access.accounts import (
    AuthError,
    User,
    add_user,
    can,
    can_see_county,
    demo_mode,
    list_users,
    verify,
)
from core.cli import main


@pytest.fixture
def users_file(tmp_path, monkeypatch):
    path = tmp_path / "users.toml"
    monkeypatch.setenv(auth.USERS_ENV, str(path))
    monkeypatch.delenv(auth.DEMO_ENV, raising=False)
    return path


def test_verify_accepts_only_the_right_password(users_file):
    add_user("songxi", "correct horse", "clerk", county="松溪县", display="张三")
    user = verify("songxi", "correct horse")
    assert user == User(username="songxi", role="clerk", county="松溪县", display="张三")
    assert verify("songxi", "correct horsE") is None
    assert verify("nobody", "correct horse") is None
    assert verify("songxi", "") is None


def test_hashes_are_salted_and_password_never_stored(users_file):
    add_user("a1", "same password", "viewer")
    add_user("a2", "same password", "viewer")
    text = users_file.read_text(encoding="utf-8")
    assert "same password" not in text
    recs = tomllib.loads(text)["users"]
    assert recs["a1"]["salt"] != recs["a2"]["salt"]
    assert recs["a1"]["hash"] != recs["a2"]["hash"]
    assert len(bytes.fromhex(recs["a1"]["salt"])) == 16
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600


@pytest.mark.parametrize("kwargs, fragment", [
    ({"username": "x1", "password": "longenough", "role": "clerk"}, "必须指定所属县区"),
    ({"username": "x2", "password": "longenough", "role": "boss"}, "角色「boss」无效"),
    ({"username": "x3", "password": "short", "role": "viewer"}, "至少需要8个字符"),
    ({"username": "张三", "password": "longenough", "role": "viewer"}, "账号名「张三」无效"),
])
def test_add_user_refuses_bad_accounts(users_file, kwargs, fragment):
    with pytest.raises(AuthError, match=fragment):
        add_user(**kwargs)
    assert not users_file.exists()


def test_duplicate_account_needs_replace(users_file):
    add_user("admin", "first-password", "admin")
    with pytest.raises(AuthError, match="已存在"):
        add_user("admin", "second-password", "admin")
    add_user("admin", "second-password", "admin", replace=True)
    assert verify("admin", "first-password") is None
    assert verify("admin", "second-password").role == "admin"


ADMIN = User(username="a", role="admin")
CLERK = User(username="c", role="clerk", county="松溪县")
VIEWER = User(username="v", role="viewer")


@pytest.mark.parametrize("user, action, allowed", [
    (ADMIN, "upload_any", True), (ADMIN, "review", True), (ADMIN, "edit_targets", True),
    (ADMIN, "view_audit", True),
    (CLERK, "upload_own", True), (CLERK, "upload_any", False), (CLERK, "review", False),
    (CLERK, "view_zone", True), (CLERK, "view_all_submissions", False), (CLERK, "edit_targets", False),
    (VIEWER, "view_zone", True), (VIEWER, "upload_own", False), (VIEWER, "view_own_submissions", False),
    (None, "view_zone", False),
])
def test_permissions_by_role(user, action, allowed):
    assert can(user, action) is allowed


def test_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        can(ADMIN, "fly")


def test_clerk_sees_only_own_county():
    assert can_see_county(CLERK, "松溪县")
    assert not can_see_county(CLERK, "白石县")
    assert can_see_county(ADMIN, "白石县")
    assert not can_see_county(VIEWER, "松溪县")


def test_access_mode_is_demo_only_when_chosen(users_file, monkeypatch, tmp_path):
    """No silent demo: PILOT_DEMO=1 chooses it; a configured users file that is missing is an error."""
    assert auth.access_mode() == "missing" and not demo_mode()  # PILOT_USERS names a missing file
    add_user("admin", "first-password", "admin")
    assert auth.access_mode() == "accounts"
    monkeypatch.setenv(auth.DEMO_ENV, "1")
    assert auth.access_mode() == "demo" and demo_mode()
    monkeypatch.delenv(auth.DEMO_ENV)
    monkeypatch.delenv(auth.USERS_ENV)
    monkeypatch.setattr(auth, "DATA_DIR", tmp_path / "fresh-checkout")
    assert auth.access_mode() == "unconfigured"
    assert "演示管理员" in auth.DEMO_USER.label


@pytest.fixture
def zone_counties(tmp_path, monkeypatch):
    """A zone file listing 白石县 and 松溪县 (a clerk's county must be one of the zone's)."""
    from core.zone import ZONE_ENV, ZONE_FILE

    zone = tmp_path / "zone.toml"
    zone.write_text(ZONE_FILE.read_text(encoding="utf-8").replace(
        "counties = []", 'counties = ["白石县", "松溪县"]'), encoding="utf-8")
    monkeypatch.setenv(ZONE_ENV, str(zone))
    return zone


def test_users_command_adds_lists_and_removes(users_file, db_path, zone_counties, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    code = main(["users", "add", "baishi", "--role", "clerk", "--county", "白石县", "--password-stdin"])
    assert code == 0, capsys.readouterr().err
    assert verify("baishi", "s3cret-pass").county == "白石县"
    assert main(["users", "list"]) == 0
    assert "baishi\t县区填报员\t白石县" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    assert main(["users", "add", "x", "--role", "clerk", "--password-stdin"]) == 1
    assert "必须指定所属县区" in capsys.readouterr().err
    assert main(["users", "remove", "baishi"]) == 0
    assert list_users() == []
    assert main(["users", "remove", "baishi"]) == 1


def _no_english(text: str) -> bool:
    """True when a message has no English word (paths and the command's own name aside)."""
    import re
    words = re.sub(r"\S*/\S*|python -m core users|TOML|UTF-8|--users", "", text)
    return not re.search(r"[A-Za-z]{3,}", words)


def test_users_command_on_paths_it_cannot_use_says_so_in_chinese(tmp_path, db_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    assert main(["users", "--users", str(blocker / "u.toml"), "add", "bob", "--role", "viewer",
                 "--password-stdin"]) == 2  # a path to mend
    err = capsys.readouterr().err
    assert "无法写入账号文件" in err and "程序内部错误" not in err and _no_english(err), err
    assert main(["users", "--users", str(tmp_path / "typo" / "u.toml"), "list"]) == 2
    err = capsys.readouterr().err
    assert "不存在" in err and _no_english(err), err
    bad = tmp_path / "gbk.toml"
    bad.write_bytes('[users.x]\ndisplay = "张三"\n'.encode("gbk"))
    assert main(["users", "--users", str(bad), "list"]) == 1
    err = capsys.readouterr().err
    assert "不是UTF-8编码" in err and _no_english(err), err
    bad.write_text('[users.x]\nrole = "viewer"\ndisplay = \n', encoding="utf-8")
    assert main(["users", "--users", str(bad), "list"]) == 1
    err = capsys.readouterr().err
    assert "第3行" in err and _no_english(err), err


def test_a_county_given_for_an_account_that_has_none_is_said_to_be_unused(users_file, db_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    assert main(["users", "add", "boss", "--role", "viewer", "--county", "白石县", "--password-stdin"]) == 0
    assert "--county「白石县」未使用" in capsys.readouterr().err and list_users()[0].county is None


def test_an_account_name_the_sign_in_form_cannot_hold_is_refused(users_file, db_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    assert main(["users", "add", "x" * (auth.MAX_NAME + 1), "--role", "viewer", "--password-stdin"]) == 1
    assert "账号名过长" in capsys.readouterr().err and list_users() == []
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    assert main(["users", "add", "x" * auth.MAX_NAME, "--role", "viewer", "--password-stdin"]) == 0
    assert verify("x" * auth.MAX_NAME, "s3cret-pass") is not None


def test_malformed_users_file_is_a_chinese_error(users_file):
    users_file.write_text('[users.x]\nrole = "king"\n', encoding="utf-8")
    with pytest.raises(AuthError, match="角色「king」无效"):
        list_users()
    assert verify("x", "whatever1") is None


def _login_app():
    import streamlit as st

    from ui.auth import demo_banner, login_gate, require

    user = login_gate()
    demo_banner()
    st.write(f"已登录:{user.username}")
    require("review")
    st.write("可以审核")


def test_login_form_logs_in_and_gates_by_role(users_file):
    from streamlit.testing.v1 import AppTest

    add_user("office", "office-pass", "admin")
    add_user("sx", "clerk-pass1", "clerk", county="松溪县")
    at = AppTest.from_function(_login_app, default_timeout=30).run()
    assert not at.exception
    assert "已登录" not in " ".join(m.value for m in at.markdown)
    at.text_input(key="login_name").set_value("sx")
    at.text_input(key="login_password").set_value("wrong-pass")
    at.button[0].click().run()
    assert "账号或密码不正确" in [e.value for e in at.error]
    at.text_input(key="login_password").set_value("clerk-pass1")
    at.button[0].click().run()
    texts = " ".join(m.value for m in at.markdown)
    assert "已登录:sx" in texts and "可以审核" not in texts
    assert any("无权审核" in e.value for e in at.error)


def test_demo_mode_shows_the_demo_banner(users_file, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(auth.DEMO_ENV, "1")
    at = AppTest.from_function(_login_app, default_timeout=30).run()
    assert not at.exception
    assert any("演示模式" in h.proto.body for h in at.get("html"))  # in the page, not only the sidebar
    assert "可以审核" in " ".join(m.value for m in at.markdown)


def test_new_hashes_use_the_raised_cost_and_old_hashes_still_verify(users_file):
    add_user("newer", "a-long-password", "viewer")
    rec = tomllib.loads(users_file.read_text(encoding="utf-8"))["users"]["newer"]
    assert rec["kdf"] == "scrypt:n=32768,r=8,p=3"
    owasp = {(2**17, 8, 1), (2**16, 8, 2), (2**15, 8, 3), (2**14, 8, 5), (2**13, 8, 10)}  # cheat-sheet minimums
    assert (auth.SCRYPT["n"], auth.SCRYPT["r"], auth.SCRYPT["p"]) in owasp
    salt, digest = auth.hash_password("old-password", params=auth.LEGACY_SCRYPT)  # as written before
    users_file.write_text(users_file.read_text(encoding="utf-8")
                          + f'\n[users.older]\nrole = "viewer"\nsalt = "{salt}"\nhash = "{digest}"\n',
                          encoding="utf-8")
    assert verify("older", "old-password").username == "older"
    assert verify("older", "old-passwort") is None
    assert verify("newer", "a-long-password").username == "newer"


def test_account_names_are_case_insensitive_and_a_clerk_county_must_exist(users_file):
    add_user("YL01", "clerk-pass-1", "clerk", county="云岭县", counties=["云岭县"])
    assert [u.username for u in list_users()] == ["yl01"]
    assert verify("Yl01", "clerk-pass-1").county == "云岭县"
    with pytest.raises(AuthError, match="已存在"):
        add_user("yl01", "other-pass-2", "viewer")
    with pytest.raises(AuthError, match="不是本实验区的县区"):
        add_user("x9", "clerk-pass-1", "clerk", county="不存在县", counties=["云岭县", "松溪县"])
