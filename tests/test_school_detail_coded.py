"""school_detail as the pages' cache keeps it (CodedDetail) and the DuckDB memory its query runs under."""
from __future__ import annotations

import duckdb
import numpy as np
import pytest
from pandas.testing import assert_frame_equal
from test_indicator_cache import _month_pair_db
from test_indicators import add_submission, new_db

from core.db import DUCKDB_SETTINGS, memory_limit, open_db
from core.indicators import cache, detail
from core.indicators.aggregate import _Coded
from core.indicators.cache import nbytes_of


def _setting(con) -> str:
    return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def _as_reported(limit: str) -> str:
    """The limit as DuckDB reports it back (e.g. 128MB -> 122.0 MiB)."""
    with duckdb.connect() as con:
        con.execute(f"SET memory_limit = '{limit}'")
        return _setting(con)


def _same(got, want) -> None:
    """The same frame: columns, index, values and each value's Python type."""
    assert_frame_equal(got, want, check_exact=True)
    for c in want.columns:
        assert [type(v) for v in got[c]] == [type(v) for v in want[c]], c


@pytest.mark.parametrize("period,county", [("2026-04", None), ("2026-03", None), ("2026-04", "甲县"),
                                           ("2026-03", "乙县")])  # 乙县 has no 2026-03: no rows
def test_the_coded_rows_are_school_detail(period, county):
    con = _month_pair_db()
    coded = detail.school_detail_coded(con, period, county)
    want = detail.school_detail(con, period, county)
    assert list(coded.columns) == detail.DETAIL_COLUMNS
    _same(coded.frame(), want)
    _same(coded.frame(), want)  # frame() again: the same, the kept codes untouched
    assert (len(want) == 0) == (county == "乙县")


def test_codes_take_the_narrowest_integer_type():
    assert _Coded.of(np.array(["a", None, "b"], dtype=object)).codes.dtype == np.int8
    assert _Coded.of(np.array([str(i) for i in range(300)], dtype=object)).codes.dtype == np.int16
    assert _Coded.of(np.array([str(i) for i in range(40_000)], dtype=object)).codes.dtype == np.int32
    many = _Coded.of(np.array([str(i % 200) for i in range(1000)] + [None], dtype=object))
    assert many.take().tolist() == [str(i % 200) for i in range(1000)] + [None]


def test_the_coded_rows_are_smaller_than_the_frame(db_path):
    con = new_db(db_path)
    try:
        rows = [{"id": f"A{i}", "act": 40 + i % 30, "students": 200 + i} for i in range(200)]
        add_submission(con, "甲县", "2026-04", rows)
        coded = detail.school_detail_coded(con, "2026-04")
        frame = detail.school_detail(con, "2026-04")
    finally:
        con.close()
    assert coded.columns["county"].codes.dtype == np.int8
    assert coded.nbytes < nbytes_of(frame) / 2


def test_memory_limit_is_set_inside_and_the_usual_one_after(db_path):
    usual = _as_reported(DUCKDB_SETTINGS["memory_limit"])
    with open_db(db_path) as con:
        assert _setting(con) == usual
        with memory_limit(con, "64MB"):
            assert _setting(con) == _as_reported("64MB")
        assert _setting(con) == usual
        with pytest.raises(ZeroDivisionError), memory_limit(con, "64MB"):
            raise ZeroDivisionError
        assert _setting(con) == usual


def test_the_rows_query_runs_under_less_memory_and_again_when_that_is_too_little():
    """school_detail's query runs under detail.QUERY_MEMORY; on DuckDB's Out of Memory it runs again
    under the usual limit and gives the same rows."""
    class OutOfMemoryOnce:  # the connection; the first facts query fails as DuckDB does past its limit
        def __init__(self, con):
            self.con, self.limits = con, []

        def execute(self, sql, *args):
            if "facts AS (" in sql:
                self.limits.append(_setting(self.con))
                if len(self.limits) == 1:
                    raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")
            return self.con.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.con, name)

    plain = _month_pair_db()
    want = detail.school_detail(plain, "2026-04")
    con = OutOfMemoryOnce(_month_pair_db())
    _same(detail.school_detail(con, "2026-04"), want)
    assert con.limits == [_as_reported(detail.QUERY_MEMORY), _as_reported(DUCKDB_SETTINGS["memory_limit"])]
    con.limits = [None]  # no failure this time: one query, under the smaller limit
    _same(detail.school_detail_coded(con, "2026-04").frame(), want)
    assert con.limits == [None, _as_reported(detail.QUERY_MEMORY)]
    assert _setting(con) == _as_reported(DUCKDB_SETTINGS["memory_limit"])


def test_the_pages_keep_school_detail_coded(db_path, monkeypatch):
    """ui/data keeps CodedDetail, computed once, and gives the pages school_detail's frame."""
    from ui import data
    con = new_db(db_path)
    for county, schools in {"甲县": [{"id": "A1", "act": 65}, {"id": "A2", "act": 30}],
                            "乙县": [{"id": "B1", "act": 45}]}.items():
        add_submission(con, county, "2026-04", schools)
    con.close()
    data.forget()
    cache.clear()
    calls = []
    real = detail.school_detail_coded
    monkeypatch.setattr(detail, "school_detail_coded", lambda *a, **k: calls.append(a[1:]) or real(*a, **k))
    with open_db(db_path) as con:
        want = {county: detail.school_detail(con, "2026-04", county) for county in (None, "乙县")}
    for _ in range(2):
        for county, rows in want.items():
            got = data.load("school_detail", "2026-04", county=county)
            _same(got, rows)
            got.loc[:, "school_name"] = "改过"  # a page's change never reaches what is kept
    assert len(calls) == 2
    kept = [v for tier in (data._results, data._large) for k, (v, _) in tier._entries.items()
            if "school_detail_coded" in k]
    assert len(kept) == 2 and all(isinstance(v, detail.CodedDetail) for v in kept)
    data.forget()


def test_a_countys_facts_are_its_rows_of_all_counties_facts():
    """facts_cte(…, county=…) reads that county's submissions only: the same rows as all counties' facts
    have for it (carried-forward 优质学校 rows, a code another county also uses)."""
    from core.indicators.base import facts_cte
    con = _month_pair_db()
    add_submission(con, "乙县", "2026-03", [{"id": "A1", "act": 10}], [{"id": "A1", "level": "县级"}])
    months = ["2026-03", "2026-04"]
    order = " ORDER BY period, county, school_id"
    everyone = con.execute(facts_cte(months) + " SELECT * FROM facts" + order).df()
    assert set(everyone["county"]) == {"甲县", "乙县", "丙县"}
    for county in ("甲县", "乙县", "丙县", "丁县"):
        one = con.execute(facts_cte(months, county=county) + " SELECT * FROM facts" + order).df()
        want = everyone[everyone["county"] == county].reset_index(drop=True)
        # (a column's dtype follows its nulls: bool for one county, boolean with another's nulls)
        assert_frame_equal(one, want, check_exact=True, check_dtype=False)
        assert (len(one) > 0) == (county != "丁县")
