"""Accounts and roles: the users file (data/users.toml), scrypt password hashes, permissions as data.

The users file is a TOML table per account, written by `python -m core users add`:

    [users.zhangsan]          # login names are lower case: ZhangSan and zhangsan are one account
    role = "clerk"            # admin | clerk | viewer
    county = "松溪县"          # clerks only; a county of the zone
    display = "张三"
    salt = "…hex…"
    hash = "…hex…"            # hashlib.scrypt(password, salt, **params)
    kdf = "scrypt:n=32768,r=8,p=3"   # absent on hashes written before the cost was raised

Where accounts come from (`access_mode`): PILOT_DEMO=1 is demo mode (everyone is the demo
administrator, a banner says so); otherwise the users file, which must exist when the
environment variable PILOT_USERS names it. With neither (a fresh checkout) the app shows a
first-start screen that may offer the demo explicitly (ui/auth.py).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
import tomllib
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from core.paths import DATA_DIR

USERS_ENV = "PILOT_USERS"
DEMO_ENV = "PILOT_DEMO"  # "1" chooses demo mode (even when a users file exists)

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

# OWASP Password Storage Cheat Sheet: scrypt N=2^17,r=8,p=1 or an equal-cost variant; this one
# needs 32 MiB instead of 128 MiB per hash (~0.3 s here). Hashes written before (no `kdf`
# field) used LEGACY_SCRYPT and still verify.
SCRYPT = {"n": 2**15, "r": 8, "p": 3}
LEGACY_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
KDF_FORMAT = "scrypt:n={n},r={r},p={p}"
_KDF_RE = re.compile(r"scrypt:n=(\d+),r=(\d+),p=(\d+)")
# At most two hashes at a time: a burst of logins cannot make the server hold 32 MiB each.
_HASHING = threading.BoundedSemaphore(2)
_NAME_OK = set("abcdefghijklmnopqrstuvwxyz0123456789_-.")
MAX_NAME = 64  # characters of an account name (the sign-in form reads no more)
_TOML_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")


class AuthError(ValueError):
    """A users-file or account problem; the message is Chinese and says what to fix."""


class UsersFileError(AuthError):
    """The users file cannot be read or written where it was asked for (a path to mend: exit code 2)."""


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


def access_mode() -> str:
    """How the app decides who is who.

    "demo": PILOT_DEMO=1, everyone is the demo administrator;
    "accounts": the users file exists, everyone logs in;
    "missing": PILOT_USERS names a file that does not exist (an error, never demo);
    "unconfigured": no PILOT_USERS and no data/users.toml (a fresh checkout).
    """
    if os.environ.get(DEMO_ENV) == "1":
        return "demo"
    if users_path().is_file():
        return "accounts"
    return "missing" if os.environ.get(USERS_ENV) else "unconfigured"


def demo_mode() -> bool:
    """True only when demo mode was chosen (PILOT_DEMO=1)."""
    return access_mode() == "demo"


def canonical(username: str) -> str:
    """The account name as stored and compared: trimmed, lower case (YL01 and yl01 are one account)."""
    return username.strip().lower()


def demo_offered(con) -> bool:
    """Whether the first-start screen may offer the demo: the database holds only demo data.

    Once anything was received from the command line or a real account, a server without a
    users file never lets a visitor in as the demo administrator.
    """
    n = con.execute("SELECT count(*) FROM submission WHERE coalesce(submitted_by, '') <> ?",
                    [DEMO_USER.username]).fetchone()[0]
    return n == 0


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


def hash_password(password: str, salt: bytes | None = None, params: dict | None = None) -> tuple[str, str]:
    """Salted scrypt hash of a password; returns (salt_hex, hash_hex)."""
    salt = salt or secrets.token_bytes(16)
    p = params or SCRYPT
    with _HASHING:
        digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=p["n"], r=p["r"], p=p["p"],
                                dklen=32, maxmem=256 * p["n"] * p["r"] + (1 << 20))
    return salt.hex(), digest.hex()


def _params(rec: dict) -> dict:
    """The scrypt parameters an account's hash was made with."""
    m = _KDF_RE.fullmatch(str(rec.get("kdf") or ""))
    if not m:
        return LEGACY_SCRYPT
    n, r, p = int(m[1]), int(m[2]), int(m[3])
    if not (2 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16):  # a mistyped cost must not exhaust memory
        raise AuthError(f"账号的 kdf 参数「{rec.get('kdf')}」超出范围")
    return {"n": n, "r": r, "p": p}


def load_users(path: Path | None = None) -> dict[str, dict]:
    """Raw account records from the users file ({} when it does not exist), keyed by canonical name."""
    path = path or users_path()
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise AuthError(f"账号文件 {path} 不是UTF-8编码的文本;请用 python -m core users 管理账号,"
                        "或以UTF-8编码保存该文件") from None
    except tomllib.TOMLDecodeError as exc:
        where = _TOML_WHERE.search(str(exc))
        at = f"第{where[1]}行第{where[2]}列附近" if where else ""
        raise AuthError(f"账号文件 {path} 格式有误({at}不符合TOML格式);请用 python -m core users 管理账号") from None
    except OSError as exc:
        raise UsersFileError(f"无法读取账号文件 {path}({_os_reason(exc)})") from None
    users: dict[str, dict] = {}
    for name, rec in raw.get("users", {}).items():
        if not isinstance(rec, dict):
            raise AuthError(f"账号文件 {path} 中账号「{name}」格式有误")
        if rec.get("role") not in ROLE_LABELS:
            raise AuthError(f"账号文件 {path} 中账号「{name}」的角色「{rec.get('role')}」无效,"
                            f"应为 {'/'.join(ROLE_LABELS)}")
        if rec.get("role") == "clerk" and not rec.get("county"):
            raise AuthError(f"账号文件 {path} 中县区填报员「{name}」缺少 county(所属县区)")
        key = canonical(name)
        if key in users:
            raise AuthError(f"账号文件 {path} 中「{name}」与另一个账号只差大小写;账号名不区分大小写,请删除其中一个")
        users[key] = rec
    return users


def _user_of(name: str, rec: dict) -> User:
    return User(username=name, role=rec["role"], county=rec.get("county") or None,
                display=rec.get("display", ""))


def stamp(rec: dict) -> str:
    """A fingerprint of an account's password hash: sessions of an earlier password end."""
    return hashlib.sha256(f"{rec.get('salt')}:{rec.get('hash')}".encode()).hexdigest()[:16]


def verify(username: str, password: str, path: Path | None = None) -> User | None:
    """The account if the password matches its salted hash, else None (constant-time compare)."""
    try:
        rec = load_users(path).get(canonical(username))
    except AuthError:
        return None
    if rec is None or "salt" not in rec or "hash" not in rec:
        hash_password(password)  # same work either way: no timing hint whether the name exists
        return None
    try:
        _, digest = hash_password(password, bytes.fromhex(rec["salt"]), _params(rec))
    except (AuthError, ValueError):
        return None
    if not hmac.compare_digest(digest, rec["hash"]):
        return None
    return _user_of(canonical(username), rec)


_CACHE: dict[Path, tuple[tuple, dict[str, dict]]] = {}
_CACHE_LOCK = threading.Lock()


def current_record(username: str, path: Path | None = None) -> dict | None:
    """An account's record as the users file says now (re-read when the file changes), or None.

    Called on every run of a logged-in session: a removed or changed account takes effect at once.
    """
    path = path or users_path()
    try:
        st = path.stat()
    except OSError:
        return None
    key = (st.st_mtime_ns, st.st_size, st.st_ino)
    with _CACHE_LOCK:
        cached = _CACHE.get(path)
    if cached is None or cached[0] != key:
        try:
            users = load_users(path)
        except AuthError:
            users = {}
        with _CACHE_LOCK:
            _CACHE[path] = (key, users)
    else:
        users = cached[1]
    return users.get(canonical(username))


def account(username: str, path: Path | None = None) -> User | None:
    """The account as the users file says now, or None when it no longer exists."""
    rec = current_record(username, path)
    return _user_of(canonical(username), rec) if rec is not None else None


def list_users(path: Path | None = None) -> list[User]:
    """Every account in the users file, name order."""
    return [_user_of(n, r) for n, r in sorted(load_users(path).items())]


def add_user(username: str, password: str, role: str, county: str | None = None, display: str = "",
             path: Path | None = None, replace: bool = False,
             counties: Iterable[str] | None = None) -> User:
    """Create (or with replace=True, reset) an account in the users file; return it.

    `counties`: the zone's counties; a clerk's county must be one of them (when given).
    """
    path = path or users_path()
    name = canonical(username)
    if not name or not set(name) <= _NAME_OK:
        raise AuthError(f"账号名「{username}」无效:只能使用英文字母、数字、下划线、连字符和点")
    if len(name) > MAX_NAME:
        raise AuthError(f"账号名过长({len(name)}个字符):最多{MAX_NAME}个字符")
    if role not in ROLE_LABELS:
        raise AuthError(f"角色「{role}」无效,应为 {'/'.join(ROLE_LABELS)}")
    if role == "clerk" and not county:
        raise AuthError("县区填报员必须指定所属县区(--county)")
    if role == "clerk" and counties is not None and county not in set(counties):
        known = "、".join(counties) or "(尚无:请先在 data/zone.toml 的 counties 中列出县区,或载入报送数据)"
        raise AuthError(f"县区「{county}」不是本实验区的县区;可选:{known}")
    if role != "clerk":
        county = None
    if len(password) < 8:
        raise AuthError("密码至少需要8个字符")
    users = load_users(path)
    if name in users and not replace:
        raise AuthError(f"账号「{name}」已存在(账号名不区分大小写);如需重设密码请加 --replace")
    salt, digest = hash_password(password)
    users[name] = {"role": role, "county": county or "", "display": display, "salt": salt, "hash": digest,
                   "kdf": KDF_FORMAT.format(**SCRYPT)}
    _write_users(users, path)
    return _user_of(name, users[name])


def remove_user(username: str, path: Path | None = None) -> bool:
    """Delete an account; True if it existed."""
    path = path or users_path()
    users = load_users(path)
    if users.pop(canonical(username), None) is None:
        return False
    _write_users(users, path)
    return True


def _write_users(users: dict[str, dict], path: Path) -> None:
    """Write the users file atomically (temp file + replace), readable by the owner only."""
    lines = ["# Dashboard accounts. Managed with `python -m core users`; passwords are scrypt hashes.", ""]
    for name, rec in sorted(users.items()):
        lines.append(f"[users.{_toml_str(name)}]")
        for key in ("role", "county", "display", "salt", "hash", "kdf"):
            if key == "kdf" and not rec.get(key):
                continue  # a legacy hash keeps meaning LEGACY_SCRYPT
            lines.append(f"{key} = {_toml_str(str(rec.get(key, '') or ''))}")
        lines.append("")
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text("\n".join(lines), encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        raise UsersFileError(f"无法写入账号文件 {path}({_os_reason(exc)}),未做任何修改") from None


def _os_reason(exc: OSError) -> str:
    """Why a path could not be used, as an administrator reads it."""
    if isinstance(exc, PermissionError):
        return "没有权限"
    if isinstance(exc, IsADirectoryError):
        return "该路径是文件夹"
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return "路径中的上级目录是一个文件"
    if isinstance(exc, FileNotFoundError):
        return "文件或目录不存在"
    return "无法访问该路径"


def _toml_str(value: str) -> str:
    """A TOML basic string (quotes, backslashes and control characters escaped)."""
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(c if ord(c) >= 0x20 and c != "\x7f" else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'
