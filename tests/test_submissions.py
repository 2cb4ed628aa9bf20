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


def _reference_matrix(con, zone, period=None):
    """The matrix cell by cell, filtering every submission per cell (what submission_matrix does column-wise)."""
    import pandas as pd

    from core.month import on_time
    from core.submission.status import LATE, MATRIX_COLUMNS, MISSING, ON_TIME, REJECTED, zone_county_list
    counties = zone_county_list(con, zone)
    first, last = con.execute("SELECT min(period), max(period) FROM submission WHERE period IS NOT NULL").fetchone()
    periods = [period] if period else month_range(first, last)
    subs = con.execute("SELECT id, county, period, status, in_force, file_name, received_at, n_errors, n_warnings,"
                       " review_status FROM submission WHERE county IS NOT NULL AND period IS NOT NULL"
                       " ORDER BY received_at, id").df()
    rows = []
    for county in counties:
        for p in periods:
            mine = subs[(subs["county"] == county) & (subs["period"] == p)]
            row = dict.fromkeys(MATRIX_COLUMNS)
            row.update(county=county, period=p, due_date=zone.due_date(p).isoformat(), versions=len(mine),
                       status=MISSING, n_errors=0, n_warnings=0)
            accepted = mine[mine["status"] == "accepted"]
            if accepted.empty and not mine.empty:
                last_row = mine.iloc[-1]
                row.update(status=REJECTED, file_name=last_row["file_name"], received_at=last_row["received_at"],
                           n_errors=int(last_row["n_errors"]), n_warnings=int(last_row["n_warnings"]))
            elif not accepted.empty:
                first_at = accepted["received_at"].iloc[0]
                forced = accepted[accepted["in_force"]]
                current = forced.iloc[0] if not forced.empty else accepted.iloc[-1]
                row.update(status=ON_TIME if on_time(first_at, p, zone.due_day) else LATE,
                           first_accepted_at=first_at, submission_id=int(current["id"]),
                           file_name=current["file_name"], received_at=current["received_at"],
                           n_errors=int(current["n_errors"]), n_warnings=int(current["n_warnings"]),
                           review_status=current["review_status"])
            rows.append(row)
    return pd.DataFrame(rows, columns=MATRIX_COLUMNS)


@pytest.mark.parametrize("listed", [(), ("白石县", "松溪县", "望江区")])
def test_matrix_equals_the_cell_by_cell_reference(db_path, listed):
    """Every kind of cell: on time, late, corrected, rejected only, rejected after accepted, none in force,
    a county outside the zone list, unknown county or month, a gap month, a listed county with nothing."""
    from pandas.testing import assert_frame_equal
    subs = [  # county, period, status, in_force, received, n_errors, n_warnings, review
        ("松溪县", "2026-08", "accepted", True, datetime(2026, 9, 3), 0, 1, "approved"),
        ("松溪县", "2026-10", "accepted", False, datetime(2026, 11, 9), 0, 0, None),
        ("松溪县", "2026-10", "accepted", True, datetime(2026, 11, 10), 0, 2, "returned"),
        ("松溪县", "2026-10", "rejected", False, datetime(2026, 11, 12), 3, 0, None),
        ("白石县", "2026-10", "rejected", False, datetime(2026, 11, 2), 1, 0, None),
        ("白石县", "2026-10", "rejected", False, datetime(2026, 11, 3), 2, 5, None),
        ("松溪县", "2026-09", "accepted", True, datetime(2026, 10, 2), 0, 1, None),  # an older version restored
        ("松溪县", "2026-09", "accepted", False, datetime(2026, 10, 4), 0, 3, "approved"),
        ("白石县", "2026-08", "accepted", False, datetime(2026, 9, 1), 0, 0, None),  # none in force
        ("白石县", "2026-08", "accepted", False, datetime(2026, 9, 7), 0, 4, None),
        ("外县", "2026-10", "accepted", True, datetime(2026, 11, 1), 0, 0, None),
        (None, "2026-10", "rejected", False, datetime(2026, 11, 1), 1, 0, None),
        ("松溪县", None, "rejected", False, datetime(2026, 11, 1), 1, 0, None),
        ("松溪县", "2026-11", "accepted", True, datetime(2026, 12, 5, 23, 59), 0, 0, None),
    ]
    zone = Zone(name="测试区", source="测试", due_day=5, counties=listed)
    with open_db(db_path) as con:
        for n, (county, period, status, forced, received, errors, warnings, review) in enumerate(subs):
            con.execute("INSERT INTO submission (county, period, file_name, sha256, received_at, ingested_at, status,"
                        " in_force, archive_path, n_errors, n_warnings, review_status)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'x', ?, ?, ?)",
                        [county, period, f"文件{n}.xlsx", f"sha{n}", received, received, status, forced,
                         errors, warnings, review])
        for period in (None, "2026-10", "2026-09", "2026-08"):
            got, want = submission_matrix(con, period, zone=zone), _reference_matrix(con, zone, period)
            assert len(got) > 0 and set(got["status"]) >= ({"未报送"} if period == "2026-09" else set())
            assert_frame_equal(got, want)
        whole = submission_matrix(con, zone=zone)
        assert {"按时", "逾期", "已驳回", "未报送"} <= set(whole["status"])
