"""Where ingest's CPU goes, stage by stage, next to the single-core python-calamine parse floor.

    python -m bench.ingest_stages                      # this checkout, the pilot workbooks of bench.run
    python -m bench.ingest_stages --code OTHER_TREE    # the same files against another checkout (before/after)

One process does what an ingest pool worker does to every workbook (pre-scan, calamine, header and
cells, rules, Arrow tables, hash, archive) and then what the storing process does (checks against
stored data and the store, in batches of 32 on a fresh database). Each stage is CPU time of this
process (time.process_time), the minimum over --runs rounds in which the checkouts take turns, so
the figures hold on a shared, busy machine where wall times swing; the archive also shows wall time (its fsyncs wait, they do not
compute). The floor is python-calamine alone opening each workbook and reading every sheet to
Python lists (what bench.run calls the floor). Results print as a Markdown table.
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
FOLDER = ROOT / "bench" / "out" / "pilot-full" / "workbooks"
BATCH = 32
STAGES = [("floor", "calamine floor: open + every sheet to Python lists"),
          ("scan", "pre-scan of the sheet XML (extent, merges, error cells)"),
          ("calamine", "calamine read of the wanted sheets (in the validator)"),
          ("cells", "header matching, cell checks, row models"),
          ("rules", "county/month and cross-row rules"),
          ("tables", "Arrow tables"),
          ("other", "file check, sheet matching, the rest of validate_workbook"),
          ("hash", "SHA-256"),
          ("archive", "archive write (CPU; wall in the note)"),
          ("store", "storing process: checks against stored data + store, per file")]


def _child(folder: str, runs: int) -> dict:
    """The measurement, in a process whose `core` is the checkout under test."""
    import inspect
    import io
    import shutil
    import tempfile
    from datetime import datetime

    from python_calamine import CalamineWorkbook

    from core.demo.build import reset_database
    from core.reading import sandbox
    from core.reading import workbook as wb_module
    from core.submission import archive as archive_module
    from core.submission import gate
    from core.submission import validate as v
    from core.submission.prepare import Prepared

    files = sorted(Path(folder).glob("*.xlsx"))
    blobs = [(f.name, f.read_bytes()) for f in files]
    sandbox.confine(budget=64 << 30)  # read in-process, as a pool worker does (no real cap: DuckDB runs here too)
    spent: dict[str, float] = {}
    depth: list[float] = []  # CPU of nested timed calls, subtracted from the caller's

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.process_time()
            depth.append(0.0)
            try:
                return fn(*args, **kwargs)
            finally:
                inner = depth.pop()
                took = time.process_time() - t
                spent[name] = spent.get(name, 0.0) + took - inner
                if depth:
                    depth[-1] += took
        return wrapper

    wb_module.scan_workbook = timed("scan", wb_module.scan_workbook)
    v.read_workbook = timed("calamine", v.read_workbook)
    v.parse_sheet = timed("cells", v.parse_sheet)
    v.determine_county_period = timed("rules", v.determine_county_period)
    v.run_rules = timed("rules", v.run_rules)
    v.to_arrow = timed("tables", v.to_arrow)
    durable_flag = "durable" in inspect.signature(archive_module.archive_bytes).parameters
    best: dict[str, float] = {}
    archive_wall = []
    for _ in range(runs):
        spent.clear()
        t = time.process_time()
        for _name, data in blobs:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            for sheet in book.sheet_names:
                book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        spent["floor"] = time.process_time() - t
        parsed, shas = [], []
        t = time.process_time()
        for name, data in blobs:
            parsed.append(v.validate_workbook(data, name, arrow=True))
        total = time.process_time() - t
        spent["other"] = total - sum(spent.get(k, 0.0) for k in ("scan", "calamine", "cells", "rules", "tables"))
        t = time.process_time()
        shas = [archive_module.sha256_of(data) for _, data in blobs]
        spent["hash"] = time.process_time() - t
        work = Path(tempfile.mkdtemp(prefix="ingest-stages-"))
        try:
            db = work / "stages.duckdb"
            reset_database(db)
            paths = []
            t, w = time.process_time(), time.perf_counter()
            for (name, data), sha in zip(blobs, shas):
                kw = {"sha": sha, "durable": False} if durable_flag else {}
                paths.append(archive_module.archive_bytes(data, name, db, **kw))
            if durable_flag:
                archive_module.sync_archive(db)
            spent["archive"] = time.process_time() - t
            archive_wall.append(time.perf_counter() - w)
            items = [Prepared(name, sha, parsed=p, archive_path=a)
                     for (name, _), sha, p, a in zip(blobs, shas, parsed, paths)]
            from core.db import open_db
            with open_db(db) as con:
                t = time.process_time()
                for k in range(0, len(items), BATCH):
                    gate.admit(con, items[k:k + BATCH], datetime(2026, 11, 3, 9), "bench")
                spent["store"] = time.process_time() - t
        finally:
            shutil.rmtree(work, ignore_errors=True)
        for key, value in spent.items():
            best[key] = min(best.get(key, value), value)
    return {"files": len(blobs), "cpu": best, "archive_wall": min(archive_wall), "runs": runs}


def render(results: dict[str, dict]) -> str:
    """A Markdown table: one row per stage, one column per measured checkout (ms per workbook)."""
    labels = list(results)
    lines = ["| stage (CPU, ms per workbook) | " + " | ".join(labels) + " |",
             "|---|" + "---|" * len(labels)]
    for key, text in STAGES:
        cells = [f"{r['cpu'].get(key, 0.0) / r['files'] * 1000:.2f}" for r in results.values()]
        lines.append(f"| {text} | " + " | ".join(cells) + " |")
    worker = ("scan", "calamine", "cells", "rules", "tables", "other", "hash", "archive")
    for title, keys in (("worker total (validate + hash + archive)", worker),
                        ("ingest total (worker + storing process)", (*worker, "store"))):
        cells = [f"**{sum(r['cpu'].get(k, 0.0) for k in keys) / r['files'] * 1000:.2f}**" for r in results.values()]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    cells = [f"{sum(r['cpu'].get(k, 0.0) for k in (*worker, 'store')) / r['cpu']['floor']:.2f}×"
             for r in results.values()]
    lines.append("| ingest CPU / floor CPU | " + " | ".join(cells) + " |")
    cells = [f"{r['archive_wall'] / r['files'] * 1000:.2f}" for r in results.values()]
    lines.append("| archive, wall (fsync waits) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--code", type=Path, action="append", help="checkout to measure (repeatable; default this one)")
    ap.add_argument("--folder", type=Path, default=FOLDER, help="workbooks (default: bench.run's pilot set)")
    ap.add_argument("--runs", type=int, default=3,
                    help="rounds, the checkouts taking turns (two passes each); each stage's minimum is kept")
    args = ap.parse_args(argv)
    results: dict[str, dict] = {}
    for _ in range(args.runs):  # alternated, so that a change in the machine's load hits every checkout
        for code in args.code or [ROOT]:
            code = code.resolve()
            r = _measure(code, args.folder.resolve())
            if str(code) in results:
                old = results[str(code)]
                r["cpu"] = {k: min(v, old["cpu"].get(k, v)) for k, v in r["cpu"].items()}
                r["archive_wall"] = min(r["archive_wall"], old["archive_wall"])
            results[str(code)] = r
    print(render(results))
    return 0


def _measure(code: Path, folder: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    snippet = ("import json, sys, runpy; m = runpy.run_path(sys.argv[1]); "
               "print('@@' + json.dumps(m['_child'](sys.argv[2], 2)))")
    proc = subprocess.run([sys.executable, "-c", snippet, __file__, str(folder)], cwd=code, env=env,
                          capture_output=True, text=True)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("@@")), None)
    if proc.returncode or line is None:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"measuring {code} failed")
    return json.loads(line[2:])


if __name__ == "__main__":
    raise SystemExit(main())
