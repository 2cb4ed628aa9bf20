"""One number everywhere (issue 10): one month of the demo zone through every output, the same digits.

Tiles, the status matrix, the county bar charts (as the pages and the PNG pack draw them), the
report's sentences, 本月概览 and section tables (HTML/PDF and Excel), the overview's Excel download
and the CLI table must print every figure with the same digits. The expected digits are computed
here independently (half away from zero on the decimal text, decimals by unit).
"""
from __future__ import annotations

import io
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pandas as pd
import pytest

from core.db import open_db
from core.indicators import compute_indicators
from core.indicators.catalog import load_catalog
from core.present.palette import grid_ids, headline_ids, short_name

DECIMALS = {"%": 1, "分钟": 1, "系数": 2, "所": 0, "人": 2}  # 人: 每10个班专职心理健康教师数
TODAY = "2026-11-30"
NUM = r"-?\d+(?:\.\d+)?"


def shown(value, unit) -> str:
    """The digits every output must print for `value` (None: 无数据)."""
    if value is None or pd.isna(value):
        return "无数据"
    q = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-DECIMALS[unit]), rounding=ROUND_HALF_UP)
    return f"{abs(q) if q == 0 else q:f}"


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """The demo zone (8 counties, 2 closed months and the open one); the newest closed month's frames."""
    from core.demo.build import build_demo

    root = tmp_path_factory.mktemp("one_number")
    db = root / "pilot.duckdb"
    build_demo(db, root / "wb", today=date.fromisoformat(TODAY), n_counties=8, schools_per_county=6, months=2,
               workers=1)
    with open_db(db) as con:
        zone = compute_indicators(con, "2026-10", "zone")
        counties = compute_indicators(con, "2026-10", "county")
    return db, "2026-10", zone[zone["stage"].isna()], counties[counties["stage"].isna()]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("PILOT_TODAY", TODAY)


@pytest.fixture(scope="module")
def report(month):
    from core.report.data import collect_report_data

    db, period, _, _ = month
    with open_db(db) as con:
        return collect_report_data(con, period)


def change_shown(change, unit) -> str:
    """A change as every output prints it: its size, or 持平 when it rounds to nothing."""
    size = shown(abs(change), unit)
    return "持平" if float(size) == 0 else size


def test_expected_digits_are_not_trivial(month):
    _, _, zone, counties = month
    assert {"%", "所", "分钟"} <= set(zone["unit"])  # 系数 rows (per stage) are checked in the report tables
    assert counties["value"].notna().sum() > 100


def test_tiles_and_matrix(month):
    from ui.status_grid import grid_html
    from ui.tiles import tile_html

    _, _, zone, counties = month
    cat = load_catalog()
    for ind in headline_ids():
        row = zone[zone["indicator"] == ind].iloc[0]
        html = tile_html(row, short_name(ind, cat.get(ind).name))
        assert re.search(r'hx-value">([^<]*)<', html).group(1) == shown(row["value"], row["unit"]) + (
            "" if row["unit"] in ("系数",) else row["unit"]), ind
        if row["expected"] is not None:  # trajectory: 应达 and 差 as whole schools
            exp, gap = shown(row["expected"], row["unit"]), shown(row["value"] - row["expected"], row["unit"])
            assert f"应达\u00a0{exp}所" in html and f"差\u00a0{'+' if not gap.startswith('-') else '−'}" \
                   f"{gap.lstrip('-')}所" in html
        if row["change"] is not None:
            assert change_shown(row["change"], row["unit"]) in re.sub(r"<[^>]+>", " ", html.split("较上月")[-1])
    frame = pd.concat([zone.assign(county="实验区"), counties])
    frame = frame[frame["indicator"].isin(grid_ids())]
    cells = {(r["county"], r["indicator"]): r for _, r in frame.iterrows()}
    rows = [("实验区", None), *((c, c) for c in sorted(counties["county"].unique()))]
    html, _ = grid_html(cells, rows, [(i, i) for i in grid_ids()])
    for (label, ind), r in cells.items():
        assert f"{label} · {ind}:{shown(r['value'], r['unit'])}" in html, (label, ind)


def test_county_bars_as_pages_and_png_pack_draw_them(report):
    from core.report.figures import chart_figure, report_charts

    n = 0
    for _, spec in report_charts(report):
        fig = chart_figure(report, spec)
        if spec.kind != "county":
            continue
        rows = report.counties[report.counties["indicator"] == spec.indicator].set_index("county")
        labels = [a.text for a in fig.layout.annotations if a.name == "value"]
        bars = fig.data[0]
        for county, label in zip(bars.x, labels):
            value, unit = rows.loc[county, "value"], rows.loc[county, "unit"]
            assert (re.match(NUM, label) or re.match(".*", label)).group(0) == shown(value, unit), (spec.key, county)
            n += 1
    assert n >= 8 * 5


def test_report_sentences_tables_and_excel(report, tmp_path):
    from core.report.build import write_report_file
    from core.report.html import render_html
    from core.report.tables import overview_rows, section_table

    zone = report.zone[report.zone["stage"].isna()].set_index("indicator")
    overview = {r.name: r for r in overview_rows(report)}
    for ind in headline_ids():  # 本月概览 covers every tile
        row = zone.loc[ind]
        r = overview[row["name"]]
        assert re.match(NUM, r.value).group(0) == shown(row["value"], row["unit"]), ind
        if row["change"] is not None:
            assert (re.search(NUM, r.change) or re.search(".+", r.change)).group(0) == \
                change_shown(row["change"], row["unit"]), ind
    sentences = " ".join(s for ss in report.narrative.values() for s in ss)
    for ind in headline_ids():  # the 摘要 speaks about every tile, with the tile's digits
        row = zone.loc[ind]
        m = re.search(rf"全区{re.escape(row['name'])}为({NUM})", sentences)
        assert m and m.group(1) == shown(row["value"], row["unit"]), ind
    html = render_html(report, images=False)
    book = openpyxl.load_workbook(write_report_file(report, tmp_path / "r.xlsx"))
    units = set()
    for topic in report.topics:
        table = section_table(report, topic)
        ws = book[topic.title]
        for i, label in enumerate(table.rows, start=5):
            assert ws.cell(i, 1).value == label
            for j, col in enumerate(table.columns):
                value = table.values[(label, j)]
                cell = ws.cell(i, j + 2).value
                text = shown(value, col.unit)
                assert (cell if isinstance(cell, str) else f"{cell:.{DECIMALS[col.unit]}f}") == text
                assert f">{text}" in html
                units.add(col.unit)
    assert units == {"%", "所", "分钟", "系数", "人"}


def test_overview_download_and_cli(month, capsys):
    from core.cli import main
    from core.present.export import grid_to_xlsx
    from core.present.grid import overview_grid

    db, period, zone, counties = month
    cat = load_catalog()
    ids = grid_ids()  # the matrix's columns: the headline tiles and a few more
    names = {i: short_name(i, cat.get(i).name) for i in ids}
    grid = overview_grid(zone, counties, ids, names, "实验区")
    ws = openpyxl.load_workbook(io.BytesIO(grid_to_xlsx(grid, "t", note="口径 · 数据来源 · 数据截至"))).active
    header = [c.value for c in ws[3]]
    assert header[0] == "县区" and len(header) == 1 + len(ids)  # the grid as on screen, no index column
    assert ws["A2"].value.startswith("口径")
    frame = pd.concat([zone.assign(county="实验区"), counties]).set_index(["county", "indicator"])
    n = 0
    for row in ws.iter_rows(min_row=4, max_row=3 + 1 + counties["county"].nunique()):
        for j, ind in enumerate(ids, start=1):
            value, unit = frame.loc[(row[0].value, ind), ["value", "unit"]]
            cell = row[j].value
            text = cell if isinstance(cell, str) else f"{cell:.{DECIMALS[unit]}f}"
            assert text == shown(value, unit), (row[0].value, ind)
            n += 1
    assert n == len(ids) * 9
    assert main(["indicators", "--db", str(db), "--period", period]) == 0
    out = capsys.readouterr().out
    for r in zone.itertuples():
        line = next(ln for ln in out.splitlines() if ln.startswith(r.name + " "))
        assert re.findall(NUM, line.split("实验区", 1)[1])[0] == shown(r.value, r.unit), r.indicator


def test_one_label_per_column():
    """A column is labelled in one place: the workbook's own header (schema) or data/ui.toml [columns];
    pages never retype a header."""
    from pathlib import Path

    from core.present.labels import column_label
    from core.submission.schema import SHEETS, columns

    assert column_label("g36_minutes") == "三至六年级日均书面作业时长(分钟)"
    assert column_label("g36_minutes", with_unit=False) == "三至六年级日均书面作业时长"
    assert column_label("lessons_g12", with_unit=False) == "体育课周课时(1-2年级)"  # a band is not a unit
    root = Path(__file__).resolve().parent.parent
    code = "\n".join(p.read_text(encoding="utf-8") for p in [*(root / "pages").glob("*.py"),
                                                             *(root / "ui").glob("*.py")])
    for sheet in SHEETS.values():
        for col in columns(sheet.model):
            if "(" in col.header or len(col.header) > 6:  # the long headers, not 县区/学校名称
                assert f'"{col.header}"' not in code, col.header
