"""County text is shown as text: HTML in chart labels and Markdown in Streamlit elements never renders."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from core.present import charts
from core.present.escape import chart_text, md_text

LINK = '<a href="https://evil.example/x">点我</a>'
BOLD = "<b>粗体</b>&amp;"
MD_LINK = "[领取奖励](https://evil.example/y)"
MD_IMAGE = "![](https://evil.example/pixel.png)"
HOSTILE = [LINK, BOLD, MD_LINK, MD_IMAGE]
CAPTION = charts.Caption(f"口径{LINK}", "目标 ≥100%", f"来源{BOLD}", "2026-11-05")


def rendered_strings(fig) -> list[str]:
    """Every string plotly renders as text-with-markup (not meta, not customdata)."""
    out = []

    def walk(node, key=""):
        if key in ("meta", "customdata", "uid"):
            return
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v, key)
        elif isinstance(node, str):
            out.append(node)

    walk(fig.to_plotly_json())
    return out


def assert_text_only(fig, names=HOSTILE):
    strings = rendered_strings(fig)
    joined = "\n".join(strings)
    for tag in ("<a", "<b>粗", "<img", "</a>"):
        assert tag not in joined, (tag, [s for s in strings if tag in s])
    assert "&lt;a href=" in joined  # the link is there, as the characters of its text
    assert "&lt;b&gt;粗体&lt;/b&gt;&amp;amp;" in joined  # a literal "&amp;" stays "&amp;" on screen


def test_chart_text_escapes_what_plotly_would_render():
    assert chart_text(LINK) == '&lt;a href="https://evil.example/x"&gt;点我&lt;/a&gt;'
    assert chart_text("松溪县") == "松溪县" and chart_text(None) == ""
    assert chart_text("A&B") == "A&amp;B"


def test_md_text_escapes_markdown_and_keeps_one_line():
    wj = "\u2060"  # word joiner: GFM would link a bare https://, www. or a@b address
    assert md_text(MD_LINK) == rf"\[领取奖励\]\(https{wj}\:\/\/evil\.example\/y\)"
    assert md_text("见 www.evil.cn 或 a@evil.cn") == rf"见 www{wj}\.evil\.cn 或 a{wj}\@evil\.cn"
    assert md_text(MD_IMAGE).startswith(r"\!\[\]\(")
    assert md_text("**粗** $x$ [红] `代码` <b>") == r"\*\*粗\*\* \$x\$ \[红\] \`代码\` \<b\>"
    assert md_text("第一行\n# 标题\r\n第三行") == r"第一行 \# 标题 第三行"
    assert md_text("松溪县第1学校") == "松溪县第1学校"


@pytest.mark.parametrize("horizontal", [False, True])
def test_bars_show_school_names_as_text(horizontal):
    df = pd.DataFrame({"school_name": HOSTILE, "school_id": ["1", "2", "3", "4"],
                       "value": [50.0, 60.0, 70.0, None], "status": ["red", "amber", "green", "none"]})
    fig = charts.bar_by_status(df, "school_name", f"2026年10月 {LINK}各校达标率", "%", CAPTION,
                               target=100, direction=">=", zone_value=90, key_col="school_id",
                               horizontal=horizontal)
    assert_text_only(fig)
    assert sorted(fig.data[0].customdata) == ["1", "2", "3", "4"]  # drill-down keys stay raw
    charts.fit_width(fig, 400)  # re-wrapping for a narrow column escapes again from the raw title
    assert_text_only(fig)


def test_trend_lines_legend_and_hover_show_county_names_as_text():
    df = pd.DataFrame({"period": ["2026-09", "2026-10"] * 2, "county": [LINK] * 2 + [BOLD] * 2,
                       "value": [80.0, 90.0, 70.0, 99.0]})
    fig = charts.trend_lines(df, f"{BOLD}趋势", "%", CAPTION, target=100, direction=">=")
    assert_text_only(fig)
    assert all(LINK not in (t.hovertemplate or "") for t in fig.data)


def test_stacked_counts_and_status_grid_show_names_as_text():
    counts = pd.DataFrame({"county": [LINK, BOLD], "level": ["市级", BOLD], "count": [3, 4]})
    assert_text_only(charts.stacked_counts(counts, "county", "level", "等级", CAPTION))
    from ui.status_grid import grid_html  # the overview's grid is HTML: county names must arrive as text

    row = pd.Series({"indicator": "x", "value": 95.0, "unit": "%", "status": "green", "target": 100.0,
                     "direction": ">=", "change": 1.0})
    table, foot = grid_html({(LINK, "x"): row, (BOLD, "x"): row}, [(LINK, LINK), (BOLD, BOLD)],
                            [("x", BOLD)], footer=LINK)
    for name in (LINK, BOLD):
        assert name not in table + foot
    assert "&lt;a href=" in table and "&lt;b&gt;粗体" in table


# --- what the pages render (AppTest) -------------------------------------------------------

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """A county whose school names are HTML and Markdown, and a rejected workbook with a Markdown value."""
    from datetime import datetime

    from core.submission.ingest import ingest_file
    from tests.builders import build_workbook, valid_submission_sheets

    db = tmp_path_factory.mktemp("hostile") / "pilot.duckdb"
    sheets = valid_submission_sheets("云岭县", "2026-10", n_schools=6)
    for sheet in ("学校名册", "体育", "作业"):
        for i, name in enumerate(HOSTILE, start=1):
            sheets[sheet][i][1] = name
    good = ingest_file(build_workbook(sheets), file_name="云岭县_2026-10.xlsx", db_path=db,
                       received_at=datetime(2026, 11, 3))
    assert good.status == "accepted", good.issues
    bad_sheets = valid_submission_sheets("云岭县", "2026-10", n_schools=6)
    bad_sheets["体育"][1][6] = MD_IMAGE + MD_LINK
    bad = ingest_file(build_workbook(bad_sheets), file_name="云岭县_2026-10_改.xlsx", db_path=db,
                      received_at=datetime(2026, 11, 4))
    assert bad.status == "rejected"
    return db


def _app(db, monkeypatch, **params):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PILOT_DB", str(db))
    monkeypatch.setenv("PILOT_DEMO", "1")
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_drill_down_chart_shows_school_names_as_text(hostile_db, monkeypatch):
    import json

    at = _app(hostile_db, monkeypatch, month="2026-10", county="云岭县")
    at.switch_page(str(ROOT / "pages" / "compare.py")).run()
    assert not at.exception, [e.value for e in at.exception]
    figs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    schools = next(f for f in figs if "各校" in f["layout"]["meta"]["title"])
    labels = schools["data"][0]["y"]  # horizontal bars: school names on the y axis
    assert chart_text(LINK) in labels and LINK not in labels
    for fig in figs:
        text = json.dumps({k: v for k, v in fig.items() if k != "layout"} | {
            "layout": {k: v for k, v in fig["layout"].items() if k != "meta"}}, ensure_ascii=False)
        assert "<a " not in text and "<a href" not in text


def test_issue_table_shows_markdown_values_as_text(hostile_db, monkeypatch):
    at = _app(hostile_db, monkeypatch, month="2026-10", county="云岭县")
    at.switch_page(str(ROOT / "pages" / "submissions.py")).run()
    assert not at.exception, [e.value for e in at.exception]
    rejected = next(i for i, opt in enumerate(at.selectbox(key="sub_version").options) if "驳回" in opt)
    at.selectbox(key="sub_version").set_value(rejected).run()
    cells = [str(v) for t in at.table for v in t.value.to_numpy().ravel()]
    value = md_text(MD_IMAGE + MD_LINK)  # every bracket, parenthesis and colon backslash-escaped
    assert value in cells  # the 数值 column
    assert any(value in c for c in cells if "不是数字" in c)  # the message quoting the value
    unescaped = re.compile(r"(?<!\\)[\[\]()!:]")
    assert not [c for c in cells if "pixel" in c and unescaped.search(c)], cells


def test_upload_outcome_shows_file_name_as_text(hostile_db, monkeypatch):
    from tests.builders import build_workbook, valid_submission_sheets

    at = _app(hostile_db, monkeypatch, month="2026-10")
    at.switch_page(str(ROOT / "pages" / "upload.py")).run()
    name = f"{MD_IMAGE}{LINK}.xlsx"
    sheets = valid_submission_sheets("云岭县", "2026-09", n_schools=3)
    sheets["体育"][1][6] = "约一小时"  # rejected: the outcome names the file
    at.file_uploader[0].set_value((name, build_workbook(sheets), "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    bodies = [a.value for a in at.error]
    assert any(md_text(name) in b for b in bodies), bodies
    assert not any(name in b for b in bodies)
