"""The naive baseline the benchmark compares ingest against.

What a first version typically does: `pandas.read_excel(engine="openpyxl")` for every sheet,
find the header row, then validate one pydantic model per row (`Model.model_validate(dict)`)
and insert the rows into DuckDB from a DataFrame. Same row models, same cell normalisation
and the same header matching as the real path, so the difference is the reading and the
per-row work, not less checking.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import duckdb
import pandas as pd
from pydantic import ValidationError

from core.db import open_db
from core.reading.cells import fold, is_blank, normalise, to_code
from core.reading.header import find_header, header_keys, match_header
from core.submission.schema import SHEETS, db_columns

_MONTH = re.compile(r"(20\d\d)\D{0,2}(\d{1,2})")


def ingest_naive(path: Path, con: duckdb.DuckDBPyConnection, sub_id: int) -> int:
    """Read, validate row by row and store one workbook; returns the number of valid school rows."""
    frames = pd.read_excel(io.BytesIO(path.read_bytes()), sheet_name=None, header=None, engine="openpyxl")
    by_name = {fold(name): df for name, df in frames.items()}
    county, stored = None, 0
    for key, spec in SHEETS.items():
        df = next((by_name[fold(n)] for n in (spec.name, *spec.aliases) if fold(n) in by_name), None)
        if df is None:
            continue
        rows = df.astype(object).where(df.notna(), None).values.tolist()
        idx = find_header(rows, spec.model)
        if idx is None:
            continue
        exact, loose = header_keys(spec.model)
        cols = [(j, match_header(text, exact, loose)) for j, text in enumerate(rows[idx])]
        cols = [(j, m.col) for j, m in cols if m is not None]
        code_col = next(j for j, c in cols if c.kind == "code")
        valid = []
        for cells in rows[idx + 1:]:
            code = cells[code_col]
            if is_blank(code) or not str(to_code(code)).isdigit():
                continue  # 合计, footer and empty rows
            values = {c.name: normalise(cells[j], c) for j, c in cols if not is_blank(cells[j])}
            try:
                valid.append(spec.model.model_validate(values))
            except ValidationError:
                continue
        if not valid:
            continue
        names = db_columns(spec.model)
        table = pd.DataFrame([{n: getattr(m, n) for n in names} for m in valid], columns=names)
        table.insert(0, "submission_id", sub_id)
        if key == "school":
            county, stored = table["county"].iloc[0], len(table)
        con.register("_naive", table)
        con.execute(f"INSERT INTO {key} ({', '.join(table.columns)}) SELECT * FROM _naive")
        con.unregister("_naive")
    m = _MONTH.search(path.stem)
    period = f"{m.group(1)}-{int(m.group(2)):02d}" if m else None
    con.execute("INSERT INTO submission (id, county, period, file_name, sha256, received_at, ingested_at,"
                " status, in_force, archive_path) VALUES (?, ?, ?, ?, '', now(), now(), 'accepted', TRUE, '')",
                [sub_id, county, period, path.name])
    return stored


def run_baseline(files: list[Path], db_path: Path) -> int:
    """Ingest the files the naive way into a fresh database; returns the school rows stored."""
    db_path.unlink(missing_ok=True)
    total = 0
    with open_db(db_path) as con:
        for n, path in enumerate(files, start=1):
            total += ingest_naive(path, con, n)
    return total
