"""Sign-ins that outlive a browser tab: a server-side record per sign-in and a signed cookie.

Signing in creates a record in `sessions.sqlite3` beside the users file: a random 256-bit
token (only its SHA-256 is stored), the account, a fingerprint of the account's password
hash, when it started and when it was last used. The browser keeps `<token>.<HMAC>` in an
HttpOnly cookie (set by the web server's /_pilot/session route, ui/web.py), so a reload, a
new tab or a shared link on the same browser is still signed in.

Every run checks the record (`check`): the idle limit and the absolute lifetime of
data/zone.toml, and the account as the users file says now — removed, or its password
reset, ends the session at once; a role or county change applies at once. Signing out
deletes the record, so every tab and every copy of the cookie stops working.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from core.access.accounts import User, account, current_record, stamp, users_path

COOKIE = "pilot_session"
TICKET_SECONDS = 60  # a ticket turns into the cookie within this time, once
DB_FILE = "sessions.sqlite3"
KEY_FILE = "session.key"

# Why a session ended (shown on the login form).
ENDED = {
    "idle": "由于长时间未操作,已自动退出登录,请重新登录。",
    "lifetime": "登录已超过最长有效期,请重新登录。",
    "account": "账号已被删除或密码已重设,请重新登录(如有疑问请联系实验区管理员)。",
    "signed_out": "登录已结束(已在本浏览器退出登录,或账号已被管理员删除或修改),请重新登录。",
    "you_signed_out": "已退出登录。",
}


class SessionError(RuntimeError):
    """The session store cannot be used (e.g. its folder is read-only); Chinese message."""


@dataclass(frozen=True)
class Policy:
    """How long a sign-in lasts: idle limit and absolute lifetime, in seconds."""

    idle: float
    lifetime: float

    @classmethod
    def from_zone(cls, zone=None) -> Policy:
        from core.zone import load_zone

        z = zone or load_zone()
        return cls(idle=z.session_idle_minutes * 60, lifetime=z.session_max_hours * 3600)

    @property
    def touch_every(self) -> float:
        """Seconds between last-used writes (a run of a busy session does not write each time)."""
        return min(15.0, self.idle / 4)


@dataclass(frozen=True)
class Session:
    username: str
    stamp: str
    created: float
    last_seen: float


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class SessionStore:
    """The sessions of one users file (sqlite: safe across the server's threads and processes)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / DB_FILE
        self._key: bytes | None = None
        self._ready = False
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            if not self._ready:
                with self._lock:
                    con.execute("PRAGMA journal_mode=WAL")
                    con.execute("CREATE TABLE IF NOT EXISTS session (token_hash TEXT PRIMARY KEY,"
                                " username TEXT NOT NULL, stamp TEXT NOT NULL, created REAL NOT NULL,"
                                " last_seen REAL NOT NULL, address TEXT)")
                    os.chmod(self.path, 0o600)
                    self._ready = True
            return con
        except (sqlite3.Error, OSError) as exc:
            raise SessionError(f"无法使用登录状态文件 {self.path}({exc});请检查该文件夹是否可写") from None

    def key(self) -> bytes:
        """The secret that signs cookies (created on first use, readable by the owner only)."""
        if self._key is None:
            path = self.folder / KEY_FILE
            with self._lock:
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(fd, "w") as fh:
                        fh.write(secrets.token_hex(32))
                except FileExistsError:
                    pass
                except OSError as exc:
                    raise SessionError(f"无法创建登录密钥文件 {path}({exc})") from None
                self._key = bytes.fromhex(path.read_text().strip())
        return self._key

    def create(self, username: str, account_stamp: str, address: str | None = None,
               now: float | None = None) -> str:
        """A new session for the account; returns its token (never stored in clear)."""
        token = secrets.token_urlsafe(32)
        now = time.time() if now is None else now
        con = self._connect()
        try:
            con.execute("INSERT INTO session VALUES (?, ?, ?, ?, ?, ?)",
                        [_digest(token), username, account_stamp, now, now, (address or "")[:64]])
        finally:
            con.close()
        return token

    def get(self, token: str) -> Session | None:
        con = self._connect()
        try:
            row = con.execute("SELECT username, stamp, created, last_seen FROM session WHERE token_hash = ?",
                              [_digest(token)]).fetchone()
        finally:
            con.close()
        return Session(*row) if row else None

    def touch(self, token: str, now: float) -> None:
        con = self._connect()
        try:
            con.execute("UPDATE session SET last_seen = ? WHERE token_hash = ?", [now, _digest(token)])
        finally:
            con.close()

    def end(self, token: str) -> Session | None:
        """Delete a session; returns it if it existed."""
        found = self.get(token)
        con = self._connect()
        try:
            con.execute("DELETE FROM session WHERE token_hash = ?", [_digest(token)])
        finally:
            con.close()
        return found

    def end_account(self, username: str) -> int:
        """Delete every session of an account (removed or password reset); returns how many."""
        con = self._connect()
        try:
            return con.execute("DELETE FROM session WHERE username = ?", [username]).rowcount
        finally:
            con.close()

    def purge(self, policy: Policy, now: float | None = None) -> None:
        """Forget sessions past either limit (the store does not grow)."""
        now = time.time() if now is None else now
        con = self._connect()
        try:
            con.execute("DELETE FROM session WHERE last_seen < ? OR created < ?",
                        [now - policy.idle, now - policy.lifetime])
        finally:
            con.close()

    def cookie_value(self, token: str) -> str:
        """What the browser keeps: the token and its HMAC (a forged or altered cookie is refused)."""
        mac = hmac.new(self.key(), token.encode("ascii"), hashlib.sha256).hexdigest()
        return f"{token}.{mac}"

    def token_of(self, cookie_value: str | None) -> str | None:
        """The token of a cookie whose signature holds, else None."""
        if not cookie_value or "." not in cookie_value or len(cookie_value) > 200:
            return None
        token, _, mac = cookie_value.rpartition(".")
        try:
            expected = hmac.new(self.key(), token.encode("ascii"), hashlib.sha256).hexdigest()
        except UnicodeEncodeError:
            return None
        return token if hmac.compare_digest(expected, mac) else None


_STORES: dict[Path, SessionStore] = {}


def store(path: Path | None = None) -> SessionStore:
    """The session store of the users file in use (one per folder, shared by the server's threads)."""
    folder = (path or users_path()).resolve().parent
    if folder not in _STORES:
        _STORES[folder] = SessionStore(folder)
    return _STORES[folder]


def check(token: str, policy: Policy, now: float | None = None,
          path: Path | None = None) -> tuple[User | None, str | None]:
    """(the account, None) while the session holds; else (None, why it ended — a key of ENDED).

    An ended session is deleted. A live one has its last-used time noted.
    """
    now = time.time() if now is None else now
    s = store(path)
    found = s.get(token)
    if found is None:
        return None, "signed_out"
    why = None
    if now - found.created > policy.lifetime:
        why = "lifetime"
    elif now - found.last_seen > policy.idle:
        why = "idle"
    else:
        rec = current_record(found.username, path)
        if rec is None or stamp(rec) != found.stamp:
            why = "account"
    if why:
        s.end(token)
        return None, why
    if now - found.last_seen >= policy.touch_every:
        s.touch(token, now)
    return account(found.username, path), None


# One-time tickets: the page that just signed in asks the web server (an <img> request) to turn
# its ticket into the HttpOnly cookie. Held in memory: the server process serves both.
_TICKETS: dict[str, tuple[str, float]] = {}
_TICKETS_LOCK = threading.Lock()


def issue_ticket(token: str) -> str:
    """A one-time ticket for setting this session's cookie (valid TICKET_SECONDS)."""
    ticket = secrets.token_urlsafe(24)
    now = time.monotonic()
    with _TICKETS_LOCK:
        for k in [k for k, (_, exp) in _TICKETS.items() if exp < now]:
            del _TICKETS[k]
        _TICKETS[ticket] = (token, now + TICKET_SECONDS)
    return ticket


def redeem_ticket(ticket: str | None) -> str | None:
    """The session token of a valid ticket (used up), else None."""
    if not ticket:
        return None
    with _TICKETS_LOCK:
        token, expires = _TICKETS.pop(ticket, (None, 0.0))
    return token if token and expires >= time.monotonic() else None
