"""Chart builders: every figure stands alone (title, caption, reference lines, fixed colours)."""
from __future__ import annotations

import pandas as pd
import pytest

from core import charts
from core.palette import county_colors, load_palette, status_style

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


def test_status_matrix_writes_value_in_each_cell():
    df = pd.DataFrame({"row": ["实验区", "松溪县"], "col": ["达标率", "达标率"],
                       "value": [95.0, None], "unit": ["%", "%"], "status": ["amber", "none"]})
    fig = charts.status_matrix(df, "矩阵", CAPTION)
    texts = [a.text for a in fig.layout.annotations]
    assert "<b>95.0%</b>" in texts and "<b>无数据</b>" in texts
