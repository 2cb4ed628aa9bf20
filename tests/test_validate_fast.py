"""The fast paths of validation give what the plain paths give: Arrow tables = DataFrames,
per-column normalisers = normalise."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
import pytest
from builders import build_workbook, valid_submission_sheets

from core.reading.cells import normalise, normaliser
from core.submission.schema import SHEETS, columns
from core.submission.validate import validate_workbook


def _frame_rows(df: pd.DataFrame) -> list[dict]:
    """Rows of a frame as plain Python values, None for <NA>."""
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in df.astype(object).to_dict("records")]


def _same_tables(data: bytes, name: str) -> None:
    frames = validate_workbook(data, name)
    arrows = validate_workbook(data, name, arrow=True)
    assert arrows.issues == frames.issues
    assert (arrows.county, arrows.period, arrows.rows) == (frames.county, frames.period, frames.rows)
    assert arrows.tables.keys() == frames.tables.keys()
    for key, df in frames.tables.items():
        table = arrows.tables[key]
        assert table.column_names == list(df.columns), key
        assert table.to_pylist() == _frame_rows(df), key


def test_arrow_tables_hold_the_frames_values(samples_dir):
    for path in sorted(samples_dir.glob("*.xlsx"))[::3]:
        _same_tables(path.read_bytes(), path.name)


def test_arrow_tables_with_blanks_zeros_and_bad_rows():
    sheets = valid_submission_sheets(n_schools=12)
    pe, hw = sheets["体育"], sheets["作业"]
    pe[5][2] = 0  # a 0 in a band the school does not cover: stored blank
    pe[3][6] = "很多"  # a bad cell: the row is left out
    hw[2][6] = None  # blank count
    _same_tables(build_workbook(sheets), "云岭县_2026-10.xlsx")


# Cells as calamine returns them: floats, text in every shape counties send, the odd bool/int/date.
CELLS = [0.0, 45.0, 3.5, -1.0, 1e20, 2110000001.0, 2110000001.5, float("nan"), 0, 7, True, False,
         "", "45", "４５", "45分钟", "3节", "1,234", " 60 ", "60 ", "3.5", "-2", "约一小时", "2110000001",
         "'2110000001", "2110000001.0", "２１１００００００１", "211000000１", " 2110000001", "①②", "²",
         "小学", " 小学 ", "初级中学", "城区", "市级", "无", "是", "否", "有", "Y", "n", "√", "×", "TRUE",
         "abc", "十二年一贯制学校\n", "#N/A", datetime(2026, 3, 1, 8), date(2026, 3, 1), time(8, 30),
         timedelta(hours=1), 1965.9999999999998, "1965.9999999999998", 2.0000000001, 2.00001, float("inf"),
         "/", "—", "无"]


@pytest.mark.parametrize("column", [c for spec in SHEETS.values() for c in columns(spec.model)],
                         ids=lambda c: f"{c.kind}:{c.name}")
def test_fast_normaliser_returns_what_normalise_returns(column):
    fast = normaliser(column)
    for cell in CELLS:
        expected, got = normalise(cell, column), fast(cell)
        assert type(got) is type(expected) and (got == expected or got != got and expected != expected), cell
