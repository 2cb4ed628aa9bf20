"""Slowing down password guessing: failed logins counted per account and per network address.

An account with ACCOUNT_LIMIT failures within WINDOW seconds takes no password until the
oldest of them is WINDOW old; an address with ADDRESS_LIMIT failures likewise (higher: a
county office's PCs may share one address). Refused attempts are not hashed and not counted.
Behind a reverse proxy the address is the one the proxy forwards (uvicorn trusts
X-Forwarded-For from 127.0.0.1; README 运行维护).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW = 15 * 60
MAX_KEYS = 10_000  # keys remembered (oldest forgotten first): bounded memory whatever is tried


class Throttle:
    """Failure times per key within a sliding window."""

    def __init__(self, limit: int, window: float = WINDOW, max_keys: int = MAX_KEYS):
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._fails: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, key: str, now: float | None = None) -> float:
        """Seconds until `key` may try again (0 when it may now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._recent(key, now)
            if len(times) < self.limit:
                return 0.0
            return times[-self.limit] + self.window - now

    def fail(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._recent(key, now)
            times.append(now)
            self._fails[key] = times
            self._fails.move_to_end(key)
            while len(self._fails) > self.max_keys:
                self._fails.popitem(last=False)

    def clear(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._fails.get(key, deque(maxlen=self.limit))
        while times and times[0] <= now - self.window:
            times.popleft()
        return times


ACCOUNTS = Throttle(ACCOUNT_LIMIT)
ADDRESSES = Throttle(ADDRESS_LIMIT)


def refusal(username: str, address: str, now: float | None = None) -> str | None:
    """A Chinese message when this login attempt must not be tried now, else None."""
    wait = max(ACCOUNTS.wait(username, now), ADDRESSES.wait(address, now))
    if wait <= 0:
        return None
    minutes = max(1, round(wait / 60))
    return f"登录失败次数过多,请约{minutes}分钟后再试(如忘记密码,请联系实验区管理员重设)。"


def failed(username: str, address: str, now: float | None = None) -> None:
    ACCOUNTS.fail(username, now)
    ADDRESSES.fail(address, now)


def succeeded(username: str) -> None:
    """A correct password clears the account's count (not the address's)."""
    ACCOUNTS.clear(username)
