"""The benchmark's measurements; each returns a dict of figures and runs in its own process
(bench/run.py), so that its peak RSS is its own."""
from __future__ import annotations

import io
import os
import resource
import statistics
import time
from pathlib import Path

from bench.hostile import descendants_peak
from bench.workbooks import END_PERIOD

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb(sampled_kb: int = 0) -> dict:
    """Peak resident memory of this process and of its largest child (MB): a finished child's, or
    the largest RSS sampled among the descendants (`sampled_kb`, bench.hostile.descendants_peak)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, sampled_kb) / 1024
    return {"rss_mb": round(own, 1), "child_rss_mb": round(child, 1)}


def _timed(fn, repeat: int = 1) -> tuple[float, object]:
    """(median seconds, last result) over `repeat` calls."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def generate(out_dir: str, counties: int, schools: int, months: int) -> dict:
    """Write (or reuse) the pilot workbooks."""
    from bench.workbooks import pilot_workbooks
    t = time.perf_counter()
    files = pilot_workbooks(Path(out_dir), counties, schools, months)
    return {"files": len(files), "mb": round(sum(f.stat().st_size for f in files) / 1e6, 1),
            "seconds": round(time.perf_counter() - t, 1)}


def ingest(folder: str, db: str, workers: int | None = None) -> dict:
    """The real ingest of a folder into a fresh database (validation, archive, storage)."""
    from datetime import datetime

    from core.demo.build import reset_database
    from core.submission.ingest import ingest_paths
    reset_database(Path(db))
    kwargs = {} if workers is None else {"workers": workers}
    with descendants_peak() as workers_kb:
        t = time.perf_counter()
        batch = ingest_paths([folder], db_path=db, received_at=datetime(2026, 11, 3, 9, 0), actor="bench",
                             **kwargs)
        seconds = time.perf_counter() - t
    statuses: dict[str, int] = {}
    for r in batch.results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    rows = sum(r.rows.get("学校名册", 0) for r in batch.results)
    all_rows = sum(sum(r.rows.values()) for r in batch.results)
    return {"seconds": seconds, "files": len(batch.results), "school_rows": rows, "sheet_rows": all_rows,
            "statuses": statuses, **peak_rss_mb(workers_kb[0])}


def floor(folder: str) -> dict:
    """python-calamine alone: open every workbook and read every sheet to Python lists (one core)."""
    from python_calamine import CalamineWorkbook
    files = sorted(Path(folder).glob("*.xlsx"))
    blobs = [f.read_bytes() for f in files]
    t = time.perf_counter()
    cells = 0
    for data in blobs:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(len(r) for r in rows)
    return {"seconds": time.perf_counter() - t, "files": len(files), "cells": cells}


def baseline(folder: str, db: str, every: int) -> dict:
    """The naive pandas+openpyxl, model-per-row ingest of every `every`-th file."""
    from bench.baseline import run_baseline
    files = sorted(Path(folder).glob("*.xlsx"))[::every]
    t = time.perf_counter()
    rows = run_baseline(files, Path(db))
    return {"seconds": time.perf_counter() - t, "files": len(files), "school_rows": rows}


def province_load(db: str, counties: int, schools: int, months: int) -> dict:
    """Generate the province and insert it directly (no workbooks)."""
    from bench.province import load_province
    t = time.perf_counter()
    counts = load_province(Path(db), counties, schools, months)
    return {"seconds": time.perf_counter() - t, **counts, **peak_rss_mb()}


def queries(db: str, months: int, indicator: str = "activity_hour_compliance") -> dict:
    """All indicators of the latest month at zone+county+school, and one indicator's full trend."""
    from core.db import open_db
    from core.indicators import compute_indicators, indicator_trend

    def all_levels():
        with open_db(db) as con:
            return sum(len(compute_indicators(con, END_PERIOD, level=lv)) for lv in ("zone", "county", "school"))

    def trend(level):
        with open_db(db) as con:
            return len(indicator_trend(con, indicator, level=level, end=END_PERIOD, months=months))

    def cold_cache():  # as after an upload: the per-process indicator cache is empty
        from core.indicators import cache
        cache.clear()
        return all_levels()

    first, n_rows = _timed(all_levels)
    warm, _ = _timed(all_levels, repeat=3)
    cleared, _ = _timed(cold_cache, repeat=3)
    zone_trend, n_trend = _timed(lambda: trend("zone"), repeat=3)
    county_trend, n_ctrend = _timed(lambda: trend("county"), repeat=3)
    return {"first": first, "warm": warm, "cleared": cleared, "rows": n_rows, "trend_zone": zone_trend,
            "trend_rows": n_trend, "trend_county": county_trend, "trend_county_rows": n_ctrend, "indicator": indicator,
            **peak_rss_mb()}


def browser(db: str, runs: int, month: str | None = None) -> dict:
    """Page clicks and filter changes in a real browser (bench/browser.py), plus the server's RSS, and
    the floor app's first paint in the same run (this machine's speed varies by the hour)."""
    from bench.browser import measure
    return measure(Path(db), runs, month, floor=True)


def apptest(db: str) -> dict:
    """The overview page in AppTest: the first run, then reruns with a warm st.cache_data."""
    os.environ["PILOT_DB"] = db
    os.environ["PILOT_DEMO"] = "1"
    from streamlit.testing.v1 import AppTest
    app = str(ROOT / "app.py")

    def run():
        at = AppTest.from_file(app, default_timeout=60)
        at.query_params["month"] = END_PERIOD
        at.run()
        if at.exception:
            raise RuntimeError(str(at.exception[0].value))
        return at

    cold, _ = _timed(run)
    warm, _ = _timed(run, repeat=3)
    return {"cold": cold, "warm": warm, **peak_rss_mb()}


def report_pdf(db: str, runs: int = 3) -> dict:
    """The 月报 PDF of the newest month, medians over `runs`:
    - first: in a fresh process (imports, the month's data, the browser's start, pictures, print);
    - new: a warm process, report data not seen before (figures built, pictures drawn, print), as a
      click on the download when the 月报 page has not yet drawn the pictures in the background;
    - warm: the pictures already drawn (the page draws them while it is read): page and print only;
    the PNG pack once (its 16 pictures in the same browser), and the browser's memory after all that."""
    t = time.perf_counter()
    from core.db import open_db
    from core.report.browser import shared
    from core.report.build import report_bytes
    from core.report.data import collect_report_data

    def collect():
        with open_db(db) as con:
            return collect_report_data(con, END_PERIOD)  # the dashboard has it cached when the button is clicked

    data = collect()
    size = len(report_bytes(data, ".pdf"))
    first = time.perf_counter() - t
    fresh = []
    for _ in range(runs):
        other = collect()
        fresh.append(_timed(lambda: report_bytes(other, ".pdf"))[0])
    warm, _ = _timed(lambda: report_bytes(data, ".pdf"), repeat=runs)
    pack, _ = _timed(lambda: report_bytes(data, ".zip"))
    return {"first": first, "new": statistics.median(fresh), "warm": warm, "pdf_kb": size // 1024, "pack": pack,
            "browser_pss_mb": _group_pss_mb(shared.pid()), **peak_rss_mb()}


def _group_pss_mb(pgid: int | None) -> float | None:
    """Proportional memory (PSS) of every process in the process group `pgid`: the browser and its
    renderers share pages, so the sum of their RSS would count those several times."""
    if pgid is None:
        return None
    total_kb = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            total_kb += next(int(line.split()[1]) for line in (entry / "smaps_rollup").read_text().splitlines()
                             if line.startswith("Pss:"))
        except (OSError, IndexError, ValueError, StopIteration):
            continue
    return round(total_kb / 1024, 1)


def province_ingest(db: str, counties: int, schools: int, months: int) -> dict:
    """One county workbook of the province ingested into the directly loaded province database
    (a later month's correction of its first county): proves the database takes ingests afterwards."""
    import tempfile
    from datetime import datetime

    from core.demo.build import demo_jobs, write_job
    from core.demo.zone import DEMO_SEED, generate_zone
    from core.submission.ingest import ingest_paths
    zone = generate_zone(counties, schools, months, DEMO_SEED, end_period=END_PERIOD)
    job = demo_jobs(zone)[-1]
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        path = Path(tmp) / job.file_name
        path.write_bytes(write_job(job))
        t = time.perf_counter()
        batch = ingest_paths([path], db_path=db, received_at=datetime(2026, 11, 20, 9, 0), actor="bench")
        seconds = time.perf_counter() - t
    r = batch.results[0]
    return {"seconds": seconds, "file": job.file_name, "status": r.status,
            "message": "; ".join(str(i) for i in getattr(r, "issues", [])[:2]), **peak_rss_mb()}
