"""What a user waits for in a real browser: page clicks and filter changes, from click to settled.

Starts `streamlit run app.py` on a given database, drives Debian's chromium with Playwright and
measures, as medians over several runs:
- first paint of a new session (the first visit is "cold": the server's caches are empty), from the
  start of the navigation to settled (below) in the page's own clock: in new browsers (no HTTP
  cache), and in new tabs of a browser that has opened the page before (returning); with `floor`
  (bench.run), the floor app's too, measured right after on the same machine;
- a click on each page of the sidebar navigation, until the page is settled;
- a month change and a county change (sidebar filters) on each page, until settled;
- on a page whose charts are in tabs (province scale, ui/tabs.py), a switch to each of its other
  tabs (and back to the first, not counted);
plus the server's resident memory (current and peak, from /proc).

Each action is timed from the user's press (the last pointerdown of the action: the option of a
filter, not the press that opened its dropdown) to settled.
"Settled" = the script run that the action started has finished (the server's script_finished
message for it has arrived over the websocket, and the page has handled every message up to it), the
app's data-test-script-state is notRunning, every plotly chart on the page has drawn its SVG, no
skeleton/spinner is left, and two animation frames have passed. (The attribute alone is not a reliable
sign of a run: now and then the frontend never shows a quick run as running, and a bench that waited
for it stopped on its 120 s timeout.)

    python -m bench.browser --db bench/out/pilot-full/pilot.duckdb --runs 5
    python -m bench.browser --floor --runs 5    # the same actions on a two-page Streamlit app: the floor
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
WARM_ROUNDS = 2
RENDERED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PAGE_TABS = '[class*="st-key-tabs_"] [role="tab"]'  # a page's own tabs (ui/tabs.tab_key), not nested ones

# Installed in every page before its scripts: counts the websocket messages the page has handled.
FRAMES_JS = """(() => {
  window.__frames = 0;
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener('message', () => { window.__frames += 1; });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})()"""
# The action's start, page clock: the user's last press (pointerdown) after this point, or else now.
# An action that opens a dropdown first (a filter change) starts when the option is pressed, and
# Playwright's own waits before it dispatches a press (actionability, reading the options) are not
# counted: from the press to settled is what the user waits for.
START_JS = """() => {
  window.__bench = {start: performance.now()};
  if (!window.__pressWatch) {
    window.__pressWatch = true;
    document.addEventListener('pointerdown', (e) => { if (window.__bench) window.__bench.start = e.timeStamp; },
                              {capture: true});
  }
}"""
# Settled: the page has handled every message up to the run's script_finished (`n`, counted over the
# page's websockets), the app shows no run, every chart is drawn, no skeleton or spinner is left.
SETTLED_JS = """(n) => {
  if (window.__frames < n) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  if (!charts.every(c => c.querySelector('.main-svg'))) return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stSpinner"]')) return false;
  return true;
}"""
# Installed before a page's scripts: every change of the app's script state, in page time
# (window.__appStates, [ms, state]); first_paint and bench/paint.py read it.
APP_STATES_JS = """(() => {
  const states = window.__appStates = [];
  const watch = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return false;
    const note = () => states.push([performance.now(), app.getAttribute('data-test-script-state')]);
    note();
    new MutationObserver(note).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    return true;
  };
  const root = new MutationObserver(() => { if (watch()) root.disconnect(); });
  document.addEventListener('DOMContentLoaded', () => {
    if (!watch()) root.observe(document.body, {childList: true, subtree: true});
  });
})()"""
# first_paint, polled in the page from the navigation on: a run has been shown and the page is
# settled (SETTLED_JS without the message count, which only the harness knows); the time two
# animation frames later (painted) is kept in window.__painted.
PAINTED_JS = f"""() => {{
  if (window.__painted !== undefined) return true;
  const ran = (window.__appStates || []).some(x => x[1] === 'running');
  if (!ran || window.__paintPending || !({SETTLED_JS})(0)) return false;
  window.__paintPending = true;
  requestAnimationFrame(() => requestAnimationFrame(() => {{ window.__painted = performance.now(); }}));
  return false;
}}"""
ELAPSED_JS = """() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(
  () => resolve(performance.now() - window.__bench.start))))"""


# The floor: what Streamlit itself costs per action in this harness. Two pages in the sidebar
# navigation, the two sidebar filters the bench changes, a title: no data, no chart.
FLOOR_APP = """import streamlit as st

def page():
    st.title(f"{st.session_state.get('f_month')} · {st.session_state.get('f_county')}")

st.navigation([st.Page(page, title="甲", url_path="a"), st.Page(page, title="乙", url_path="b")]).run()
st.sidebar.selectbox("月份", ["2026-10", "2026-09"], key="f_month")
st.sidebar.selectbox("县区", ["全部县区", "东湖区", "临江区"], key="f_county")
"""


def served_as_the_dashboard(script: str) -> str:
    """A floor app served the way app.py is: through `st.App`, with Nagle off on its connections
    (ui/nodelay.py). Without it the floor would carry a 40 ms stall the dashboard no longer has."""
    body = "\n".join("    " + line if line else "" for line in script.splitlines())
    return (f"import sys\nimport streamlit as st\n\nif __name__ == '__main__':\n{body}\n"
            f"else:\n    sys.path.insert(0, {str(ROOT)!r})\n    from ui.nodelay import server_no_delay\n\n"
            f"    server_no_delay()\n    app = st.App(__file__)\n")


def floor_app(folder: Path) -> dict:
    """FLOOR_APP written into `folder`, served as the dashboard is: server()'s script and root for it."""
    (folder / "floor.py").write_text(served_as_the_dashboard(FLOOR_APP))
    return {"script": "floor.py", "root": folder}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(db: Path, log: Path, script: str = "app.py", root: Path = ROOT, env: dict[str, str] | None = None):
    """`streamlit run app.py` on `db` (demo login, no demo build); yields (base URL, pid).
    (`script` and `root`: another app or checkout, such as bench/paint.py's hello-world floor;
    `env`: more environment for the server, such as an experiment's switch.)"""
    port = _free_port()
    env = {**os.environ, **(env or {}), "PILOT_DB": str(db), "PILOT_DEMO": "1", "PILOT_NO_DEMO": "1",
           "PYTHONPATH": str(root)}
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.address",
                                 "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
                                 "--browser.gatherUsageStats", "false"], cwd=root, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 90
            while time.time() < deadline:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    time.sleep(0.3)
            yield base, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def rss_mb(pid: int) -> dict:
    """Current and peak resident memory of a process (MB), from /proc."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[{"VmRSS": "rss_mb", "VmHWM": "peak_rss_mb"}[key]] = round(int(value.split()[0]) / 1024)
    return out


class Runs:
    """Counts the script runs the server reports finished to one page (ForwardMsg script_finished)."""

    def __init__(self, page):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.finished = 0  # script runs finished
        self.frames = 0  # messages received, over every websocket of the page
        self.upto = 0  # the message count at the newest script_finished
        done = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}

        def frame(raw) -> None:
            self.frames += 1
            msg = ForwardMsg()
            try:
                msg.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
            except Exception:  # noqa: BLE001 - a frame that is not a ForwardMsg
                return
            if msg.WhichOneof("type") == "script_finished" and msg.script_finished in done:
                self.finished += 1
                self.upto = self.frames

        page.on("websocket", lambda ws: ws.on("framereceived", frame))


def timed(page, runs: Runs, action, timeout_ms: int = 120_000) -> float:
    """Seconds from `action()` to settled (see module docstring)."""
    before = runs.finished
    page.evaluate(START_JS)
    action()
    deadline = time.monotonic() + timeout_ms / 1000
    while runs.finished == before:  # websocket events are delivered while Playwright waits
        if time.monotonic() > deadline:
            raise TimeoutError(f"no script run finished within {timeout_ms / 1000:.0f} s of the action")
        page.wait_for_timeout(10)
    page.wait_for_function(SETTLED_JS, arg=runs.upto, timeout=max(1, int((deadline - time.monotonic()) * 1000)),
                           polling=20)
    return page.evaluate(ELAPSED_JS) / 1000


def first_paint(browser, url: str, context=None) -> float:
    """Seconds from the start of the navigation (a new tab, a new session) to the settled, painted
    page, in the page's own clock (performance.now(): 0 is the navigation's start). Checked every
    10 ms in the page from the navigation on. (The harness's earlier way, Playwright's
    wait_for_selector, read Playwright's polling: it checks at 0, 20, 50, 100 and 100 ms and then
    every 500 ms, and a page settled at 0.83 s read 1.0-1.3 s; bench/RESULTS.md.)
    In a new browser context (a browser's first visit: no HTTP cache), or in a new tab of `context`
    (browser_context(): a browser that has been here before, as the meeting room's PC)."""
    own = context is None
    if own:
        context = browser_context(browser)
    page = context.new_page()
    page.goto(url, wait_until="commit")
    page.wait_for_function(PAINTED_JS, timeout=120_000, polling=10)
    seconds = page.evaluate("window.__painted") / 1000
    context.close() if own else page.close()
    return seconds


def browser_context(browser):
    """A 1920×1080 browser context that records the app's script states for first_paint."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_init_script(APP_STATES_JS)
    return context


def first_paints(browser, url: str, runs: int) -> dict:
    """A new session's first paint: the first after the server's start (cold), then the median of
    `runs` from new browsers (warm) and of `runs` new tabs of a browser that has opened the page
    once before (returning: Streamlit's files come from its HTTP cache)."""
    paints = [first_paint(browser, url) for _ in range(runs + 1)]
    context = browser_context(browser)
    first_paint(browser, url, context)  # the visit that fills the browser's cache
    returning = [first_paint(browser, url, context) for _ in range(runs)]
    context.close()
    return {"first_paint_cold": round(paints[0], 3), "first_paint_warm": round(statistics.median(paints[1:]), 3),
            "first_paint_returning": round(statistics.median(returning), 3)}


def floor_first_paints(runs: int) -> dict:
    """first_paints of the floor app (FLOOR_APP): what Streamlit itself takes on this machine now."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        with server(Path(tmp) / "none.duckdb", Path(tmp) / "server.log", **floor_app(Path(tmp))) as (base, _), \
                sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            result = first_paints(browser, base + "/", runs)
            browser.close()
    return {f"floor_{k}": v for k, v in result.items()}


def nav_titles(page) -> list[str]:
    """The page titles of the sidebar navigation, in order."""
    texts = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return [t.strip().splitlines()[-1].strip() for t in texts if t.strip()]  # the icon's name comes first


def choose(page, label: str, index: int | None = None) -> None:
    """Pick the `index`-th option of the sidebar selectbox labelled `label`, or else the first of the
    first three options that is not the one shown (a month change between neighbouring months, whether
    or not the newest month is an open one listed above the default)."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text=label).first
    pick(page, box, index)


def pick(page, box, index: int | None = None) -> None:
    """Open the selectbox `box` and click its option `index` (None: the first other than the shown one)."""
    shown = box.locator("input").first.input_value().strip()  # a combobox: the choice is the input's value
    box.click()
    options = page.locator('[role="option"]')
    options.first.wait_for(timeout=30_000)  # the list renders after the click (on a busy machine, later)
    if index is None:
        texts = [t.strip() for t in options.all_inner_texts()[:3]]
        index = next(i for i, t in enumerate(texts) if t != shown)
    options.nth(index).click()


def measure(db: Path, runs: int, month: str | None, skip: tuple[str, ...] = ("数据报送",),
            only: tuple[str, ...] = (), script: str = "app.py", root: Path = ROOT, floor: bool = False) -> dict:
    """Every figure of the browser stage for one database (or for another app: `script` in `root`);
    with `floor`, also the floor app's first paints, measured right after (floor_first_paints)."""
    from playwright.sync_api import sync_playwright

    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    with server(db, out_dir / "browser-server.log", script, root) as (base, pid), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        url = base + (f"/?month={month}" if month else "/")
        paints = first_paints(browser, url, runs)
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        context.add_init_script(FRAMES_JS)
        page = context.new_page()
        finished = Runs(page)
        page.goto(url)
        page.wait_for_selector(RENDERED, timeout=120_000)
        titles = [t for t in nav_titles(page) if t not in skip and (not only or any(o in t for o in only))]
        clicks: dict[str, list[float]] = {t: [] for t in titles}
        months: dict[str, list[float]] = {t: [] for t in titles}
        counties: dict[str, list[float]] = {t: [] for t in titles}
        tabs: dict[str, dict[str, list[float]]] = {t: {} for t in titles}  # page -> tab label -> seconds
        link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=titles[-1]).first
        timed(page, finished, link.click)  # start elsewhere than the first page: every measured click changes page
        # The first two rounds warm the server's caches, not counted: the month flips at every page,
        # so with an odd number of pages a page sees the other month only in the second round.
        for run in range(runs + WARM_ROUNDS):
            for title in titles:
                link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first
                seconds = timed(page, finished, link.click)
                month_s = timed(page, finished, lambda: choose(page, "月份"))  # to the other of two months
                county_s = timed(page, finished, lambda: choose(page, "县区", 1 + run % 2))
                if run >= WARM_ROUNDS:
                    clicks[title].append(seconds)
                    months[title].append(month_s)
                    counties[title].append(county_s)
                timed(page, finished, lambda: choose(page, "县区", 0))
                tab = page.locator(PAGE_TABS)
                for i in range(1, tab.count()):  # to each other tab and back: the first is open for the next
                    label = tab.nth(i).inner_text().strip()
                    tab_s = timed(page, finished, tab.nth(i).click)
                    timed(page, finished, tab.nth(0).click)
                    if run >= WARM_ROUNDS:
                        tabs[title].setdefault(label, []).append(tab_s)
        browser.close()
        memory = rss_mb(pid)

    def med(values: dict[str, list[float]]) -> dict[str, float]:
        return {k: round(statistics.median(v), 3) for k, v in values.items() if v}

    return {**paints, **(floor_first_paints(runs) if floor else {}),  # the dashboard's server has stopped
            "click": med(clicks), "month": med(months), "county": med(counties),
            "tab": {t: med(by_label) for t, by_label in tabs.items() if by_label}, "runs": runs,
            **memory}


def render(label: str, r: dict, goal: float = 0.2) -> str:
    """The browser figures of one database as a Markdown table."""
    kinds = ("click", "month", "county", *(("tab",) if r.get("tab") else ()))
    floor = (f"; the floor app {r['floor_first_paint_warm']:.2f} s warm · {r['floor_first_paint_returning']:.2f} s "
             "returning in the same run" if "floor_first_paint_warm" in r else "")
    lines = [f"{label}: first paint of a new session {r['first_paint_cold']:.2f} s cold · "
             f"{r['first_paint_warm']:.2f} s warm · {r['first_paint_returning']:.2f} s in a returning browser "
             f"(goal < 1 s{floor}); server RSS {r.get('rss_mb', '?')} MB, "
             f"peak {r.get('peak_rss_mb', '?')} MB; medians of {r['runs']} runs.", "",
             "| page | click → settled | month change | county change |" + (" tab switch |" if len(kinds) > 3 else ""),
             "|---" * (len(kinds) + 1) + "|"]
    def ms(v: float | None) -> str:
        return "—" if v is None else f"{v * 1000:.0f} ms{'' if v < goal else ' ✗'}"

    slowest = {title: max(by_label.values()) for title, by_label in r.get("tab", {}).items()}
    for title in r["click"]:
        cells = [r[k].get(title) for k in kinds[:3]] + ([slowest.get(title)] if len(kinds) > 3 else [])
        lines.append(f"| {title} | " + " | ".join(ms(v) for v in cells) + " |")
    if slowest:
        lines += ["", "Tab switches (tab switch above: the slowest of the page's tabs):", "",
                  "| page | tab | switch → settled |", "|---|---|---|"]
        lines += [f"| {title} | {label} | {ms(v)} |" for title, by_label in r["tab"].items()
                  for label, v in by_label.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path)
    ap.add_argument("--floor", action="store_true", help="a two-page Streamlit app instead of the dashboard")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--month", default=None, help="YYYY-MM to open (default: the app's default month)")
    ap.add_argument("--pages", nargs="*", default=(), help="only the pages whose title contains one of these")
    ap.add_argument("--root", type=Path, help="serve this checkout's app.py (default: this one; e.g. main before a change)")
    args = ap.parse_args(argv)
    if args.floor:
        with tempfile.TemporaryDirectory() as tmp:
            result = measure(Path(tmp) / "none.duckdb", args.runs, None, skip=(), **floor_app(Path(tmp)))
    elif args.db:
        result = measure(args.db.resolve(), args.runs, args.month, only=tuple(args.pages),
                         root=args.root.resolve() if args.root else ROOT)
    else:
        ap.error("--db is needed (or --floor)")
    print(render("floor (two-page Streamlit app)" if args.floor else str(args.db), result))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
