"""What the leadership group waits for in a meeting: projector mode, driven from the meeting bar.

Opens the dashboard in projector mode (`?mode=projector`: the sidebar folded away, ui/meeting.py's
bar on top) and measures, as medians over several rounds through the monitoring pages:
- ▶ (the bar's next-page button) until the next page is settled;
- a month change and a county change in the bar's own selectors on that page.
"Settled" as in bench/browser.py (the run's script_finished handled by the page, charts drawn).
Two rounds warm the server's caches first and are not counted.

    python -m bench.projector --db COPY --runs 3
"""
from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from urllib.parse import unquote, urlparse

from bench.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    FRAMES_JS,
    RENDERED,
    ROOT,
    WARM_ROUNDS,
    Runs,
    pick,
    rss_mb,
    server,
    timed,
)


def pick_other(page, key: str, index: int | None = None) -> None:
    """In the bar's selector `key` (its st-key class), pick option `index`, or else the first other
    than the shown one (bench.browser.pick)."""
    pick(page, page.locator(f'.st-key-{key} [data-testid="stSelectbox"]').first, index)


def page_name(page) -> str:
    return unquote(urlparse(page.url).path.strip("/")) or "overview"


def measure(db: Path, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    steps: dict[str, dict[str, list[float]]] = {}
    with server(db, out_dir / "projector-server.log") as (base, pid), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        context.add_init_script(FRAMES_JS)
        page = context.new_page()
        finished = Runs(page)
        page.goto(base + "/?mode=projector")
        page.wait_for_selector(RENDERED, timeout=120_000)
        start = page_name(page)
        for run in range(runs + WARM_ROUNDS):  # each round: ▶ through the deck, back to the first page
            while True:
                next_s = timed(page, finished, lambda: page.locator(".st-key-bar_next button").first.click())
                name = page_name(page)
                month_s = timed(page, finished, lambda: pick_other(page, "bar_month"))
                county_s = timed(page, finished, lambda: pick_other(page, "bar_county", 1 + run % 2))
                timed(page, finished, lambda: pick_other(page, "bar_county", 0))
                if run >= WARM_ROUNDS:
                    for kind, s in (("next", next_s), ("month", month_s), ("county", county_s)):
                        steps.setdefault(name, {}).setdefault(kind, []).append(s)
                if name == start:
                    break
        browser.close()
        memory = rss_mb(pid)
    return {"pages": {name: {k: round(statistics.median(v), 3) for k, v in kinds.items()}
                      for name, kinds in steps.items()}, "runs": runs, **memory}


def render(label: str, r: dict, goal: float = 0.2) -> str:
    lines = [f"{label}, projector mode: server RSS {r.get('rss_mb', '?')} MB, peak {r.get('peak_rss_mb', '?')} MB; "
             f"medians of {r['runs']} rounds.", "", "| page | ▶ to it → settled | month change | county change |",
             "|---|---|---|---|"]
    for name, kinds in r["pages"].items():
        lines.append(f"| {name} | " + " | ".join(
            f"{kinds[k] * 1000:.0f} ms{'' if kinds[k] < goal else ' ✗'}" for k in ("next", "month", "county")) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    result = measure(args.db.resolve(), args.runs)
    print(render(str(args.db), result))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
