"""What a new session's first screen carries, and what it leaves out (issue 16, first paint)."""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.demo.build import build_demo
from tests.conftest import ROOT
from ui.narrow import STATE_KEY

APP = str(ROOT / "app.py")


def test_no_other_site_may_drive_the_dashboard_by_message():
    """Streamlit's default lets its Community Cloud hosts stop, rerun or hand a token to an embedded
    app by postMessage; the dashboard allows no origin (and its page skips checking its own messages)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["allowedOrigins"] == []


def _shown_by_magic(source: str) -> list[int]:
    """Lines of a page script that Streamlit's magic would show: a bare expression that is not a
    call, or a bare string after the module's docstring."""
    tree = ast.parse(source)
    bodies = [tree.body, *(n.body for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef)))]
    docstrings = {id(body[0]) for body in bodies if body}
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and id(node) not in docstrings
            and not isinstance(node.value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom))]


def test_no_page_counts_on_magic_which_is_off():
    """magicEnabled = false spares every new session an AST pass over its scripts; a bare value
    in a page would then silently show nothing, so there is none."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["magicEnabled"] is False
    scripts = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    assert len(scripts) > 5
    shown = {str(p.relative_to(ROOT)): _shown_by_magic(p.read_text(encoding="utf-8")) for p in scripts}
    assert {name: lines for name, lines in shown.items() if lines} == {}
    assert _shown_by_magic('"""doc"""\nimport streamlit as st\nx = 1\nx\n"shown"\n') == [4, 5]


def _headings_with_anchor(source: str) -> list[int]:
    """Lines of st.title / st.header / st.subheader calls that leave the heading's link anchor on."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "st"
            and node.func.attr in ("title", "header", "subheader")
            and not any(k.arg == "anchor" and isinstance(k.value, ast.Constant) and k.value.value is False
                        for k in node.keywords)]


def test_no_heading_carries_a_link_anchor():
    """A heading's anchor (a link icon shown on hover, with an English label for screen readers) is of
    no use on a dashboard, and it would show in a monthly-report screenshot taken with the mouse over
    a title. Drawing it also made the browser recompute the page's styles at once (getComputedStyle),
    though a new session's first paint measured no faster without it (bench/RESULTS.md)."""
    scripts = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
    found = {str(p.relative_to(ROOT)): _headings_with_anchor(p.read_text(encoding="utf-8")) for p in scripts}
    assert {name: lines for name, lines in found.items() if lines} == {}
    assert _headings_with_anchor('import streamlit as st\nst.title("a")\nst.subheader("b", anchor=False)\n'
                                 'st.header("c", anchor="c")\n') == [2, 4]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("first_screen")
    build_demo(base / "pilot.duckdb", workbook_dir=base / "workbooks", n_counties=3, schools_per_county=8, months=2)
    return base / "pilot.duckdb"


def _overview(db: Path, monkeypatch, narrow: bool | None) -> AppTest:
    monkeypatch.setenv("PILOT_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=30)
    if narrow is not None:  # what the width component reported
        at.session_state[STATE_KEY] = {"narrow": narrow}
    return at.run()


@pytest.mark.parametrize("narrow", [None, False])
def test_a_wide_screen_gets_no_hidden_phone_row(db, monkeypatch, narrow):
    at = _overview(db, monkeypatch, narrow)
    assert not at.exception
    assert at.title and all(h.proto.hide_anchor for h in at.title)
    keys = {s.key for s in at.selectbox}
    assert {"f_month", "f_county"} <= keys  # the sidebar's filters
    assert not keys & {"phone_month", "phone_county"}


def test_a_phone_gets_the_row_and_it_sets_the_global_filters(db, monkeypatch):
    at = _overview(db, monkeypatch, narrow=True)
    assert not at.exception
    month, county = at.selectbox(key="phone_month"), at.selectbox(key="phone_county")
    assert month.value == at.selectbox(key="f_month").value
    other = county.options[2]
    county.select(other).run()
    assert not at.exception
    assert at.selectbox(key="f_county").value == other
    assert at.query_params["county"] == other  # and the URL says so
