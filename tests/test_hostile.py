"""Hostile workbooks (issue 13): refused with a Chinese message naming the sheet and the cell, never
read into a dense grid, never taking the process down; one bad file in a folder costs only itself.

Time and memory are measured by bench/hostile.py (python -m bench.hostile), not asserted here.
If a far cell reached calamine in this process, the test run itself would abort.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import build_workbook, build_xls, valid_submission_sheets
from hostile import (
    dense_xlsx,
    far_cell_ods,
    far_cell_xlsx,
    repeat_bomb_ods,
    valid_xlsx,
    _rewrite_part,
    with_dimension,
    with_far_cell,
)

from core.db import open_db
from core.paths import archive_dir
from core.reading import sandbox
from core.reading.load import ABORT_ENV
from core.submission.annotate import LIST_SHEET, TOO_LARGE_NOTE, UNREADABLE_NOTE, annotate_workbook
from core.submission.archive import sha256_of
from core.submission.ingest import ingest_file, ingest_paths
from core.submission.validate import validate_workbook

ROOT = Path(__file__).resolve().parent.parent


def refusal(data: bytes, name: str = "云岭县_2026-10.xlsx") -> str:
    parsed = validate_workbook(data, name)
    errors = [i.message for i in parsed.issues if i.is_error]
    assert not parsed.ok and not parsed.tables and len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize("ref", ["XFD1048576", "XFD5000", "AZ1048576", "XFD20000", "A1048576"])
def test_far_cell_xlsx_is_refused_naming_sheet_and_cell(ref):
    message = refusal(far_cell_xlsx(ref))
    assert [i.sheet for i in validate_workbook(far_cell_xlsx(ref), "a.xlsx").issues] == ["体育"]
    assert "工作表「体育」" in message and f"单元格{ref}" in message and "删除该单元格" in message


@pytest.mark.parametrize("ref", ["XFD5000", "A1048576", "C30000", "XFD1048576"])
def test_far_cell_ods_is_refused_naming_sheet_and_cell(ref):
    data = far_cell_ods(ref)
    assert len(data) < 2000
    message = refusal(data, "云岭县_2026-10.ods")
    assert "工作表「体育」" in message and f"单元格{ref}" in message


def test_ods_repeat_bomb_under_a_kilobyte_is_refused():
    data = repeat_bomb_ods()
    assert len(data) < 1024
    assert "「体育」有内容的行超过可读取的上限" in refusal(data, "a.ods")


def test_sheet_xml_the_reader_cannot_parse_is_refused_in_chinese_only():
    """An entity the sheet never declares (billion-laughs style, or a broken export): the reader's
    XmlError becomes a clerk's reason, not the reader's English class name."""
    broken = _rewrite_part(valid_xlsx(), "xl/worksheets/sheet3.xml",
                           lambda xml: xml.replace(b"<is><t>", b"<is><t>&lol9;", 1))
    text = refusal(broken)
    assert "内部结构损坏" in text and "云岭县_2026-10.xlsx" in text
    assert "Error" not in text and not any("a" <= ch.lower() <= "z" for ch in text.replace("Excel", "")
                                           .replace("WPS", "").replace("xlsx", ""))


def test_xls_far_cell_is_refused():
    sheets = valid_submission_sheets()
    sheets["体育"] = sheets["体育"] + [[]] * (65535 - len(sheets["体育"])) + [[None] * 255 + ["x"]]
    message = refusal(build_xls(sheets), "云岭县_2026-10.xls")
    assert "工作表「体育」" in message and "单元格IV65536" in message


def test_dense_sheet_that_passes_the_size_check_is_refused():
    data = dense_xlsx()
    assert len(data) < 20 << 20
    assert "「体育」有内容的行超过可读取的上限20,000行" in refusal(data)


def test_formatted_empty_far_cell_and_a_lying_dimension_do_not_count():
    """The real extent is where values are: not the <dimension> tag, not an empty formatted cell."""
    plain = validate_workbook(valid_xlsx(), "云岭县_2026-10.xlsx")
    for data in (with_far_cell(valid_xlsx(), "体育", "XFD1048576", empty=True),
                 with_dimension(valid_xlsx(), "体育", "A1:XFD1048576")):
        parsed = validate_workbook(data, "云岭县_2026-10.xlsx")
        assert parsed.ok, parsed.issues
        assert {k: t.to_dict("records") for k, t in parsed.tables.items()} == \
            {k: t.to_dict("records") for k, t in plain.tables.items()}


def test_far_cell_on_a_sheet_that_is_not_read_only_warns():
    sheets = {**valid_submission_sheets(), "备注": [["说明"]]}
    data = with_far_cell(build_workbook(sheets), "备注", "XFD1048576")
    parsed = validate_workbook(data, "云岭县_2026-10.xlsx")
    assert parsed.ok and any("「备注」" in i.message for i in parsed.issues if i.severity == "warning")


def test_sandbox_reports_a_crash_a_memory_overrun_and_a_timeout():
    assert sandbox.run(len, b"abc") == 3
    with pytest.raises(sandbox.ChildFailed) as crash:
        sandbox.run(os.abort)
    assert crash.value.reason == "crash" and crash.value.resources
    with pytest.raises(sandbox.ChildFailed) as memory:
        sandbox.run(bytearray, 4 << 30)
    assert memory.value.resources
    with pytest.raises(sandbox.ChildFailed) as slow:
        sandbox.run(__import__("time").sleep, 30, timeout=1)
    assert slow.value.reason == "timeout"
    with pytest.raises(sandbox.ChildFailed) as raised:
        sandbox.run(int, "x")
    assert raised.value.reason == "raised" and raised.value.kind == "ValueError" and not raised.value.resources
    assert sandbox.run(len, b"still serving") == 13


def test_confined_process_reports_a_failure_as_a_child_does(monkeypatch):
    """A pool worker runs reading code in-process: what it raises (a Rust panic is a BaseException)
    comes back as the ChildFailed a forked child would report, so the file gets the same message."""
    monkeypatch.setattr(sandbox, "_confined", True)
    assert sandbox.run(len, b"abc") == 3
    with pytest.raises(sandbox.ChildFailed) as raised:
        sandbox.run(int, "x")
    assert raised.value.reason == "raised" and raised.value.kind == "ValueError" and not raised.value.resources
    with pytest.raises(sandbox.ChildFailed) as panic:
        sandbox.run(_panic)
    assert panic.value.reason == "raised" and panic.value.kind == "PanicLike"
    with pytest.raises(sandbox.ChildFailed) as memory:
        sandbox.run(_out_of_memory)
    assert memory.value.reason == "memory" and memory.value.resources


class PanicLike(BaseException):
    """Stands for pyo3's PanicException, which derives from BaseException."""


def _panic():
    raise PanicLike("called `Option::unwrap()` on a `None` value")


def _out_of_memory():
    raise MemoryError


def test_reader_crash_rejects_that_file_and_the_next_one_is_stored(db_path, monkeypatch):
    bad, good = valid_xlsx(period="2026-09"), valid_xlsx(period="2026-10")
    monkeypatch.setenv(ABORT_ENV, sha256_of(bad))
    r = ingest_file(bad, file_name="云岭县_2026-09.xlsx", db_path=db_path)
    assert r.status == "rejected" and "读取时超出内存或时间限制" in r.issues[0].message
    assert ingest_file(good, file_name="云岭县_2026-10.xlsx", db_path=db_path).status == "accepted"


def _assert_archive_matches_submissions(db_path: Path) -> None:
    """Every archived file has its submission row and every row's file exists: nothing half-written."""
    with open_db(db_path) as con:
        rels = {r[0] for r in con.execute("SELECT archive_path FROM submission").fetchall()}
    root = archive_dir(db_path)
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert files == rels


def _good_folder(folder: Path, n: int) -> None:
    folder.mkdir()
    for m in range(1, n + 1):
        (folder / f"云岭县_2026-{m:02d}.xlsx").write_bytes(valid_xlsx(period=f"2026-{m:02d}"))


def test_folder_with_a_far_cell_file_among_good_ones_stores_the_good_ones(db_path, tmp_path):
    folder = tmp_path / "收件箱"
    _good_folder(folder, 10)
    (folder / "云岭县_2026-11.xlsx").write_bytes(far_cell_xlsx("XFD1048576", period="2026-11"))
    env = {**os.environ, "PILOT_DB": str(db_path)}
    p = subprocess.run([sys.executable, "-m", "core", "ingest", str(folder), "--json"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr[-2000:]
    results = json.loads(p.stdout)["results"]
    assert [r["status"] for r in results] == ["accepted"] * 10 + ["rejected"]
    assert "单元格XFD1048576" in results[-1]["issues"][0]["message"]
    _assert_archive_matches_submissions(db_path)


def test_folder_ingest_survives_a_reader_crash_in_a_pool_worker(db_path, tmp_path, monkeypatch):
    folder = tmp_path / "收件箱"
    _good_folder(folder, 10)
    crashing = folder / "云岭县_2026-04.xlsx"
    monkeypatch.setenv(ABORT_ENV, sha256_of(crashing.read_bytes()))
    batch = ingest_paths([folder], db_path=db_path, workers=2)
    status = {r.file: r.status for r in batch.results}
    assert status.pop(crashing.name) == "rejected" and set(status.values()) == {"accepted"} and len(status) == 9
    crashed = next(r for r in batch.results if r.file == crashing.name)
    assert "读取时超出内存或时间限制" in crashed.issues[0].message
    _assert_archive_matches_submissions(db_path)


def _list_only(data: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [LIST_SHEET]
    return "\n".join(str(c.value) for row in wb[LIST_SHEET].iter_rows() for c in row if c.value)


def _zip_bomb() -> bytes:
    """A workbook whose sheet XML inflates 1000-fold (filecheck refuses it)."""
    base = valid_xlsx()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                body = body.replace(b"<sheetData>", b"<sheetData>" + b" " * (64 << 20), 1)
            zout.writestr(info, body)
    return out.getvalue()


def test_annotation_of_refused_files_lists_the_issues_without_loading_them():
    for data, note in ((far_cell_xlsx("XFD1048576"), TOO_LARGE_NOTE), (_zip_bomb(), UNREADABLE_NOTE)):
        parsed = validate_workbook(data, "云岭县_2026-10.xlsx")
        assert not parsed.ok
        text = _list_only(annotate_workbook(data, "云岭县_2026-10.xlsx", parsed.issues))
        assert note in text and parsed.issues[0].message in text


def test_temporary_files_of_dead_writers_are_cleared_and_a_live_writers_kept(db_path):
    from core.submission.archive import TEMP_PREFIX, remove_dead_writers_files
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    folder = archive_dir(db_path) / "ab"
    folder.mkdir(parents=True)
    (folder / f"{TEMP_PREFIX}{dead}-x1").write_bytes(b"half")
    (folder / f"{TEMP_PREFIX}{os.getpid()}-x2").write_bytes(b"being written")
    assert remove_dead_writers_files(db_path) == 1
    assert [p.name for p in folder.iterdir()] == [f"{TEMP_PREFIX}{os.getpid()}-x2"]
