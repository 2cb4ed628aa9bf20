"""The per-process indicator cache follows the data, and the month-pair path equals month-by-month sums."""
from __future__ import annotations

import math

import numpy as np
import pytest
from test_indicators import add_submission, new_db

from core.indicators import cache, compute_indicators
from core.indicators.aggregate import raw_columns, raw_frame


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
    both = raw_frame(con, ["2026-03", "2026-04"], levels=[level], county=county)
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
