"""First paint of several checkouts (and the floor app) in turns: the fair way to compare on a shared machine.

This machine's speed moves by a third from one hour to the next (bench/RESULTS.md, ninth session),
so two checkouts measured one after the other compare the hours, not the code. Here the
configurations take turns: each turn starts every configuration's server once, and each server
start gives one cold session (the first after the server is healthy), one session not counted, and
`--per-start` warm sessions (each a new browser: no HTTP cache), timed by bench.browser.first_paint.

A configuration is a checkout's root (its app.py is served), optionally with environment variables
for its server, or `floor` (bench.browser.FLOOR_APP: what Streamlit alone takes):

    flock /tmp/bench.lock python3 -m bench.turns --db COPY --turns 4 \\
        main=/work/main change=. floor=floor [exp=.,SOME_SWITCH=1]

Prints each configuration's medians (warm over every start, cold over the starts), in ms.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench.browser import CHROMIUM, CHROMIUM_ARGS, first_paint, floor_app, server


def parse(spec: str) -> tuple[str, str, dict[str, str]]:
    """`label=root[,NAME=value...]` → (label, root, environment)."""
    label, sep, rest = spec.partition("=")
    if not sep or not label or not rest:
        raise argparse.ArgumentTypeError(f"expected label=root[,NAME=value...], got {spec!r}")
    root, *pairs = rest.split(",")
    env = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise argparse.ArgumentTypeError(f"expected NAME=value in {spec!r}, got {pair!r}")
        env[name] = value
    return label, root, env


def measure(db: Path, configs: list[tuple[str, str, dict[str, str]]], turns: int, per_start: int) -> dict:
    from playwright.sync_api import sync_playwright

    warm: dict[str, list[float]] = {label: [] for label, _, _ in configs}
    cold: dict[str, list[float]] = {label: [] for label, _, _ in configs}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        floor = floor_app(Path(tmp))
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(turns):
            for label, root, env in configs:
                where = floor if root == "floor" else {"root": Path(root).resolve()}
                with server(db, Path(tmp) / f"{label}.log", env=env, **where) as (base, _):
                    cold[label].append(first_paint(browser, base + "/"))
                    first_paint(browser, base + "/")
                    warm[label] += [first_paint(browser, base + "/") for _ in range(per_start)]
        browser.close()
    return {label: {"warm_ms": round(statistics.median(warm[label]) * 1000), "warm_n": len(warm[label]),
                    "cold_ms": round(statistics.median(cold[label]) * 1000), "cold_n": len(cold[label])}
            for label, _, _ in configs}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True, help="a copy of the database to serve (every configuration)")
    ap.add_argument("--turns", type=int, default=3, help="server starts per configuration")
    ap.add_argument("--per-start", type=int, default=6, help="warm sessions per server start")
    ap.add_argument("configs", nargs="+", type=parse, metavar="label=root[,NAME=value...]")
    args = ap.parse_args(argv)
    result = measure(args.db.resolve(), args.configs, args.turns, args.per_start)
    for label, r in result.items():
        print(f"{label:16s} warm {r['warm_ms']:5d} ms (n={r['warm_n']}) · cold {r['cold_ms']:5d} ms (n={r['cold_n']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
