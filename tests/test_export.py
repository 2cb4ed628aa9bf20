"""Downloaded tables: Excel layout, number formats, and formula-injection neutralisation (issue 7 item 3)."""
from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from core.present.export import display_width, neutralise, table_to_csv, table_to_xlsx

DANGEROUS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=1", "\r=1", '=HYPERLINK("http://x","点击")']


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "县区": ["松溪县", *DANGEROUS],
        "达标率": [93.456] + [None] * len(DANGEROUS),
        "学校数": list(range(1, len(DANGEROUS) + 2)),
    })


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_prefixes_formula_triggers_with_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["松溪县", "1+1", "a=b", "", 12, -3.5, None])
def test_neutralise_leaves_harmless_values_alone(value):
    assert neutralise(value) == value


def test_xlsx_dangerous_text_is_reread_as_plain_string_not_formula():
    ws = _sheet(table_to_xlsx(_frame(), "2026年10月 测试表", note="口径:测试"))
    cells = [ws.cell(row=4 + k, column=1) for k in range(1, len(DANGEROUS) + 1)]
    for cell, text in zip(cells, DANGEROUS):
        assert cell.data_type == "s"  # a string, never a formula
        # shown exactly as written (no stray quote); quotePrefix keeps it text when edited in Excel/WPS
        assert cell.value == text.replace("\r", "\n")  # (XML stores a carriage return as a line feed)
        assert cell.quotePrefix
    assert not ws.cell(row=4, column=1).quotePrefix  # an ordinary name keeps the ordinary style


def test_xlsx_never_contains_a_formula_element():
    import zipfile
    with zipfile.ZipFile(io.BytesIO(table_to_xlsx(_frame(), "=title", sheet_name="数据"))) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_xlsx_title_note_header_and_frozen_panes():
    ws = _sheet(table_to_xlsx(_frame(), "2026年10月 各县区达标率", sheet_name="达标率", note="口径:示例"))
    assert ws.title == "达标率"
    assert ws["A1"].value == "2026年10月 各县区达标率"
    assert ws["A2"].value == "口径:示例"
    assert [c.value for c in ws[3]] == ["县区", "达标率", "学校数"]
    assert all(c.font.bold for c in ws[3])
    assert ws["A3"].fill.fgColor.rgb.endswith("DCE6F1")
    assert ws.freeze_panes == "A4"
    assert ws["A4"].value == "松溪县"


def test_xlsx_without_note_puts_header_in_row_two():
    ws = _sheet(table_to_xlsx(pd.DataFrame({"学校名称": ["甲"], "人数": [3]}), "标题"))
    assert [c.value for c in ws[2]] == ["学校名称", "人数"]
    assert ws.freeze_panes == "A3"


def test_xlsx_values_are_rounded_as_displayed():
    # indicators.md, One number everywhere: the download carries the digits the screen shows
    ws = _sheet(table_to_xlsx(_frame(), "t", note="n"))
    assert ws["B4"].value == 93.5 and ws["B4"].number_format == "0.0"
    assert ws["C4"].value == 1 and ws["C4"].number_format == "#,##0"
    df = pd.DataFrame({"差异系数": [0.41234], "日均作业时长(分钟)": [63.45], "平均值": [4.12345], "x": [92.45]})
    ws = _sheet(table_to_xlsx(df, "t", decimals={"x": 1}, default=3))
    assert [c.value for c in ws[3]] == [0.41, 63.5, 4.123, 92.5]  # half away from zero, as Excel's ROUND
    assert [c.number_format for c in ws[3]] == ["0.00", "0.0", "0.000", "0.0"]


def test_xlsx_has_no_index_column_and_codes_stay_text():
    df = pd.DataFrame({"学校标识码": ["0219000001", "2190000002"], "在校生数": [300, 400]}, index=[7, 3])
    df = df[df["在校生数"] > 0]  # a filtered frame keeps its (unnamed) index
    ws = _sheet(table_to_xlsx(df, "t"))
    assert [c.value for c in ws[2]] == ["学校标识码", "在校生数"]
    assert [ws["A3"].value, ws["A4"].value] == ["0219000001", "2190000002"]
    assert ws["A3"].data_type == "s" and ws["A3"].number_format == "@"
    numeric = pd.DataFrame({"学校标识码": [2190000001.0]})  # a code that was read as a number somewhere
    assert _sheet(table_to_xlsx(numeric, "t"))["A3"].value == "2190000001"


def test_xlsx_blanks_booleans_and_dates():
    df = pd.DataFrame({"是否达标": [True, False], "值": [float("nan"), 2.5],
                       "接收时间": pd.to_datetime(["2026-11-03 09:30", None])})
    ws = _sheet(table_to_xlsx(df, "t"))
    assert [ws["A3"].value, ws["A4"].value] == ["是", "否"]
    assert ws["B3"].value is None and ws["B4"].value == 2.5
    assert ws["C3"].value.strftime("%Y-%m-%d %H:%M") == "2026-11-03 09:30"
    assert ws["C4"].value is None


def test_xlsx_column_width_counts_cjk_double():
    long_cjk = "很长的学校名称" * 3  # 21 characters, 42 units wide
    ws = _sheet(table_to_xlsx(pd.DataFrame({"学校名称": [long_cjk], "x": ["abc"]}), "t"))
    assert ws.column_dimensions["A"].width >= display_width(long_cjk)
    assert ws.column_dimensions["B"].width < ws.column_dimensions["A"].width


def test_display_width():
    assert display_width("ab") == 2
    assert display_width("学校") == 4
    assert display_width("（１）") == 6


def test_xlsx_sheet_name_is_made_legal():
    ws = _sheet(table_to_xlsx(pd.DataFrame({"a": [1]}), "t", sheet_name="2026/10 [县区]*明细表很长很长很长很长很长很长很长"))
    assert len(ws.title) <= 31 and "/" not in ws.title and "[" not in ws.title


def test_xlsx_index_and_multiindex_columns_are_flattened():
    df = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("体育", "达标"), ("体育", "未达标")]),
                      index=pd.Index(["松溪县"], name="县区"))
    ws = _sheet(table_to_xlsx(df, "t"))
    assert [c.value for c in ws[2]] == ["县区", "体育 达标", "体育 未达标"]
    assert [c.value for c in ws[3]] == ["松溪县", 1, 2]


def test_csv_has_bom_and_neutralised_cells():
    data = table_to_csv(_frame())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["县区", "达标率", "学校数"]
    assert rows[1][0] == "松溪县"
    assert [r[0] for r in rows[1:]] == ["松溪县"] + ["'" + t for t in DANGEROUS]
    assert rows[1][2] == "1"


def test_csv_neutralises_headers_and_keeps_negative_numbers():
    data = table_to_csv(pd.DataFrame({"=危险": ["-1"], "变化": [-1.5]}))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["'=危险", "变化"], ["'-1", "-1.5"]]


def test_a_workbook_built_cell_by_cell_is_neutralised_in_place():
    from openpyxl import Workbook

    from core.present.export import neutralise_workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["C1"] = "=HYPERLINK(\"http://x\",\"点我\")", "云岭县", 12.5
    ws2 = wb.create_sheet("体育")
    ws2["A1"] = "@SUM(1)"
    neutralise_workbook(wb)
    buf = io.BytesIO()
    wb.save(buf)
    back = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    assert back.active["A1"].value == "=HYPERLINK(\"http://x\",\"点我\")"
    assert back.active["A1"].data_type == "s" and back.active["A1"].quotePrefix
    assert back.active["B1"].value == "云岭县" and back.active["C1"].value == 12.5
    assert back["体育"]["A1"].value == "@SUM(1)" and back["体育"]["A1"].quotePrefix
    assert back["体育"]["A1"].data_type == "s"


def test_cli_csv_has_a_bom_and_neutralised_county_text(db_path, capsys):
    """`python -m core indicators --format csv > 指标.csv` opens in Excel: Chinese readable, no formulas."""
    import csv
    from datetime import datetime

    from core.cli import main
    from core.submission.ingest import ingest_file
    from tests.builders import build_workbook, valid_submission_sheets

    sheets = valid_submission_sheets("云岭县", "2026-10", n_schools=4)
    for sheet in ("学校名册", "体育", "作业"):
        sheets[sheet][1][1] = "+HYPERLINK(\"http://x\",\"点我\")"  # (openpyxl would store "=…" as a formula)
        sheets[sheet][2][1] = "@SUM(1)"
    assert ingest_file(build_workbook(sheets), file_name="x.xlsx", db_path=db_path,
                       received_at=datetime(2026, 11, 3)).status == "accepted"
    assert main(["indicators", "--db", str(db_path), "--period", "2026-10", "--level", "school",
                 "--indicator", "activity_hour_compliance", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    names = {r["school_name"] for r in rows}
    assert "'+HYPERLINK(\"http://x\",\"点我\")" in names and "'@SUM(1)" in names
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values())
    assert {r["value"] for r in rows} <= {"100.0", "0.0"}  # numbers stay numbers
