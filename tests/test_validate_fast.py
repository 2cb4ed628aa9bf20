"""The fast paths of validation give what the plain paths give: Arrow tables = DataFrames."""
from __future__ import annotations

import pandas as pd
import pytest

from builders import build_workbook, valid_submission_sheets
from conftest import SAMPLES
from core.validate import validate_workbook

SAMPLE_FILES = sorted((SAMPLES / "workbooks").glob("*.xlsx"))


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


@pytest.mark.parametrize("path", SAMPLE_FILES[::3], ids=lambda p: p.name)
def test_arrow_tables_hold_the_frames_values(path):
    _same_tables(path.read_bytes(), path.name)


def test_arrow_tables_with_blanks_zeros_and_bad_rows():
    sheets = valid_submission_sheets(n_schools=12)
    pe, hw = sheets["体育"], sheets["作业"]
    pe[5][2] = 0  # a 0 in a band the school does not cover: stored blank
    pe[3][6] = "很多"  # a bad cell: the row is left out
    hw[2][6] = None  # blank count
    _same_tables(build_workbook(sheets), "云岭县_2026-10.xlsx")
