"""Accounts and roles: the users file (data/users.toml), scrypt password hashes, permissions as data.

The users file is a TOML table per account, written by `python -m core users add`:

    [users.zhangsan]
    role = "clerk"            # admin | clerk | viewer
    county = "松溪县"          # clerks only
    display = "张三"
    salt = "…hex…"
    hash = "…hex…"            # hashlib.scrypt(password, salt, n=2**14, r=8, p=1)

Without a users file the dashboard runs in demo mode, logged in as the demo administrator.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from core.paths import DATA_DIR

USERS_ENV = "PILOT_USERS"
DEMO_ENV = "PILOT_DEMO"  # "1" forces demo mode even when a users file exists

ROLE_LABELS: dict[str, str] = {"admin": "实验区管理员", "clerk": "县区填报员", "viewer": "查看"}

# Permissions are data: role -> the actions it may perform. Pages and core check `can(user, action)`.
ACTION_LABELS: dict[str, str] = {
    "view_zone": "查看实验区指标",
    "view_all_submissions": "查看所有县区的报送情况",
    "view_own_submissions": "查看本县区的报送情况",
    "upload_any": "为任何县区报送数据",
    "upload_own": "为本县区报送数据",
    "review": "审核、退回报送",
    "reopen": "重新开放逾期月份",
    "restore": "恢复历史版本",
    "edit_targets": "修改目标值",
    "view_audit": "查看审计日志",
    "manage_users": "管理账号",
    "backup": "备份与恢复",
}
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(ACTION_LABELS),
    "clerk": frozenset({"view_zone", "view_own_submissions", "upload_own"}),
    "viewer": frozenset({"view_zone"}),
}

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_NAME_OK = set("abcdefghijklmnopqrstuvwxyz0123456789_-.")


class AuthError(ValueError):
    """A users-file or account problem; the message is Chinese and says what to fix."""


class User(BaseModel):
    """A logged-in account (never carries the password hash)."""

    model_config = ConfigDict(frozen=True)

    username: str
    role: str
    county: str | None = None
    display: str = ""

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def label(self) -> str:
        """How the UI names the account: 「张三(县区填报员·松溪县)」."""
        where = f"·{self.county}" if self.county else ""
        return f"{self.display or self.username}({self.role_label}{where})"


DEMO_USER = User(username="demo", role="admin", display="演示管理员")


def users_path() -> Path:
    """The users file: env PILOT_USERS, else data/users.toml."""
    env = os.environ.get(USERS_ENV)
    return Path(env) if env else DATA_DIR / "users.toml"


def demo_mode(path: Path | None = None) -> bool:
    """True when there is no users file (or PILOT_DEMO=1): everyone is the demo administrator."""
    if os.environ.get(DEMO_ENV) == "1":
        return True
    return not (path or users_path()).is_file()


def can(user: User | None, action: str) -> bool:
    """Whether the user's role allows the action (see PERMISSIONS)."""
    if action not in ACTION_LABELS:
        raise KeyError(f"unknown action {action!r}")
    return user is not None and action in PERMISSIONS.get(user.role, frozenset())


def can_see_county(user: User | None, county: str | None) -> bool:
    """Whether the user may see this county's submissions and issues."""
    if can(user, "view_all_submissions"):
        return True
    return can(user, "view_own_submissions") and county is not None and county == user.county


def hash_password(password: str, salt: bytes | None = None) -> tuple[str, str]:
    """Salted scrypt hash of a password; returns (salt_hex, hash_hex)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)
    return salt.hex(), digest.hex()


def load_users(path: Path | None = None) -> dict[str, dict]:
    """Raw account records from the users file ({} when it does not exist)."""
    path = path or users_path()
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AuthError(f"账号文件 {path} 格式有误:{exc}") from None
    users = raw.get("users", {})
    for name, rec in users.items():
        if rec.get("role") not in ROLE_LABELS:
            raise AuthError(f"账号文件 {path} 中账号「{name}」的角色「{rec.get('role')}」无效,"
                            f"应为 {'/'.join(ROLE_LABELS)}")
        if rec.get("role") == "clerk" and not rec.get("county"):
            raise AuthError(f"账号文件 {path} 中县区填报员「{name}」缺少 county(所属县区)")
    return users


def _user_of(name: str, rec: dict) -> User:
    return User(username=name, role=rec["role"], county=rec.get("county") or None,
                display=rec.get("display", ""))


def verify(username: str, password: str, path: Path | None = None) -> User | None:
    """The account if the password matches its salted hash, else None (constant-time compare)."""
    try:
        rec = load_users(path).get(username.strip())
    except AuthError:
        return None
    if rec is None or "salt" not in rec or "hash" not in rec:
        hash_password(password)  # same work either way: no timing hint whether the name exists
        return None
    _, digest = hash_password(password, bytes.fromhex(rec["salt"]))
    if not hmac.compare_digest(digest, rec["hash"]):
        return None
    return _user_of(username.strip(), rec)


def list_users(path: Path | None = None) -> list[User]:
    """Every account in the users file, name order."""
    return [_user_of(n, r) for n, r in sorted(load_users(path).items())]


def add_user(username: str, password: str, role: str, county: str | None = None, display: str = "",
             path: Path | None = None, replace: bool = False) -> User:
    """Create (or with replace=True, reset) an account in the users file; return it."""
    path = path or users_path()
    name = username.strip()
    if not name or not set(name.lower()) <= _NAME_OK:
        raise AuthError(f"账号名「{username}」无效:只能使用英文字母、数字、下划线、连字符和点")
    if role not in ROLE_LABELS:
        raise AuthError(f"角色「{role}」无效,应为 {'/'.join(ROLE_LABELS)}")
    if role == "clerk" and not county:
        raise AuthError("县区填报员必须指定所属县区(--county)")
    if role != "clerk":
        county = None
    if len(password) < 8:
        raise AuthError("密码至少需要8个字符")
    users = load_users(path)
    if name in users and not replace:
        raise AuthError(f"账号「{name}」已存在;如需重设密码请加 --replace")
    salt, digest = hash_password(password)
    users[name] = {"role": role, "county": county or "", "display": display, "salt": salt, "hash": digest}
    _write_users(users, path)
    return _user_of(name, users[name])


def remove_user(username: str, path: Path | None = None) -> bool:
    """Delete an account; True if it existed."""
    path = path or users_path()
    users = load_users(path)
    if users.pop(username, None) is None:
        return False
    _write_users(users, path)
    return True


def _write_users(users: dict[str, dict], path: Path) -> None:
    """Write the users file atomically (temp file + replace), readable by the owner only."""
    lines = ["# Dashboard accounts. Managed with `python -m core users`; passwords are scrypt hashes.", ""]
    for name, rec in sorted(users.items()):
        lines.append(f"[users.{_toml_str(name)}]")
        for key in ("role", "county", "display", "salt", "hash"):
            lines.append(f"{key} = {_toml_str(str(rec.get(key, '') or ''))}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _toml_str(value: str) -> str:
    """A TOML basic string (quotes, backslashes and control characters escaped)."""
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(c if ord(c) >= 0x20 and c != "\x7f" else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'
