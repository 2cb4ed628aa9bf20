"""Build the embedded demo zone: generate county workbooks and load them through the real ingest."""
from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from core.demo.layouts import file_name, workbook_bytes
from core.demo.plan import behaviour_for, latest_complete_month, open_month
from core.demo.zone import DEMO_SEED, DemoZone, generate_zone
from core.month import today as month_today
from core.paths import DATA_DIR, archive_dir

DEMO_WORKBOOK_DIR = DATA_DIR / "demo-workbooks"
DEMO_ACTOR = "demo"
SHEET_KEYS = ("school", "pe", "homework", "quality", "whole_child")
POOL_MIN_JOBS = 60  # below this, starting worker processes costs more than it saves

Progress = Callable[[int, int, str], None]

FEATURE_NOTES = {
    "good": "各项指标较好",
    "homework_lag": "作业管理落后(一二年级书面作业、作业时长超标、公示不全)",
    "pe_lag": "体育课开足率和校内体育活动时间落后",
    "improves": "24个月内各项指标明显改善",
    "homework_mild_lag": "作业时长略高;体质健康在12月填报",
    "december_fitness": "体质健康测试结果在12月填报",
}


@dataclass(frozen=True)
class WorkbookJob:
    """One workbook to write and ingest, in the order the county sent it."""

    file_name: str
    county: str
    period: str
    layout: str
    county_idx: int
    received_at: datetime
    instructions: bool
    sheets: dict[str, pd.DataFrame]


def demo_jobs(zone: DemoZone) -> list[WorkbookJob]:
    """Every workbook of the zone's submission plan, with its sheets (first versions patched)."""
    groups = {key: dict(iter(getattr(zone, key).groupby(["county", "period"], sort=False)))
              for key in SHEET_KEYS}
    jobs = []
    for sub in zone.submissions.itertuples(index=False):
        cp = (sub.county, sub.period)
        sheets = {key: groups[key][cp].reset_index(drop=True) for key in SHEET_KEYS
                  if cp in groups[key] and (key != "quality" or sub.with_quality)}
        if sub.version == "first":
            sheets = _patched(sheets, zone.patches, sub.county, sub.period)
        jobs.append(WorkbookJob(file_name(sub.county, sub.period, sub.layout, sub.version == "correction"),
                                sub.county, sub.period, sub.layout, int(sub.county_idx),
                                sub.received_at.to_pydatetime(),
                                behaviour_for(int(sub.county_idx)).instructions_sheet, sheets))
    return jobs


def _patched(sheets: dict[str, pd.DataFrame], patches: pd.DataFrame, county: str, period: str):
    """The sheets with the first version's mistakes put back in (the correction has the right values)."""
    out = {key: frame.copy() for key, frame in sheets.items()}
    for p in patches[(patches["county"] == county) & (patches["period"] == period)].itertuples(index=False):
        frame = out[p.sheet]
        frame.loc[frame["school_id"] == p.school_id, p.column] = p.value
    return out


def write_job(job: WorkbookJob) -> bytes:
    """The workbook bytes of one job (a top-level function, so a process pool can run it)."""
    return workbook_bytes(job.county, job.period, job.layout, job.sheets, county_idx=job.county_idx,
                          received_at=job.received_at, instructions=job.instructions)


def _written(jobs: list[WorkbookJob], workers: int) -> Iterator[bytes]:
    """Workbook bytes in job order, written by a process pool while the caller ingests.

    spawn, not fork: forking the threaded dashboard is unsafe. If the pool cannot
    start (e.g. an unguarded __main__), the remaining workbooks are written here.
    """
    done = 0
    if workers > 1 and len(jobs) >= POOL_MIN_JOBS:
        ctx = multiprocessing.get_context("spawn")
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                for data in pool.map(write_job, jobs, chunksize=2):
                    done += 1
                    yield data
        except (BrokenProcessPool, OSError, RuntimeError):
            pass
    yield from map(write_job, jobs[done:])


def reset_database(db_path: Path) -> None:
    """Delete the given database file, its WAL and its raw-file archive (nothing else)."""
    db_path = Path(db_path)
    for path in (db_path, db_path.with_name(db_path.name + ".wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(archive_dir(db_path), ignore_errors=True)


def build_demo(db_path: Path | str, workbook_dir: Path | str | None = None, today: date | None = None,
               progress: Progress | None = None, *, n_counties: int = 8, schools_per_county: int | None = None,
               months: int = 24, seed: int = DEMO_SEED, workers: int | None = None) -> dict:
    """Rebuild the demo database from scratch; return a summary (counts, months, seconds, features).

    `months` fully reported months end with the month before today's; today's month follows,
    open and partly reported (about 3 of 8 counties), as a zone office sees it mid-month.
    """
    from core.submission.ingest import ingest_file

    started = time.monotonic()
    db_path = Path(db_path)
    out_dir = Path(workbook_dir) if workbook_dir is not None else DEMO_WORKBOOK_DIR
    today = today or month_today()
    if progress is not None:  # the first workbook is loaded only after a few seconds: say what happens
        progress(0, 0, "正在生成演示实验区:各县区学校名册和各月数据…")
    zone = generate_zone(n_counties, schools_per_county, months, seed, end_period=latest_complete_month(today),
                         today=today, open_period=open_month(today))
    jobs = demo_jobs(zone)
    if progress is not None:
        progress(0, len(jobs), f"正在写出并载入{len(jobs)}个县区报送工作簿…")
    reset_database(db_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    statuses: dict[str, int] = {}
    results = []
    for n, (job, data) in enumerate(zip(jobs, _written(jobs, workers)), start=1):
        (out_dir / job.file_name).write_bytes(data)
        result = ingest_file(data, file_name=job.file_name, db_path=db_path, received_at=job.received_at,
                             actor=DEMO_ACTOR)
        statuses[result.status] = statuses.get(result.status, 0) + 1
        results.append(result)
        if progress is not None:
            progress(n, len(jobs), f"正在载入第{n}/{len(jobs)}个报送工作簿:{job.file_name}")
    return {
        "db": str(db_path), "workbook_dir": str(out_dir), "workbooks": len(jobs),
        "statuses": statuses, "counties": list(zone.counties["county"]),
        "schools": int(zone.counties["n_schools"].sum()), "periods": [zone.periods[0], _closed(zone)[-1]],
        "open_period": zone.open_period,
        "seconds": round(time.monotonic() - started, 1), "features": demo_features(zone),
        "rejected": [r.file for r in results if r.status == "rejected"],
    }


def _closed(zone: DemoZone) -> list[str]:
    """The fully reported months (every generated month but the open one)."""
    return [p for p in zone.periods if p != zone.open_period]


def demo_features(zone: DemoZone) -> dict[str, list[str]]:
    """Where the demo's planted variation is, per county, in Chinese (shown by the CLI and the dashboard)."""
    by_kind: dict[str, str] = {}
    for county, kind in zip(zone.counties["county"], zone.counties["behaviour"]):
        by_kind.setdefault(kind, county)
    subs = zone.submissions
    out: dict[str, list[str]] = {c: [] for c in zone.counties["county"]}
    for kind, note in FEATURE_NOTES.items():
        if kind in by_kind:
            out[by_kind[kind]].append(note)
    sent = set(zip(subs["county"], subs["period"]))
    for county in out:
        out[county] += [f"{p} 未报送" for p in _closed(zone) if (county, p) not in sent]
        if zone.open_period and (county, zone.open_period) in sent:
            out[county].append(f"{zone.open_period} 已提前报送(该月尚未截止,其他县区未报)")
    if "late" in by_kind:
        late = subs[(subs["county"] == by_kind["late"]) & (subs["period"] != zone.open_period)].iloc[-1]
        out[by_kind["late"]].append(f"{late['period']} 逾期报送({late['received_at']:%Y-%m-%d})")
    for row in subs[subs["version"] == "correction"].itertuples(index=False):
        out[row.county].append(f"{row.period} 更正重报({row.received_at:%Y-%m-%d}),第一版体育活动时间误按小时填写")
    first = zone.school.groupby("school_id", sort=False)[["period", "county", "name"]].first()
    for row in first[first["period"] > zone.periods[0]].itertuples():
        out[row.county].append(f"{row.period} 新开办{row.name}")
    for county, note in zone.notes:
        out[county].append(note)
    return {county: notes for county, notes in out.items() if notes}
