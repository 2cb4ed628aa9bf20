"""The per-process indicator cache follows the data, and the month-pair path equals month-by-month sums."""
from __future__ import annotations

import math

import numpy as np
import pytest
from test_indicators import add_submission, new_db

from core.indicators import cache, compute_indicators
from core.indicators.aggregate import RAW_COLUMNS, frame_of, raw_columns


def _value(con, indicator, period, level="zone", county=None):
    df = compute_indicators(con, period, level, county, indicator)
    rows = [r for r in df.to_dict("records") if r["county"] == county]
    return rows[0]["value"] if rows else None


def test_cached_figures_follow_new_and_switched_submissions(db_path):
    con = new_db(db_path)
    try:
        assert cache.data_key(con) is not None  # a file database is cached
        add_submission(con, "甲县", "2026-03", [{"id": "A1", "act": 50}, {"id": "A2", "act": 70}])
        old = add_submission(con, "甲县", "2026-04", [{"id": "A1", "act": 60}, {"id": "A2", "act": 70}])
        assert _value(con, "activity_hour_compliance", "2026-04") == 100.0
        assert _value(con, "activity_hour_compliance", "2026-04") == 100.0  # served from the cache
        # a corrected workbook replaces the month's data
        con.execute("UPDATE submission SET in_force = FALSE WHERE id = ?", [old])
        new = add_submission(con, "甲县", "2026-04", [{"id": "A1", "act": 30}, {"id": "A2", "act": 70}],
                             received="2026-05-02 09:00")
        assert _value(con, "activity_hour_compliance", "2026-04") == 50.0
        # restoring the old one (only the in-force flags change)
        con.execute("UPDATE submission SET in_force = (id = ?) WHERE county = '甲县' AND period = '2026-04'", [old])
        assert _value(con, "activity_hour_compliance", "2026-04") == 100.0
        con.execute("UPDATE submission SET in_force = (id = ?) WHERE county = '甲县' AND period = '2026-04'", [new])
        row = compute_indicators(con, "2026-04", "school", indicator="activity_hour_compliance")
        assert sorted(zip(row["school_id"], row["value"])) == [("A1", 0.0), ("A2", 100.0)]
    finally:
        con.close()


def test_in_memory_databases_are_not_cached():
    con = new_db()
    assert cache.data_key(con) is None


def test_cached_and_fresh_results_are_identical(db_path):
    con = new_db(db_path)
    try:
        add_submission(con, "甲县", "2026-03",
                       [{"id": "A1", "act": 50}, {"id": "A2", "type": "初级中学", "g79": 80}],
                       [{"id": "A1", "level": "市级"}, {"id": "A2", "level": "无"}])
        add_submission(con, "乙县", "2026-04", [{"id": "B1", "act": 45}, {"id": "B2"}])
        add_submission(con, "甲县", "2026-04",
                       [{"id": "A1", "act": 65}, {"id": "A2", "type": "初级中学", "g79": 95}])
        for level in ("zone", "county", "school"):
            cache.clear()
            fresh = compute_indicators(con, "2026-04", level)
            cached = compute_indicators(con, "2026-04", level)
            assert fresh.equals(cached) and len(fresh) > 0
    finally:
        con.close()


def _month_pair_db():
    """Schools and counties appearing in only one of the two months, out-of-scope schools, carry-forward."""
    con = new_db()
    add_submission(con, "甲县", "2026-03", [{"id": "A1", "act": 50}, {"id": "A2", "type": "初级中学", "g79": 80},
                                           {"id": "A9", "act": 20}],
                   [{"id": "A1", "level": "市级"}, {"id": "A2", "level": "省级", "hd": 2}])
    add_submission(con, "丙县", "2026-03", [{"id": "C1", "act": 70}])
    add_submission(con, "甲县", "2026-04", [{"id": "A1", "act": 65}, {"id": "A2", "type": "初级中学", "g79": 95},
                                           {"id": "A3", "type": "高级中学", "l1012": 1}])
    add_submission(con, "乙县", "2026-04", [{"id": "B1", "act": 45, "students": 300}, {"id": "B2", "pe": False}],
                   [{"id": "B1", "level": "省级"}])
    return con


def _close(a, b) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        return (a is None or math.isnan(a)) and (b is None or math.isnan(b))
    return math.isclose(a, b, rel_tol=1e-12)


@pytest.mark.parametrize("level,county", [("zone", None), ("county", None), ("school", None),
                                          ("county", "甲县"), ("school", "乙县")])
def test_month_pair_path_equals_month_by_month(level, county):
    con = _month_pair_db()
    pair = raw_columns(con, ["2026-04"], levels=[level], county=county, prev="2026-03")
    # both paths as computed (a mean's sums included: raw_frame shows them for rates only)
    both = frame_of(raw_columns(con, ["2026-03", "2026-04"], levels=[level], county=county), RAW_COLUMNS)
    key = ["indicator", "level", "county", "school_id", "stage"]
    before = {tuple(r[k] for k in key): r["value"] for r in both.to_dict("records") if r["period"] == "2026-03"}
    now = [r for r in both.to_dict("records") if r["period"] == "2026-04"]
    assert len(now) == len(pair["indicator"]) > 0
    for i, r in enumerate(now):
        for col in ("indicator", "period", "level", "county", "school_id", "school_name", "stage"):
            assert pair[col][i] == r[col], (i, col)
        for col in ("value", "numerator", "denominator"):
            assert _close(float(pair[col][i]), r[col]), (r, col, pair[col][i])
        assert _close(float(pair["prev_value"][i]), before.get(tuple(r[k] for k in key))), r
    missing = np.isnan(pair["prev_value"])
    if county == "乙县":  # no data in 2026-03
        assert missing.all()
    else:
        assert missing.any() and not missing.all()


@pytest.mark.parametrize("level,county", [("zone", None), ("county", None), ("school", None), ("school", "甲县")])
def test_the_engine_equals_the_per_school_numpy_oracle(level, county):
    """One engine computes the sums (GROUPING SETS); the old numpy month pair checks it."""
    from pair_oracle import level_part, school_sums

    from core.indicators.catalog import load_catalog
    from core.indicators.measures import measures
    con = _month_pair_db()
    cat = load_catalog()
    sums_sql = measures(cat)
    engine = raw_columns(con, ["2026-04"], levels=[level], county=county, prev="2026-03")
    inds = [i for i in cat.indicator if i.id in sums_sql and level in i.levels]
    oracle = level_part(school_sums(con, "2026-04", "2026-03", sums_sql, cat), "2026-04", level, county, inds)
    got = {(engine["indicator"][i], engine["county"][i], engine["school_id"][i]): i
           for i in range(len(engine["indicator"])) if engine["stage"][i] is None and engine["indicator"][i] in sums_sql}
    assert len(got) == len(oracle["indicator"]) > 0
    for j in range(len(oracle["indicator"])):
        i = got[(oracle["indicator"][j], oracle["county"][j], oracle["school_id"][j])]
        for col in ("value", "numerator", "denominator", "prev_value"):
            assert _close(float(engine[col][i]), float(oracle[col][j])), (col, oracle["indicator"][j])


def test_the_data_version_follows_reviews_and_the_audit_log(db_path):
    """The one key of every cache (indicators here, the pages' st.cache_data, the 月报 page)."""
    con = new_db(db_path)
    try:
        sid = add_submission(con, "甲县", "2026-03", [{"id": "A1"}])
        before = cache.data_key(con)
        con.execute("UPDATE submission SET review_status = 'approved' WHERE id = ?", [sid])
        approved = cache.data_key(con)
        con.execute("""INSERT INTO audit_log ("at", actor, action) VALUES (now(), 'x', 'restore')""")
        assert len({before, approved, cache.data_key(con)}) == 3
    finally:
        con.close()


@pytest.mark.parametrize("level,county", [("zone", None), ("county", None), ("county", "甲县")])
def test_one_indicator_is_the_rows_of_the_whole_level(level, county):
    """ui/data.indicators takes one indicator's zone/county rows out of the level's whole frame."""
    from pandas.testing import assert_frame_equal

    from core.indicators.catalog import load_catalog
    con = _month_pair_db()
    whole = compute_indicators(con, "2026-04", level, county)
    assert len(whole) > 0
    for ind in load_catalog().indicator:
        alone = compute_indicators(con, "2026-04", level, county, ind.id)
        rows = whole[whole["indicator"] == ind.id].reset_index(drop=True)
        assert_frame_equal(alone, rows, check_index_type=False)


@pytest.mark.parametrize("county", [None, "甲县"])
def test_one_indicators_school_rows_are_those_of_every_indicator(db_path, county):
    """The school level is kept one row per school and month (aggregate._Wide); the rows of the
    indicators a call picks are made from it, fresh and from the cache alike."""
    from pandas.testing import assert_frame_equal

    from core.indicators.catalog import load_catalog
    con = new_db(db_path)
    try:
        for args in [("甲县", "2026-03", [{"id": "A1", "act": 50}, {"id": "A2", "type": "初级中学", "g79": 80}],
                      [{"id": "A1", "level": "市级"}]),
                     ("乙县", "2026-04", [{"id": "B1", "act": 45}, {"id": "B2"}], [{"id": "B1", "level": "省级"}]),
                     ("甲县", "2026-04", [{"id": "A1", "act": 65}, {"id": "A3", "type": "高级中学", "l1012": 1}])]:
            add_submission(con, *args)
        cache.clear()
        whole = compute_indicators(con, "2026-04", "school", county)
        assert len(whole) > 0 and whole["prev_value"].notna().any()
        for ind in load_catalog().indicator:
            if "school" not in ind.levels:
                continue
            alone = compute_indicators(con, "2026-04", "school", county, ind.id)
            assert_frame_equal(alone, whole[whole["indicator"] == ind.id].reset_index(drop=True),
                               check_index_type=False)
    finally:
        con.close()


def test_a_cached_pair_gives_the_same_rows_at_every_level(db_path):
    """The month pair is kept split by level, its strings as codes: every level reads the same rows back."""
    con = new_db(db_path)
    try:
        add_submission(con, "甲县", "2026-03", [{"id": "A1", "act": 50}, {"id": "A2", "type": "初级中学", "g79": 80}],
                       [{"id": "A1", "level": "市级"}])
        add_submission(con, "乙县", "2026-04", [{"id": "B1", "act": 45}, {"id": "B2"}])
        add_submission(con, "甲县", "2026-04", [{"id": "A1", "act": 65}, {"id": "A3", "act": 30}])
        cache.clear()
        first = {lv: raw_columns(con, ["2026-04"], levels=[lv], prev="2026-03") for lv in ("school", "county", "zone")}
        assert len(cache._indicators) == 2 and cache._indicators.total > 0  # the pairs (counties, schools), by bytes
        for lv, cols in first.items():
            again = raw_columns(con, ["2026-04"], levels=[lv], prev="2026-03")
            cache.clear()
            fresh = raw_columns(con, ["2026-04"], levels=[lv], prev="2026-03")
            assert len(fresh["indicator"]) > 0
            for c in fresh:
                for got in (cols[c], again[c]):
                    assert got.dtype == fresh[c].dtype, (lv, c)
                    assert [None if v != v else v for v in got.tolist()] == \
                           [None if v != v else v for v in fresh[c].tolist()], (lv, c)
    finally:
        con.close()


def test_the_heap_is_trimmed_after_long_computations_and_evictions(monkeypatch):
    """Freed intermediates of a long computation, and evicted entries, go back to the system."""
    import weakref

    trims = []
    evicted_alive = []

    class Entry:  # an object that can be watched for being freed
        pass

    cache.trim_heap()  # callable here (glibc) and harmless
    box = cache.BoundedCache(100, "test")
    first = Entry()
    ref = weakref.ref(first)
    monkeypatch.setattr(cache, "trim_heap", lambda: (trims.append(1), evicted_alive.append(ref() is not None)))
    box.put(("a",), first, 60, seconds=0.01)
    assert trims == []  # quick, nothing evicted: no trim
    box.put(("b",), Entry(), 30, seconds=cache.TRIM_AFTER)
    assert trims == [1]  # a long computation
    del first
    box.put(("c",), Entry(), 30, seconds=0.0)
    assert trims == [1, 1] and evicted_alive == [True, False]  # "a" evicted, freed before the trim
    assert box.get(("a",)) is None and len(box) == 2


def test_entries_are_sized_by_their_real_bytes():
    import pandas as pd

    shared = np.array(["学校名称" * 5] * 10_000, dtype=object)  # one object, 10,000 pointers
    distinct = np.array([f"学校名称{i:06d}" * 2 for i in range(10_000)], dtype=object)
    assert shared.nbytes <= cache.nbytes_of(shared) < shared.nbytes + 10_000
    assert 10_000 * 60 < cache.nbytes_of(distinct) - distinct.nbytes < 10_000 * 150
    frame = pd.DataFrame({"x": np.arange(10_000, dtype=float), "name": distinct,
                          "obj": pd.Series(shared, dtype=object)})  # Arrow strings; shared objects
    strings = frame["name"].str.len().sum() * 2  # 学校名称 is 3 bytes of UTF-8, digits 1
    assert 80_000 + strings + shared.nbytes <= cache.nbytes_of(frame) < 80_000 + 1.5 * strings + shared.nbytes + 20_000


def test_the_bounded_cache_evicts_by_size_and_logs_its_events(tmp_path, monkeypatch):
    log = tmp_path / "cache.log"
    monkeypatch.setenv(cache.LOG_ENV, str(log))
    kept = cache.BoundedCache(1000, "t", lambda key: key[0])
    assert kept.cached(("a",), lambda: 1, lambda _: 600) == 1
    assert kept.cached(("a",), lambda: 2, lambda _: 600) == 1  # a hit
    kept.cached(("b",), lambda: 3, lambda _: 600)  # a and b together pass the bound: a goes
    kept.cached(("c",), lambda: 4, lambda _: 2000)  # larger than the bound alone: not kept
    assert kept.get(("a",)) is None and kept.get(("b",)) == 3 and kept.get(("c",)) is None
    assert kept.total == 600 and len(kept) == 1
    events = [line.split("\t")[1:4] for line in log.read_text(encoding="utf-8").splitlines()]
    assert events == [["t", "miss", "a"], ["t", "put", "a"], ["t", "hit", "a"], ["t", "miss", "b"],
                      ["t", "put", "b"], ["t", "evict", "a"], ["t", "miss", "c"], ["t", "skip", "c"],
                      ["t", "miss", "a"], ["t", "hit", "b"], ["t", "miss", "c"]]


def test_an_entry_above_max_entry_is_not_kept_and_evicts_nothing():
    """The pages' large tier keeps no frame above LARGE_MAX_ENTRY (it would push out nearly everything)."""
    from ui import data

    kept = cache.BoundedCache(1000, "t", max_entry=500)
    kept.put(("a",), 1, 400)
    kept.put(("b",), 2, 501)  # under the bound, above max_entry
    assert kept.get(("a",)) == 1 and kept.get(("b",)) is None and kept.total == 400
    assert data._large.max_entry == cache.LARGE_MAX_ENTRY < data._large.max_bytes
    assert data._results.max_entry == data._results.max_bytes


def test_trend_windows_reuse_kept_months_and_equal_fresh_ones(db_path):
    """A trend keeps each month's rows: a window moved by a month computes that month only, same rows."""
    from pandas.testing import assert_frame_equal

    from core.indicators import indicator_trend
    con = new_db(db_path)
    try:
        for n, period in enumerate(("2026-02", "2026-03", "2026-04", "2026-05")):
            add_submission(con, "甲县", period, [{"id": "A1", "act": 50 + 5 * n}, {"id": "A2", "act": 70}],
                           [{"id": "A1", "level": "市级"}])
            if n % 2:
                add_submission(con, "乙县", period, [{"id": "B1", "act": 40 + 10 * n}])
        asked = [("activity_hour_compliance", "zone", None), ("activity_hour_compliance", "county", None),
                 ("quality_schools", "county", "甲县"), ("submission_on_time_rate", "zone", None)]
        cache.clear()
        kept = {(a, end, months): indicator_trend(con, *a[:2], county=a[2], end=end, months=months)
                for end in ("2026-04", "2026-05", "2026-03") for months in (2, 3) for a in asked}
        assert any(k[1] == "trend_months" for k in cache._indicators._entries)
        for (a, end, months), got in kept.items():
            cache.clear()
            fresh = indicator_trend(con, *a[:2], county=a[2], end=end, months=months)
            assert len(fresh) > 0
            assert_frame_equal(got, fresh)
    finally:
        con.close()


def test_school_detail_values_are_the_plain_object_values(monkeypatch):
    """school_detail shares one object per distinct value; the values and their Python types are those
    of the plain conversion (astype(object), None for null)."""
    import pandas as pd
    from pandas.testing import assert_frame_equal

    from core.indicators import detail
    con = _month_pair_db()
    plain = []
    real_objects = detail._objects
    monkeypatch.setattr(detail, "_objects", lambda c: plain.append(c.astype(object).where(c.notna(), None)) or
                        real_objects(c))
    for period, county in (("2026-04", None), ("2026-03", "甲县"), ("2026-04", "乙县")):
        plain.clear()
        got = detail.school_detail(con, period, county)
        want = pd.DataFrame({s.name: pd.Series(s.to_numpy(), dtype=object) for s in plain}).drop(columns=["period"])
        assert len(got) > 0 and got.columns.tolist() == detail.DETAIL_COLUMNS
        assert_frame_equal(got, want, check_exact=True)
        for c in got.columns:
            assert [type(v) for v in got[c]] == [type(v) for v in want[c]], c
    history = detail.school_history(con, "A1", "甲县")
    assert history["period"].tolist() == ["2026-03", "2026-04"] and history["students"].notna().all()


def test_the_zones_school_rows_are_picked_from_core_not_kept_by_the_pages(db_path):
    """ui/data keeps a county's school rows (the drill-down) but not the zone's: those are picked from
    the month pair core keeps, and kept twice they pushed the school_detail frames out."""
    from pandas.testing import assert_frame_equal

    from core.db import open_db
    from ui import data
    con = new_db(db_path)
    try:
        add_submission(con, "甲县", "2026-03", [{"id": "A1", "act": 50}, {"id": "A2", "act": 80}])
        add_submission(con, "甲县", "2026-04", [{"id": "A1", "act": 65}, {"id": "A2", "act": 30}])
        add_submission(con, "乙县", "2026-04", [{"id": "B1", "act": 45}])
    finally:
        con.close()
    data.forget()
    cache.clear()
    ind = "activity_hour_compliance"
    zone = data.indicators("2026-04", level="school", indicator=ind)
    county = data.indicators("2026-04", level="school", county="甲县", indicator=ind)
    with open_db(db_path) as con:
        assert_frame_equal(zone, compute_indicators(con, "2026-04", "school", None, ind))
        assert_frame_equal(county, compute_indicators(con, "2026-04", "school", "甲县", ind))
    assert len(zone) == 3 and len(county) == 2
    kept = [k for tier in (data._results, data._large) for k in tier._entries if "compute_indicators" in k]
    assert len(kept) == 1 and ("county", "甲县") in kept[0][-1]
    assert any(k[1] == "month_pair" for k in cache._indicators._entries)  # what the zone's rows come from
    data.forget()


def test_the_server_trims_its_heap_in_one_thread(monkeypatch):
    """ui/data starts one trimming thread per process; it trims every TRIM_EVERY seconds."""
    import threading
    import time

    import ui.data  # noqa: F401 - starts the thread

    assert [t.name for t in threading.enumerate()].count("heap-trim") == 1
    cache.start_trimming()
    assert [t.name for t in threading.enumerate()].count("heap-trim") == 1  # idempotent
    trims = []
    monkeypatch.setattr(cache, "trim_heap", lambda: trims.append(time.monotonic()))
    monkeypatch.setattr(cache, "TRIM_EVERY", 0.05)  # from the thread's next round on
    deadline = time.monotonic() + 10
    while len(trims) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(trims) >= 3


def test_every_facts_query_runs_under_the_facts_lock():
    """One facts query at a time per process (core.indicators.base.FACTS_LOCK): DuckDB's memory_limit
    is shared by the connections open at once, and province-scale facts queries together pass it."""
    from core.indicators import (data_quality_warnings, indicator_trend, resource_table, school_detail,
                                 school_history)
    from core.indicators.base import FACTS_LOCK

    class Watched:  # the connection, noting whether each facts query ran with the lock held
        def __init__(self, con):
            self.con, self.seen = con, []

        def execute(self, sql, *args):
            if "facts AS (" in sql:
                self.seen.append(FACTS_LOCK._is_owned())
            return self.con.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.con, name)

    con = Watched(_month_pair_db())
    cache.clear()
    for level in ("zone", "county", "school"):
        compute_indicators(con, "2026-04", level)
    compute_indicators(con, "2026-04", "school", "甲县", "activity_hour_compliance")
    school_detail(con, "2026-04")
    school_history(con, "A1", "甲县")
    resource_table(con, "2026-04")
    data_quality_warnings(con, "2026-04")
    indicator_trend(con, "activity_hour_compliance", "county", end="2026-04", months=2)
    assert len(con.seen) >= 8 and all(con.seen)
    assert not FACTS_LOCK._is_owned()  # released after each
