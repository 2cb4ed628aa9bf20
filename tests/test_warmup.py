"""The server's warm-up (ui/warmup.py): a first visit to the overview then computes nothing."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.db import open_db
from core.demo.build import build_demo
from core.indicators import month_choices
from core.indicators.cache import BoundedCache
from core.indicators.completeness import pick_default
from ui import data, warmup

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def test_a_first_visit_to_the_overview_after_the_warm_up_computes_nothing(tmp_path, monkeypatch):
    db = tmp_path / "pilot.duckdb"
    build_demo(db, workbook_dir=tmp_path / "workbooks", n_counties=3, schools_per_county=12, months=4)
    monkeypatch.setenv("PILOT_DB", str(db))
    data.forget()
    with open_db(db) as con:
        default = pick_default(month_choices(con))
    assert warmup.warm_overview() == default

    computed = []
    put = BoundedCache.put
    monkeypatch.setattr(BoundedCache, "put", lambda self, key, *a, **kw: (computed.append(key[3:]), put(self, key, *a, **kw)))
    at = AppTest.from_file(APP, default_timeout=30).run()  # the dashboard's address, no parameters
    assert not at.exception
    assert at.query_params["month"] == [default] or at.query_params["month"] == default
    assert any("sg-wrap" in el.proto.body for el in at.get("html"))  # the grid is on the page
    assert computed == []  # every result the page asked for was the warm-up's


def test_the_warm_up_leaves_a_missing_or_empty_database_alone(tmp_path, monkeypatch):
    db = tmp_path / "pilot.duckdb"
    monkeypatch.setenv("PILOT_DB", str(db))
    data.forget()
    assert warmup.warm_overview() is None
    assert not db.exists()  # not created: the first visitor's run may build the demo zone there
    with open_db(db):
        pass  # the schema only, no submission
    assert warmup.warm_overview() is None


def test_the_warm_up_loads_the_modules_of_the_first_run():
    names = warmup.script_imports(*warmup.SCRIPTS)
    assert {"ui.data", "ui.auth", "ui.status_grid", "ui.tiles", "ui.overview_grid"} <= set(names)
    assert len(names) == len(set(names))


def last_line(code: str, db: Path, **env: str) -> str:
    """The last line `code` prints in a fresh interpreter (on database `db`); it must exit cleanly."""
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PILOT_DB": str(db), **env},
                         capture_output=True, text=True, timeout=120, cwd=db.parent)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Nagle" not in out.stderr  # no web-server setup outside the web server
    return out.stdout.strip().splitlines()[-1]


def test_the_warm_up_loads_what_streamlit_imports_on_a_first_run(tmp_path):
    # In a fresh interpreter: after the warm-up's imports, a first run of the overview imports
    # nothing more of Streamlit's (AppTest's own machinery aside).
    code = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r}); os.chdir({str(ROOT)!r})
from streamlit.testing.v1 import AppTest
from ui import warmup
warmup.load_modules([*warmup.script_imports(*warmup.SCRIPTS), *warmup.STREAMLIT_LATE])
AppTest.from_file("app.py")
before = set(sys.modules)
at = AppTest.from_file("app.py", default_timeout=60).run()
assert not at.exception
late = sorted(m for m in set(sys.modules) - before
              if m.startswith("streamlit.") and not m.startswith(("streamlit.testing", "streamlit.components.v2")))
print(late)
"""
    assert last_line(code, tmp_path / "pilot.duckdb", PILOT_NO_DEMO="1") == "[]"


def test_a_process_that_multiprocessing_starts_from_a_page_run_does_not_start_the_server_parts(tmp_path):
    # multiprocessing's spawn and forkserver children (the demo build's and ingest's pools, started
    # while app.py runs as __main__) import the main script again under the name __mp_main__.
    code = f"""
import runpy, sys, threading
sys.path.insert(0, {str(ROOT)!r})
runpy.run_path({APP!r}, run_name="__mp_main__")
from core import db
print(sorted(t.name for t in threading.enumerate()), "ui.warmup" in sys.modules, len(db._HELD))
"""
    assert last_line(code, tmp_path / "pilot.duckdb") == "['MainThread'] False 0"
