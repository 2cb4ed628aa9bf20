"""Province-scale data loaded straight into the store (no workbooks): one accepted submission
per county × month of the demo generator's plan, bulk-inserted table by table."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from bench.workbooks import END_PERIOD
from core.db import memory_limit, open_db, transaction
from core.demo.build import reset_database
from core.demo.zone import DEMO_SEED, generate_zone
from core.submission.schema import SHEETS, db_columns


LOAD_MEMORY = "4GB"  # DuckDB's memory for the bulk insert (the machine has 24 GB)


def load_province(db_path: Path, counties: int, schools: int, months: int) -> dict:
    """Generate the zone and insert it; returns counts (school-months, submissions)."""
    zone = generate_zone(counties, schools, months, DEMO_SEED, end_period=END_PERIOD)
    subs = (zone.submissions.sort_values(["county", "period", "received_at"])
            .drop_duplicates(["county", "period"], keep="last").reset_index(drop=True))
    reset_database(db_path)
    with open_db(db_path) as con:  # ids from the sequence: later ingests into this database continue it
        ids = [r[0] for r in con.execute("SELECT nextval('submission_seq') FROM range(?)", [len(subs)]).fetchall()]
    subs = subs.assign(id=sorted(ids))
    now = datetime.now().replace(microsecond=0)
    submission = pd.DataFrame({
        "id": subs["id"], "county": subs["county"], "period": subs["period"],
        "file_name": subs["county"] + "_" + subs["period"] + ".xlsx",
        "sha256": "bench-" + subs["id"].astype(str), "received_at": subs["received_at"],
        "ingested_at": now, "status": "accepted", "in_force": True, "archive_path": "",
        "submitted_by": "bench"})
    ids = subs[["county", "period", "id"]].rename(columns={"id": "submission_id"})
    counts = {"submissions": len(submission)}
    # One transaction of every row: at 300 counties (3.2 million school-months) past the dashboard's
    # DuckDB memory_limit (core.db.DUCKDB_SETTINGS), which failed it with "Out of Memory".
    with open_db(db_path) as con, memory_limit(con, LOAD_MEMORY), transaction(con):
        _insert(con, "submission", submission)
        for key in SHEETS:
            frame = getattr(zone, key).merge(ids, on=["county", "period"], how="inner")
            frame = frame[["submission_id", *db_columns(SHEETS[key].model)]]
            _insert(con, key, frame)
            counts[key] = len(frame)
    return counts


def _insert(con, table: str, frame: pd.DataFrame) -> None:
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    con.register("_bench_load", frame)
    try:
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _bench_load")
    finally:
        con.unregister("_bench_load")
