"""The demo zone: deterministic data, planted variation, every workbook accepted by the real ingest."""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from core.db import open_db
from core.demo.build import build_demo, demo_features, demo_jobs, write_job
from core.demo.plan import latest_complete_month, periods_ending
from core.demo.zone import generate_zone
from core.submission.bands import SCHOOL_TYPES
from core.submission.status import LATE, MISSING, ON_TIME, submission_matrix
from core.submission.validate import validate_workbook

TODAY = date(2026, 11, 23)
FRAMES = ("counties", "school", "pe", "homework", "quality", "whole_child", "submissions", "patches")


@pytest.fixture(scope="module")
def zone():
    """The full embedded demo zone as data (no workbooks written)."""
    return generate_zone(end_period=latest_complete_month(TODAY))


@pytest.fixture(scope="module")
def small_zone():
    """8 counties (one of each behaviour) × 4 schools × 4 months and the open one: every layout and event."""
    return generate_zone(8, 4, 4, end_period="2026-10", today=TODAY, open_period="2026-11")


@pytest.mark.parametrize("today, expected", [
    (date(2026, 11, 23), "2026-10"), (date(2026, 1, 3), "2025-12"), (date(2026, 12, 31), "2026-11")])
def test_latest_complete_month(today, expected):
    assert latest_complete_month(today) == expected


def test_24_months_end_with_the_latest_complete_month(zone):
    assert zone.periods == periods_ending("2026-10", 24)
    assert (zone.periods[0], zone.periods[-1], len(zone.periods)) == ("2024-11", "2026-10", 24)
    assert sorted(zone.school["period"].unique()) == zone.periods


def test_generation_is_deterministic():
    a, b = generate_zone(8, 6, 4, seed=7), generate_zone(8, 6, 4, seed=7)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    other = generate_zone(8, 6, 4, seed=8)
    assert not other.pe["activity_minutes"].equals(a.pe["activity_minutes"])


def test_workbook_bytes_are_deterministic(small_zone):
    job = demo_jobs(small_zone)[0]
    assert write_job(job) == write_job(job)


def test_zone_shape(zone):
    last = zone.school[zone.school["period"] == zone.periods[-1]]
    per_county = last.groupby("county").size()
    assert len(per_county) == 8
    assert per_county.between(40, 121).all()
    assert not {"松溪县", "白石县", "望江区"} & set(per_county.index)
    assert set(last["school_type"]) == set(SCHOOL_TYPES)
    assert set(last["locale"]) == {"城区", "镇区", "乡村"}
    assert last["school_id"].str.fullmatch(r"\d{10}").all() and last["school_id"].is_unique
    assert last.groupby("county")["name"].apply(lambda s: s.is_unique).all()
    assert last["students"].between(1, 10000).all() and last["teachers"].between(1, 1000).all()


def test_benchmark_scale():
    big = generate_zone(10, 150, 24, seed=1)
    last = big.school[big.school["period"] == big.periods[-1]]
    assert last.groupby("county").size().eq(150).all() and len(last) == 1500
    assert len(big.periods) == 24 and big.counties["county"].is_unique


def test_missing_late_and_correction_events(zone):
    subs = zone.submissions
    sent = set(zip(subs["county"], subs["period"]))
    missing = [(c, p) for c in zone.counties["county"] for p in zone.periods if (c, p) not in sent]
    assert missing == [("枫林县", "2026-02")]
    due = subs["period"].map(lambda p: _due(p))
    late = subs[subs["received_at"] >= due]
    assert list(zip(late["county"], late["period"], late["version"])) == [
        ("云岭县", "2026-09", "correction"), ("东湖区", "2026-10", "only")]
    pair = subs[(subs["county"] == "云岭县") & (subs["period"] == "2026-09")]
    assert list(pair["version"]) == ["first", "correction"]
    assert pair["received_at"].is_monotonic_increasing
    assert subs["received_at"].is_monotonic_increasing  # ingested in the order they were sent
    assert (subs["received_at"] < pd.Timestamp(TODAY)).all()
    features = demo_features(zone)  # the summary tells where the planted events are
    assert "2026-02 未报送" in features["枫林县"]
    assert any(n.startswith("2026-10 逾期报送") for n in features["东湖区"])
    assert any(n.startswith("2026-09 更正重报") for n in features["云岭县"])


def _due(period: str) -> pd.Timestamp:
    y, m = (int(x) for x in period.split("-"))
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return pd.Timestamp(datetime(y, m, 5) + timedelta(days=1))


def test_quality_sheet_sent_in_some_months_and_levels_rise(zone):
    q = zone.quality
    months = q.groupby("county")["period"].nunique()
    assert months.between(4, 12).all()  # first month, then every few months, never every month
    assert (q.groupby("county")["period"].min() == zone.periods[0]).all()
    order = {"无": 0, "县级": 1, "市级": 2, "省级": 3}
    rank = q.assign(r=q["level"].map(order)).pivot_table(index="school_id", columns="period", values="r")
    diffs = rank.ffill(axis=1).diff(axis=1)
    assert (diffs.fillna(0) >= 0).all().all()  # a certified school is never downgraded
    assert (diffs.fillna(0) > 0).to_numpy().sum() >= 30  # schools upgraded over time
    first = q[q["period"] == zone.periods[0]]
    last = q.sort_values("period").groupby("school_id").tail(1)  # carried forward
    count = lambda f: int(f["level"].isin(["市级", "省级"]).sum())  # noqa: E731
    assert count(last) > count(first) + 20
    assert q.loc[q["level"] == "无", "year"].isna().all() and q.loc[q["level"] != "无", "year"].notna().all()
    assert (q.loc[q["level"] != "无", "year"] <= q.loc[q["level"] != "无", "period"].str[:4].astype(int)).all()


def test_whole_child_sheet_sent_once_a_school_year(zone):
    w = zone.whole_child
    months = w.groupby("county")["period"].apply(lambda s: sorted(set(s)))
    assert all(m == [zone.periods[0], "2025-09", "2026-09"] for m in months)
    school = zone.school.merge(w, on=["county", "period", "school_id"])
    assert len(school) == len(w)  # every row is a roster school of that month
    assert (w["psych_fulltime"] <= school["teachers"]).all() and (w["psych_parttime"].dropna() >= 0).all()
    assert w["labor_lessons"].between(0, 10).all() and w["psych_parttime"].isna().any()
    per_10 = school.groupby(["county", "period"]).apply(
        lambda d: d["psych_fulltime"].sum() / d["classes"].sum() * 10, include_groups=False).unstack()
    rise = per_10[zone.periods[-2][:4] + "-09"] - per_10[zone.periods[0]]
    assert set(rise[rise > 0.3].index) == {"云岭县", "临江区", "龙泉县"}  # a few counties add 专职 teachers
    assert (rise > -0.05).all()
    parent = school.groupby("county")["parent_school"].mean()
    assert parent.idxmin() == "石门县" and parent["石门县"] < 0.7 < parent.drop("石门县").min()


def test_whole_child_draws_leave_the_other_sheets_alone(monkeypatch):
    """The 综合育人 sheets use a generator of their own: without them the rest of the zone is the same."""
    import core.demo.zone as demo_zone
    with_sheet = generate_zone(8, 6, 13, seed=7, end_period="2026-10")
    monkeypatch.setattr(demo_zone, "whole_child_sheets", lambda *a, **k: pd.DataFrame())
    without = generate_zone(8, 6, 13, seed=7, end_period="2026-10")
    assert len(with_sheet.whole_child) and without.whole_child.empty
    for name in ("school", "pe", "homework", "quality", "submissions", "patches"):
        pd.testing.assert_frame_equal(getattr(with_sheet, name), getattr(without, name))


def test_fitness_filled_once_a_year(zone):
    filled = zone.pe[zone.pe["fitness_tested"].notna()]
    months = filled.groupby("county")["period"].apply(lambda s: sorted(set(s.str[5:])))
    assert set(map(tuple, months)) == {("10",), ("12",)}
    assert (filled["fitness_passed"] <= filled["fitness_tested"]).all()
    assert (filled["fitness_good"] <= filled["fitness_passed"]).all()


def test_lagging_and_improving_counties(zone):
    hw = zone.homework.dropna(subset=["g36_minutes"])
    ok36 = (hw["g36_minutes"] <= 60).groupby(hw["county"]).mean()
    assert ok36.idxmin() == "石门县" and ok36["石门县"] < 0.8
    pe = zone.pe
    hour = (pe["activity_minutes"] >= 60).groupby([pe["county"], pe["period"]]).mean().unstack()
    assert hour.mean(axis=1).idxmin() == "清溪县"
    assert hour.loc["临江区", zone.periods[-1]] - hour.loc["临江区", zone.periods[0]] > 0.3
    winter = pe["period"].str[5:].isin(["12", "01", "02"])
    assert pe.loc[winter, "activity_minutes"].mean() < pe.loc[~winter, "activity_minutes"].mean() - 4


def test_resources_around_the_thresholds(zone):
    """Roughly half to most compulsory schools meet the 7-item rule (indicators.md), not all."""
    q = zone.quality[zone.quality["period"] == zone.periods[0]]
    s = zone.school[zone.school["period"] == zone.periods[0]].merge(q, on=["school_id", "county", "period"])
    s = s[s["school_type"] != "高级中学"]
    primary = (s["school_type"] == "小学").to_numpy()
    per100 = 100 / s["students"]
    items = np.c_[s["higher_degree_teachers"] * per100, s["backbone_teachers"] * per100,
                  s["pe_art_teachers"] * per100, s["teaching_area"] / s["students"],
                  s["sports_area"] / s["students"], s["equipment_value"] * 10000 / s["students"],
                  s["multimedia_rooms"] * per100]
    limits = np.where(primary[:, None], [4.2, 1.0, 0.9, 4.5, 7.5, 2000, 2.3], [5.3, 1.0, 0.9, 5.8, 10.2, 2500, 2.4])
    ratio = items / limits
    meets = ((ratio >= 1).sum(axis=1) >= 6) & (ratio.min(axis=1) >= 0.85)
    assert 0.4 < meets.mean() < 0.9


def test_every_demo_workbook_is_accepted(small_zone):
    jobs = demo_jobs(small_zone)
    layouts = {j.layout for j in jobs}
    assert layouts == {"template", "titled", "retyped", "filename"}
    for job in jobs:
        parsed = validate_workbook(write_job(job), job.file_name)
        errors = [i.message for i in parsed.issues if i.severity == "error"]
        assert parsed.ok, (job.file_name, errors[:3])
        assert (parsed.county, parsed.period) == (job.county, job.period)
        assert parsed.rows["学校名册"] == len(job.sheets["school"])
        assert parsed.rows["优质学校"] == (len(job.sheets["quality"]) if "quality" in job.sheets else 0)
        assert parsed.rows["综合育人"] == (len(job.sheets["whole_child"]) if "whole_child" in job.sheets else 0)


def test_build_demo_through_ingest(db_path, tmp_path, small_zone):
    calls = []
    summary = build_demo(db_path, tmp_path / "wb", today=TODAY, progress=lambda i, n, label: calls.append((i, n)),
                         n_counties=8, schools_per_county=4, months=4, workers=1)
    n_jobs = len(small_zone.submissions)
    assert summary["statuses"] == {"accepted": n_jobs} and summary["rejected"] == []
    # two preparation steps (zone generated, workbooks known) before each loaded workbook
    assert calls[:2] == [(0, 0), (0, n_jobs)] and calls[-1] == (n_jobs, n_jobs) and len(calls) == n_jobs + 2
    assert len(list((tmp_path / "wb").glob("*.xlsx"))) == n_jobs
    with open_db(db_path) as con:
        matrix = submission_matrix(con)
        subs = con.execute("SELECT id, county, period, file_name, in_force, replaces FROM submission"
                           " ORDER BY id").df()
        minutes = con.execute(
            "SELECT s.in_force, avg(p.activity_minutes) FROM pe p JOIN submission s ON s.id = p.submission_id"
            " WHERE s.county = '云岭县' AND s.period = '2026-09' GROUP BY s.in_force").fetchall()
    status = {(r.county, r.period): r.status for r in matrix.itertuples() if r.period != "2026-11"}
    assert status[("枫林县", "2026-09")] == MISSING  # the middle month of a 4-month range
    assert status[("东湖区", "2026-10")] == LATE
    assert status[("云岭县", "2026-09")] == ON_TIME  # the first version was on time
    assert sum(s == MISSING for s in status.values()) == 1 and sum(s == LATE for s in status.values()) == 1
    pair = subs[(subs["county"] == "云岭县") & (subs["period"] == "2026-09")]
    assert len(pair) == 2
    first, correction = pair.iloc[0], pair.iloc[1]
    assert correction["file_name"].endswith("(更正).xlsx") and correction["in_force"] and not first["in_force"]
    assert correction["replaces"] == first["id"]
    by_force = dict(minutes)
    assert by_force[True] > by_force[False]  # the first version had hours typed as minutes


def test_demo_ends_with_a_closed_complete_month_and_an_open_partial_one(db_path, tmp_path):
    from core.indicators import default_period, month_choices

    today = date(2026, 11, 30)
    summary = build_demo(db_path, tmp_path / "wb", today=today, n_counties=8, schools_per_county=4, months=2,
                         workers=1)
    assert summary["periods"] == ["2026-09", "2026-10"] and summary["open_period"] == "2026-11"
    with open_db(db_path) as con:
        choices = {c.period: c for c in month_choices(con, today)}
        assert default_period(con, today) == "2026-10"
        received = con.execute("SELECT max(received_at) FROM submission WHERE period = '2026-11'").fetchone()[0]
    closed, open_ = choices["2026-10"], choices["2026-11"]
    assert closed.complete and closed.closed
    assert (open_.n_reporting, open_.n_expected, open_.closed) == (3, 8, False)
    assert received < datetime(2026, 11, 30)  # sent early, before "today"


def test_demo_command_json_rebuilds_from_scratch(db_path, tmp_path, capsys):
    from core.cli import main
    argv = ["demo", "--db", str(db_path), "--workbooks", str(tmp_path / "wb"), "--today", "2026-11-23",
            "--counties", "3", "--schools", "4", "--months", "3", "--json"]
    hashes = []
    for _ in range(2):
        code = main(argv)
        out = json.loads(capsys.readouterr().out)
        assert code == 0
        assert out["counties"] == ["云岭县", "石门县", "清溪县"] and out["periods"] == ["2026-08", "2026-10"]
        assert out["open_period"] == "2026-11"
        # 3 closed months × 3 counties, a correction, and the 'good' county's early open-month workbook
        assert out["statuses"] == {"accepted": out["workbooks"]} and out["workbooks"] == 3 * 3 + 1 + 1
        hashes.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / "wb").iterdir()})
        with open_db(db_path) as con:  # the old database was deleted, not added to
            assert con.execute("SELECT count(*) FROM submission").fetchone()[0] == out["workbooks"]
    assert hashes[0] == hashes[1] and len(hashes[0]) == 11


def test_demo_command_rejects_bad_sizes(db_path, capsys):
    from core.cli import main
    assert main(["demo", "--db", str(db_path), "--months", "0"]) == 2
    assert "--months" in capsys.readouterr().err


def test_nothing_is_received_after_the_day_the_demo_is_built():
    """Built on the 1st, the newest closed month's workbooks (due by the 5th, the late one on the 9th, a
    correction on the 12th) would otherwise be dated in the future, and 数据截至 with them."""
    from datetime import datetime

    built = date(2026, 12, 1)
    z = generate_zone(8, 4, 4, end_period=latest_complete_month(built), today=built, open_period="2026-12")
    assert z.submissions["received_at"].max() <= datetime(2026, 12, 1, 8, 0)
    assert set(z.submissions["period"]) >= {"2026-11", "2026-12"}
