"""Where a new session's first paint goes: a timeline from `goto` to settled, and the framework's floor.

For each new browser context (no HTTP cache, no cookies), measured in the page's own clock
(performance.now(), 0 = navigation start):
- the HTML document, and Streamlit's static bundle (JS/CSS/fonts: count, bytes over the wire and
  decoded, when the last one arrived);
- the websocket: when it opened, every message the server sent (its ForwardMsg type and size,
  deltas summed), the script runs (`running` → `notRunning` of data-test-script-state);
- settled: the last script run finished and every plotly chart has its SVG (bench/browser.py's
  `first_paint` also waits until no widget shows its grey placeholder while its code loads).

`--hello` measures the same on a hello-world Streamlit app (one title and one line of text, served
as app.py is: bench.browser.served_as_the_dashboard): the floor that no change of ours can go below.
`--returning` opens every session in a new tab of one browser instead: a browser that has been
here before (the meeting room's PC), with Streamlit's files in its HTTP cache (they are served
`immutable` for a year), still a new Streamlit session each time.

    flock /tmp/bench.lock python3 -m bench.paint --db COPY --runs 3 [--hello] [--returning] [--month YYYY-MM]
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.browser import APP_STATES_JS, CHROMIUM, CHROMIUM_ARGS, ROOT, served_as_the_dashboard, server

HELLO = 'import streamlit as st\n\nst.title("Hello")\nst.write("world")\n'

# Installed before any page script: websocket messages and when the overview's grid was drawn, in
# page time (the script-state changes: bench.browser.APP_STATES_JS, installed with it).
TRACE_JS = APP_STATES_JS + """;
(() => {
  const t = window.__paint = {ws_open: null, msgs: [], grid: null};
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener('open', () => { if (t.ws_open === null) t.ws_open = performance.now(); });
    ws.addEventListener('message', (e) => {
      const n = e.data.byteLength ?? e.data.size ?? e.data.length;
      t.msgs.push([performance.now(), n]);
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  document.addEventListener('DOMContentLoaded', () => {
    const grid = new MutationObserver(() => {  // the overview's status grid drawn
      if (t.grid === null && document.querySelector('table.sg td')) { t.grid = performance.now(); grid.disconnect(); }
    });
    grid.observe(document.body, {childList: true, subtree: true});
  });
})()"""
SETTLED_JS = """() => {
  const s = window.__appStates;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || !s.some(x => x[1] === 'running')) return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (window.__paint.wait_grid && window.__paint.grid === null) return false;
  return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'));
}"""
REPORT_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource').map(r => ({
    name: r.name, type: r.initiatorType, start: r.startTime, end: r.responseEnd,
    wire: r.transferSize, body: r.encodedBodySize, decoded: r.decodedBodySize}));
  const grid = document.querySelector('table.sg');
  return {now: performance.now(), doc_end: nav.responseEnd, dcl: nav.domContentLoadedEventEnd,
          load: nav.loadEventEnd, doc_wire: nav.transferSize, resources: res, ...window.__paint, states: window.__appStates,
          grid_html: grid ? grid.closest('.sg-wrap').outerHTML.length : 0,
          dom_nodes: document.getElementsByTagName('*').length};
}"""


def _types(frames: list[bytes]) -> list[tuple[str, int]]:
    """The ForwardMsg type and size of each websocket frame the server sent."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    out = []
    for raw in frames:
        msg = ForwardMsg()
        try:
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type") or "?"
        except Exception:  # noqa: BLE001 - a frame that is not a ForwardMsg
            kind = "?"
        out.append((kind, len(raw)))
    return out


def one_session(browser, url: str, screenshot: Path | None = None, grid: bool = False, context=None) -> dict:
    """The timeline of one new session (page clock, ms) and the server's messages. In a new browser
    context (no HTTP cache, no cookies), or in a new tab of `context` (a returning browser)."""
    own = context is None
    if own:
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        context.add_init_script(TRACE_JS)
    page = context.new_page()
    frames: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(
        f if isinstance(f, bytes) else f.encode())))
    t = time.perf_counter()
    page.goto(url)
    if grid:  # settled also waits for the overview's status grid to be drawn
        page.evaluate("window.__paint.wait_grid = true")
    page.wait_for_function(SETTLED_JS, timeout=120_000, polling=10)
    wall = time.perf_counter() - t
    r = page.evaluate(REPORT_JS)
    if screenshot:
        page.screenshot(path=str(screenshot), full_page=True)
    context.close() if own else page.close()
    static = [x for x in r["resources"] if "/static/" in x["name"]]
    runs = sum(1 for a, b in zip(r["states"], r["states"][1:]) if a[1] == "running" and b[1] == "notRunning")
    first_run = next((s[0] for s in r["states"] if s[1] == "running"), None)
    done = max((s[0] for s in r["states"] if s[1] == "notRunning"), default=None)
    kinds = _types(frames)
    timeline = [(round(m[0]), k, n) for m, (k, n) in zip(r["msgs"], kinds)]
    late = [(round(x["start"]), round(x["end"]), round(x["decoded"] / 1024), x["name"].rsplit("/", 1)[-1])
            for x in static if x["start"] > r["dcl"]]
    deltas = [n for k, n in kinds if k == "delta"]
    return {
        "wall_s": round(wall, 3), "settled_ms": round(r["now"]), "doc_ms": round(r["doc_end"]),
        "dcl_ms": round(r["dcl"]), "load_ms": round(r["load"]),
        "static_files": len(static), "static_wire_kb": round(sum(x["wire"] for x in static) / 1024),
        "static_decoded_kb": round(sum(x["decoded"] for x in static) / 1024),
        "static_last_ms": round(max((x["end"] for x in static), default=0)),
        "ws_open_ms": round(r["ws_open"] or 0), "first_run_ms": round(first_run or 0),
        "last_done_ms": round(done or 0), "script_runs": runs,
        "first_msg_ms": round(r["msgs"][0][0]) if r["msgs"] else None,
        "last_msg_ms": round(r["msgs"][-1][0]) if r["msgs"] else None,
        "messages": len(kinds), "deltas": len(deltas), "delta_kb": round(sum(deltas) / 1024, 1),
        "largest_delta_kb": round(max(deltas, default=0) / 1024, 1),
        "message_types": sorted({k for k, _ in kinds}),
        "grid_html_kb": round(r["grid_html"] / 1024, 1), "grid_ms": round(r["grid"] or 0),
        "dom_nodes": r["dom_nodes"], "timeline": timeline, "late_static": late,
    }


def measure(db: Path | None, runs: int, month: str | None, hello: bool, shots: Path | None,
            grid: bool = False, root: Path | None = None, settle: float = 0.0, returning: bool = False) -> dict:
    from playwright.sync_api import sync_playwright

    out_dir = Path(__file__).resolve().parent / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        script, root = "app.py", root or ROOT
        if hello:
            (Path(tmp) / "hello.py").write_text(served_as_the_dashboard(HELLO))
            script, root = "hello.py", Path(tmp)
        with server(db or Path(tmp) / "none.duckdb", out_dir / "paint-server.log", script=script, root=root) as (base, _), \
                sync_playwright() as pw:
            time.sleep(settle)  # a server started a while before its first visitor
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            url = base + (f"/?month={month}" if month else "/")
            context = None
            if returning:  # one browser for every session: its HTTP cache holds Streamlit's files after the first
                context = browser.new_context(viewport={"width": 1920, "height": 1080})
                context.add_init_script(TRACE_JS)
            sessions = [one_session(browser, url, shots / f"paint-{i}.png" if shots and i == 1 else None, grid,
                                    context)
                        for i in range(runs + 1)]
            browser.close()
    warm = sessions[1:]
    median = {k: statistics.median(s[k] for s in warm) for k, v in warm[0].items() if isinstance(v, (int, float))}
    return {"cold": sessions[0], "warm_median": median, "warm": warm}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path)
    ap.add_argument("--runs", type=int, default=3, help="warm sessions after the cold one")
    ap.add_argument("--month", default=None)
    ap.add_argument("--hello", action="store_true", help="a hello-world Streamlit app instead (the floor)")
    ap.add_argument("--returning", action="store_true",
                    help="every session in a new tab of one browser (its HTTP cache kept), not a new browser")
    ap.add_argument("--root", type=Path, help="serve this checkout's app.py (default: this one; e.g. main before a change)")
    ap.add_argument("--settle", type=float, default=0.0, help="seconds between the server's start and the first visit")
    ap.add_argument("--grid", action="store_true", help="settled also waits for the overview's grid")
    ap.add_argument("--timeline", action="store_true", help="print each session's messages and late files")
    ap.add_argument("--screenshots", type=Path, help="save the first warm session's page here")
    args = ap.parse_args(argv)
    if not args.hello and not args.db:
        ap.error("--db is needed (or --hello)")
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    r = measure(args.db.resolve() if args.db else None, args.runs, args.month, args.hello, args.screenshots,
                args.grid, args.root.resolve() if args.root else None, args.settle, args.returning)
    for label, s in [("cold", r["cold"]), ("warm (median)", r["warm_median"])]:
        print(f"{label}: " + ", ".join(f"{k}={v}" for k, v in s.items() if k not in ("timeline", "late_static")))
    if args.timeline:
        for label, s in [("cold", r["cold"]), *((f"warm {i}", w) for i, w in enumerate(r["warm"], 1))]:
            print(f"-- {label}: messages (ms, type, bytes)", s["timeline"])
            print(f"-- {label}: static files fetched after DOMContentLoaded (start, end, KB, name)", s["late_static"])
    print(json.dumps(r, ensure_ascii=False)) if not args.timeline else None
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
