"""The monthly report files: Excel, print-ready HTML/PDF, the PNG pack and the CLI command."""
from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
from datetime import datetime

import openpyxl
import pytest

from core.cli import main
from core.db import open_db
from core.month import period_label
from core.present.palette import status_style
from core.report.build import report_bytes, write_report
from core.report.data import ReportError, collect_report_data
from core.report.figures import report_charts
from core.report.html import render_html
from core.report.topics import load_topics

PERIOD = "2026-10"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory, _own_samples):
    """The tests' own sample zone (3 counties, 2026-03 … 2026-10) loaded through the real ingest path."""
    from core.submission.ingest import ingest_paths

    path = tmp_path_factory.mktemp("report") / "pilot.duckdb"
    batch = ingest_paths([_own_samples], db_path=path, received_at=datetime(2026, 11, 3, 9, 0))
    rejected = [r.file for r in batch.results if r.status == "rejected"]
    assert not rejected, rejected
    return path


@pytest.fixture(scope="module")
def data(sample_db):
    with open_db(sample_db) as con:
        return collect_report_data(con, PERIOD)


def test_unknown_month_is_a_chinese_error(sample_db):
    with open_db(sample_db) as con, pytest.raises(ReportError, match="没有任何已通过校验的报送数据"):
        collect_report_data(con, "2019-01")


def test_xlsx_sheets_values_and_status_fills(data, tmp_path):
    out = write_report_file_xlsx(data, tmp_path)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["摘要", *(t.title for t in load_topics())]
    summary = [c for row in wb["摘要"].iter_rows(values_only=True) for c in row if c]
    for sentences in data.narrative.values():
        for s in sentences:
            assert s in summary
    ws = wb["体育"]
    assert ws.freeze_panes == "B5"
    headers = [c.value for c in ws[4]]
    col = headers.index("校内体育活动1小时达标率(%)") + 1
    county_rows = data.counties[data.counties["indicator"] == "activity_hour_compliance"]
    assert len(county_rows) == 3
    for r in range(5, 5 + len(county_rows) + 1):
        label = ws.cell(r, 1).value
        frame = data.zone if label == data.zone_name else county_rows[county_rows["county"] == label]
        row = frame[frame["indicator"] == "activity_hour_compliance"].iloc[0]
        cell = ws.cell(r, col)
        assert cell.value == pytest.approx(float(f"{row['value']:.1f}"))
        assert cell.fill.fgColor.rgb.endswith(status_style(row["status"]).color.lstrip("#").upper())


def write_report_file_xlsx(data, tmp_path):
    from core.report.build import write_report_file

    return write_report_file(data, tmp_path / "月报.xlsx")


def test_html_cover_sections_and_page_breaks(data):
    html = render_html(data, images=False)
    assert "size: A4" in html
    for text in (data.zone_name, period_label(PERIOD), data.as_of, data.source):
        assert text in html
    assert html.count('class="topic"') == len(load_topics())  # each topic starts a new page
    assert data.narrative["pe"][0] in html


def test_screenshot_pack_has_one_1600x900_png_per_chart(data):
    archive = zipfile.ZipFile(io.BytesIO(report_bytes(data, ".zip")))
    names = archive.namelist()
    assert len(names) == len(report_charts(data))
    for name in names:
        png = archive.read(name)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (1600, 900), name
    assert any("校内体育活动1小时达标率" in name for name in names)


def test_full_pdf_is_a4_with_chinese_text(sample_db, tmp_path):
    for tool in ("pdftotext", "pdfinfo"):
        assert shutil.which(tool), f"{tool} missing: run bash scripts/setup_system.sh (poppler-utils)"
    out = write_report(sample_db, PERIOD, tmp_path / "月报.pdf")
    assert out.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "(A4)" in info  # page size as poppler names it (595.96 x 841.92 pts)
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 1 + len(load_topics())
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "基础教育综合改革实验区监测月报" in text  # the CJK font is embedded, not boxes
    assert "校内体育活动1小时达标率" in text
    assert "趋势" in text  # the charts are drawn in the printed page (their titles are text)


def test_report_charts_are_drawn_by_the_page_and_cannot_end_its_script(data):
    html = render_html(data)
    assert html.count('<img id="chart-') == len(report_charts(data))
    script = html[html.rindex("<script>"):]
    assert script.count("</script>") == 1  # no figure text (county names) closes the script early
    assert "Plotly.toImage" in script


def test_cli_writes_xlsx_and_rejects_bad_suffix(sample_db, tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    assert main(["report", "--db", str(sample_db), "--period", PERIOD, "-o", str(out)]) == 0
    assert out.is_file() and "已生成月报" in capsys.readouterr().out
    assert main(["report", "--db", str(sample_db), "-o", str(tmp_path / "r.docx")]) == 2
    assert "不支持的月报格式" in capsys.readouterr().err
    assert main(["report", "--db", str(sample_db), "--period", "2019-01", "-o", str(out)]) == 1
    assert "2019-01" in capsys.readouterr().err
