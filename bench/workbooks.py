"""Benchmark inputs: the pilot zone's county workbooks, written once by the demo generator and reused."""
from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from core.demo.build import demo_jobs, write_job
from core.demo.zone import DEMO_SEED, generate_zone

END_PERIOD = "2026-10"  # fixed, so the files (and their hashes) do not depend on today's date


def pilot_workbooks(out_dir: Path, counties: int, schools: int, months: int, workers: int = 2) -> list[Path]:
    """Write (or reuse) the zone's workbooks under out_dir; returns the files in name order."""
    stamp = out_dir.with_suffix(".json")
    params = {"counties": counties, "schools": schools, "months": months, "seed": DEMO_SEED, "end": END_PERIOD}
    if stamp.is_file() and json.loads(stamp.read_text()) == params:
        return sorted(out_dir.glob("*.xlsx"))
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.xlsx"):
        old.unlink()
    zone = generate_zone(counties, schools, months, DEMO_SEED, end_period=END_PERIOD)
    jobs = demo_jobs(zone)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        for job, data in zip(jobs, pool.map(write_job, jobs, chunksize=4)):
            (out_dir / job.file_name).write_bytes(data)
    stamp.write_text(json.dumps(params))
    return sorted(out_dir.glob("*.xlsx"))
