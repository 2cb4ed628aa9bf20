"""The server's warm-up (ui/warmup.py): a first visit to the overview then computes nothing."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.db import open_db
from core.demo.build import build_demo
from core.indicators import month_choices
from core.indicators.cache import BoundedCache
from core.indicators.completeness import pick_default
from ui import data, warmup

APP = str(Path(__file__).resolve().parent.parent / "app.py")


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
