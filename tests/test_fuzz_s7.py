"""Fuzz: mutate the sample workbooks hundreds of ways; nothing may escape, the database stays sound.

Each case is a sample workbook with 1–3 mutations (random cell values, deleted rows, columns
or sheets, truncated or flipped bytes, swapped sheet names, huge numbers, formulas, Excel
error values, unicode oddities, a stray cell far from the table). Every case is validated in-process; a deterministic subset
is also ingested into one database, whose invariants are then checked.
"""
from __future__ import annotations

import hashlib
import io
import json
import random
import zipfile
from collections import Counter
from datetime import datetime, timedelta

import numpy as np
import openpyxl
import openpyxl.styles

from core.db import open_db
from core.paths import archive_dir
from core.submission.ingest import ingest_file

SEED = 7
N_CASES = 420
INGEST_EVERY = 5  # every 5th case also goes through ingest into the database
DATA_SHEETS = ("学校名册", "体育", "作业", "优质学校")

WEIRD_VALUES = [
    "", " ", "约一小时", "45分钟", "４５", "-3", "-0", "1e308", 10**30, -10**18, 1e308, 2**63, 0.1 + 0.2,
    "=1/0", "=SUM(A1:A3)", "=HYPERLINK(\"http://x\")", "+1", "@cmd", "#DIV/0!", "#N/A", "#REF!", "#VALUE!",
    "\u200b60", "6\u00a00", "60\u202e", "🏫", "e\u0301", "ＴＲＵＥ", "是否", "√×", "1,2,3", "3.5.1",
    "NaN", "inf", "-inf", "None", "null", "０", "一", "x" * 5000, "'0012345678", "12345678901234567890",
    True, False, datetime(2026, 10, 1), 3.14159, 0, 7, 80, 301, 10001,
]
ODD_SHEET_NAMES = ["学校名册 ", "体 育", "作业(新)", "Sheet1", "优质学校2", "ＸＸ", "学校名册1"]


def _wb_bytes(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _data_sheets(wb):
    return [ws for ws in wb.worksheets if ws.title in DATA_SHEETS] or list(wb.worksheets)


def m_cells(rng, wb):
    for _ in range(rng.randint(1, 6)):
        ws = rng.choice(_data_sheets(wb))
        r = rng.randint(1, max(1, ws.max_row))
        c = rng.randint(1, max(1, ws.max_column))
        try:
            ws.cell(r, c).value = rng.choice(WEIRD_VALUES)
        except Exception:  # noqa: BLE001 - openpyxl refuses some values; that mutation is skipped
            pass
    return "cells"


def m_delete_rows(rng, wb):
    ws = rng.choice(_data_sheets(wb))
    ws.delete_rows(rng.randint(1, max(1, ws.max_row)), rng.randint(1, 5))
    return "delete_rows"


def m_delete_cols(rng, wb):
    ws = rng.choice(_data_sheets(wb))
    ws.delete_cols(rng.randint(1, max(1, ws.max_column)), rng.randint(1, 2))
    return "delete_cols"


def m_delete_sheet(rng, wb):
    if len(wb.worksheets) > 1:
        wb.remove(rng.choice(wb.worksheets))
    return "delete_sheet"


def m_swap_names(rng, wb):
    if len(wb.worksheets) >= 2:
        a, b = rng.sample(wb.worksheets, 2)
        ta, tb = a.title, b.title
        a.title, b.title, a.title = "__tmp__", ta, tb
    return "swap_sheets"


def m_rename_sheet(rng, wb):
    ws = rng.choice(wb.worksheets)
    name = rng.choice(ODD_SHEET_NAMES)
    if name not in wb.sheetnames:
        ws.title = name
    return "rename_sheet"


def m_insert_rows(rng, wb):
    ws = rng.choice(_data_sheets(wb))
    at = rng.randint(1, max(1, ws.max_row))
    ws.insert_rows(at, rng.randint(1, 3))
    ws.cell(at, 1).value = rng.choice(["合计", "填报人:", "注:", "学校标识码", None])
    return "insert_rows"


def m_duplicate_row(rng, wb):
    ws = rng.choice(_data_sheets(wb))
    if ws.max_row >= 2:
        src = rng.randint(2, ws.max_row)
        ws.append([c.value for c in ws[src]])
    return "duplicate_row"


def m_huge(rng, wb):
    ws = rng.choice(_data_sheets(wb))
    for _ in range(rng.randint(1, 4)):
        ws.cell(rng.randint(2, max(2, ws.max_row)), rng.randint(1, max(1, ws.max_column))).value = \
            rng.choice([1e308, -1e308, 10**30, 2**63, 9.99e99, 1e-320])
    return "huge"


def m_errors_formulas(rng, wb):
    ws = rng.choice(_data_sheets(wb))
    for _ in range(rng.randint(1, 4)):
        ws.cell(rng.randint(2, max(2, ws.max_row)), rng.randint(1, max(1, ws.max_column))).value = \
            rng.choice(["#DIV/0!", "#N/A", "#REF!", "#NAME?", "=A1+1", "=1/0", "=NOW()"])
    return "errors_formulas"


def m_county_month(rng, wb):
    if "填报说明" in wb.sheetnames:
        ws = wb["填报说明"]
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in ("县区", "报送月份"):
                    ws.cell(cell.row, cell.column + 1).value = rng.choice(
                        ["", "某县", "2026-13", "2026年10月", "白石县", "2099-01", 202610, None])
    return "county_month"


FAR_CELLS = [(1048576, 16384), (5000, 16384), (1048576, 52), (20000, 16384), (1048576, 1), (30000, 3),
             (400, 60), (2, 300)]  # the first six are beyond the reading limits, the last two within


def m_far_cell(rng, wb):
    """A stray cell far from the table: a value, or only a fill (an empty formatted cell, which does not count)."""
    ws = rng.choice(_data_sheets(wb))
    row, col = rng.choice(FAR_CELLS)
    cell = ws.cell(row, col)
    if rng.random() < 0.7:
        cell.value = rng.choice(["x", 1, "合计", " "])
    else:
        cell.fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")
    return "far_cell"


WB_MUTATORS = (m_cells, m_cells, m_delete_rows, m_delete_cols, m_delete_sheet, m_swap_names, m_rename_sheet,
               m_insert_rows, m_duplicate_row, m_huge, m_errors_formulas, m_county_month)


def b_truncate(rng, data):
    return data[: rng.randint(0, len(data) - 1)], "truncate"


def b_flip(rng, data):
    buf = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf), "flip_bytes"


def b_drop_member(rng, data):
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    drop = rng.choice(names)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for n in names:
            if n != drop:
                dst.writestr(n, src.read(n))
    return out.getvalue(), "drop_zip_member"


def b_other_format(rng, data):
    return rng.choice([b"", b"\x00" * 100, "学校标识码,学校名称\n1,2\n".encode("utf-8"),
                       b"PK\x03\x04" + b"\x00" * 50, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
                       b"%PDF-1.4\n"]), "not_a_workbook"


BYTE_MUTATORS = (b_truncate, b_flip, b_drop_member, b_other_format)


def make_case(rng, name: str, data: bytes) -> tuple[str, bytes, list[str]]:
    """One fuzz case: (file name, bytes, names of the mutations applied)."""
    applied = []
    if rng.random() < 0.75:
        wb = openpyxl.load_workbook(io.BytesIO(data))
        for _ in range(rng.randint(1, 3)):
            applied.append(rng.choice(WB_MUTATORS)(rng, wb))
        if rng.random() < 0.15:  # last, so that no other mutation works up to the far row
            applied.append(m_far_cell(rng, wb))
        data = _wb_bytes(wb)
    if rng.random() < 0.3 or not applied:
        data, what = rng.choice(BYTE_MUTATORS)(rng, data)
        applied.append(what)
    if rng.random() < 0.05:
        name = name.replace(".xlsx", rng.choice([".xls", ".ods", ".csv", ".XLSX", ""]))
    return name, data, applied


def check_db_invariants(db) -> list[str]:
    """Violations of: stored accepted submissions complete, rejected ones empty, one in force, archive intact."""
    bad = []
    with open_db(db) as con:
        subs = con.execute("SELECT id, county, period, status, in_force, rows_json, archive_path, sha256"
                           " FROM submission").fetchall()
        counts = {t: dict(con.execute(f"SELECT submission_id, count(*) FROM {t} GROUP BY 1").fetchall())
                  for t in ("school", "pe", "homework", "quality")}
        in_force = con.execute("SELECT county, period, count(*) FILTER (WHERE in_force),"
                               " count(*) FILTER (WHERE status = 'accepted') FROM submission"
                               " WHERE county IS NOT NULL AND period IS NOT NULL GROUP BY 1, 2").fetchall()
    sheet_of = {"school": "学校名册", "pe": "体育", "homework": "作业", "quality": "优质学校"}
    for sid, county, period, status, live, rows_json, rel, sha in subs:
        if status == "accepted":
            rows = json.loads(rows_json)
            for t in ("school", "pe", "homework"):
                if counts[t].get(sid, 0) == 0:
                    bad.append(f"accepted submission {sid} has no rows in {t}")
            for t, sheet in sheet_of.items():
                if counts[t].get(sid, 0) != rows.get(sheet, 0):
                    bad.append(f"submission {sid}: {t} has {counts[t].get(sid, 0)} rows, rows_json {rows}")
            if county is None or period is None:
                bad.append(f"accepted submission {sid} without county/period")
        else:
            if live or any(counts[t].get(sid) for t in counts):
                bad.append(f"rejected submission {sid} is in force or has data rows")
        path = archive_dir(db) / rel
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha:
            bad.append(f"submission {sid}: archived raw file missing or altered")
    for county, period, n_live, n_acc in in_force:
        if n_acc and n_live != 1:
            bad.append(f"{county} {period}: {n_live} submissions in force")
        if not n_acc and n_live:
            bad.append(f"{county} {period}: in force without an accepted submission")
    return bad


def test_fuzzed_workbooks_never_crash_and_keep_the_database_sound(samples_dir, db_path, pytestconfig):
    from core.submission.validate import validate_workbook

    samples = sorted(samples_dir.glob("*.xlsx"))
    assert samples
    originals = {p.name: p.read_bytes() for p in samples}
    rng = random.Random(SEED)
    outcome, by_mutation, crashes, silent = Counter(), Counter(), [], []
    ingest = Counter()
    base_time = datetime(2026, 11, 1, 8, 0)
    for n in range(N_CASES):
        src = rng.choice(samples).name
        name, data, applied = make_case(rng, src, originals[src])
        label = f"case {n} ({src}: {'+'.join(applied)})"
        try:
            parsed = validate_workbook(data, name)
        except Exception as exc:  # noqa: BLE001 - the point of the test
            crashes.append(f"{label}: {type(exc).__name__}: {exc}")
            continue
        kind = "accepted" if parsed.ok else "rejected"
        outcome[kind] += 1
        by_mutation.update(f"{m}:{kind}" for m in set(applied))
        if not parsed.ok and not any(i.severity == "error" for i in parsed.issues):
            silent.append(label)
        if parsed.ok and (parsed.county is None or parsed.period is None
                          or any(k not in parsed.tables for k in ("school", "pe", "homework"))):
            silent.append(f"{label}: accepted without county/period/required sheets")
        if parsed.ok and any(not np.isfinite(df.select_dtypes("number").to_numpy(dtype=float, na_value=0)).all()
                             for df in parsed.tables.values()):
            silent.append(f"{label}: accepted with an infinite or NaN number")
        if n % INGEST_EVERY == 0:
            try:
                res = ingest_file(data, file_name=name, db_path=db_path,
                                  received_at=base_time + timedelta(minutes=n))
            except Exception as exc:  # noqa: BLE001
                crashes.append(f"{label} ingest: {type(exc).__name__}: {exc}")
                continue
            ingest[res.status] += 1
            if res.status == "rejected" and not any(i.severity == "error" for i in res.issues):
                silent.append(f"{label} ingest rejected without an error issue")
    invariant_violations = check_db_invariants(db_path)

    summary = (f"fuzz: {N_CASES} cases (seed {SEED}): {outcome['accepted']} accepted, "
               f"{outcome['rejected']} rejected, {len(crashes)} crashed; ingested {sum(ingest.values())} "
               f"({dict(ingest)}); DB invariant violations: {len(invariant_violations)}")
    with pytestconfig.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
        print("\n" + summary)
        print("  by mutation: " + ", ".join(f"{k}={v}" for k, v in sorted(by_mutation.items())))
    assert not crashes, summary + "\n" + "\n".join(crashes[:20])
    assert not silent, summary + "\n" + "\n".join(silent[:20])
    assert not invariant_violations, summary + "\n" + "\n".join(invariant_violations[:20])
    assert outcome["accepted"] + outcome["rejected"] == N_CASES
    assert outcome["rejected"] > N_CASES // 3, summary  # the mutations really do break workbooks
    assert sum(ingest.values()) >= N_CASES // INGEST_EVERY
