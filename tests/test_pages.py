"""AppTest smoke test over every page: demo data, a chosen month and county, no exception, key content."""
from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.db import open_db
from core.demo.build import build_demo
from core.indicators import available_periods, compute_indicators, school_detail, zone_counties
from core.indicators.catalog import load_catalog
from core.month import period_label
from core.present.numbers import format_value
from core.present.palette import headline_ids, school_lists, short_name

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
# Every page of the app; optional ones are skipped while their file does not exist yet.
PAGES = ["overview", "quality", "pe", "homework", "whole_child", "compare", "slideshow", "upload",
         "submissions", "report"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A small demo zone (3 counties), built once for the module; returns (db, month, county)."""
    base = tmp_path_factory.mktemp("pages")
    db = base / "pilot.duckdb"
    build_demo(db, workbook_dir=base / "workbooks", n_counties=3, schools_per_county=12, months=4)
    with open_db(db) as con:
        periods, counties = available_periods(con), zone_counties(con)
    # Not the latest month, so the month really comes from the URL and not from the default.
    return db, periods[-2], counties[1]


def run_page(page: str, db: Path, month: str, county: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("PILOT_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["month"] = month
    at.query_params["county"] = county
    at.run()
    if page != "overview":
        at.switch_page(str(ROOT / "pages" / f"{page}.py")).run()
    return at


def core_rows(db: Path, month: str, level: str, county: str | None = None):
    with open_db(db) as con:
        df = compute_indicators(con, month, level=level, county=county)
    return df[df["stage"].isna()]


def figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def titles(at: AppTest) -> list[str]:
    """Chart titles as built (before wrapping to the container width)."""
    return [f["layout"]["meta"]["title"] for f in figures(at)]


def html_bodies(at: AppTest) -> str:
    return "\n".join(el.proto.body for el in at.get("html"))


def check_overview(at, db, month, county):
    """Each headline tile shows the core's value for the county and month."""
    rows = core_rows(db, month, "county", county).set_index("indicator")
    body = html_bodies(at)
    cat = load_catalog()
    for ind in headline_ids():
        name = escape(short_name(ind, cat.get(ind).name))
        shown = re.search(rf'hx-name" title="{re.escape(name)}">{re.escape(name)}</div>'
                          rf'<div class="hx-row"><span class="hx-value">([^<]*)</span>', body)
        assert shown, f"tile {name} missing"
        expected = format_value(rows.loc[ind, "value"] if ind in rows.index else None,
                                cat.get(ind).unit)
        assert shown.group(1) == expected, ind
    # The matrix has a row per county with data, plus the zone.
    assert body.count('class="hx-rowhead">') >= 3


def check_pe(at, db, month, county):
    """The county bars carry the core's county values, in status colours, titled with the month."""
    figs = figures(at)
    bars = next(f for f in figs if "各县区校内体育活动1小时达标率" in f["layout"]["meta"]["title"])
    assert period_label(month) in bars["layout"]["meta"]["title"]
    rows = core_rows(db, month, "county")
    rows = rows[rows["indicator"] == "activity_hour_compliance"].set_index("county")["value"]
    shown = dict(zip(bars["data"][0]["customdata"], bars["data"][0]["y"]))
    assert shown == pytest.approx({c: float(v) for c, v in rows.items()})
    assert "数据截至" in bars["layout"]["title"]["subtitle"]["text"]


def check_quality(at, db, month, county):
    shown = titles(at)
    assert any("实际与计划进度" in t for t in shown)
    assert any("优质认定等级" in t for t in shown)


def check_homework(at, db, month, county):
    shown = titles(at)
    assert sum("作业时长分布" in t for t in shown) == 2
    assert any(f"{county}三至六年级" in t for t in shown)


def check_whole_child(at, db, month, county):
    """Tiles carry the core's county values; each school list counts the schools not meeting its indicator."""
    cat = load_catalog()
    rows = core_rows(db, month, "county", county).set_index("indicator")
    body = html_bodies(at)
    ids = [i.id for i in cat.indicator if i.topic == "whole_child"]
    assert len(ids) == 6
    for ind in ids:
        name = escape(short_name(ind, cat.get(ind).name))
        shown = re.search(rf'hx-name" title="{re.escape(name)}">{re.escape(name)}</div>'
                          rf'<div class="hx-row"><span class="hx-value">([^<]*)</span>', body)
        assert shown and shown.group(1) == format_value(rows.loc[ind, "value"], cat.get(ind).unit), ind
    schools = core_rows(db, month, "school", county)
    labels = [t.label for t in at.tabs]
    counts = []
    for ind, title in school_lists().items():
        n = int(((schools["indicator"] == ind) & (schools["value"] == 0)).sum())
        assert f"{title}({n}所)" in labels, (title, labels)
        counts.append(n)
    assert sum(counts) > 0  # the demo has schools on some list
    tables = [t for t in at.dataframe]
    assert len(tables) == sum(1 for n in counts if n)  # one table per non-empty list
    assert any(f"{county}" in "".join(map(str, t.value.to_numpy().ravel())) for t in tables)
    shown = titles(at)
    assert any("每10个班专职心理健康教师数:实际与计划进度" in t for t in shown)


def check_compare(at, db, month, county):
    """The drill-down starts at the county of the filter and shows its schools by the minutes
    behind the default yes/no indicator, against the 60-minute standard (not 0/100 % bars)."""
    shown = titles(at)
    assert any(f"{county}各校日均校内体育活动时间" in t for t in shown), shown
    assert at.session_state["cmp_drill"] == county
    bars = next(f for f in figures(at) if f"{county}各校" in f["layout"]["meta"]["title"])
    with open_db(db) as con:
        detail = school_detail(con, month, county=county)
    minutes = dict(zip(detail["school_id"], detail["activity_minutes"]))
    shown_minutes = dict(zip(bars["data"][0]["customdata"], bars["data"][0]["x"]))
    assert shown_minutes and all(minutes[s] == pytest.approx(v) for s, v in shown_minutes.items())
    assert [s["x0"] for s in bars["layout"]["shapes"]] == [60.0]
    assert "标准 ≥60分钟" in [t.get("name") for t in bars["data"]]


def check_slideshow(at, db, month, county):
    first = headline_ids()[0]
    row = core_rows(db, month, "county", county).set_index("indicator").loc[first]
    assert f'hx-value">{format_value(row["value"], row["unit"])}<' in html_bodies(at)


CHECKS = {"overview": check_overview, "pe": check_pe, "quality": check_quality,
          "homework": check_homework, "whole_child": check_whole_child, "compare": check_compare,
          "slideshow": check_slideshow}


@pytest.mark.parametrize("page", PAGES)
def test_page_renders(page, demo, monkeypatch):
    if not (ROOT / "pages" / f"{page}.py").exists():
        pytest.skip(f"pages/{page}.py not written yet")
    db, month, county = demo
    at = run_page(page, db, month, county, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    # The global filters survive the navigation and stay in the URL.
    assert at.query_params["month"] == [month] or at.query_params["month"] == month
    check = CHECKS.get(page)
    if check:
        check(at, db, month, county)
    else:
        assert len(at.main.children) > 0


def test_projector_mode_from_url(demo, monkeypatch):
    """?mode=projector turns the switch on and injects the large-type CSS."""
    db, month, county = demo
    monkeypatch.setenv("PILOT_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["mode"] = "projector"
    at.run()
    assert not at.exception
    assert at.toggle(key="f_projector").value is True
    assert "font-size:50px" in html_bodies(at).replace(" ", "")


def test_empty_database_without_demo_asks_for_uploads(db_path, monkeypatch):
    """PILOT_NO_DEMO=1: an empty database stays empty and the overview says where to upload."""
    monkeypatch.setenv("PILOT_NO_DEMO", "1")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    hint = " ".join(i.value for i in at.info)
    assert "还没有任何已接收的报送数据" in hint and "数据报送" in hint
    assert not at.get("progress")  # no demo build started
    with open_db(db_path) as con:
        assert available_periods(con) == []


@pytest.mark.parametrize("setting, env, wanted", [
    (True, None, True), (False, None, False), (True, "1", False), (False, "0", False),
])
def test_demo_on_empty_setting(setting, env, wanted, monkeypatch):
    """data/zone.toml demo_on_empty turns the first-start demo off; PILOT_NO_DEMO=1 does too."""
    from core.zone import load_zone
    from ui.firstrun import demo_on_empty

    if env is None:
        monkeypatch.delenv("PILOT_NO_DEMO", raising=False)
    else:
        monkeypatch.setenv("PILOT_NO_DEMO", env)
    zone = load_zone().model_copy(update={"demo_on_empty": setting})
    assert demo_on_empty(zone) is wanted


def test_zone_file_documents_demo_on_empty(tmp_path):
    """The shipped zone.toml names the setting, and a file turning it off is read as off."""
    from core.zone import ZONE_FILE, load_zone

    assert "demo_on_empty" in ZONE_FILE.read_text(encoding="utf-8")
    off = tmp_path / "zone.toml"
    off.write_text(ZONE_FILE.read_text(encoding="utf-8").replace(
        "demo_on_empty = true", "demo_on_empty = false"), encoding="utf-8")
    assert load_zone(off).demo_on_empty is False


def test_overview_matrix_tells_no_target_from_no_data():
    """A county's 优质学校数 has no target: its cell is the 无目标 colour, named in the legend."""
    import pandas as pd

    from core.present.palette import status_style
    from ui.tiles import matrix_html

    cells = pd.DataFrame({"row": ["实验区", "松溪县", "白石县"], "col": ["优质学校数"] * 3,
                          "value": [190.0, 33.0, None], "unit": ["所"] * 3,
                          "status": ["amber", "none", "none"]})
    html = matrix_html(cells, ["实验区", "松溪县", "白石县"], ["优质学校数"])
    slate, grey = status_style("notarget"), status_style("none")
    assert f'background:{slate.color};color:{slate.text_color}" title="松溪县 · 优质学校数:33所 · 无目标"' in html
    assert f'background:{grey.color};color:{grey.text_color}" title="白石县 · 优质学校数:无数据 · 无数据"' in html
    assert f">{slate.label}</span>" in html and f">{grey.label}</span>" in html


def test_tables_show_blanks_as_dash_and_codes_as_text():
    """st.dataframe would print a missing number as "None": tables are formatted for reading."""
    import pandas as pd

    from ui.render import display_frame

    df = pd.DataFrame({"学校标识码": ["5200600004", "5200600005"], "学校数": [39, 71],
                       "平均值": [6.87, None], "名称": ["L1", None], "达标": [True, False]})
    shown = display_frame(df, default=3)
    assert list(shown["学校标识码"]) == ["5200600004", "5200600005"]
    assert list(shown["学校数"]) == ["39", "71"]
    assert list(shown["平均值"]) == ["6.870", "—"]
    assert list(shown["名称"]) == ["L1", "—"] and list(shown["达标"]) == ["是", "否"]
    assert "None" not in shown.astype(str).to_numpy().ravel().tolist()
