"""Chart builders: every figure stands alone (title, caption, reference lines, fixed colours)."""
from __future__ import annotations

import pandas as pd
import pytest

from core.present import charts
from core.present.palette import county_colors, load_palette, status_style

CAPTION = charts.Caption("达标学校数 / 学校数", "目标 ≥100%", "各县区月度监测数据报送", "2026-11-05")
COUNTIES = pd.DataFrame({"county": ["松溪县", "白石县", "望江区"], "value": [93.4, 100.0, None],
                         "status": ["amber", "green", "none"]})


def test_bars_carry_status_colours_values_and_reference_lines():
    fig = charts.bar_by_status(COUNTIES, "county", "2026年10月 各县区达标率", "%", CAPTION,
                               target=100, direction=">=", zone_value=95.1, key_col="county")
    bars = fig.data[0]
    colours = dict(zip(bars.customdata, bars.marker.color))
    assert colours == {"松溪县": status_style("amber").color, "白石县": status_style("green").color,
                       "望江区": status_style("none").color}
    assert [s["y0"] for s in fig.layout.shapes] == [100.0, 95.1]
    legend = [t.name for t in fig.data if t.showlegend is not False and t.name]
    assert "目标 ≥100%" in legend and "实验区 95.1%" in legend


def test_title_and_caption_stand_alone_and_rewrap_for_narrow_columns():
    fig = charts.bar_by_status(COUNTIES, "county", "2026年10月 各县区校内体育活动1小时达标率", "%",
                               CAPTION, target=100, direction=">=")
    sub = fig.layout.title.subtitle.text
    for part in ("口径:达标学校数", "目标 ≥100%", "数据来源:各县区月度监测数据报送", "数据截至 2026-11-05"):
        assert part.replace(" ", "") in sub.replace("<br>", "").replace(" ", "")
    wide_top = fig.layout.margin.t
    charts.fit_width(fig, 400)
    assert "<br>" in fig.layout.title.text
    assert fig.layout.margin.t > wide_top
    assert fig.layout.font.family == load_palette().font_family


def test_camera_button_exports_at_presentation_scale():
    opts = charts.plotly_config("x")["toImageButtonOptions"]
    assert opts["format"] == "png" and opts["scale"] >= 2


def test_county_colours_are_stable_whatever_the_order():
    a = county_colors(["望江区", "松溪县", "白石县"])
    b = county_colors(["白石县", "望江区", "松溪县", None])
    assert a == b and len(set(a.values())) == 3


def test_trend_lines_use_county_colours_and_zone_line():
    df = pd.DataFrame({"period": ["2026-09", "2026-10"] * 2, "county": ["松溪县"] * 2 + ["白石县"] * 2,
                       "value": [80.0, 90.0, 70.0, 99.0]})
    zone = pd.DataFrame({"period": ["2026-09", "2026-10"], "value": [75.0, 95.0]})
    fig = charts.trend_lines(df, "趋势", "%", CAPTION, target=100, direction=">=", zone=zone)
    colours = {t.name: t.line.color for t in fig.data if t.mode == "lines+markers"}
    expected = county_colors(["松溪县", "白石县"])
    assert colours["松溪县"] == expected["松溪县"] and colours["白石县"] == expected["白石县"]
    assert "实验区" in colours


@pytest.mark.parametrize("direction,values,ok,bad", [
    (">=", [30, 50, 60, 70, 90], 3, 2),   # 60 minutes reaches the 1-hour standard
    ("<=", [30, 60, 61, 70, 90], 2, 3),   # 60 minutes is still within the homework limit
])
def test_distribution_splits_schools_at_the_limit(direction, values, ok, bad):
    fig = charts.distribution_chart(pd.Series(values), 60, direction, "分布", caption=CAPTION)
    counts = [len(t.x) for t in fig.data if t.type == "histogram"]
    assert counts == [ok, bad]


def value_labels(fig, horizontal=False):
    """{category: (text, anchor, value position, colour)} of the bars' value labels."""
    out = {}
    for a in fig.layout.annotations:
        if a.name != "value":
            continue
        cat, at = (a.y, a.x) if horizontal else (a.x, a.y)
        out[cat] = (a.text, a.xanchor if horizontal else a.yanchor, at, a.font.color)
    return out


def test_labels_near_the_target_line_move_inside_the_bar():
    """A value label just under or at the dashed target line would be struck through: put it inside."""
    df = pd.DataFrame({"county": ["甲县", "乙县", "丙县", "丁县"], "value": [97.2, 50.0, 100.0, 3.0],
                       "status": ["amber", "red", "green", "red"]})
    fig = charts.bar_by_status(df, "county", "标题", "%", CAPTION, target=100, direction=">=",
                               key_col="county")
    labels = value_labels(fig)
    assert labels["甲县"][:3] == ("97.2", "top", 97.2)  # inside the bar end ("%" is on the axis)
    assert labels["乙县"][:3] == ("50.0", "bottom", 50.0)  # above the bar, clear of the line
    assert labels["丁县"][1] == "bottom"  # too short to hold its label: stays outside
    assert labels["甲县"][3] == status_style("amber").text_color  # readable on its own bar
    assert labels["乙县"][3] == "#1a1a1a"  # outside: dark on white


def test_label_crossed_at_both_ends_goes_to_the_middle_of_the_bar():
    """Target 100 above and zone 93.5 just under the bar end: the label moves to mid-bar."""
    df = pd.DataFrame({"county": ["甲县", "乙县"], "value": [98.2, 30.0], "status": ["amber", "red"]})
    fig = charts.bar_by_status(df, "county", "标题", "%", target=100, direction=">=", zone_value=93.5,
                               key_col="county")
    labels = value_labels(fig)
    assert labels["甲县"][1:3] == ("middle", pytest.approx(49.1))
    assert labels["乙县"][1:3] == ("bottom", 30.0)


@pytest.mark.parametrize("target, zone", [(100, 93.5), (97, 93.5), (55, 49.7), (100, 74.7), (100, None)])
def test_no_label_box_is_crossed_by_a_reference_line(target, zone):
    """Whatever the values, each label's extent along the axis is clear of every line."""
    from core.present.charts.bars import LABEL_EXTENT

    values = [0.5, 10.0, 48.6, 49.4, 52.3, 74.5, 89.9, 93.0, 94.9, 96.0, 98.2, 99.5, 100.0]
    df = pd.DataFrame({"county": [f"县{i}" for i in range(len(values))], "value": values,
                       "status": ["red"] * len(values)})
    fig = charts.bar_by_status(df, "county", "标题", "%", target=target, direction=">=",
                               zone_value=zone, key_col="county")
    ext = LABEL_EXTENT[False] * 118
    for text, anchor, at, _ in value_labels(fig).values():
        gap = 0.01 * 118
        low, high = {"bottom": (at + gap, at + ext), "top": (at - ext, at - gap),
                     "middle": (at - ext / 2, at + ext / 2)}[anchor]
        if at < ext * 1.3:  # a stub: no room inside, left outside whatever the lines
            continue
        for line in (target, zone):
            assert line is None or not (low <= line <= high), (text, anchor, line)


@pytest.mark.parametrize("horizontal", [False, True])
def test_values_without_target_are_not_grey_like_missing(horizontal):
    """A county value with no target (e.g. 优质学校数) is slate 无目标; only a missing value is grey 无数据."""
    df = pd.DataFrame({"county": ["甲县", "乙县", "丙县"], "value": [33.0, 20.0, None],
                       "status": ["none", "none", "none"]})
    fig = charts.bar_by_status(df, "county", "标题", "所", CAPTION, key_col="county",
                               horizontal=horizontal)
    colours = dict(zip(fig.data[0].customdata, fig.data[0].marker.color))
    assert colours["甲县"] == colours["乙县"] == status_style("notarget").color
    assert colours["丙县"] == status_style("none").color
    assert status_style("notarget").color != status_style("none").color
    legend = {t.name: t.marker.color for t in fig.data[1:] if t.mode == "markers"}
    assert legend == {"无目标": status_style("notarget").color, "无数据": status_style("none").color}
    assert value_labels(fig, horizontal)["丙县"][0] == "无数据"  # the missing bar is named


def test_legend_has_no_missing_entry_when_nothing_is_missing():
    df = pd.DataFrame({"county": ["甲县", "乙县"], "value": [33.0, 99.0], "status": ["none", "green"]})
    fig = charts.bar_by_status(df, "county", "标题", "%", key_col="county")
    names = [t.name for t in fig.data[1:]]
    assert "无数据" not in names and "无目标" in names and "达标" in names


def test_charts_package_keeps_its_public_names_and_small_modules():
    """`from core.present.charts import …` works for every importer; each module stays under 400 lines."""
    from pathlib import Path

    from core.present.charts import (  # noqa: F401
        ZONE_LABEL,
        Caption,
        bar_by_status,
        cv_bars,
        distribution_chart,
        fit_width,
        plotly_config,
        stacked_counts,
        school_value_bars,
        trajectory_chart,
        trend_lines,
    )
    folder = Path(charts.__file__).parent
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.py")}
    assert len(sizes) >= 4 and max(sizes.values()) < 400, sizes


def _detail():
    return pd.DataFrame({
        "school_id": ["a", "b", "c", "d"], "school_name": ["甲小学", "乙小学", "丙中学", "丁小学"],
        "activity_minutes": [45.0, 75.0, 60.0, None],
        "lessons_g12": [3.0, 4.0, None, 4.0], "lessons_g36": [3.0, 2.0, None, 3.0],
        "lessons_g79": [None, None, 3.0, None], "lessons_g1012": [None, None, None, None],
        "g36_minutes": [50.0, 75.0, None, 60.0]})


def test_school_values_show_the_number_behind_a_yes_no_indicator():
    from core.indicators.catalog import load_catalog
    from core.present.school_values import school_values

    th = load_catalog().thresholds
    spec, rows = school_values(_detail(), "activity_hour_compliance", th)
    assert spec.unit == "分钟" and list(rows["school_id"]) == ["a", "c", "b"]  # furthest below first; d has no value
    assert list(rows["limit"]) == [th.activity_minutes] * 3 and list(rows["status"]) == ["red", "green", "green"]
    _, lessons = school_values(_detail(), "pe_lessons_compliance", th)
    worst = lessons.set_index("school_id")
    assert worst.loc["a", "band"] == "1–2年级" and worst.loc["a", "limit"] == th.pe_lessons["g12"]  # 3 of 4
    assert worst.loc["b", "band"] == "3–6年级" and worst.loc["b", "value"] == 2  # 2 of 3
    assert worst.loc["c", "status"] == "green" and worst.loc["a", "label"] == "甲小学(1–2年级)"
    _, homework = school_values(_detail(), "hw_g36_compliance", th)  # at most 60: the longest first
    assert list(homework["school_id"]) == ["b", "d", "a"] and list(homework["status"]) == ["red", "green", "green"]
    assert school_values(_detail(), "hw_g12_none_rate", th) is None  # yes/no with no number behind it


def test_school_value_bars_put_the_furthest_on_top_with_the_standard():
    from core.indicators.catalog import load_catalog
    from core.present.school_values import school_values

    th = load_catalog().thresholds
    spec, rows = school_values(_detail(), "activity_hour_compliance", th)
    fig = charts.school_value_bars(rows, spec.unit, spec.direction, "各校日均校内体育活动时间", CAPTION)
    bars = fig.data[0]
    assert list(bars.customdata)[-1] == "a" and list(bars.x)[-1] == 45.0  # drawn bottom-up: a on top
    assert [s["x0"] for s in fig.layout.shapes] == [60.0]
    assert "标准 ≥60分钟" in [t.name for t in fig.data]
    spec, rows = school_values(_detail(), "pe_lessons_compliance", th)
    fig = charts.school_value_bars(rows, spec.unit, spec.direction, "各校体育课周课时", CAPTION)
    ticks = next(t for t in fig.data if t.type == "scatter" and t.marker.symbol == "line-ns")
    assert sorted(ticks.x) == sorted(rows["limit"]) and not fig.layout.shapes  # a standard per bar


@pytest.mark.parametrize("values, refs, zoomed", [
    ([94.8, 94.4, 93.9, 92.6, 90.0], [97, 93.3], True),  # all high: the axis starts near them
    ([165, 198, 140], [250], True),
    ([44.1, 85.5, 100.0], [100], False),  # spread out: from 0
    ([0.21, 0.6], [0.5], False),
    ([100.0, 100.0], [100], False),
])
def test_value_axis_shows_differences_and_keeps_the_target(values, refs, zoomed):
    from core.present.charts.axis import value_axis

    axis = value_axis(values, refs)
    assert axis.zoomed is zoomed
    assert axis.lo <= min(values) and axis.hi >= max([*values, *refs])  # every value and the target in view
    if zoomed:
        assert axis.lo > 0 and f"纵轴从{axis.lo:g}起" in axis.title("%")
        assert (min(values) - axis.lo) / (axis.hi - axis.lo) >= 0.05  # the smallest bar still shows


def test_close_county_rates_get_an_axis_that_tells_them_apart():
    counties = pd.DataFrame({"county": list("甲乙丙丁"), "value": [94.8, 94.4, 93.0, 90.0],
                             "status": ["amber"] * 3 + ["red"]})
    fig = charts.bar_by_status(counties, "county", "各县区体质健康达标率", "%", CAPTION, target=97, direction=">=")
    lo, hi = fig.layout.yaxis.range
    assert 80 <= lo < 90 and hi >= 97 and "纵轴从" in fig.layout.yaxis.title.text


def test_eight_counties_stay_apart_in_colour_shape_and_dash():
    from core.present.palette import county_looks

    names = [f"县{i}" for i in range(12)]
    looks = county_looks(names)
    assert len({c for c, _, _ in looks.values()}) >= 10
    pairs = [(a, b) for a in names for b in names if a < b]
    assert all(looks[a] != looks[b] and (looks[a][1], looks[a][2]) != (looks[b][1], looks[b][2])
               for a, b in pairs)  # on a grey print, shape or dash still differ
    df = pd.DataFrame({"period": ["2026-09", "2026-10"] * 8, "county": [n for n in names[:8] for _ in range(2)],
                       "value": [float(i) for i in range(16)]})
    fig = charts.trend_lines(df, "趋势", "%", CAPTION)
    shown = {(t.line.dash, t.marker.symbol) for t in fig.data if t.name in names}
    assert len(shown) == 8


@pytest.mark.parametrize("text, whole", [
    ("2026年10月 各县区校内体育活动1小时达标率", ["2026年10月", "校内", "体育活动", "1小时", "达标率"]),
    ("作业时长达标率(3–6年级)", ["作业", "时长", "达标率", "(3–6年级)"]),
    ("2026年10月 东湖区各校日均校内体育活动时间", ["东湖区", "各校", "体育活动"]),
])
def test_titles_break_between_words(text, whole):
    from core.present.wrapping import tokens, wrap

    toks = tokens(text)
    assert "".join(toks) == text and all(w in toks or f" {w}" in toks for w in whole)
    for width in (3, 4, 6, 8, 10, 14):
        lines = wrap(text, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        joined = "\n".join(lines)
        assert not [w for w in whole for k in range(1, len(w)) if f"{w[:k]}\n{w[k:]}" in joined], joined


def test_a_county_chart_where_every_county_is_the_same_is_a_sentence():
    from core.present.figures import same_everywhere

    rows = pd.DataFrame({"county": list("甲乙丙"), "value": [100.0] * 3, "status": ["green"] * 3})
    assert same_everywhere("school_coverage", "2026-10", rows) == "2026年10月 各县区学校数据覆盖率均为100.0%(全部达标)。"
    assert same_everywhere("school_coverage", "2026-10", rows.assign(value=[100.0, 99.0, 100.0])) is None
