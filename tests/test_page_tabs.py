"""Topic pages of a province (more counties than data/ui.toml [scale] many_counties): charts in tabs
of which only the open one is drawn, the open tab kept across month and county changes, every
chart and download of the pilot form reachable in some tab; the pilot form unchanged."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from streamlit.testing.v1 import AppTest

from bench.province import load_province
from core.demo.build import build_demo
from core.month import period_label
from core.present.palette import PageLayout, load_palette
from ui.tabs import tab_key

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = ["quality", "pe", "homework", "whole_child", "submissions"]  # the pages whose pieces go into tabs
SCALE = load_palette().scale
COUNTIES = SCALE.many_counties + 2  # a province just above the pilot-zone layout: two grid parts


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    db = tmp_path_factory.mktemp("province") / "pilot.duckdb"
    load_province(db, COUNTIES, 4, 3)
    return db


@pytest.fixture(scope="module")
def pilot(tmp_path_factory):
    base = tmp_path_factory.mktemp("pilot")
    db = base / "pilot.duckdb"
    build_demo(db, workbook_dir=base / "workbooks", n_counties=3, schools_per_county=12, months=4)
    return db


def open_page(page: str, db: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("PILOT_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(str(ROOT / "pages" / f"{page}.py")).run()
    assert not at.exception
    return at


def keys(at: AppTest, kind: str) -> list[str]:
    """The user keys of the page's elements of a kind (element ids end in '-<key>')."""
    return [el.proto.id.rsplit("-", 1)[-1] for el in at.get(kind)]


def drawn(at: AppTest) -> tuple[list[str], list[str]]:
    return keys(at, "plotly_chart"), keys(at, "download_button")


def labels(page: str) -> list[str]:
    return [t.label for t in load_palette().layout[page].tabs]


@pytest.mark.parametrize("page", PAGES)
def test_province_page_draws_only_the_open_tab_and_every_pilot_chart_is_in_one(page, province, pilot,
                                                                              monkeypatch):
    at = open_page(page, province, monkeypatch)
    assert [t.label for t in at.tabs][:len(labels(page))] == labels(page)
    assert at.session_state[tab_key(page)] == labels(page)[0]
    first = drawn(at)
    assert len(first[0]) <= 3  # what a meeting looks at: a few charts, not seven
    seen: dict[str, tuple[list[str], list[str]]] = {}
    for label in labels(page):
        at.session_state[tab_key(page)] = label
        at.run()
        assert not at.exception
        seen[label] = drawn(at)
        assert seen[label][0] or seen[label][1] or label == labels(page)[0], f"{label}: an empty tab"
    assert seen[labels(page)[0]] == first
    charts = [k for c, _ in seen.values() for k in c]
    downloads = [k for _, d in seen.values() for k in d]
    assert len(charts) == len(set(charts)) and len(downloads) == len(set(downloads))  # one tab at a time
    whole = drawn(open_page(page, pilot, monkeypatch))
    assert sorted(charts) == sorted(whole[0]) and sorted(downloads) == sorted(whole[1])


def test_the_open_tab_stays_open_across_month_and_county_changes(province, monkeypatch):
    at = open_page("pe", province, monkeypatch)
    at.session_state[tab_key("pe")] = "月度趋势"
    at.run()
    trends = ["pe_trend_activity_hour_compliance", "pe_trend_pe_lessons_compliance"]
    assert keys(at, "plotly_chart") == trends
    before = at.session_state["f_month"]
    other = [m for m in at.session_state["f_month_choices"] if m != before][-1]
    at.sidebar.selectbox(key="f_month").select(other).run()
    county = at.sidebar.selectbox(key="f_county")
    county.select(county.options[3]).run()
    assert not at.exception
    assert at.session_state[tab_key("pe")] == "月度趋势" and keys(at, "plotly_chart") == trends
    assert at.session_state["f_month"] == other and at.session_state["f_county"] == county.options[3]
    specs = [el.proto.spec for el in at.get("plotly_chart")]
    assert all(period_label(other) in s and county.options[3] in s for s in specs)  # the new month's charts


@pytest.mark.parametrize("page, charts", [
    ("quality", ["q_traj", "q_levels", "q_cv"]),
    ("pe", ["pe_bar_activity_hour_compliance", "pe_trend_activity_hour_compliance",
            "pe_bar_pe_lessons_compliance", "pe_trend_pe_lessons_compliance", "pe_dist",
            "pe_fit_fitness_pass_rate", "pe_fit_fitness_good_rate"]),
    ("homework", ["hw_dist_g36_minutes", "hw_dist_g79_minutes", "hw_trend_g36_minutes", "hw_trend_g79_minutes",
                  "hw_bars_g36_minutes", "hw_bars_g79_minutes", "hw_bar_g12"]),
])
def test_pilot_pages_draw_every_chart_in_order_without_tabs(page, charts, pilot, monkeypatch):
    at = open_page(page, pilot, monkeypatch)
    assert not at.tabs and tab_key(page) not in at.session_state
    assert keys(at, "plotly_chart") == charts


def test_pilot_whole_child_keeps_only_its_school_list_tabs(pilot, monkeypatch):
    at = open_page("whole_child", pilot, monkeypatch)
    assert at.tabs and all(t.label.endswith("所)") for t in at.tabs)  # 「…的学校(N所)」 only
    assert tab_key("whole_child") not in at.session_state


def test_a_layout_that_leaves_a_chart_out_of_its_tabs_is_refused():
    rows = [["bars", "trend"], ["table_heading"], ["table"]]
    PageLayout(rows=rows, tabs=[{"label": "甲", "rows": [["bars"]]}, {"label": "乙", "rows": [["trend"], ["table"]]}])
    with pytest.raises(ValidationError):
        PageLayout(rows=rows, tabs=[{"label": "甲", "rows": [["bars"]]}, {"label": "乙", "rows": [["table"]]}])
    with pytest.raises(ValidationError):
        PageLayout(rows=rows, tabs=[{"label": "甲", "rows": [["bars", "trend"]]}, {"label": "甲", "rows": [["table"]]}])


def grid_rows(at: AppTest) -> list[str]:
    """The row labels of 总览's county × indicator grid, top to bottom."""
    body = next(el.proto.body for el in at.get("html") if 'class="sg"' in el.proto.body)
    return [cell.split("</th>")[0] for cell in body.split('<th class="sg-rowhead">')[2:]]


@pytest.mark.parametrize("page, key", [("overview", "ov_part"), ("whole_child", "wc_part")])
def test_province_status_grids_show_their_counties_a_part_at_a_time(page, key, province, monkeypatch):
    at = open_page(page, province, monkeypatch)
    size, zone = SCALE.grid_rows, at.sidebar.selectbox(key="f_county").options[0]
    part = at.segmented_control(key=key)
    assert part.options == [f"1–{size}", f"{size + 1}–{COUNTIES}"] and part.value == part.options[0]
    first = grid_rows(at)
    assert len(first) == 1 + size  # the zone's row first, then the part's counties
    part.set_value(part.options[1]).run()
    assert not at.exception
    second = grid_rows(at)
    assert second[0] == first[0] and len(second) == 1 + COUNTIES - size
    counties = at.sidebar.selectbox(key="f_county").options[1:]
    assert sorted(first[1:] + second[1:]) == sorted(counties) and zone not in first  # each county once
    # a county chosen in the filter opens its part
    at.sidebar.selectbox(key="f_county").select(first[3]).run()
    assert at.segmented_control(key=key).value == part.options[0]
    assert [r.removeprefix("▶ ") for r in grid_rows(at)] == first


@pytest.mark.parametrize("page", ["overview", "whole_child"])
def test_pilot_status_grids_have_every_county_and_no_parts(page, pilot, monkeypatch):
    at = open_page(page, pilot, monkeypatch)
    assert all(el.key not in ("ov_part", "wc_part") for el in at.segmented_control)
    assert len(grid_rows(at)) == 1 + len(at.sidebar.selectbox(key="f_county").options) - 1


def level_bars(at: AppTest) -> list[str]:
    """The counties along 优质学校's level bars (the x of the chart's first trace)."""
    spec = next(json.loads(el.proto.spec) for el in at.get("plotly_chart") if el.proto.id.endswith("-q_levels"))
    return spec["data"][0]["x"]


def test_province_level_bars_show_their_counties_a_part_at_a_time(province, pilot, monkeypatch):
    at = open_page("quality", province, monkeypatch)
    size = SCALE.grid_rows
    part = at.segmented_control(key="q_part")
    assert part.options == [f"1–{size}", f"{size + 1}–{COUNTIES}"] and part.value == part.options[0]
    first = level_bars(at)
    assert len(first) == size
    part.set_value(part.options[1]).run()
    assert not at.exception
    second = level_bars(at)
    counties = at.sidebar.selectbox(key="f_county").options[1:]
    assert first + second == sorted(counties)  # each county once, in the chart's order
    at.sidebar.selectbox(key="f_county").select(second[0]).run()  # one county: its bar alone, no parts
    assert level_bars(at) == [second[0]] and all(el.key != "q_part" for el in at.segmented_control)
    at = open_page("quality", pilot, monkeypatch)
    assert all(el.key != "q_part" for el in at.segmented_control)
    assert len(level_bars(at)) == len(at.sidebar.selectbox(key="f_county").options) - 1


def test_province_submission_matrix_shows_its_counties_a_part_at_a_time(province, pilot, monkeypatch):
    at = open_page("submissions", province, monkeypatch)
    size, counties = SCALE.grid_rows, at.sidebar.selectbox(key="f_county").options[1:]
    part = at.segmented_control(key="sub_part")
    assert part.options == [f"1–{size}", f"{size + 1}–{COUNTIES}"] and part.value == part.options[0]
    first = list(at.dataframe[0].value.index)
    assert len(first) == size
    part.set_value(part.options[1]).run()
    assert not at.exception
    second = list(at.dataframe[0].value.index)
    assert sorted(first + second) == sorted(counties) and len(second) == COUNTIES - size  # each county once
    at.sidebar.selectbox(key="f_county").select(first[4]).run()  # a county chosen opens its part
    assert at.segmented_control(key="sub_part").value == part.options[0]
    assert list(at.dataframe[0].value.index) == first
    at = open_page("submissions", pilot, monkeypatch)
    assert all(el.key != "sub_part" for el in at.segmented_control)
    assert len(at.dataframe[0].value) == len(at.sidebar.selectbox(key="f_county").options) - 1
