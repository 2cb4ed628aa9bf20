"""rated.rate_frame (status, change and rating on whole arrays) against the scalar rules it mirrors."""
from __future__ import annotations

import math

import numpy as np
import pytest

from core.indicators import change as chg
from core.indicators.catalog import load_catalog
from core.indicators.rated import rate_frame
from core.indicators.targets import Target, Targets, judge

PERIOD = "2026-06"
TARGETS = Targets((
    Target(indicator="activity_hour_compliance", direction=">=", value=100),
    Target(indicator="fitness_good_rate", direction=">=", value=55, tolerance=2.5),
    Target(indicator="hw_g36_minutes_mean", direction=">=", value=40, county="乙县"),  # direction as given
    Target(indicator="resource_cv_max", direction="<=", value=0.5, stage="primary"),
    Target(indicator="quality_schools", direction=">=", value=250, baseline_month="2024-11", baseline_value=140,
           target_month="2028-12", levels=("zone", "county")),
))
VALUES = [None, 0.0, 20.0, 39.9, 52.6, 55.0, 94.9, 95.0, 99.99, 100.0, 160.0, 171.0, 300.0]
PREVS = [None, 0.0, 19.0, 50.0, 94.0, 100.0, 171.0]
KEYS = [("activity_hour_compliance", "zone", None, None), ("activity_hour_compliance", "county", "甲县", None),
        ("fitness_good_rate", "county", "甲县", None), ("hw_g36_minutes_mean", "county", "乙县", None),
        ("hw_g36_minutes_mean", "county", "甲县", None), ("resource_cv_max", "county", "甲县", "primary"),
        ("resource_cv_max", "county", "甲县", "junior"), ("quality_schools", "zone", None, None),
        ("quality_schools", "school", "甲县", None), ("activity_minutes_mean", "zone", None, None)]


def _rows():
    for ind, level, county, stage in KEYS:
        for v in VALUES:
            for p in PREVS:
                yield ind, level, county, stage, v, p


def _scalar(cat, ind_id, level, county, stage, v, p):
    ind = cat.get(ind_id)
    t = TARGETS.find(ind_id, level, county, stage)
    j = judge(v, t, PERIOD, ind.unit)
    delta = v - p if v is not None and p is not None else None
    direction = t.direction if t else ind.direction
    cls = chg.change_class(delta, p, ind.unit, direction, cat.rating)
    return {"status": j.status, "expected": j.expected, "gap": j.gap, "remaining": j.remaining,
            "target": t.value if t else None, "direction": direction, "change": delta,
            "change_direction": chg.change_direction(delta), "improving": chg.improving(cls),
            "rating": chg.rate(j.status, cls, cat.rating), "target_month": t.target_month if t else None,
            "prev_value": p, "value": v}


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b and type(a) is type(b)


@pytest.mark.parametrize("with_groups", [False, True])
def test_rate_frame_matches_judge_and_change_rules(with_groups):
    cat = load_catalog()
    rows = list(_rows())
    n = len(rows)

    def obj(values):
        arr = np.empty(n, dtype=object)
        arr[:] = values
        return arr

    cur = {"indicator": obj([r[0] for r in rows]), "level": obj([r[1] for r in rows]),
           "county": obj([r[2] for r in rows]), "stage": obj([r[3] for r in rows]),
           "period": obj([PERIOD] * n), "school_id": obj([None] * n), "school_name": obj([None] * n),
           "value": np.array([np.nan if r[4] is None else r[4] for r in rows]),
           "numerator": np.full(n, np.nan), "denominator": np.full(n, np.nan)}
    prev = np.array([np.nan if r[5] is None else r[5] for r in rows])
    groups = None
    if with_groups:
        seen: dict = {}
        groups = np.array([seen.setdefault(r[:4], len(seen)) for r in rows], dtype=np.int64)
    out = rate_frame(cur, prev, PERIOD, cat, TARGETS, groups=groups)
    problems = []
    for i, r in enumerate(rows):
        want = _scalar(cat, *r)
        for col, w in want.items():
            if not _same(out[col][i], w):
                problems.append((r, col, out[col][i], w))
    assert problems == []
    assert {s for s in out["status"]} == {"green", "amber", "red", "none"}
    assert all(x is None or type(x) is int for x in out["rating"])
    assert all(x is None or type(x) is bool for x in out["improving"])
