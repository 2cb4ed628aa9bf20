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
        shown = re.search(rf'hx-name">{re.escape(name)}</div>'
                          rf'<div class="hx-row"><span class="hx-value">([^<]*)</span>', body)
        assert shown, f"tile {name} missing"
        expected = format_value(rows.loc[ind, "value"] if ind in rows.index else None,
                                cat.get(ind).unit)
        assert shown.group(1) == expected, ind
    # The matrix has a row per county with data, plus the zone.
    assert body.count('class="sg-rowhead">') >= 3
    # every tile and every cell links to 县区对比 on its indicator (a cell: on its county)
    assert body.count('data-nav href="compare?') >= len(headline_ids()) * 4


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
    # the report draws the same chart: same title, same caption (core/present/figures.py)
    from core.report.data import collect_report_data
    from core.report.figures import chart_figure
    from core.report.topics import ChartSpec

    with open_db(db) as con:
        report = collect_report_data(con, month)
    fig = chart_figure(report, ChartSpec(kind="county", indicator="activity_hour_compliance"))
    assert fig.layout.meta["title"] == bars["layout"]["meta"]["title"]
    unwrapped = [t.replace("<br>", "") for t in (fig.layout.title.subtitle.text,
                                                  bars["layout"]["title"]["subtitle"]["text"])]
    assert unwrapped[0] == unwrapped[1]  # (the page re-wraps it for a half-width column)


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
        shown = re.search(rf'hx-name">{re.escape(name)}</div>'
                          rf'<div class="hx-row"><span class="hx-value">([^<]*)</span>', body)
        assert shown and shown.group(1) == format_value(rows.loc[ind, "value"], cat.get(ind).unit), ind
    shown = titles(at)
    assert any("每10个班专职心理健康教师数:实际与计划进度" in t for t in shown)
    assert f"{period_label(month)} 各县区综合育人指标达标情况" in [s.value for s in at.subheader]  # its month
    schools = core_rows(db, month, "school", county)
    labels = [t.label for t in at.tabs]
    counts = {}
    for ind, title in school_lists().items():
        n = int(((schools["indicator"] == ind) & (schools["value"] == 0)).sum())
        assert f"{title}({n}所)" in labels, (title, labels)
        counts[f"{title}({n}所)"] = n
    assert sum(counts.values()) > 0  # the demo has schools on some list
    assert len(at.dataframe) == (counts[labels[0]] > 0)  # only the open list (the first) is sent
    for label, n in counts.items():  # each list opened in turn: its own table, of its n schools
        at.session_state["wc_lists"] = label
        at.run()
        assert [t.label for t in at.tabs if t.children] == [label]
        assert [len(t.value) for t in at.dataframe] == ([n] if n else [])
        assert all(county in set(t.value["县区"]) for t in at.dataframe)
        assert at.session_state["wc_list_open"] == next(i for i, t in school_lists().items() if label.startswith(t))


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


def test_the_slideshow_keeps_its_slide_in_the_link(demo, monkeypatch):
    """A reload (the meeting room's PC reconnecting) opens the slide it showed: ?slide=<indicator>."""
    db, month, county = demo
    monkeypatch.setenv("PILOT_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["month"] = month
    at.run()
    at.switch_page(str(ROOT / "pages" / "slideshow.py")).run()
    from core.present.palette import grid_ids

    ids = grid_ids()  # the slides: the overview grid's indicators
    assert at.query_params["slide"] in (ids[0], [ids[0]])
    at.button(key="slide_next").click().run()
    assert at.query_params["slide"] in (ids[1], [ids[1]])
    again = AppTest.from_file(APP, default_timeout=30)  # a new session on that link
    again.query_params["month"], again.query_params["slide"] = month, ids[2]
    again.run()
    again.switch_page(str(ROOT / "pages" / "slideshow.py")).run()
    assert not again.exception, [e.value for e in again.exception]
    titles_shown = [h.value.replace("\\", "") for h in again.title]
    assert any(f"(3/{len(ids)})" in h for h in titles_shown), titles_shown


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


def test_the_open_school_list_stays_open_when_its_count_changes(demo, monkeypatch):
    """综合育人 sends only the open school list; a month whose count differs keeps that list open."""
    db, month, county = demo
    at = run_page("whole_child", db, month, county, monkeypatch)
    indicator, title = list(school_lists().items())[2]
    at.session_state["wc_list_open"] = indicator
    at.session_state["wc_lists"] = f"{title}(999所)"  # its label in a month with another count
    at.run()
    assert not at.exception
    opened = [t.label for t in at.tabs if t.label.startswith(title)]
    assert opened and opened[0] != f"{title}(999所)"
    assert at.session_state["wc_lists"] == opened[0] and at.session_state["wc_list_open"] == indicator


def test_a_link_with_a_month_or_county_that_cannot_be_shown_says_so_once(demo, monkeypatch):
    db, month, county = demo
    monkeypatch.setenv("PILOT_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["month"] = "2030-01"
    at.query_params["county"] = "<b>某县</b>" + "x" * 40
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = at.selectbox(key="f_month").value
    notes = [i.value for i in at.info if "链接中的" in i.value]
    assert "<b>" not in notes[1] and "\\<b\\>" in notes[1]  # the link's text escaped, never markup
    assert [n.replace("\\", "") for n in notes] == [  # as read
        f"链接中的月份「2030-01」没有可显示的数据,已显示{period_label(shown)}。",
        "链接中的县区「<b>某县</b>xxxxxxxxxxx…」不是本实验区的县区,已显示全部县区。"], notes
    at.run()  # the next click: said once
    assert not [i.value for i in at.info if "链接中的" in i.value]
    good = AppTest.from_file(APP, default_timeout=30)
    good.query_params["month"], good.query_params["county"] = month, county
    good.run()
    assert not [i.value for i in good.info if "链接中的" in i.value]


def test_a_schools_history_ends_at_the_month_shown(demo, monkeypatch):
    """The school view of an earlier month: its table and chart stop at that month, as their titles say."""
    db, month, _ = demo
    with open_db(db) as con:
        later = [p for p in available_periods(con) if p > month]
        assert later  # the demo has a newer month than the one shown
        newer = school_detail(con, later[-1])  # a school with data in it too
        school, county = newer["school_id"].iloc[0], newer["county"].iloc[0]
    at = run_page("compare", db, month, county, monkeypatch)
    at.session_state["cmp_school"] = school
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (table,) = [d.value for d in at.dataframe]
    assert table["月份"].max() == month and not set(later) & set(table["月份"])
    history = [f for f in figures(at) if "月度变化" in f["layout"]["meta"]["title"]]
    assert history and all(str(x)[:7] <= month for f in history for tr in f["data"] for x in tr.get("x", []) if x)


def test_a_county_that_did_not_report_the_month_is_said_so_on_its_drill_down(demo, monkeypatch):
    from core.indicators import missing_counties

    db, _, _ = demo
    with open_db(db) as con:
        newest = available_periods(con)[-1]
        missing = missing_counties(con, newest)
    assert missing  # the demo's newest month is only partly reported
    monkeypatch.setenv("PILOT_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["month"], at.query_params["county"] = newest, missing[0]
    at.switch_page(str(ROOT / "pages" / "compare.py"))  # the first run on the page: the link as opened
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = [i.value.replace("\\", "") for i in at.info]
    assert f"{missing[0]}{period_label(newest)}未报送,没有学校数据;可在侧栏选择其他月份。" in said, said
    assert not [m.value for m in at.markdown if "所学校中" in m.value]  # no 「0所学校中0所未达标」
    assert not at.multiselect  # no empty 学段类型 box


def test_projector_mode_from_url(demo, monkeypatch):
    """?mode=projector turns the switch on and injects the large-type CSS."""
    db, month, county = demo
    monkeypatch.setenv("PILOT_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["mode"] = "projector"
    at.run()
    assert not at.exception
    assert at.toggle(key="f_projector").value is True
    assert "font-size:48px" in html_bodies(at).replace(" ", "")
    for key in ("bar_prev", "bar_next", "bar_show", "bar_exit"):  # the meeting's control bar
        assert at.button(key=key)
    assert at.selectbox(key="bar_month").value == at.selectbox(key="f_month").value


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


def _cell(label, value, status, remaining=None, change=None, rating=None, target=100.0, unit="%",
          indicator="activity_hour_compliance"):
    import pandas as pd

    return pd.Series({"indicator": indicator, "level": "county", "county": label, "stage": None, "value": value,
                      "unit": unit, "status": status, "target": target, "direction": ">=", "expected": None,
                      "remaining": remaining, "gap": None, "change": change, "rating": rating})


def test_status_grid_cells_say_value_sign_and_change_and_shade_the_far_ones():
    """Not colour alone: each cell has a sign and its change; a red far from target has the full
    colour, a red close to it a tint; no target and no data read differently; cells link."""
    from core.present.palette import load_palette, status_style
    from ui.status_grid import HAIR, grid_html

    grid = load_palette().grid
    cells = {("甲县", "activity_hour_compliance"): _cell("甲县", 44.1, "red", remaining=55.9, change=-2.0),
             ("乙县", "activity_hour_compliance"): _cell("乙县", 94.9, "red", remaining=5.1, change=1.2),
             ("丙县", "activity_hour_compliance"): _cell("丙县", 100.0, "green", remaining=0.0, change=0.0),
             ("丁县", "activity_hour_compliance"): _cell("丁县", 33.0, "none", target=None)}
    rows = [("甲县", "甲县"), ("乙县", "乙县"), ("丙县", "丙县"), ("丁县", "丁县"), ("戊县", "戊县")]
    html, foot = grid_html(cells, rows, [("activity_hour_compliance", "1小时达标率")])
    red = status_style("red")
    far, near = f"background:{red.color};color:{red.text_color}", "background:{};color:{}".format(*grid.tints["red"])
    assert f'class="sg-far" style="{far}"' in html and html.count(far) == 1  # 44.1 % only
    assert near in html  # 94.9 %: close, tinted
    assert f'{grid.signs["red"]}{HAIR}44.1%<span class="sg-c">▼2.0' in html
    assert f'{grid.signs["red"]}{HAIR}94.9%<span class="sg-c">▲1.2' in html
    assert f'{grid.signs["green"]}{HAIR}100.0%<span class="sg-c">持平' in html
    assert f'{grid.signs["notarget"]}{HAIR}33所' not in html and f'{grid.signs["notarget"]}{HAIR}33.0%' in html
    assert "戊县 · " not in html and html.count('">—</a>') == 1  # no row at all: —
    assert 'data-nav href="compare?indicator=activity_hour_compliance&amp;drill=%E7%94%B2%E5%8E%BF"' in html
    assert f"{red.label}({grid.far_label})" in foot and f"{red.label}({grid.near_label})" in foot


def test_status_grid_rating_view_colours_by_status_and_change():
    from core.indicators.catalog import load_catalog
    from ui.status_grid import grid_html

    rating = load_catalog().rating
    cells = {("甲县", "x"): _cell("甲县", 44.1, "red", remaining=55.9, change=-9.0, rating=1),
             ("乙县", "x"): _cell("乙县", 100.0, "green", remaining=0.0, change=0.0, rating=5)}
    html, foot = grid_html(cells, [("甲县", "甲县"), ("乙县", "乙县")], [("x", "指标")], view="rating")
    assert f"background:{rating.colours[0]}" in html and f"background:{rating.colours[4]}" in html
    assert all(label in foot for label in rating.labels) and "显著退步" in foot  # the 3 × 5 key


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


def test_rejected_files_of_no_county_are_listed_and_a_new_one_at_the_next_rerun(tmp_path, monkeypatch):
    """报送情况 lists the rejected files whose county or month could not be told; the list is kept
    between reruns (ui/data.py) and a new rejected file, a commit, shows at the next one."""
    from core.submission.ingest import ingest_file

    db = tmp_path / "pilot.duckdb"
    build_demo(db, workbook_dir=tmp_path / "workbooks", n_counties=2, schools_per_county=4, months=2)
    ingest_file(b"not a workbook", file_name="无名.xlsx", db_path=db)
    monkeypatch.setenv("PILOT_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page(str(ROOT / "pages" / "submissions.py")).run()
    assert not at.exception
    assert [e.label for e in at.expander] == ["无法确定县区或月份的驳回文件(1个)"]
    at.run()
    assert [e.label for e in at.expander] == ["无法确定县区或月份的驳回文件(1个)"]
    ingest_file(b"still not a workbook", file_name="又一个.xlsx", db_path=db)
    at.run()
    assert [e.label for e in at.expander] == ["无法确定县区或月份的驳回文件(2个)"]
