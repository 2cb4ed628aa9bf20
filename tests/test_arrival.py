"""Files sent together are stored with a correction after the workbook it corrects (the last one stored is in force)."""
from __future__ import annotations

from datetime import datetime

import openpyxl
import pytest

from core.db import open_db
from core.submission.arrival import arrival_key
from core.submission.ingest import collect_files, ingest_paths


@pytest.mark.parametrize("original, later", [
    ("云岭县_2026-09.xlsx", "云岭县_2026-09(更正).xlsx"),
    ("云岭县2026年9月监测数据.xlsx", "云岭县2026年9月监测数据更正版.xlsx"),
    ("东湖区2026年9月.xlsx", "【更正】东湖区2026年9月.xlsx"),
    ("龙泉县_2026-09.xlsx", "龙泉县_2026-09（修改后）.xlsx"),
    ("临江区2026-09.xlsx", "临江区2026-09 (1).xlsx"),
    ("临江区2026-09 (1).xlsx", "临江区2026-09 (2).xlsx"),
    ("石门县2026-09.xlsx", "石门县2026-09v2.xlsx"),
    ("石门县2026-09第2版.xlsx", "石门县2026-09第3版.xlsx"),
])
def test_a_later_version_sorts_after_its_original(original, later):
    assert sorted([later, original], key=arrival_key) == [original, later]


def test_other_files_keep_name_order():
    names = ["白石县-202609报送.xlsx", "白石县-202610报送.xlsx", "松溪县_2026-03.xlsx", "望江区_2026-05.xlsx"]
    assert sorted(reversed(names), key=arrival_key) == sorted(names)


def test_a_folder_puts_the_correction_in_force(db_path, samples_dir, tmp_path):
    """「松溪县_2026-03(更正).xlsx」 sorts before the original by name ('(' < '.'); stored after it, it is in force."""
    folder = tmp_path / "邮件附件"
    folder.mkdir()
    original = folder / "松溪县_2026-03.xlsx"
    original.write_bytes((samples_dir / "松溪县_2026-03.xlsx").read_bytes())
    wb = openpyxl.load_workbook(original)
    ws = wb["体育"] if "体育" in wb.sheetnames else wb.worksheets[2]
    header_row = next(r for r in range(1, 10) if any(c.value == "学校标识码" for c in ws[r]))
    code = ws.cell(header_row + 1, 1).value
    col = next(c.column for c in ws[header_row] if str(c.value or "").startswith("日均校内体育活动时间"))
    ws.cell(header_row + 1, col).value = 77  # the corrected value
    wb.save(folder / "松溪县_2026-03(更正).xlsx")
    assert [p.name for p in collect_files([folder])[0]] == ["松溪县_2026-03.xlsx", "松溪县_2026-03(更正).xlsx"]

    batch = ingest_paths([folder], db_path=db_path, received_at=datetime(2026, 4, 3, 9, 0), workers=1)
    assert [r.status for r in batch.results] == ["accepted", "accepted"]
    with open_db(db_path) as con:
        in_force = con.execute("SELECT file_name FROM submission WHERE in_force").fetchall()
        minutes = con.execute("SELECT p.activity_minutes FROM pe p JOIN submission s ON s.id = p.submission_id"
                              " WHERE s.in_force AND p.school_id = ?", [str(code)]).fetchone()[0]
    assert in_force == [("松溪县_2026-03(更正).xlsx",)] and minutes == 77
