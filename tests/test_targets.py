"""Targets: loading and checking data/targets.toml, and every status rule of indicators.md."""
from __future__ import annotations

import pytest

from core.indicators.catalog import CatalogError
from core.indicators.targets import Target, expected_value, judge, load_targets

GE = Target(indicator="activity_hour_compliance", direction=">=", value=100)
LE = Target(indicator="resource_cv_max", direction="<=", value=0.5, stage="primary")
GE_COUNT = Target(indicator="quality_schools_provincial", direction=">=", value=20)
TRAJ = Target(indicator="quality_schools", direction=">=", value=300, baseline_month="2024-12",
              baseline_value=100, target_month="2028-12")


@pytest.mark.parametrize("target, unit, val, status", [
    (GE, "%", 100.0, "green"),
    (GE, "%", 100.1, "green"),
    (GE, "%", 99.99, "amber"),
    (GE, "%", 95.0, "amber"),      # T − 5 pp exactly: still amber
    (GE, "%", 94.99, "red"),
    (GE_COUNT, "所", 20, "green"),
    (GE_COUNT, "所", 18, "amber"),  # T − 10 % of T exactly
    (GE_COUNT, "所", 17.9, "red"),
    (LE, "系数", 0.5, "green"),
    (LE, "系数", 0.3, "green"),
    (LE, "系数", 0.54, "amber"),
    (LE, "系数", 0.56, "red"),
    (GE, "%", None, "none"),
    (None, "%", 50.0, "none"),
])
def test_threshold_status(target, unit, val, status):
    assert judge(val, target, "2026-10", unit).status == status


def test_le_tolerance_edge_is_amber():
    edge = 0.5 + 0.1 * 0.5
    assert judge(edge, LE, "2026-10", "系数").status == "amber"


def test_explicit_tolerance():
    t = Target(indicator="fitness_pass_rate", direction=">=", value=97, tolerance=2)
    assert [judge(v, t, "2026-10", "%").status for v in (97, 95, 94.9)] == ["green", "amber", "red"]


@pytest.mark.parametrize("period, expected", [
    ("2024-12", 100.0), ("2026-12", 200.0), ("2028-12", 300.0),
    ("2024-06", 100.0),   # before the baseline: the baseline
    ("2029-06", 300.0),   # after the target month: the target
])
def test_trajectory_expected(period, expected):
    assert expected_value(TRAJ, period) == pytest.approx(expected)


@pytest.mark.parametrize("val, status", [
    (200.0, "green"),            # gap 0
    (180.0, "amber"),            # gap −0.10 exactly: amber
    (179.0, "red"),              # gap −0.105
    (199.0, "amber"),
    (250.0, "green"),
    (None, "none"),
])
def test_trajectory_status(val, status):
    j = judge(val, TRAJ, "2026-12", "所")
    assert j.status == status
    assert j.expected == pytest.approx(200.0)
    if val is not None:
        assert j.gap == pytest.approx((val - 200.0) / 200.0)
        assert j.remaining == pytest.approx(300.0 - val)


def test_default_targets_load_and_match_the_spec():
    targets = load_targets()
    assert targets.find("resource_cv_max", "zone", stage="primary").value == 0.50
    assert targets.find("resource_cv_max", "county", "任一县", stage="junior").value == 0.45
    assert targets.find("fitness_pass_rate", "county", "任一县").value == 97
    assert targets.find("fitness_good_rate", "zone").value == 55
    assert targets.find("resource_pass_rate", "zone").value == 85
    assert targets.find("afterschool_rate", "zone").value == 90
    for ind in ("activity_hour_compliance", "pe_lessons_compliance", "hw_g12_none_rate", "hw_g36_compliance",
                "hw_g79_compliance", "hw_publicity_rate", "submission_on_time_rate"):
        t = targets.find(ind, "zone")
        assert (t.direction, t.value) == (">=", 100)
    q = targets.find("quality_schools", "zone")
    assert q.is_trajectory and q.target_month == "2028-12"
    assert targets.find("quality_schools", "county", "任一县") is None


def test_county_specific_target_overrides(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text('[[target]]\nindicator = "afterschool_rate"\ndirection = ">="\nvalue = 90\n'
                    '[[target]]\nindicator = "afterschool_rate"\ndirection = ">="\nvalue = 80\ncounty = "乙县"\n',
                    encoding="utf-8")
    targets = load_targets(path)
    assert targets.find("afterschool_rate", "county", "乙县").value == 80
    assert targets.find("afterschool_rate", "county", "甲县").value == 90


@pytest.mark.parametrize("body, words", [
    ('indicator = "afterschool_rate"\ndirection = ">="\nvalue = 90\ncolour = "red"\n', ["afterschool_rate", "colour", "未知"]),
    ('indicator = "nope"\ndirection = ">="\nvalue = 90\n', ["nope", "没有这个指标"]),
    ('indicator = "afterschool_rate"\ndirection = "<="\nvalue = 90\n', ["afterschool_rate", "方向"]),
    ('indicator = "resource_cv_max"\ndirection = "<="\nvalue = 0.5\n', ["resource_cv_max", "stage"]),
    ('indicator = "afterschool_rate"\ndirection = ">="\n', ["afterschool_rate", "value", "缺少"]),
    ('indicator = "quality_schools"\ndirection = ">="\nvalue = 300\nbaseline_month = "2024-11"\n',
     ["quality_schools", "baseline_value"]),
    ('indicator = "quality_schools"\ndirection = ">="\nvalue = 300\nbaseline_month = "2024-13"\n'
     'baseline_value = 1\ntarget_month = "2028-12"\n', ["quality_schools", "baseline_month"]),
])
def test_bad_targets_file_names_file_and_entry(tmp_path, body, words):
    path = tmp_path / "targets.toml"
    path.write_text("[[target]]\n" + body, encoding="utf-8")
    with pytest.raises(CatalogError) as exc:
        load_targets(path)
    message = str(exc.value)
    assert str(path) in message
    for w in words:
        assert w in message


def test_unparsable_targets_file(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text("[[target]\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="格式有误"):
        load_targets(path)
