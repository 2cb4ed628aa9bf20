"""One headless chromium kept open per process, driven over the DevTools protocol (stdlib only).

It prints the 月报 PDF and draws the report's chart pictures (plotly.js kept loaded in a tab of its
own), so neither pays a browser start. Chromium runs with --remote-debugging-pipe: it reads the
protocol's JSON messages, each ended by a NUL byte, on its fd 3 and answers on its fd 4.

One lock serialises every use (Streamlit sessions are threads). A failure or a timeout kills the
browser's whole process group and the next use starts a new one. The browser is closed at exit,
after IDLE_CLOSE_S without use, and replaced after MAX_PAGES pages (bounded memory).
"""
from __future__ import annotations

import atexit
import base64
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
START_TIMEOUT_S = 30
PING_TIMEOUT_S = 5  # a browser that does not answer this fast before a job is replaced
JOB_TIMEOUT_S = 120  # one PDF or one set of pictures, the browser's start not included
MAX_PAGES = 30
IDLE_CLOSE_S = 600
PROFILE_PREFIX = "pilot-chromium-"  # + owner pid: a killed server's profile is removed by the next start
ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--no-default-browser-check", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
        "--remote-debugging-pipe")
# Resolves when the page's charts are drawn (html.py sets window.reportReady), else at once.
READY_JS = "Promise.resolve(window.reportReady).then(() => document.fonts.ready).then(() => true)"
# As `chromium --print-to-pdf --no-pdf-header-footer` printed: the page's @page size, backgrounds.
PDF_OPTIONS = {"preferCSSPageSize": True, "printBackground": True, "displayHeaderFooter": False,
               "generateTaggedPDF": True}
NO_BROWSER = ("未找到 chromium 浏览器,无法生成PDF或图表图片;请运行 bash scripts/setup_system.sh"
              "(安装 chromium 和中文字体),或改为导出 .html 后在浏览器中打印")


class ChartExportError(RuntimeError):
    """Charts or the PDF cannot be made here; the message says why and what to do, in Chinese."""


class BrowserFailed(RuntimeError):
    """The browser died, hung or answered with an error (English: for the log, not the user)."""


def chromium_path() -> str | None:
    """The browser that prints the PDF and draws the pictures, or None when none is installed."""
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """A running chromium; tabs are opened on first use and attached as flat sessions."""

    def __init__(self, exe: str, timeout: float = START_TIMEOUT_S):
        _remove_stale_profiles()
        self.profile = tempfile.mkdtemp(prefix=f"{PROFILE_PREFIX}{os.getpid()}-")
        to_child, self._out = os.pipe()  # we write, chromium reads on its fd 3
        self._in, from_child = os.pipe()  # chromium writes on its fd 4, we read
        # the pipe ends become the shell's stdin/stdout, which it moves to fds 3 and 4 before it
        # execs the browser (no preexec_fn: Streamlit's sessions are threads)
        try:
            self.proc = subprocess.Popen(
                ["/bin/sh", "-c", 'exec "$@" 3<&0 4>&1 </dev/null >/dev/null', "sh", exe, *ARGS,
                 f"--user-data-dir={self.profile}"],
                stdin=to_child, stdout=from_child, stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError:
            self._close_fds()
            shutil.rmtree(self.profile, ignore_errors=True)
            raise
        finally:
            os.close(to_child)
            os.close(from_child)
        self._buf = bytearray()
        self._ids = 0
        self._events: set[tuple[str | None, str]] = set()  # (session, method) seen
        self._tabs: dict[str, str] = {}  # name -> session id
        self._targets: dict[str, str] = {}  # name -> target id
        self._answers: dict[int, dict] = {}  # answers read while waiting for another
        self.pages = 0
        try:
            self.call("Browser.getVersion", {}, time.monotonic() + timeout)
        except BaseException:
            self.kill()
            raise

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def call(self, method: str, params: dict, deadline: float, tab: str | None = None) -> dict:
        """Send one command (to tab `tab`) and wait for its answer."""
        return self._answer(self._send(method, params, deadline, tab), deadline)

    def open(self, tab: str, url: str, deadline: float) -> None:
        """Load `url` in `tab` and wait for its load event and READY_JS."""
        session = self._tab(tab, deadline)
        self._events = {e for e in self._events if e[0] != session}
        nav = self.call("Page.navigate", {"url": url}, deadline, tab=tab)
        if nav.get("errorText"):
            raise BrowserFailed(f"navigate: {nav['errorText']}")
        while (session, "Page.loadEventFired") not in self._events:
            self._route(self._read(deadline))
        self.evaluate(tab, READY_JS, deadline)
        self.pages += 1

    def evaluate(self, tab: str, expression: str, deadline: float):
        """The value of a JS expression in `tab` (a promise is awaited)."""
        return _value(self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                     "returnByValue": True}, deadline, tab=tab))

    def print_pdf(self, url: str, deadline: float) -> bytes:
        """The page at `url` printed as PDF, once its charts are drawn."""
        self.open("print", url, deadline)
        pdf = base64.b64decode(self.call("Page.printToPDF", PDF_OPTIONS, deadline, tab="print").get("data", ""))
        if not pdf.startswith(b"%PDF-"):
            raise BrowserFailed("Page.printToPDF returned no PDF")
        self._close_tab("print", deadline)  # its renderer ends: a report's pages and pictures are not kept
        return pdf

    def draw(self, figures: Iterable[str], fmt: str, width: int, height: int, scale: float,
             deadline: float) -> list[str]:
        """Each figure (plotly JSON) drawn by plotly.js as a data: URL (format 'svg' or 'png').

        Each is sent as soon as it is taken from `figures`, so a generator builds the next figure
        in Python while the browser draws the last one.
        """
        if "draw" not in self._tabs:
            self.open("draw", self._plotly_page().as_uri(), deadline)
        options = json.dumps({"format": fmt, "width": width, "height": height, "scale": scale})
        sent = [self._send("Runtime.evaluate", {"expression": f"Plotly.toImage({fig}, {options})",
                                                "awaitPromise": True, "returnByValue": True}, deadline, "draw")
                for fig in figures]
        self.pages += 1
        pictures = [_value(self._answer(i, deadline)) for i in sent]
        self.call("HeapProfiler.collectGarbage", {}, deadline, tab="draw")  # else the tab grows ~15 MB a report
        return pictures

    def close(self, grace: float = 2.0) -> None:
        """Ask the browser to quit, kill it if it has not within `grace` seconds."""
        if self.alive():
            try:
                self.call("Browser.close", {}, time.monotonic() + grace)
                self.proc.wait(grace)
            except (BrowserFailed, OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def kill(self) -> None:
        """Kill the browser's process group (renderers too), reap it, remove its profile."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self._close_fds()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _tab(self, name: str, deadline: float) -> str:
        if name not in self._tabs:
            target = self.call("Target.createTarget", {"url": "about:blank"}, deadline)["targetId"]
            session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                deadline)["sessionId"]
            self._tabs[name], self._targets[name] = session, target
            self.call("Page.enable", {}, deadline, tab=name)
            self.call("Inspector.enable", {}, deadline, tab=name)  # a crashed tab says so at once
        return self._tabs[name]

    def _close_tab(self, name: str, deadline: float) -> None:
        self._tabs.pop(name)
        self.call("Target.closeTarget", {"targetId": self._targets.pop(name)}, deadline)

    def _plotly_page(self) -> Path:
        from core.report.html import plotly_js

        page = Path(self.profile) / "plotly.html"
        if not page.is_file():
            page.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
                            f"<script>{plotly_js()}</script></body></html>", encoding="utf-8")
        return page

    def _send(self, method: str, params: dict, deadline: float, tab: str | None) -> int:
        msg = {"method": method, "params": params}
        if tab is not None:
            msg["sessionId"] = self._tab(tab, deadline)
        self._ids += 1
        msg["id"] = self._ids
        self._write(json.dumps(msg).encode() + b"\0")
        return self._ids

    def _answer(self, sent: int, deadline: float) -> dict:
        while sent not in self._answers:
            self._route(self._read(deadline))
        answer = self._answers.pop(sent)
        if "error" in answer:
            raise BrowserFailed(f"protocol: {answer['error'].get('message')}")
        return answer.get("result", {})

    def _route(self, message: dict) -> None:
        """An answer is kept for its caller; an event is noted (a crashed or lost tab raises)."""
        if "id" in message:
            self._answers[message["id"]] = message
        elif "method" in message:
            method = message["method"]
            self._events.add((message.get("sessionId"), method))
            lost = message.get("params", {}).get("sessionId") in self._tabs.values()  # not one we closed
            if method == "Inspector.targetCrashed" or (method == "Target.detachedFromTarget" and lost):
                raise BrowserFailed(f"tab lost: {method}")

    def _close_fds(self) -> None:
        for name in ("_in", "_out"):
            fd = getattr(self, name, None)
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
                setattr(self, name, None)

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._out, view):]

    def _read(self, deadline: float) -> dict:
        while (end := self._buf.find(b"\0")) < 0:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            if select.select([self._in], [], [], left)[0]:
                chunk = os.read(self._in, 1 << 20)
                if not chunk:
                    raise BrowserFailed("chromium closed its pipe (crashed or quit)")
                self._buf += chunk
        msg = bytes(self._buf[:end])
        del self._buf[:end + 1]
        try:
            return json.loads(msg)
        except ValueError as exc:
            raise BrowserFailed(f"not a protocol message: {exc}") from None


def _remove_stale_profiles() -> None:
    """Profiles left by a process that was killed (its browser quit when the pipe closed)."""
    for path in Path(tempfile.gettempdir()).glob(f"{PROFILE_PREFIX}*-*"):
        owner = path.name.removeprefix(PROFILE_PREFIX).split("-", 1)[0]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            shutil.rmtree(path, ignore_errors=True)


def _value(done: dict):
    """The value of a Runtime.evaluate answer, or BrowserFailed with the page's exception."""
    if "exceptionDetails" in done:
        details = done["exceptionDetails"]
        raise BrowserFailed(f"page script: {details.get('exception', {}).get('description') or details.get('text')}")
    return done["result"].get("value")


class SharedBrowser:
    """The process's one browser: started on first use, every use under one lock."""

    def __init__(self):
        self._lock = threading.Lock()
        self._browser: Browser | None = None
        self._timer: threading.Timer | None = None
        atexit.register(self.close)

    def run(self, job, timeout: float = JOB_TIMEOUT_S):
        """`job(browser, deadline)`'s result; on any failure the browser is killed and a Chinese error raised."""
        with self._lock:
            self._cancel_timer()
            browser = self._ready()
            try:
                return job(browser, time.monotonic() + timeout)
            except TimeoutError:
                self._drop()
                raise ChartExportError("生成PDF或图表图片超时(chromium 无响应),请稍后重试") from None
            except (BrowserFailed, OSError) as exc:
                self._drop()
                raise ChartExportError(f"chromium 未能生成PDF或图表图片,请重试:{exc}") from exc
            finally:
                if self._browser is not None and self._browser.pages >= MAX_PAGES:
                    self._drop(graceful=True)
                self._start_timer()

    def warm(self) -> None:
        """Start the browser in the background, so that the first PDF does not wait for it."""
        if chromium_path() is None or self.pid() is not None:
            return

        def start():
            try:
                self.run(lambda browser, deadline: None)
            except ChartExportError:
                pass  # the next real use says what is wrong
        threading.Thread(target=start, name="chromium-warm", daemon=True).start()

    def pid(self) -> int | None:
        """The running browser's process id (None when none runs)."""
        browser = self._browser
        return browser.pid if browser is not None and browser.alive() else None

    def close(self) -> None:
        with self._lock:
            self._cancel_timer()
            self._drop(graceful=True)

    def _ready(self) -> Browser:
        if self._browser is not None:  # it may have crashed or hung since its last use
            try:
                self._browser.call("Browser.getVersion", {}, time.monotonic() + PING_TIMEOUT_S)
            except (BrowserFailed, OSError):
                self._drop()
        if self._browser is None:
            exe = chromium_path()
            if exe is None:
                raise ChartExportError(NO_BROWSER)
            try:
                self._browser = Browser(exe)
            except (BrowserFailed, OSError) as exc:  # TimeoutError is an OSError
                raise ChartExportError(f"chromium 无法启动:{exc}") from exc
        return self._browser

    def _drop(self, graceful: bool = False) -> None:
        if self._browser is not None:
            browser, self._browser = self._browser, None
            browser.close() if graceful else browser.kill()

    def _start_timer(self) -> None:
        if self._browser is not None:
            self._timer = threading.Timer(IDLE_CLOSE_S, self._idle_close)
            self._timer.daemon = True
            self._timer.start()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _idle_close(self) -> None:
        if self._lock.acquire(blocking=False):  # in use: that use starts the timer again
            try:
                self._drop(graceful=True)
            finally:
                self._lock.release()


shared = SharedBrowser()
