"""Status per county × month (按时/逾期/未报送/已驳回), history, issues, zone configuration."""
from __future__ import annotations

from datetime import datetime

import pytest
from test_store import parsed, store

from core.db import open_db
from core.month import month_range
from core.submission.issues import Issue
from core.submission.status import (
    latest_submission_id,
    submission_history,
    submission_issues,
    submission_matrix,
)
from core.zone import Zone, ZoneConfigError, load_zone

ZONE = Zone(name="测试区", source="测试", due_day=5, counties=())


def cell(matrix, county, period):
    rows = matrix[(matrix["county"] == county) & (matrix["period"] == period)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize("received, expected", [
    (datetime(2026, 11, 5, 23, 59), "按时"),   # on the due day itself
    (datetime(2026, 10, 20), "按时"),
    (datetime(2026, 11, 6, 0, 0), "逾期"),
])
def test_timeliness_against_due_day(db_path, received, expected):
    with open_db(db_path) as con:
        store(con, parsed(period="2026-10"), received)
        assert cell(submission_matrix(con, zone=ZONE), "松溪县", "2026-10")["status"] == expected


def test_matrix_statuses_history_and_in_force(db_path):
    err = Issue(severity="error", sheet="体育", row=3, column="学校标识码", value="1", message="标识码不是10位")
    warn = Issue(severity="warning", message="多余的工作表「备注」已忽略")
    with open_db(db_path) as con:
        store(con, parsed(period="2026-08"), datetime(2026, 9, 3), sha="a")
        late, _ = store(con, parsed(period="2026-10"), datetime(2026, 11, 9), sha="b")
        fixed, _ = store(con, parsed(period="2026-10", issues=[warn]), datetime(2026, 11, 10), sha="c")
        store(con, parsed(county="白石县", period="2026-10", issues=[err]), datetime(2026, 11, 2), sha="d")
        store(con, parsed(county="白石县", period="2026-08"), datetime(2026, 9, 1), sha="e")
        m = submission_matrix(con, zone=ZONE)
        assert sorted(set(m["period"])) == ["2026-08", "2026-09", "2026-10"]  # gap month included
        assert sorted(set(m["county"])) == ["松溪县", "白石县"]
        c = cell(m, "松溪县", "2026-10")
        # Lateness is judged on the FIRST accepted workbook; the correction is in force.
        assert (c["status"], c["submission_id"], c["versions"], c["n_warnings"]) == ("逾期", fixed, 2, 1)
        assert c["first_accepted_at"] == datetime(2026, 11, 9)
        assert cell(m, "松溪县", "2026-09")["status"] == "未报送"
        b = cell(m, "白石县", "2026-10")
        assert (b["status"], b["n_errors"]) == ("已驳回", 1)
        assert cell(m, "白石县", "2026-08")["status"] == "按时"
        only = submission_matrix(con, "2026-10", zone=ZONE)
        assert list(only["period"].unique()) == ["2026-10"] and len(only) == 2

        hist = submission_history(con, "松溪县", "2026-10")
        assert list(hist["submission_id"]) == [fixed, late]
        assert list(hist["in_force"]) == [True, False]
        assert hist["replaces"].iloc[0] == late

        bad_id = int(submission_history(con, "白石县", "2026-10")["submission_id"].iloc[0])
        issues = submission_issues(con, bad_id)
        assert issues.iloc[0][["severity", "sheet", "row", "column", "message"]].tolist() == [
            "error", "体育", 3, "学校标识码", "标识码不是10位"]
        assert latest_submission_id(con) == 5


def test_zone_county_list_includes_counties_without_submissions(db_path):
    zone = Zone(name="测试区", source="测试", due_day=10, counties=("松溪县", "望江区"))
    with open_db(db_path) as con:
        store(con, parsed(period="2026-10"), datetime(2026, 11, 8))
        m = submission_matrix(con, zone=zone)
        assert list(m["county"]) == ["松溪县", "望江区"]
        assert cell(m, "松溪县", "2026-10")["status"] == "按时"  # due day 10
        assert cell(m, "望江区", "2026-10")["status"] == "未报送"


def test_empty_database_gives_empty_matrix(db_path):
    with open_db(db_path) as con:
        assert submission_matrix(con, zone=ZONE).empty
        assert latest_submission_id(con) == 0


def test_month_range_crosses_year():
    assert month_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_due_date_of_december_is_in_january():
    assert ZONE.due_date("2026-12").isoformat() == "2027-01-05"


def test_project_zone_file_loads():
    zone = load_zone()
    assert zone.name and 1 <= zone.due_day <= 28


@pytest.mark.parametrize("text, fragment", [
    ('name = "区"\nsource = "s"\ndue_day = 40\ncounties = []', "「due_day」应为1–28之间的日期"),
    ('name = "区"\nsource = "s"\ncounties = []', "「due_day」缺少此项"),
    ('name = "区"\nsource = "s"\ndue_day = 5\ncountys = []', "「countys」是未知的配置项"),
    ('name = "区" source', "格式有误"),
])
def test_bad_zone_file_names_file_and_entry(tmp_path, text, fragment):
    path = tmp_path / "zone.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ZoneConfigError) as exc:
        load_zone(path)
    assert fragment in str(exc.value) and str(path) in str(exc.value)
