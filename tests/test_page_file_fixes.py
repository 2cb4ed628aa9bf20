"""Streamlit's plotly chart drawn once: the fixes of ui/page_file_fixes.py, on the pinned version's file."""
from __future__ import annotations

import gzip
import logging
import re
from pathlib import Path

import pytest
from streamlit import file_util

from tests.test_static_files import Counted, call
from ui.page_file_fixes import FIXES, applicable, fixed, fixes_for
from ui.static_files import StaticFromMemory

ROOT = Path(file_util.get_static_dir())
PINNED = re.search(r"^streamlit==([\d.]+)$", (Path(__file__).parent.parent / "requirements.txt").read_text(),
                   re.M)


def plotly_chunk() -> Path:
    return next((ROOT / "static" / "js").glob("PlotlyChart.*.js"))


def test_every_fix_applies_to_the_installed_streamlit_which_is_the_pinned_one():
    """If this fails after a Streamlit upgrade, look again at its PlotlyChart module: the double
    draw may be gone (drop the fixes) or the text moved (write them anew)."""
    import streamlit

    assert PINNED and streamlit.__version__ == PINNED.group(1)
    body = plotly_chunk().read_bytes()
    fixes = fixes_for(plotly_chunk().name)
    assert len(fixes) == len(FIXES) == 3
    assert applicable(body, fixes) == fixes
    text, out = body.decode(), fixed(plotly_chunk().name, body).decode()
    for f in fixes:
        assert f.old not in out and out.count(f.new) == 1
    assert len(out) - len(text) == sum(len(f.new) - len(f.old) for f in fixes)


def test_the_served_chunk_is_the_fixed_one_plain_and_gzipped():
    path = "/static/" + plotly_chunk().relative_to(ROOT / "static").as_posix()
    app = StaticFromMemory(Counted(), root=ROOT, base="")
    status, headers, body = call(app, path)
    assert status == 200 and int(headers["content-length"]) == len(body)
    assert body == fixed(plotly_chunk().name, plotly_chunk().read_bytes()) != plotly_chunk().read_bytes()
    status, zipped_headers, packed = call(app, path, headers=(("accept-encoding", "gzip"),))
    assert status == 200 and zipped_headers["content-encoding"] == "gzip" and gzip.decompress(packed) == body
    assert headers["etag"] != zipped_headers["etag"]


@pytest.mark.parametrize("name", ["Html.abc123.js", "PlotlyChart.abc123.css", "index.abc.js"])
def test_other_files_are_left_alone(name):
    body = b"return t?i(Je,{width:t,...e}):null"
    assert fixed(name, body) == body


def test_a_file_whose_text_differs_is_served_unchanged_and_the_log_says_why(caplog):
    """Another version's module: all fixes or none, never half of them."""
    body = b"/* another version */ return t?i(Je,{width:t,...e}):null"  # the first fix's text only
    with caplog.at_level(logging.WARNING, logger="ui.page_file_fixes"):
        assert fixed("PlotlyChart.new.js", body) == body
    assert "PlotlyChart.new.js" in caplog.text and "themed once" in caplog.text
    twice = b"return t?i(Je,{width:t,...e}):null" * 2
    assert fixed("PlotlyChart.new.js", twice) == twice
