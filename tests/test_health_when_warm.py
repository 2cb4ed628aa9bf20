"""The server says it is healthy only once its warm-up is over (ui/web.py HealthWhenWarm, ui/warmup.py)."""
from __future__ import annotations

import asyncio
import threading

import pytest

from ui import warmup
from ui.web import HEALTH_PATH, HealthWhenWarm


class Inner:
    """The rest of the server: answers 200 and notes, per request, whether the warm-up was over."""

    def __init__(self, ready: threading.Event):
        self.ready = ready
        self.seen: list[tuple[str, bool]] = []

    async def __call__(self, scope, receive, send):
        self.seen.append((scope["path"], self.ready.is_set()))
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})


def call(app, path: str, kind: str = "http") -> int:
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app({"type": kind, "method": "GET", "path": path, "headers": []}, receive, send))
    return next((m["status"] for m in sent if m["type"] == "http.response.start"), 0)


def test_the_health_check_is_answered_when_the_warm_up_is_over():
    ready = threading.Event()
    inner = Inner(ready)
    timer = threading.Timer(0.2, ready.set)  # the warm-up ends while the check waits
    timer.start()
    assert call(HealthWhenWarm(inner, ready, wait=30, base=""), HEALTH_PATH) == 200
    assert inner.seen == [(HEALTH_PATH, True)]


def test_a_warm_up_that_does_not_end_holds_the_check_no_longer_than_its_wait():
    ready = threading.Event()  # never set
    inner = Inner(ready)
    assert call(HealthWhenWarm(inner, ready, wait=0.1, base=""), HEALTH_PATH) == 200
    assert inner.seen == [(HEALTH_PATH, False)]


@pytest.mark.parametrize("path, kind", [("/static/js/index.js", "http"), ("/_stcore/host-config", "http"),
                                        ("/", "http"), ("/_stcore/stream", "websocket"),
                                        ("/pilot/_stcore/health", "http")])
def test_every_other_request_goes_on_during_the_warm_up(path, kind):
    ready = threading.Event()  # never set: a request that waited would come through after `wait`, set or not
    inner = Inner(ready)
    app = HealthWhenWarm(inner, ready, wait=30, base="")
    call(app, path, kind)
    assert inner.seen == [(path, False)]


def test_under_a_base_path_its_own_health_check_is_held():
    ready = threading.Event()
    inner = Inner(ready)
    threading.Timer(0.1, ready.set).start()
    assert call(HealthWhenWarm(inner, ready, wait=30, base="/pilot"), "/pilot" + HEALTH_PATH) == 200
    assert inner.seen == [("/pilot" + HEALTH_PATH, True)]


def test_the_held_check_ends_before_the_browser_gives_up_on_it():
    assert 0 < warmup.READY_WAIT_S < 15  # Streamlit's frontend times a health check out after 15 s


@pytest.mark.parametrize("outcome", ["done", "nothing to do", "failed"])
def test_the_warm_up_says_it_is_over_however_it_ends(monkeypatch, outcome):
    def warm():
        if outcome == "failed":
            raise RuntimeError("the database is busy")
        return "2026-10" if outcome == "done" else None

    monkeypatch.setattr(warmup, "warm_overview", warm)
    monkeypatch.setattr(warmup, "READY", threading.Event())
    warmup._run()
    assert warmup.READY.is_set()
