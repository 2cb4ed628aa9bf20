"""One-command performance benchmark of the dashboard at pilot-zone and province scale.

Run from the project root:  python -m bench.run      (or: python bench/run.py)
Options: --quick (a small zone, for a smoke test) · --skip-province · --skip-apptest · --skip-browser ·
--counties N (province counties; 300 shows how cost grows) · --runs N (browser medians)

Pilot zone: 10 counties × 150 schools × 24 months, written as real county workbooks by the
demo generator (core/demo.py) and loaded through core.submission.ingest (validation + storage).
Province: 100 counties × 300 schools × 36 months, generated and inserted straight into the
store (no workbooks: writing 3,600 workbooks with openpyxl alone would take ~10 minutes here).
Generated files and databases go to bench/out/ (gitignored; the workbooks are reused by
later runs). Each measurement runs in its own process, so its peak RSS is its own.
The table is printed at the end and saved to bench/out/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PILOT = {"counties": 10, "schools": 150, "months": 24}
PROVINCE = {"counties": 100, "schools": 300, "months": 36}
QUICK_PILOT = {"counties": 3, "schools": 40, "months": 6}
QUICK_PROVINCE = {"counties": 10, "schools": 100, "months": 12}
BASELINE_EVERY = 10  # the naive baseline reads every 10th workbook; its time is scaled to all files
TARGETS = {"ingest_vs_floor": 1.0, "baseline_ratio": 5.0, "pilot_month_ms": 150, "province_month_ms": 2000,
           "overview_warm_s": 1.5, "province_rss_mb": 1024, "report_pdf_s": 3.0}


def phase(name: str, **kwargs) -> dict:
    """Run bench.phases.<name>(**kwargs) in a fresh Python process; its JSON result."""
    code = ("import json, sys; from bench import phases; "
            f"r = phases.{name}(**json.loads(sys.argv[1])); print('\\n@@' + json.dumps(r))")
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(kwargs)], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    # DuckDB's progress bar may share the line: take what follows the marker.
    result = next((line.split("@@", 1)[1] for line in proc.stdout.splitlines() if "@@" in line), None)
    if proc.returncode != 0 or result is None:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"bench phase {name} failed")
    return json.loads(result)


def status(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    """Run every measurement and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small zone and province (smoke test)")
    ap.add_argument("--skip-province", action="store_true")
    ap.add_argument("--skip-apptest", action="store_true")
    ap.add_argument("--skip-browser", action="store_true", help="no real-browser stage (needs chromium)")
    ap.add_argument("--counties", type=int, default=None, help="province counties (default 100)")
    ap.add_argument("--runs", type=int, default=5, help="runs per browser measurement (medians)")
    args = ap.parse_args(argv)
    from bench.workbooks import END_PERIOD
    pilot, province = (QUICK_PILOT, QUICK_PROVINCE) if args.quick else (PILOT, dict(PROVINCE))
    if args.counties:
        province["counties"] = args.counties
    tag = "quick" if args.quick else "full"
    folder, db = OUT / f"pilot-{tag}" / "workbooks", OUT / f"pilot-{tag}" / "pilot.duckdb"
    started = time.perf_counter()
    r: dict = {"pilot": pilot, "province": province}

    def step(label, key, fn=None, **kw):
        print(f"… {label}", file=sys.stderr, flush=True)
        r[key] = phase(fn or key, **kw)

    step("pilot workbooks (demo generator; reused when present)", "generate", out_dir=str(folder), **pilot)
    step("calamine parse floor", "floor", folder=str(folder))
    step("ingest (validation + storage)", "ingest", folder=str(folder), db=str(db))
    step("ingest, one process", "ingest_1", fn="ingest", folder=str(folder), db=str(db.with_name("one.duckdb")),
         workers=1)
    step(f"naive baseline (every {BASELINE_EVERY}th workbook)", "baseline", folder=str(folder),
         db=str(db.with_name("naive.duckdb")), every=BASELINE_EVERY)
    step("pilot indicators", "pilot_q", fn="queries", db=str(db), months=pilot["months"])
    if not args.skip_apptest:
        step("overview page in AppTest", "apptest", db=str(db))
    if not args.skip_browser:
        step("月报 PDF (chromium)", "report", fn="report_pdf", db=str(db))
    if not args.skip_browser:
        step("pilot pages in chromium", "pilot_browser", fn="browser", db=str(db), runs=args.runs,
             month=END_PERIOD)
    if not args.skip_province:
        pdb = OUT / f"province-{tag}-{province['counties']}.duckdb"
        step("province: generate and load directly into the store", "province_load", fn="province_load",
             db=str(pdb), **province)
        step("province indicators", "province_q", fn="queries", db=str(pdb), months=province["months"])
        if not args.skip_browser:
            step("province pages in chromium", "province_browser", fn="browser", db=str(pdb), runs=args.runs,
                 month=END_PERIOD)
        step("province: one workbook ingested after the direct load", "province_ingest", db=str(pdb), **province)
    r["total_seconds"] = time.perf_counter() - started
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(r, ensure_ascii=False, indent=1))
    print(render(r))
    return 0


def render(r: dict) -> str:
    """The results as a Markdown table (the same text goes into bench/RESULTS.md)."""
    p, g, fl, ing, one, nb = r["pilot"], r["generate"], r["floor"], r["ingest"], r["ingest_1"], r["baseline"]
    files, rows = ing["files"], ing["school_rows"]
    naive_all = nb["seconds"] * g["files"] / nb["files"]
    lines = [f"Pilot zone: {p['counties']} counties × {p['schools']} schools × {p['months']} months = "
             f"{g['files']} workbooks ({g['mb']} MB), {rows:,} school-months through real workbooks and ingest.",
             "", "| measure | value | target | |", "|---|---|---|---|"]

    def add(measure, value, target="", ok=None):
        lines.append(f"| {measure} | {value} | {target} | {'' if ok is None else status(ok)} |")

    add("calamine parse floor (1 core, all sheets)", f"{fl['seconds']:.1f} s · {fl['files'] / fl['seconds']:.0f} wb/s")
    add("ingest, default (validation + archive + DuckDB)",
        f"{ing['seconds']:.1f} s · {files / ing['seconds']:.1f} wb/s · {rows / ing['seconds']:,.0f} school-rows/s",
        "≤ 1× floor (2 cores)", ing["seconds"] <= TARGETS["ingest_vs_floor"] * fl["seconds"])
    add("  ratio ingest / floor", f"{ing['seconds'] / fl['seconds']:.2f}×")
    add("ingest, one process", f"{one['seconds']:.1f} s · {files / one['seconds']:.1f} wb/s")
    add(f"naive baseline (openpyxl + model per row), {nb['files']} files scaled to {g['files']}",
        f"{naive_all:.0f} s · {g['files'] / naive_all:.2f} wb/s")
    add("  ratio naive / ingest", f"{naive_all / ing['seconds']:.1f}×", "≥ 5×",
        naive_all / ing["seconds"] >= TARGETS["baseline_ratio"])
    add("ingest peak RSS (main · largest worker)", f"{ing['rss_mb']:.0f} MB · {ing['child_rss_mb']:.0f} MB")
    q = r["pilot_q"]
    add("pilot: all indicators of one month, zone+county+school (warm)", f"{q['warm'] * 1000:.0f} ms "
        f"({q['rows']:,} rows)", "< 150 ms", q["warm"] * 1000 < TARGETS["pilot_month_ms"])
    add("pilot: the same, first call in a fresh process", f"{q['first'] * 1000:.0f} ms")
    if "cleared" in q:
        add("pilot: the same, indicator cache emptied (as after an upload)", f"{q['cleared'] * 1000:.0f} ms")
    add(f"pilot: {p['months']}-month trend of {q['indicator']} (zone · county)",
        f"{q['trend_zone'] * 1000:.0f} ms · {q['trend_county'] * 1000:.0f} ms")
    add("pilot: query process peak RSS", f"{q['rss_mb']:.0f} MB")
    if "apptest" in r:
        a = r["apptest"]
        add("overview page in AppTest, warm cache", f"{a['warm']:.2f} s", "< 1.5 s",
            a["warm"] < TARGETS["overview_warm_s"])
        add("overview page in AppTest, first run (cold cache)", f"{a['cold']:.2f} s")
    if "report" in r:
        rp = r["report"]
        add("月报 PDF, warm, pictures drawn while the page is read", f"{rp['warm']:.1f} s ({rp['pdf_kb']} KB)",
            "< 3 s", rp["warm"] < TARGETS["report_pdf_s"])
        add("月报 PDF, warm, report data not seen before (figures, pictures, print)", f"{rp['new']:.1f} s",
            "< 3 s", rp["new"] < TARGETS["report_pdf_s"])
        add("月报 PDF, first in a fresh process (imports, data, chromium)", f"{rp['first']:.1f} s")
        add("月报 PNG pack (same chromium)", f"{rp['pack']:.1f} s")
        add("chromium kept open (browser + renderers, PSS)", f"{rp['browser_pss_mb']} MB")
    if "province_q" in r:
        pv, pl, pq = r["province"], r["province_load"], r["province_q"]
        lines += ["", f"Province: {pv['counties']} counties × {pv['schools']} schools × {pv['months']} months = "
                  f"{pl['school']:,} school-months, generated and loaded DIRECTLY into the store (no workbooks).",
                  "", "| measure | value | target | |", "|---|---|---|---|"]
        add("generate + bulk load", f"{pl['seconds']:.1f} s ({pl['submissions']:,} submissions), "
            f"peak RSS {pl['rss_mb']:.0f} MB")
        add("province: all indicators of one month, zone+county+school (warm)", f"{pq['warm'] * 1000:.0f} ms "
            f"({pq['rows']:,} rows)", "< 2 s", pq["warm"] * 1000 < TARGETS["province_month_ms"])
        add("province: the same, first call in a fresh process", f"{pq['first'] * 1000:.0f} ms")
        if "cleared" in pq:
            add("province: the same, indicator cache emptied (as after an upload)",
                f"{pq['cleared'] * 1000:.0f} ms")
        add(f"province: {pv['months']}-month trend of {pq['indicator']} (zone · county)",
            f"{pq['trend_zone'] * 1000:.0f} ms · {pq['trend_county'] * 1000:.0f} ms")
        add("province: query process peak RSS", f"{pq['rss_mb']:.0f} MB", "< 1 GB",
            pq["rss_mb"] < TARGETS["province_rss_mb"])
        if "province_ingest" in r:
            pi = r["province_ingest"]
            add("province: a workbook ingested after the direct load", f"{pi['status']} in {pi['seconds']:.1f} s",
                "accepted", pi["status"] == "accepted")
    from bench.browser import render as render_browser
    for key, label in (("pilot_browser", "Pilot pages in chromium"), ("province_browser", "Province pages in chromium")):
        if key in r:
            lines += ["", render_browser(label, r[key])]
    lines += ["", f"Whole benchmark run: {r['total_seconds']:.0f} s."]
    return "\n".join(lines)


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
