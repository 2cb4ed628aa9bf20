"""The report's sentences: formatting rules, the issue's example, and every number vs the core."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from core.present import numbers as n
from core.report.narrative import submission_sentence, topic_sentences
from core.report.topics import Topic, load_topics


@pytest.mark.parametrize("value, unit, text", [
    (96.24, "%", "96.2%"), (96.26, "%", "96.3%"), (100.0, "%", "100.0%"), (0.0, "%", "0.0%"),
    (92.45, "%", "92.5%"),  # half away from zero on the decimal text (binary rounding gives 92.4)
    (42, "所", "42所"), (191.6, "所", "192所"), (63.45, "分钟", "63.5分钟"), (0.41234, "系数", "0.41"),
    (0.125, "系数", "0.13"), (None, "%", "无数据"), (float("nan"), "%", "无数据"),
])
def test_value_text(value, unit, text):
    assert n.format_value(value, unit) == text


@pytest.mark.parametrize("change, unit, text", [
    # a change is computed from unrounded values, then rounded by the unit's rule
    (96.24 - 94.9, "%", "较上月提高1.3个百分点"),
    (90.0 - 92.5, "%", "较上月下降2.5个百分点"),
    (90.04 - 89.96, "%", "较上月提高0.1个百分点"),  # both display as 90.0: the change is still 0.08
    (90.01 - 89.99, "%", "较上月持平"),
    (2.0, "所", "较上月增加2所"),
    (55.0 - 57.25, "分钟", "较上月减少2.3分钟"),
    (0.40 - 0.45, "系数", "较上月下降0.05"),
    (None, "%", None),
])
def test_change_sentence(change, unit, text):
    assert n.change_sentence(change, unit) == text


@pytest.mark.parametrize("change, unit, text", [
    (1.15, "%", "较上月 ▲1.2个百分点"), (-161.0, "所", "较上月 ▼161所"), (0.004, "%", "较上月 持平"),
    (None, "%", "较上月 —"), (-0.0134, "系数", "较上月 ▼0.01"),
])
def test_tile_change_has_the_sentence_digits(change, unit, text):
    assert n.format_change(change, unit) == text
    digits = re.findall(r"\d+(?:\.\d+)?", text)
    sentence = n.change_sentence(change, unit) or ""
    assert digits == re.findall(r"\d+(?:\.\d+)?", sentence)


@pytest.mark.parametrize("target, unit, text", [(100.0, "%", "100%"), (97, "%", "97%"),
                                                (0.5, "系数", "0.50"), (0.45, "系数", "0.45"),
                                                (60, "所", "60所")])
def test_target_text(target, unit, text):
    assert n.target_text(target, unit) == text


def _row(ind, name, county, value, prev=None, unit="%", target=100.0, direction=">=", expected=None,
         stage=None, completeness=None):
    change = None if value is None or prev is None else value - prev
    return dict(indicator=ind, name=name, period="2026-10", level="county" if county else "zone",
                county=county, school_id=None, stage=stage, value=value, numerator=None, denominator=None,
                unit=unit, target=target, direction=direction, expected=expected, status="red",
                prev_value=prev, change=change, completeness=completeness)


PE = Topic(key="pe", title="体育", narrative=("activity_hour_compliance", "fitness_pass_rate"),
           table=("activity_hour_compliance",))


def test_issue_example_sentence():
    zone = pd.DataFrame([_row("activity_hour_compliance", "校内体育活动1小时达标率", None, 96.24, 94.9),
                         _row("fitness_pass_rate", "体质健康达标率", None, 97.5, 96.0, target=97.0)])
    counties = pd.DataFrame([_row("activity_hour_compliance", "校内体育活动1小时达标率", c, v)
                             for c, v in (("松溪县", 99.0), ("石门县", 90.5), ("白石县", 88.0))])
    assert topic_sentences(PE, zone, counties, "2026-10") == [
        "10月,全区校内体育活动1小时达标率为96.2%,较上月提高1.3个百分点,距目标100%差3.8个百分点;"
        "白石县(88.0%)、石门县(90.5%)低于全区水平。",
        "全区体质健康达标率为97.5%,较上月提高1.5个百分点,已达到目标97%。",
    ]


def test_lower_is_better_and_trajectory():
    topic = Topic(key="q", title="优质学校", narrative=("quality_schools", "resource_cv_max"), table=("x",))
    zone = pd.DataFrame([
        _row("quality_schools", "优质学校数", None, 42, 40, unit="所", target=60, expected=44.26),
        _row("resource_cv_max", "资源配置校际差异系数(最大)", None, 0.5234, 0.51, unit="系数", target=0.45,
             direction="<="),
    ])
    sentences = topic_sentences(topic, zone, zone.iloc[0:0], "2026-03")
    assert check_numbers(sentences, "2026-03", zone, zone.iloc[0:0], zone.iloc[0:0]) >= 8
    assert sentences == [
        "3月,全区优质学校数为42所,较上月增加2所,按目标进度本月应达到44所,落后进度2所,"
        "距最终目标60所还差18所。",
        "全区资源配置校际差异系数(最大)为0.52,较上月上升0.01,比目标上限0.45高0.07。",
    ]


def test_incomplete_month_sentences():
    # a count of an incomplete month is not compared; a rate over the reporting counties is marked
    topic = Topic(key="q", title="优质学校", narrative=("quality_schools", "quality_student_share"), table=("x",))
    zone = pd.DataFrame([
        _row("quality_schools", "优质学校数", None, 29, None, unit="所", target=250, expected=193.7,
             completeness="not_comparable"),
        _row("quality_student_share", "优质学校在校生占比", None, 24.44, 24.7, target=None,
             completeness="partial"),
    ])
    assert topic_sentences(topic, zone, zone.iloc[0:0], "2026-11") == [
        "11月,全区优质学校数为29所(不完整,不与目标和上月比较)。",
        "全区优质学校在校生占比为24.4%(部分县区),较上月下降0.3个百分点。",
    ]


def test_every_sentence_names_the_counties_behind_and_the_schools_are_counted():
    """A section with compare_counties = "all" and school_lists (the 综合育人 section of the 月报)."""
    topic = Topic(key="whole_child", title="综合育人", narrative=("psych_fulltime_per_10_classes", "parent_school_rate"),
                  table=("psych_fulltime_per_10_classes", "parent_school_rate", "psych_teacher_coverage"),
                  compare_counties="all", school_lists=True)
    zone = pd.DataFrame([
        _row("psych_fulltime_per_10_classes", "每10个班专职心理健康教师数", None, 0.6234, 0.5, unit="人", target=1.0,
             expected=0.6449),
        {**_row("parent_school_rate", "合格家长学校建成率", None, 92.31, 92.31), "numerator": 636.0,
         "denominator": 689.0},
        {**_row("psych_teacher_coverage", "心理健康教师配备率", None, 98.69, 98.69), "numerator": 680.0,
         "denominator": 689.0},
        {**_row("parent_committee_rate", "家长委员会建成率", None, 100.0, 100.0), "numerator": 689.0,
         "denominator": 689.0},  # not in the table: no count
    ])
    counties = pd.DataFrame([
        _row("psych_fulltime_per_10_classes", "每10个班专职心理健康教师数", "石门县", 0.43, unit="人", target=1.0),
        _row("psych_fulltime_per_10_classes", "每10个班专职心理健康教师数", "云岭县", 1.03, unit="人", target=1.0),
        _row("parent_school_rate", "合格家长学校建成率", "石门县", 55.07),
        _row("parent_school_rate", "合格家长学校建成率", "云岭县", 99.16),
    ])
    sentences = topic_sentences(topic, zone, counties, "2026-10")
    assert sentences == [
        "10月,全区每10个班专职心理健康教师数为0.62人,较上月增加0.12人,按目标进度本月应达到0.64人,"
        "落后进度0.02人,距最终目标1人还差0.38人;石门县(0.43人)低于全区水平。",
        "全区合格家长学校建成率为92.3%,较上月持平,距目标100%差7.7个百分点;石门县(55.1%)低于全区水平。",
        "需要关注的学校:没有心理健康教师(专职或兼职)的学校9所,未建成合格家长学校的学校53所"
        "(名单见看板「综合育人」页)。",
    ]
    assert check_numbers(sentences, "2026-10", zone, counties, pd.DataFrame(columns=["county", "status"])) >= 12


def test_null_indicators_are_left_out():
    zone = pd.DataFrame([_row("activity_hour_compliance", "校内体育活动1小时达标率", None, None)])
    assert topic_sentences(PE, zone, zone.iloc[0:0], "2026-10") == ["10月,本部分指标暂无数据。"]


def test_submission_sentence():
    statuses = pd.DataFrame({"county": ["白石县", "石门县", "松溪县", "望江区"],
                             "status": ["逾期", "未报送", "按时", "按时"]})
    assert submission_sentence("2026-10", statuses) == "10月应报送4个县区,按时报送2个;白石县逾期报送,石门县未报送。"
    all_ok = statuses.assign(status="按时")
    assert submission_sentence("2026-10", all_ok) == "10月应报送4个县区,按时报送4个,全部按时报送。"


# ---------------------------------------------------------------- every number vs the core

def _fmt(value, decimals: int) -> float:
    """Half away from zero on the decimal text (indicators.md, One number everywhere)."""
    from decimal import ROUND_HALF_UP, Decimal
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


DECIMALS = {"%": 1, "所": 0, "分钟": 1, "系数": 2, "人": 2}
MARKER = r"(?:\((?:部分县区|不完整,不与目标和上月比较)\))?"
NUM = r"(\d+(?:\.\d+)?)"


def check_numbers(sentences: list[str], period: str, zone: pd.DataFrame, counties: pd.DataFrame,
                  statuses: pd.DataFrame) -> int:
    """Assert every number in `sentences` equals the core's value; return how many were checked."""
    zone = zone[zone["stage"].isna()]
    checked = 0
    for sentence in sentences:
        rest = sentence
        current = None  # the zone row the clause is about
        for clause in re.split(r"[,;。]", sentence):
            if m := re.fullmatch(rf"(?:\d+月,)?全区(.+?)为{NUM}(%|所|分钟|人)?{MARKER}", clause):
                row = zone[zone["name"] == m.group(1)]
                assert len(row) == 1, clause
                current = row.iloc[0]
                d = DECIMALS[current["unit"]]
                assert float(m.group(2)) == _fmt(current["value"], d), clause
            elif m := re.fullmatch(rf"较上月(提高|下降|增加|减少|上升){NUM}.*", clause):
                d = DECIMALS[current["unit"]]
                delta = _fmt(current["value"] - current["prev_value"], d)  # unrounded, then rounded
                sign = 1 if m.group(1) in ("提高", "增加", "上升") else -1
                assert sign * float(m.group(2)) == delta, clause
            elif clause == "较上月持平":
                d = DECIMALS[current["unit"]]
                assert _fmt(current["value"] - current["prev_value"], d) == 0, clause
            elif m := re.fullmatch(rf"距目标{NUM}(?:%|所)?差{NUM}.*", clause):
                d = DECIMALS[current["unit"]]
                assert float(m.group(1)) == float(current["target"]), clause
                assert float(m.group(2)) == _fmt(float(current["target"]) - current["value"], d), clause
            elif m := re.fullmatch(rf"比目标上限{NUM}高{NUM}", clause):
                d = DECIMALS[current["unit"]]
                assert float(m.group(1)) == float(current["target"]), clause
                assert float(m.group(2)) == _fmt(current["value"] - float(current["target"]), d), clause
            elif m := re.fullmatch(rf"已达到目标\(不高于{NUM}.*\)", clause):
                assert float(m.group(1)) == float(current["target"]), clause
                assert current["value"] <= float(current["target"])
            elif m := re.fullmatch(rf"已达到目标{NUM}.*", clause):
                assert float(m.group(1)) == float(current["target"]), clause
                assert current["value"] >= float(current["target"])
            elif m := re.fullmatch(rf"按目标进度本月应达到{NUM}.*", clause):
                assert float(m.group(1)) == _fmt(current["expected"], DECIMALS[current["unit"]]), clause
            elif m := re.fullmatch(rf"落后进度{NUM}.*", clause):
                d = DECIMALS[current["unit"]]
                assert float(m.group(1)) == _fmt(current["expected"] - current["value"], d), clause
            elif m := re.fullmatch(rf"距最终目标{NUM}(所|人)还差{NUM}(所|人)", clause):
                assert float(m.group(1)) == float(current["target"]), clause
                assert m.group(2) == m.group(4) == current["unit"], clause
                d = DECIMALS[current["unit"]]
                assert float(m.group(3)) == _fmt(float(current["target"]) - current["value"], d), clause
            elif m := re.fullmatch(rf"(?:需要关注的学校:)?(.+的学校){NUM}所(?:\(名单见.*\))?", clause):
                from core.present.palette import school_lists
                indicator = {title: i for i, title in school_lists().items()}[m.group(1)]
                row = zone[zone["indicator"] == indicator].iloc[0]  # schools not meeting it
                assert int(m.group(2)) == row["denominator"] - row["numerator"] > 0, clause
            elif re.search(r"\(\d", clause):  # counties named with their values
                d = DECIMALS[current["unit"]]
                for county, num in re.findall(rf"([^、(]+)\({NUM}(?:%|人)?\)", clause):
                    row = counties[(counties["indicator"] == current["indicator"])
                                   & counties["stage"].isna() & (counties["county"] == county)]
                    assert len(row) == 1, (county, clause)
                    assert float(num) == _fmt(row.iloc[0]["value"], d), clause
                    assert float(num) < _fmt(current["value"], d) or current["direction"] == "<="
                    checked += 1
            elif m := re.fullmatch(r"(\d+)月应报送(\d+)个县区", clause):
                assert int(m.group(1)) == int(period[5:7])
                assert int(m.group(2)) == len(statuses), clause
            elif m := re.fullmatch(r"按时报送(\d+)个", clause):
                assert int(m.group(1)) == int((statuses["status"] == "按时").sum()), clause
            elif m := re.fullmatch(r"\d+月", clause):
                pass
            else:
                assert not re.search(r"\d", clause), f"unchecked number in: {clause}"
                continue
            checked += len(re.findall(NUM, clause))
            rest = rest.replace(clause, "", 1)
        assert not re.search(r"\d", re.sub(r"^\d+月", "", rest)), f"numbers left unchecked: {rest}"
    return checked


def test_checker_catches_a_wrong_number():
    zone = pd.DataFrame([_row("activity_hour_compliance", "校内体育活动1小时达标率", None, 96.24, 94.9)])
    counties = zone.iloc[0:0]
    good = topic_sentences(PE, zone, counties, "2026-10")
    assert check_numbers(good, "2026-10", zone, counties, pd.DataFrame(columns=["county", "status"])) >= 3
    bad = [good[0].replace("96.2%", "96.3%")]
    with pytest.raises(AssertionError):
        check_numbers(bad, "2026-10", zone, counties, pd.DataFrame(columns=["county", "status"]))


TODAY = "2026-11-30"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from datetime import date

    from core.demo.build import build_demo

    # The demo generator over its last 3 closed months and the open one (27 workbooks, ~20 s instead
    # of ~60 s for 24 months); the latest closed month has a late (逾期) county. The full demo was
    # checked the same way by hand.
    root = tmp_path_factory.mktemp("demo")
    path = root / "demo.duckdb"
    summary = build_demo(path, workbook_dir=root / "workbooks", months=3, today=date.fromisoformat(TODAY))
    assert not summary["rejected"], summary["rejected"]
    return path


def test_demo_narrative_numbers_match_the_core(demo_db, monkeypatch):
    from core.db import open_db
    from core.indicators import available_periods, compute_indicators
    from core.report.data import collect_report_data
    from core.submission.status import submission_matrix

    monkeypatch.setenv("PILOT_TODAY", TODAY)
    with open_db(demo_db) as con:
        period = available_periods(con)[-2]  # the newest closed month; the open one follows it
        data = collect_report_data(con)  # default: the newest closed month
        zone = compute_indicators(con, period=period, level="zone")
        counties = compute_indicators(con, period=period, level="county")
        statuses = submission_matrix(con, period=period)
    assert data.period == period and data.lead == []
    assert [t.key for t in load_topics()] == list(data.narrative)
    total = 0
    for topic in load_topics():
        sentences = data.narrative[topic.key]
        assert 2 <= len(sentences) <= 5, sentences
        total += check_numbers(sentences, period, zone, counties, statuses)
    assert total >= 20
    # late and missing counties are named exactly
    text = "".join(data.narrative["submission"])
    assert (statuses["status"] != "按时").any()
    for status, wording in (("逾期", "逾期报送"), ("未报送", "未报送")):
        names = sorted(statuses.loc[statuses["status"] == status, "county"])
        if names:
            assert f"{'、'.join(names)}{wording}" in text


def test_open_month_report_says_so_first(demo_db, monkeypatch):
    from core.db import open_db
    from core.indicators import available_periods, compute_indicators, missing_counties
    from core.report.data import collect_report_data

    monkeypatch.setenv("PILOT_TODAY", TODAY)
    with open_db(demo_db) as con:
        period = available_periods(con)[-1]
        data = collect_report_data(con, period)
        zone = compute_indicators(con, period=period, level="zone")
        missing = missing_counties(con, period)
    assert len(missing) == 5  # about 3 of 8 counties sent the open month early
    first = data.lead[0]
    assert first.startswith("本月尚未报送完毕:3/8县区已报送,") and "、".join(missing) + "未报送" in first
    quality = data.narrative["quality"][0]
    assert "(不完整,不与目标和上月比较)" in quality and "较上月" not in quality and "进度" not in quality
    row = zone[zone["indicator"] == "quality_schools"].iloc[0]
    assert row["status"] == "none" and row["change"] is None and row["complete"] is False
