"""Charts of many counties (a province, data/ui.toml [scale]): what is drawn instead of a label per
bar, a line per county and every school value; at the pilot zone's size nothing changes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.present import charts, figures
from core.present.palette import load_palette

SCALE = load_palette().scale
IND = "activity_hour_compliance"
MONTHS = ["2026-08", "2026-09", "2026-10"]


def names(n: int) -> list[str]:
    return [f"测试{i:03d}县" for i in range(n)]


def county_rows(n: int, seed: int = 1) -> pd.DataFrame:
    values = np.round(np.random.default_rng(seed).uniform(40, 100, n), 1)
    return pd.DataFrame({"county": names(n), "value": values, "status": ["red"] * n, "target": 100.0,
                         "direction": ">=", "expected": None, "stage": None})


ZONE_ROW = pd.Series({"value": 80.0, "complete": True, "target": 100.0, "direction": ">="})


def bars(n: int, highlight: str | None = None):
    return figures.county_bars(IND, "2026-10", county_rows(n), ZONE_ROW, "源", "2026-11-05",
                               highlight=highlight)


def value_notes(fig) -> list:
    return [a for a in fig.layout.annotations if a.name == "value"]


def test_many_county_bars_label_only_the_chosen_county_and_keep_every_value_in_the_hover():
    fig = bars(60, highlight="测试007县")
    notes = value_notes(fig)
    assert len(notes) == 1 and notes[0].text.startswith("▶ 测试007县 ")
    value = county_rows(60).set_index("county").loc["测试007县", "value"]
    assert notes[0].text.endswith(f"{value:.1f}%")
    assert fig.layout.xaxis.showticklabels is False  # 60 names on the axis would be cut and thinned
    assert len(fig.data[0].x) == 60 and len(fig.data[0].hovertext) == 60
    assert all(f"{v:.1f}%" in h for v, h in zip(sorted(county_rows(60)["value"], reverse=True),
                                              fig.data[0].hovertext))
    assert "共60个县区" in fig.layout.title.subtitle.text.replace("<br>", "")
    legend = [t.name for t in fig.data if t.showlegend is not False and t.name]
    assert "目标 ≥100%" in legend and "实验区 80.0%" in legend  # the lines stay named


def test_many_county_bars_without_a_chosen_county_carry_no_value_labels():
    fig = bars(60)
    assert value_notes(fig) == []
    assert "悬停可见" in fig.layout.title.subtitle.text.replace("<br>", "")


@pytest.mark.parametrize("n", [8, SCALE.many_counties])
def test_up_to_the_threshold_county_bars_are_drawn_as_for_the_pilot(n):
    fig = bars(n, highlight="测试001县")
    assert len(value_notes(fig)) == n  # a value label on every bar
    assert fig.layout.xaxis.showticklabels is None and "共" not in fig.layout.title.subtitle.text
    assert "▶ 测试001县" in fig.data[0].x


def test_many_county_counts_leave_out_the_zone_total_line_and_state_it():
    rows = county_rows(60).assign(value=lambda d: d["value"].round(0), target=None)
    zone = pd.Series({"value": float(rows["value"].sum()), "complete": True})
    fig = figures.county_bars("quality_schools", "2026-10", rows, zone, "源", "2026-11-05")
    assert fig.layout.shapes == ()  # no line at the sum, far above every bar
    assert f"实验区合计{zone['value']:.0f}所" in fig.layout.title.subtitle.text.replace("<br>", "")
    pilot = figures.county_bars("quality_schools", "2026-10", rows.head(8), zone, "源", "2026-11-05")
    assert [s["y0"] for s in pilot.layout.shapes] == [zone["value"]]  # the pilot's chart as it was


def trend_frames(n: int, values=None):
    rng = np.random.default_rng(2)
    rows = [{"period": p, "county": c, "value": float(values(i)) if values else round(rng.uniform(30, 90), 1),
             "stage": None} for p in MONTHS for i, c in enumerate(names(n))]
    counties = pd.DataFrame(rows)
    zone = pd.DataFrame({"period": MONTHS, "value": [60.0, 61.0, 62.0], "stage": None, "target": 100.0})
    return counties, zone


def test_many_county_trends_are_a_band_around_the_zone_with_the_chosen_county():
    counties, zone = trend_frames(60)
    fig = figures.trend_lines(IND, "2026-10", counties, zone, "源", "2026-11-05", county="测试005县")
    named = [t.name for t in fig.data]
    assert "测试005县" in named and not any(n in named for n in names(60) if n != "测试005县")
    assert "实验区" in named
    assert len(fig.data) <= 8  # band (4), chosen county, zone, target: not one trace per county
    filled = [t for t in fig.data if t.fill == "tonexty"]
    assert [t.name for t in filled] == ["各县区最低–最高", "中间80%县区(P10–P90)"]
    october = counties[counties["period"] == "2026-10"]["value"]
    assert filled[1].y[-1] == pytest.approx(np.quantile(october, 0.9))
    assert filled[0].y[-1] == pytest.approx(october.max())
    assert "P10–P90" in fig.layout.title.subtitle.text.replace("<br>", "")  # the note says what the band is


def test_many_county_trends_without_a_chosen_county_draw_no_county_line():
    counties, zone = trend_frames(60)
    fig = figures.trend_lines(IND, "2026-10", counties, zone, "源", "2026-11-05")
    assert not any(t.name in names(60) for t in fig.data)
    assert sum(t.fill == "tonexty" for t in fig.data) == 2


def test_a_chosen_county_of_the_pilot_gets_its_own_line_only():
    counties, zone = trend_frames(8)
    fig = figures.trend_lines(IND, "2026-10", counties, zone, "源", "2026-11-05", county="测试003县")
    lines = [t.name for t in fig.data if t.mode == "lines+markers"]
    assert lines == ["测试003县", "实验区"] and not any(t.fill for t in fig.data)


def test_yes_no_trends_of_many_counties_name_a_few_counties_at_zero_and_count_the_rest():
    counties, zone = trend_frames(60, values=lambda i: 0 if i < 20 else 100)
    fig = figures.trend_lines(IND, "2026-10", counties, zone, "源", "2026-11-05")
    notes = [a.text for a in fig.layout.annotations if "未达标" in (a.text or "")]
    assert len(notes) == 3 and all(t.endswith("等20个县区未达标") for t in notes)
    assert notes[0].count("、") == SCALE.max_names - 1
    assert not any(t.fill for t in fig.data)  # no band of 0/100 spikes


def test_large_distributions_are_sent_as_counts_per_bin():
    values = pd.Series(np.random.default_rng(3).normal(70, 12, SCALE.many_points + 500).clip(0))
    fig = charts.distribution_chart(values, 60, ">=", "分布")
    assert [t.type for t in fig.data[:2]] == ["bar", "bar"]
    ok, bad = fig.data[0], fig.data[1]
    assert sum(ok.y) == (values >= 60).sum() and sum(bad.y) == (values < 60).sum()
    edges = np.arange(0, values.max() + 10, 5)
    expected = np.histogram(values[values >= 60], bins=edges)[0]
    assert dict(zip(ok.x, ok.y)) == {e + 2.5: c for e, c in zip(edges, expected) if c}
    assert ok.name == f"达标学校({(values >= 60).sum()}所)"


def test_small_distributions_stay_histograms():
    values = pd.Series(np.linspace(20, 100, SCALE.many_points))
    fig = charts.distribution_chart(values, 60, ">=", "分布")
    assert [t.type for t in fig.data[:2]] == ["histogram", "histogram"]
