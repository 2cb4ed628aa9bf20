"""Indicators: the sample oracle, carry-forward rules, scope and levels, change, CLI output."""
from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from core.indicators import (
    available_periods,
    compute_indicators,
    indicator_trend,
    missing_counties,
    rating_key,
    resource_table,
    school_detail,
    school_history,
)
from core.indicators.compute import COLUMNS
from core.indicators.trend import project

SCHEMA = (Path(__file__).resolve().parent.parent / "core" / "sql" / "schema.sql").read_text(encoding="utf-8")
CONTRACT = ["indicator", "name", "period", "level", "county", "school_id", "stage", "value", "numerator",
            "denominator", "unit", "target", "direction", "expected", "status"]


# ----------------------------------------------------------------- hand-built databases

def new_db(path=":memory:") -> duckdb.DuckDBPyConnection:
    """A database with the project schema (no ingest), for hand-built rows."""
    con = duckdb.connect(str(path))
    con.execute(SCHEMA)
    return con


def add_submission(con, county: str, period: str, schools: list[dict], quality: list[dict] = (),
                   received: str = "2026-01-01 09:00", in_force: bool = True) -> int:
    """Insert one accepted workbook; school dicts give id and override defaults (a compliant 小学)."""
    sid = con.execute(
        "INSERT INTO submission (county, period, file_name, sha256, received_at, ingested_at, status, in_force,"
        " archive_path) VALUES (?, ?, 'x.xlsx', ?, ?, ?, 'accepted', ?, 'x') RETURNING id",
        [county, period, f"{county}{period}{received}{in_force}", received, received, in_force]).fetchone()[0]
    for s in schools:
        con.execute("INSERT INTO school VALUES (?, ?, ?, ?, ?, '城区', ?, 10, 10)",
                    [sid, s["id"], s.get("name", f"学校{s['id']}"), county, s.get("type", "小学"),
                     s.get("students", 100)])
        if s.get("pe", True):
            con.execute("INSERT INTO pe VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [sid, s["id"], s.get("l12", 4), s.get("l36", 3), s.get("l79"), s.get("l1012"),
                         s.get("act", 60), s.get("tested"), s.get("passed"), s.get("good")])
        if s.get("hw", True):
            con.execute("INSERT INTO homework VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [sid, s["id"], s.get("g12w", False), s.get("g36", 50), s.get("g79"), s.get("pub", True),
                         s.get("after", 80)])
    for q in quality:
        con.execute("INSERT INTO quality VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [sid, q["id"], q.get("level", "无"), q.get("year"), q.get("hd", 5), q.get("bb", 1),
                     q.get("pa", 1), q.get("ta", 500), q.get("sa", 800), q.get("ev", 25), q.get("mm", 3)])
    return sid


def value(con, indicator, period, level="zone", county=None, school_id=None, stage=None):
    """The one row of compute_indicators matching the key (None if absent)."""
    df = compute_indicators(con, period, level, county if level != "zone" else None, indicator)
    for r in df.to_dict("records"):
        if r["county"] == county and r["school_id"] == school_id and r["stage"] == stage:
            return r
    return None


# ----------------------------------------------------------------- the oracle (real ingest)

@pytest.fixture(scope="session")
def sample_db(tmp_path_factory, reference_dir) -> Path:
    """The reference samples (../shared/samples) ingested once through the real pipeline."""
    return _ingested(tmp_path_factory, reference_dir / "workbooks")


@pytest.fixture(scope="session")
def own_db(tmp_path_factory, _own_samples) -> Path:
    """The tests' own sample zone (tests/sample_zone.py) ingested once through the real pipeline."""
    return _ingested(tmp_path_factory, _own_samples)


def _ingested(tmp_path_factory, folder: Path) -> Path:
    from core.submission.ingest import ingest_paths
    path = tmp_path_factory.mktemp("oracle") / "pilot.duckdb"
    batch = ingest_paths([folder], db_path=path, received_at=datetime(2026, 11, 1, 9))
    rejected = [(r.file, [i.message for i in r.issues]) for r in batch.results if r.status != "accepted"]
    assert not rejected, rejected
    return path


def _close(got, want) -> bool:
    if want is None or got is None:
        return got is None and want is None
    return math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-12 if want == 0 else 0.0)


@pytest.mark.parametrize("month", ["2026-10", "2026-07"])
def test_matches_oracle(sample_db, reference_dir, month):
    from core.db import open_db
    expected = json.loads((reference_dir / f"expected-indicators-{month}.json").read_text(encoding="utf-8"))
    with open_db(sample_db) as con:
        rows = [r for lv in ("zone", "county") for r in compute_indicators(con, month, lv).to_dict("records")]
    got = {(r["indicator"], r["level"], r["county"], r["stage"]): r for r in rows}
    problems = []
    for e in expected:
        key = (e["indicator"], e["level"], e["county"], e["stage"])
        if key not in got:
            problems.append(("missing", key))
            continue
        for field in ("value", "numerator", "denominator"):
            if not _close(got[key][field], e[field]):
                problems.append((key, field, got[key][field], e[field]))
    assert problems == []
    assert len(expected) == 80


def test_cli_json_matches_oracle(sample_db, reference_dir, capsys):
    from core.cli import main
    assert main(["indicators", "--db", str(sample_db), "--period", "2026-10", "--level", "county",
                 "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert list(rows[0])[:len(CONTRACT)] == CONTRACT
    expected = json.loads((reference_dir / "expected-indicators-2026-10.json").read_text(encoding="utf-8"))
    got = {(r["indicator"], r["county"], r["stage"]): r for r in rows}
    for e in (e for e in expected if e["level"] == "county"):
        r = got[(e["indicator"], e["county"], e["stage"])]
        assert _close(r["value"], e["value"]) and r["numerator"] == e["numerator"], e
        assert r["denominator"] == e["denominator"], e


def test_cli_table_and_csv(own_db, capsys):
    from core.cli import main
    from core.db import open_db
    with open_db(own_db) as con:
        row = compute_indicators(con, "2026-10", "zone", indicator="activity_hour_compliance").iloc[0]
        schools = compute_indicators(con, "2026-10", "school", "白石县", "fitness_pass_rate")
    assert main(["indicators", "--db", str(own_db), "--period", "2026-10"]) == 0
    out = capsys.readouterr().out
    shown = f"{row['value']:.1f}%"
    assert "校内体育活动1小时达标率" in out and shown in out
    assert f"{row['numerator']:.0f}/{row['denominator']:.0f}" in out
    assert main(["indicators", "--db", str(own_db), "--period", "2026-10", "--format", "csv",
                 "--indicator", "fitness_pass_rate", "--level", "school", "--county", "白石县"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].lstrip("\ufeff").split(",")[:len(CONTRACT)] == CONTRACT
    assert len(lines) == 1 + len(schools) and len(schools) >= 16
    assert all(",school,白石县," in ln for ln in lines[1:])
    assert main(["indicators", "--db", str(own_db), "--indicator", "nope"]) == 2
    assert main(["indicators", "--db", str(own_db), "--county", "不存在县"]) == 1


def test_sample_resource_table_and_school_levels(sample_db):
    from core.db import open_db
    with open_db(sample_db) as con:
        table = resource_table(con, "2026-10")
        schools = compute_indicators(con, "2026-10", "school", indicator="activity_hour_compliance")
        detail = school_detail(con, "2026-10")
    comp = table[(table["county"] == "白石县") & (table["stage"] == "primary") & (table["code"] == "综合")]
    assert comp["cv"].iloc[0] == pytest.approx(0.25464673048697806, rel=1e-9)
    assert set(table["code"]) == {"L1", "L2", "L3", "L4", "L5", "L6", "L7", "综合"}
    assert (table["cv_ok"] == (table["cv"] <= table["cv_limit"])).all()
    # 41 of 51 schools reach the hour (oracle), and the school rows say which
    assert len(schools) == 51 and (schools["value"] == 100.0).sum() == 41
    assert int(detail["activity_ok"].sum()) == 41 and len(detail) == 51


# ----------------------------------------------------------------- carry-forward (hand-built)

@pytest.mark.parametrize("quality_months, roster_months, month, expect", [
    # (months whose 优质学校 sheet has the school as 市级, months it is on the roster, month asked, count)
    (["2026-03"], ["2026-03", "2026-05"], "2026-05", 1.0),      # carried forward from March
    (["2026-06"], ["2026-03", "2026-05", "2026-06"], "2026-05", 0.0),  # a later sheet does not count
    ([], ["2026-05"], "2026-05", 0.0),                          # never sent: not a quality school
    (["2026-03"], ["2026-03"], "2026-05", None),                # not on May's roster: county has no data
])
def test_quality_carry_forward(quality_months, roster_months, month, expect):
    con = new_db()
    for m in sorted(set(quality_months) | set(roster_months) | {month}):
        schools = [{"id": "S1"}] if m in roster_months else [{"id": "S2"}]
        quality = [{"id": "S1", "level": "市级"}] if m in quality_months and m in roster_months else []
        add_submission(con, "甲县", m, schools, quality)
    row = value(con, "quality_schools", month, "school", "甲县", "S1")
    assert (row["value"] if row else None) == expect


def test_quality_newest_sheet_wins_and_upgrade():
    con = new_db()
    add_submission(con, "甲县", "2026-03", [{"id": "S1"}], [{"id": "S1", "level": "县级"}])
    add_submission(con, "甲县", "2026-04", [{"id": "S1"}])
    add_submission(con, "甲县", "2026-05", [{"id": "S1"}], [{"id": "S1", "level": "省级"}])
    add_submission(con, "甲县", "2026-06", [{"id": "S1"}])
    assert value(con, "quality_schools", "2026-04")["value"] == 0.0
    assert value(con, "quality_schools_provincial", "2026-06")["value"] == 1.0
    # a replaced (not in force) correction is ignored
    add_submission(con, "甲县", "2026-06", [{"id": "S1"}], [{"id": "S1", "level": "无"}], in_force=False)
    assert value(con, "quality_schools", "2026-06")["value"] == 1.0


@pytest.mark.parametrize("filled_month, month, expect", [
    ("2026-10", "2026-10", 90.0),
    ("2025-11", "2026-10", 90.0),   # M−11: still inside the 12-month window
    ("2025-10", "2026-10", None),   # M−12: too old → 无数据
    ("2026-11", "2026-10", None),   # a later month never counts
])
def test_fitness_carry_forward_window(filled_month, month, expect):
    con = new_db()
    for m in sorted({filled_month, month}):
        fit = {"tested": 100, "passed": 90, "good": 50} if m == filled_month else {}
        add_submission(con, "甲县", m, [{"id": "S1", **fit}])
    row = value(con, "fitness_pass_rate", month, "county", "甲县")
    assert row["value"] == expect
    assert row["denominator"] == (100 if expect is not None else 0)


def test_fitness_newest_filled_month_wins():
    con = new_db()
    add_submission(con, "甲县", "2026-01", [{"id": "S1", "tested": 100, "passed": 80, "good": 40}])
    add_submission(con, "甲县", "2026-03", [{"id": "S1", "tested": 200, "passed": 190, "good": 120}])
    add_submission(con, "甲县", "2026-05", [{"id": "S1"}])
    row = value(con, "fitness_good_rate", "2026-05")
    assert (row["numerator"], row["denominator"], row["value"]) == (120, 200, 60.0)


@pytest.mark.parametrize("november", [None, 0])
def test_fitness_zero_triple_keeps_the_carried_forward_results(november, db_path):
    """Through the real ingest: November's 体质健康 0/0/0 (not tested this month) keeps October's rate, as blanks do."""
    from builders import build_workbook, valid_submission_sheets

    from core.db import open_db
    from core.submission.ingest import ingest_file
    for period, fitness in (("2026-10", (300, 270, 150)), ("2026-11", (november,) * 3)):
        sheets = valid_submission_sheets("云岭县", period, n_schools=6)
        for row in sheets["体育"][1:]:
            row[7:10] = fitness
        res = ingest_file(build_workbook(sheets), file_name=f"云岭县_{period}.xlsx", db_path=db_path,
                          received_at=datetime(2026, 12, 3))
        assert res.status == "accepted", res
    with open_db(db_path) as con:
        row = value(con, "fitness_pass_rate", "2026-11", "county", "云岭县")
    assert (row["numerator"], row["denominator"], row["value"]) == (6 * 270, 6 * 300, 90.0)


# ----------------------------------------------------------------- scope, zone, levels

def test_zone_uses_counties_with_data_and_lists_missing():
    con = new_db()
    add_submission(con, "甲县", "2026-04", [{"id": "A1", "act": 70}, {"id": "A2", "act": 50}])
    add_submission(con, "乙县", "2026-03", [{"id": "B1", "act": 80}])
    row = value(con, "activity_hour_compliance", "2026-04")
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 2, 50.0)
    assert missing_counties(con, "2026-04") == ["乙县"]
    assert available_periods(con) == ["2026-03", "2026-04"]


def test_ratio_of_sums_and_student_weighting():
    con = new_db()
    add_submission(con, "甲县", "2026-04", [{"id": "A1", "students": 100, "act": 90, "after": 100},
                                           {"id": "A2", "students": 300, "act": 50, "after": 150}])
    assert value(con, "activity_minutes_mean", "2026-04")["value"] == pytest.approx(60.0)
    after = value(con, "afterschool_rate", "2026-04")
    assert (after["numerator"], after["denominator"]) == (250, 400) and after["value"] == 62.5


def test_homework_and_pe_scope_by_school_type():
    con = new_db()
    add_submission(con, "甲县", "2026-04", [
        {"id": "P1", "g36": 61, "l12": 3},                                      # 小学: too long, short lesson
        {"id": "J1", "type": "初级中学", "l12": None, "l36": None, "l79": 3, "g12w": None, "g36": None,
         "g79": 90},
        {"id": "H1", "type": "高级中学", "l12": None, "l36": None, "l1012": 2, "g12w": None, "g36": None,
         "after": None},
    ])
    g36 = value(con, "hw_g36_compliance", "2026-04")
    assert (g36["numerator"], g36["denominator"]) == (0, 1)
    g79 = value(con, "hw_g79_compliance", "2026-04")
    assert (g79["numerator"], g79["denominator"]) == (1, 1)          # ≤ 90 is compliant
    pe = value(con, "pe_lessons_compliance", "2026-04")
    assert (pe["numerator"], pe["denominator"]) == (2, 3)
    after = value(con, "afterschool_rate", "2026-04")
    assert after["denominator"] == 200                                # 高级中学 not counted
    schools = compute_indicators(con, "2026-04", "school", indicator="hw_g79_compliance")
    assert list(schools["school_id"]) == ["J1"]                       # out-of-scope schools have no row


def test_empty_denominator_is_null_not_zero():
    con = new_db()
    add_submission(con, "甲县", "2026-04", [{"id": "P1"}])
    row = value(con, "hw_g79_compliance", "2026-04")
    assert row["value"] is None and row["denominator"] == 0 and row["status"] == "none"


def test_resource_rule_and_cv():
    con = new_db()
    base = {"hd": 5, "bb": 1, "pa": 1, "ta": 500, "sa": 800, "ev": 25, "mm": 3}   # 100 students: all pass
    add_submission(con, "甲县", "2026-04", [{"id": "P1"}, {"id": "P2"}, {"id": "P3"}, {"id": "P4", "students": 300}],
                   [{"id": "P1", **base},
                    {"id": "P2", **base, "mm": 2},            # one item at 2.0/2.3 = 87 % ≥ 85 %: meets
                    {"id": "P3", **base, "mm": 1},            # one item at 43 %: fails
                    {"id": "P4", **base, "hd": 15, "ev": 60, "mm": 6}])  # 2 items short (r4, r5): fails
    rate = value(con, "resource_pass_rate", "2026-04")
    assert (rate["numerator"], rate["denominator"]) == (2, 4)
    # r1 values 5,5,5,5 (weights 100,100,100,300) → CV 0; r7 values 3,2,1,2 → weighted mean 2, CV √(2/6)/2
    table = resource_table(con, "2026-04")
    cv = dict(zip(table["item"], table["cv"]))
    assert cv["r1"] == pytest.approx(0.0, abs=1e-12)
    assert cv["r7"] == pytest.approx(math.sqrt((100 * 1 + 0 + 100 * 1 + 0) / 600) / 2, rel=1e-12)
    cvmax = value(con, "resource_cv_max", "2026-04", stage="primary")
    assert cvmax["value"] == pytest.approx(max(c for k, c in cv.items() if k != "composite"))


def test_cv_needs_two_schools_and_zone_takes_largest():
    con = new_db()
    add_submission(con, "甲县", "2026-04", [{"id": "A1"}, {"id": "A2", "students": 200}],
                   [{"id": "A1"}, {"id": "A2", "mm": 3}])
    add_submission(con, "乙县", "2026-04", [{"id": "B1"}], [{"id": "B1"}])
    assert value(con, "resource_cv_max", "2026-04", "county", "乙县", stage="primary")["value"] is None
    a = value(con, "resource_cv_composite", "2026-04", "county", "甲县", stage="primary")["value"]
    assert a > 0
    assert value(con, "resource_cv_composite", "2026-04", stage="primary")["value"] == pytest.approx(a)


def test_on_time_rate_counts_zone_counties():
    con = new_db()
    add_submission(con, "甲县", "2026-04", [{"id": "A1"}], received="2026-05-05 23:59")   # due day: on time
    add_submission(con, "乙县", "2026-04", [{"id": "B1"}], received="2026-05-06 08:00")   # late
    add_submission(con, "丙县", "2026-03", [{"id": "C1"}])                                 # none for April
    row = value(con, "submission_on_time_rate", "2026-04")
    assert (row["numerator"], row["denominator"]) == (1, 3)


def test_school_coverage_counts_rows_in_both_sheets():
    con = new_db()
    add_submission(con, "甲县", "2026-04", [{"id": "A1"}, {"id": "A2", "hw": False}, {"id": "A3", "pe": False}])
    row = value(con, "school_coverage", "2026-04")
    assert (row["numerator"], row["denominator"]) == (1, 3)


# ----------------------------------------------------------------- change, trend, drill-down

def test_change_rating_and_trend():
    con = new_db()
    add_submission(con, "甲县", "2026-03", [{"id": "A1", "act": 50}, {"id": "A2", "act": 70}])
    add_submission(con, "甲县", "2026-04", [{"id": "A1", "act": 60}, {"id": "A2", "act": 70}])
    row = value(con, "activity_hour_compliance", "2026-04")
    assert (row["prev_value"], row["change"], row["change_direction"]) == (50.0, 50.0, "up")
    assert row["status"] == "green" and row["improving"] is True and row["rating"] == 5
    df = compute_indicators(con, "2026-04")
    assert list(df.columns) == COLUMNS and list(df.columns[:len(CONTRACT)]) == CONTRACT
    trend = indicator_trend(con, "activity_hour_compliance", end="2026-04", months=3)
    assert list(trend["period"]) == ["2026-03", "2026-04"] and list(trend["value"]) == [50.0, 100.0]
    assert [k["rating"] for k in rating_key()] == [5, 4, 3, 2, 1]


def test_projection_is_least_squares_line():
    points = [("2026-01", 10.0), ("2026-02", 12.0), ("2026-03", 14.0)]
    assert project(points, "2026-12") == pytest.approx(32.0)
    assert project(points[:1], "2026-12") is None


def test_school_detail_and_history():
    con = new_db()
    add_submission(con, "甲县", "2026-03", [{"id": "A1", "act": 50}])
    add_submission(con, "甲县", "2026-04", [{"id": "A1", "act": 65, "g36": 70}])
    detail = school_detail(con, "2026-04")
    r = detail.iloc[0]
    assert (r["activity_minutes"], r["activity_ok"], r["hw_g36_ok"], r["lessons_ok"]) == (65.0, True, False, True)
    hist = school_history(con, "A1")
    assert list(hist["period"]) == ["2026-03", "2026-04"] and list(hist["activity_ok"]) == [False, True]
    add_submission(con, "乙县", "2026-04", [{"id": "A1", "act": 30}])  # the same code in another county
    assert list(school_history(con, "A1", county="甲县")["activity_minutes"]) == [50.0, 65.0]
    assert list(school_history(con, "A1", county="乙县")["activity_minutes"]) == [30.0]
    # as of a month a page shows: never a later month (an open one, not yet a result)
    assert list(school_history(con, "A1", county="甲县", end="2026-03")["period"]) == ["2026-03"]


@pytest.mark.parametrize("level", ["zone", "county", "school"])
def test_catalogue_ids_equal_computed_ids(own_db, level):
    """Every catalogue entry is computed, and nothing else (one entry = one indicator)."""
    from core.db import open_db
    from core.indicators.catalog import load_catalog
    with open_db(own_db) as con:
        computed = set(compute_indicators(con, "2026-10", level)["indicator"])
    assert computed == {i.id for i in load_catalog().indicator if level in i.levels}


def test_a_catalogue_entry_counting_an_unknown_column_fails_loudly(monkeypatch, tmp_path):
    import core.indicators.catalog as catalog
    text = catalog.CATALOG_FILE.read_text(encoding="utf-8").replace('numerator = "activity_ok"',
                                                                    'numerator = "activity_okay"', 1)
    path = tmp_path / "indicators.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(catalog, "CATALOG_FILE", path)
    con = new_db()
    add_submission(con, "甲县", "2026-04", [{"id": "A1"}])
    with pytest.raises(duckdb.Error, match="activity_okay"):
        compute_indicators(con, "2026-04")


def test_a_new_indicator_is_one_catalogue_entry(monkeypatch, tmp_path):
    """What the 综合育人 indicators will need: an entry over the facts' columns, nothing else."""
    import core.indicators.catalog as catalog
    entry = '''
[[indicator]]
id = "probe_parent_school_rate"
name = "合格家长学校建成率(试)"
unit = "%"
topic = "whole_child"
kind = "rate"
direction = ">="
levels = ["zone", "county", "school"]
definition = "填「是」的学校数 ÷ 有综合育人数据的学校数 × 100%"
source = "测试"
scope = "has_whole_child"
numerator = "parent_school"
'''
    path = tmp_path / "indicators.toml"
    path.write_text(catalog.CATALOG_FILE.read_text(encoding="utf-8") + entry, encoding="utf-8")
    monkeypatch.setattr(catalog, "CATALOG_FILE", path)
    con = new_db()
    sid = add_submission(con, "甲县", "2026-04", [{"id": "A1"}, {"id": "A2"}, {"id": "A3"}])
    for school, yes in (("A1", True), ("A2", False)):  # A3 sent no 综合育人 row: out of scope
        con.execute("INSERT INTO whole_child VALUES (?, ?, 1, 1, NULL, ?, TRUE)", [sid, school, yes])
    row = value(con, "probe_parent_school_rate", "2026-04")
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 2, 50.0)
    schools = compute_indicators(con, "2026-04", "school", indicator="probe_parent_school_rate")
    assert sorted(zip(schools["school_id"], schools["value"])) == [("A1", 100.0), ("A2", 0.0)]
