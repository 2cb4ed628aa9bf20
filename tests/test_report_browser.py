"""The one chromium kept open for the 月报 PDF and chart pictures (core/report/browser.py)."""
from __future__ import annotations

import io
import os
import signal
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from core.db import open_db
from core.report import browser as browser_mod
from core.report.browser import ChartExportError, shared
from core.report.build import report_bytes
from core.report.data import collect_report_data

PERIOD = "2026-10"

pytestmark = pytest.mark.skipif(browser_mod.chromium_path() is None, reason="chromium not installed")


@pytest.fixture(scope="module")
def data(tmp_path_factory, _own_samples):
    from core.submission.ingest import ingest_paths

    path = tmp_path_factory.mktemp("report-browser") / "pilot.duckdb"
    batch = ingest_paths([_own_samples], db_path=path, received_at=datetime(2026, 11, 3, 9, 0))
    assert not [r.file for r in batch.results if r.status == "rejected"]
    with open_db(path) as con:
        return collect_report_data(con, PERIOD)


def _zombie_children() -> list[int]:
    """Our own children that have exited and were not reaped."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if state == "Z" and int(ppid) == os.getpid():
                found.append(int(entry.name))
    return found


def test_two_pdfs_and_the_pictures_use_one_browser(data):
    first = report_bytes(data, ".pdf")
    pid = shared.pid()
    assert pid is not None
    second = report_bytes(data, ".pdf")
    archive = zipfile.ZipFile(io.BytesIO(report_bytes(data, ".zip")))
    assert shared.pid() == pid  # the PNG pack is drawn by the same browser
    assert first[:5] == second[:5] == b"%PDF-"
    assert archive.namelist()


def test_a_killed_browser_is_replaced_and_the_next_pdf_works(data):
    report_bytes(data, ".pdf")
    old = shared.pid()
    os.killpg(old, signal.SIGKILL)
    pdf = report_bytes(data, ".pdf")
    assert pdf[:5] == b"%PDF-" and b"%%EOF" in pdf[-64:]
    assert shared.pid() not in (None, old)
    assert old not in _zombie_children()


def test_a_job_that_hangs_times_out_and_the_browser_is_replaced(data):
    report_bytes(data, ".pdf")
    old = shared.pid()
    with pytest.raises(ChartExportError, match="超时"):
        shared.run(lambda browser, deadline: browser.evaluate("print", "new Promise(() => {})", deadline), timeout=2)
    assert shared.pid() is None and old not in _zombie_children()
    assert report_bytes(data, ".pdf")[:5] == b"%PDF-"
    assert shared.pid() not in (None, old)


def test_a_browser_hung_between_uses_is_replaced_before_the_next_pdf(data):
    report_bytes(data, ".pdf")
    old = shared.pid()
    os.killpg(old, signal.SIGSTOP)  # alive but answers nothing
    assert report_bytes(data, ".pdf")[:5] == b"%PDF-"
    assert shared.pid() not in (None, old)
    assert old not in _zombie_children()


def test_a_page_script_error_is_a_chinese_error_and_the_browser_recovers(data):
    with pytest.raises(ChartExportError, match="chromium 未能生成"):
        shared.run(lambda browser, deadline: browser.evaluate("print", "nosuchname.x", deadline))
    assert report_bytes(data, ".pdf")[:5] == b"%PDF-"


def test_close_ends_the_browser_and_the_next_use_starts_one(data):
    report_bytes(data, ".pdf")
    old = shared.pid()
    shared.close()
    assert shared.pid() is None
    with pytest.raises(ProcessLookupError):
        os.kill(old, 0)  # ended and reaped: no zombie left
    assert report_bytes(data, ".pdf")[:5] == b"%PDF-"


def test_no_chromium_is_a_chinese_error(data, monkeypatch):
    shared.close()
    monkeypatch.setattr(browser_mod, "chromium_path", lambda: None)
    with pytest.raises(ChartExportError, match="未找到 chromium"):
        report_bytes(data, ".pdf")


def test_pictures_are_drawn_once_per_report_data(data):
    from core.report.html import chart_pictures, pdf_html

    pictures = chart_pictures(data)
    assert pictures and all(p.startswith("data:image/svg+xml") for p in pictures)
    assert chart_pictures(data) is pictures  # kept with the data
    html = pdf_html(data)
    assert "<script" not in html  # the printed page runs nothing
    assert html.count('<img id="chart-') == len(pictures)
