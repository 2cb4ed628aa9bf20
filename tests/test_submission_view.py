"""Tables of the 报送 pages: issue table, county × month status matrix with colours, version history."""
from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from core.db import open_db
from core.present.palette import status_style
from core.submission.ingest import ingest_file
from core.submission.issues import Issue
from core.submission.status import (
    submission_history,
    submission_issues,
    submission_matrix,
)
from core.submission.view import (
    ISSUE_COLUMNS,
    cell_text,
    history_table,
    issues_frame,
    matrix_table,
    status_counts,
    status_css,
    status_pivot,
    version_label,
)


def _spoil(path) -> bytes:
    wb = openpyxl.load_workbook(path)
    ws = wb["体育"]
    col = next(c.column for c in ws[1] if c.value and "体育活动" in str(c.value))
    ws.cell(row=2, column=col).value = "约一小时"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def loaded(samples_dir, db_path):
    """松溪县 2026-03 on time; 白石县 2026-03 late and 2026-06 rejected (counties: those ever accepted)."""
    ingest_file(samples_dir / "松溪县_2026-03.xlsx", db_path=db_path, received_at=datetime(2026, 4, 5, 17))
    ingest_file(samples_dir / "白石县2026年3月监测数据.xlsx", db_path=db_path, received_at=datetime(2026, 4, 7, 9))
    ingest_file(_spoil(samples_dir / "白石县_2026-06.xlsx"), file_name="白石县_2026-06.xlsx", db_path=db_path,
                received_at=datetime(2026, 7, 2, 9))
    return db_path


def test_issues_frame_from_issue_objects():
    frame = issues_frame([Issue(severity="error", sheet="体育", row=12, column="日均校内体育活动时间(分钟)",
                                value="约一小时", message="不是数字"),
                          Issue(severity="warning", message="多余的工作表")])
    assert list(frame.columns) == ISSUE_COLUMNS
    assert frame.iloc[0].tolist() == ["错误", "体育", 12, "日均校内体育活动时间(分钟)", "约一小时", "不是数字"]
    assert frame.iloc[1]["工作表"] == "(整个工作簿)" and pd.isna(frame.iloc[1]["行"])


def test_issues_frame_from_stored_issues_matches_the_objects(loaded):
    with open_db(loaded) as con:
        rejected = int(con.execute("SELECT id FROM submission WHERE status = 'rejected'").fetchone()[0])
        stored = submission_issues(con, rejected)
    frame = issues_frame(stored)
    assert len(frame) == len(stored) and (frame["严重程度"] == "错误").any()
    assert "约一小时" in frame["值"].tolist()


def test_status_pivot_counties_by_months_with_counts(loaded):
    with open_db(loaded) as con:
        matrix = submission_matrix(con)
    texts, statuses = status_pivot(matrix)
    assert texts.shape == statuses.shape
    assert list(texts.columns) == [f"2026年{m}月" for m in range(3, 7)]
    assert statuses.loc["松溪县", "2026年3月"] == "按时"
    assert statuses.loc["白石县", "2026年6月"] == "已驳回"
    assert texts.loc["白石县", "2026年6月"].startswith("已驳回 · 错误")
    assert statuses.loc["白石县", "2026年3月"] == "逾期"
    assert statuses.loc["白石县", "2026年4月"] == "未报送"
    assert sorted(texts.index) == ["松溪县", "白石县"]
    counts = status_counts(matrix[matrix["period"] == "2026-06"])
    assert counts["已驳回"] == 1 and counts["按时"] == 0 and sum(counts.values()) == len(
        matrix[matrix["period"] == "2026-06"])


@pytest.mark.parametrize("status, key", [("按时", "green"), ("逾期", "amber"), ("已驳回", "red"),
                                         ("未报送", "none"), (None, "none")])
def test_status_css_uses_the_palette(status, key):
    css = status_css(status)
    assert status_style(key).color in css and status_style(key).text_color in css


def test_cell_text_shows_warnings_and_review():
    row = pd.Series({"status": "逾期", "n_errors": 0, "n_warnings": 3, "review_status": "returned"})
    assert cell_text(row) == "逾期 · 警告3 · 退回"


def test_history_and_matrix_tables_have_chinese_headers(loaded, samples_dir):
    ingest_file(samples_dir / "松溪县_2026-03.xlsx", file_name="松溪县_2026-03_更正.xlsx", db_path=loaded,
                received_at=datetime(2026, 4, 9, 8))  # identical bytes: a duplicate, not a version
    with open_db(loaded) as con:
        history = submission_history(con, "松溪县", "2026-03")
        matrix = submission_matrix(con)
    table = history_table(history)
    assert table.columns[:4].tolist() == ["报送编号", "文件名", "结果", "当前生效"]
    assert table["结果"].tolist() == ["已接收"] and table["当前生效"].tolist() == ["是"]
    assert table["报送时间"].tolist() == ["2026-04-05 17:00"]
    assert version_label(history.iloc[0]).endswith("已接收(生效) · 松溪县_2026-03.xlsx")
    long = matrix_table(matrix)
    assert {"县区", "报送月份", "状态", "截止日期"} <= set(long.columns)
    assert long.loc[long["状态"] == "未报送", "审核状态"].eq("").all()
