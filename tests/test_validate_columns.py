"""Column-wise cell checks (core.submission.columns) give exactly what the per-cell path gives.

The reference is the validator with every row sent through the exact path (each cell normalised,
then the row model): same issues (messages, order), county, month, rows, places and tables, on
workbooks with good and bad cells mixed in every column, in every layout and file format.
"""
from __future__ import annotations

import random
from datetime import date
from typing import Annotated

import pytest
from builders import (
    build_ods,
    build_workbook,
    build_xls,
    school_code,
    valid_submission_sheets,
)
from layouts import workbook
from pydantic import TypeAdapter

import core.submission.validate as validate_module
from core.submission.columns import column_values
from core.submission.schema import SHEETS, columns
from core.submission.validate import validate_workbook


def _every_cell_exact(col, c, model):
    """column_values, but no cell vouched for: every row goes through the exact path."""
    values, _ = column_values(col, c, model)
    return values, list(range(len(col)))


def _per_cell(data: bytes, name: str, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(validate_module, "column_values", _every_cell_exact)
        return validate_workbook(data, name, arrow=True)


def _assert_same(data: bytes, name: str, monkeypatch) -> None:
    fast = validate_workbook(data, name, arrow=True)
    exact = _per_cell(data, name, monkeypatch)
    assert [i.model_dump() for i in fast.issues] == [i.model_dump() for i in exact.issues]
    assert (fast.county, fast.period, fast.rows) == (exact.county, exact.period, exact.rows)
    assert fast.places == exact.places
    assert fast.tables.keys() == exact.tables.keys()
    for key, table in fast.tables.items():
        assert table.schema == exact.tables[key].schema, key
        assert table.to_pylist() == exact.tables[key].to_pylist(), key


# Not-applicable marks (cells.NA_MARKS and spellings of them): blank with a warning, or an error, by column.
MARKS = ["/", " ／ ", "—", "——", "-", "–", "无", "不适用", "未测"]
# Cells that each column kind may meet: clean ones, ones the normaliser repairs, and ones it rejects.
BAD = {
    "num": ["45分钟", "４５", " 60 ", "约一小时", -1.0, 1e9, "", "  ", "#N/A", "3,5", True, "3节", 7, *MARKS, date(1900, 1, 20)],
    "int": [3.5, "1,234", "12人", -2.0, 0.0, 1e12, "", "十二", "#DIV/0!", "2 ", 5, False, *MARKS,
            1965.9999999999998, 7.0000000000001, 12.00001, date(1900, 2, 12)],
    "code": [2190000001.0, "'2190000001", "２１９００００００１", "219000001", "abc", "", "2190000001.5",
             " 2190000001 ", "#REF!", 2190000001.5, 219000001.0, -2190000001.0],
    "text": ["", "  ", " 名称 ", 12.0, "#N/A", "a#b", "\t", "长" * 101, " " + "校" * 100 + " "],
    "enum": [" 小学 ", "初中", "", "城区 ", "市 级", "省级", "其他", "高中", " 九年一贯制 ", "完中", "农村", "镇",
             "县级优质学校", "省级优质学校", "职业高中"],
    "bool": ["是", "否", "Y", "x", "√", "也许", "", 1.0, 0.0, 2.0, "TRUE", "不布置", "未公示", "已公示", "已建成",
             "未建成"],
}


def _corrupt(sheets: dict[str, list[list]], seed: int, share: float) -> dict[str, list[list]]:
    """A copy of the sheets with a share of their data cells replaced by cells from BAD (by column kind)."""
    rng = random.Random(seed)
    names = {s.name: s for s in SHEETS.values()}
    out = {}
    for sheet, rows in sheets.items():
        rows = [list(r) for r in rows]
        spec = names.get(sheet)
        if spec is not None:
            by_header = {c.header: c.kind for c in columns(spec.model)}
            kinds = [by_header.get(h, "text") for h in rows[0]]
            for row in rows[1:]:
                for j, kind in enumerate(kinds):
                    if rng.random() < share:
                        row[j] = rng.choice(BAD[kind])
        out[sheet] = rows
    return out


@pytest.mark.parametrize("seed", range(6))
def test_mixed_good_and_bad_cells_in_every_column(seed, monkeypatch):
    sheets = valid_submission_sheets(n_schools=40, whole_child=True)
    share = (0.01, 0.03, 0.1)[seed % 3]  # a few bad cells (most columns stay clean) up to many
    _assert_same(build_workbook(_corrupt(sheets, seed, share)), "云岭县_2026-10.xlsx", monkeypatch)


@pytest.mark.parametrize("suffix, build", [(".ods", build_ods), (".xls", build_xls)])
@pytest.mark.parametrize("seed", range(2))
def test_mixed_cells_in_ods_and_xls(suffix, build, seed, monkeypatch):
    """.ods keeps an Excel error as its text ('#N/A'): the column-wise path must not take it for text."""
    sheets = valid_submission_sheets(n_schools=30, whole_child=True)
    _assert_same(build(_corrupt(sheets, 100 + seed, 0.05)), f"云岭县_2026-10{suffix}", monkeypatch)


def test_one_bad_cell_per_column_kind(monkeypatch):
    sheets = valid_submission_sheets(n_schools=24, whole_child=True)
    roster, pe, hw = sheets["学校名册"], sheets["体育"], sheets["作业"]
    roster[3][0] = 2190000003.0  # a code typed as a number: repaired, not an error
    roster[4][3] = "职业高中"  # not a listed school type (初中 is a synonym of 初级中学)
    roster[5][5] = "500人"  # unit word: repaired
    roster[6][6] = 0  # below the range
    pe[7][6] = "#DIV/0!"  # a real Excel error cell
    pe[8][7] = 12.5  # not whole
    hw[9][5] = "也许"  # not yes/no
    hw[10][0] = school_code(99)  # not in the roster
    hw[11][0] = school_code(12)  # twice in the sheet
    sheets["优质学校"][2][2] = None  # level given, year missing
    sheets["综合育人"][3][1] = "两节"
    _assert_same(build_workbook(sheets), "云岭县_2026-10.xlsx", monkeypatch)


def test_clean_workbook_takes_the_fast_path_and_agrees(monkeypatch):
    sheets = valid_submission_sheets(n_schools=30, whole_child=True)
    data = build_workbook(sheets)
    parsed = validate_workbook(data, "云岭县_2026-10.xlsx", arrow=True)
    assert parsed.ok and parsed.rows["学校名册"] == 30
    _assert_same(data, "云岭县_2026-10.xlsx", monkeypatch)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
@pytest.mark.parametrize("county_layout", [False, True])
def test_layouts_agree(suffix, county_layout, monkeypatch):
    _assert_same(workbook(suffix, county_layout), f"松溪县_2026-10{suffix}", monkeypatch)


def test_sample_zone_agrees(samples_dir, monkeypatch):
    for path in sorted(samples_dir.glob("*.xlsx"))[::4]:
        _assert_same(path.read_bytes(), path.name, monkeypatch)


GOOD = {"num": [45.0, 3.5, "60", 0.0], "int": [12.0, "30人", 7.0], "code": ["2190000001", 2190000002.0],
        "text": ["名称"], "enum": ["小学", "城区", "市级"], "bool": ["是", "否", 1.0]}


def _field(model, name: str) -> TypeAdapter:
    """The row model's field (type and constraints) on its own: what pydantic accepts in that column."""
    field = model.model_fields[name]
    return TypeAdapter(Annotated[field.annotation, field])


@pytest.mark.parametrize("kind", sorted(BAD))
def test_column_values_vouch_only_for_what_the_normaliser_gives(kind):
    """A cell column_values calls clean has the value the per-cell normaliser gives it, and the row
    model's field takes that value unchanged; columns mix clean cells with a few others."""
    from core.reading.cells import is_blank, normaliser
    cols = [(spec.model, c) for spec in SHEETS.values() for c in columns(spec.model) if c.kind == kind]
    for model, c in cols:
        norm, field = normaliser(c), _field(model, c.name)
        rng = random.Random(kind)
        for _ in range(40):
            col = [rng.choice(GOOD.get(kind, []) * 3 + BAD[kind]) for _ in range(rng.randint(1, 30))]
            values, bad = column_values(col, c, model)
            assert len(values) == len(col)
            for i, cell in enumerate(col):
                if i in bad:
                    continue
                want = None if is_blank(cell) else norm(cell)
                assert (type(values[i]), values[i]) == (type(want), want), (c.name, cell)
                if want is None:
                    assert not c.required, (c.name, cell)
                else:
                    assert field.validate_python(want) == want, (c.name, cell)


def test_data_rows_fast_path_keeps_what_the_row_by_row_check_keeps():
    """read_table's school rows: C-level passes over the code column give what _is_skipped row by row gives."""
    from core.reading.header import _data_rows, _is_skipped
    rows = [["学校标识码", "学校名称", "在校生数"], ["2190000001", "一小", 400.0], ["", "", ""],
            ["小计", "", 400.0], ["2190000002", "二小", 300.0], ["  ", "合计", 700.0], ["²", "x", 1.0],
            ["２１９００００００３", "三小", 200.0], ["'2190000004", "四小", 100.0], ["填报人:张三", "", ""],
            ["abc", "某校", 5.0], ["", "备注", ""]]
    for code_col in (0, 1, None):
        for body in (rows, [r[:2] for r in rows], rows[:1] + [[2190000005.0, "五小", 1.0]] + rows[1:]):
            want = [(i + 1, r) for i, r in enumerate(body[1:], start=1) if not _is_skipped(r, code_col)]
            assert _data_rows(body, 1, code_col) == want, code_col
