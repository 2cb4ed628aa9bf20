"""plausibility.find picks the schools to look at with whole-array tests: it finds exactly what a check of
every school (the plain loop below, as find was written before) finds, in the same order."""
from __future__ import annotations

import random

import pytest

from core.indicators.catalog import load_catalog
from core.submission.plausibility import METRICS, MINUTES, _hours, _jump, _outliers, find, looks_like_hours


def _find_school_by_school(county, values, previous, dq):
    out = []
    for metric in MINUTES:
        out += _outliers(county, metric, values.get(metric, {}), dq)
    for metric in METRICS:
        before = previous.get(metric, {})
        out += [f for sid, x in values.get(metric, {}).items() if sid in before
                for f in [_jump(sid, metric, x, before[sid], dq)] if f is not None]
    for metric in MINUTES:
        out += [_hours(sid, metric, x, dq) for sid, x in values.get(metric, {}).items()
                if looks_like_hours(metric, x, dq)]
    return out


def _month(rng: random.Random, sids: list[str], base: dict[str, float] | None) -> dict[str, dict[str, float]]:
    picks = {"students": [0.0, 1.0, 50.0, 400.0, 401.0, 600.0, 1000.0],
             "minutes": [0.0, 0.5, 1.0, 1.5, 2.0, 30.0, 45.0, 60.0, 61.0, 90.0, 120.0, 180.0, 300.0]}
    out = {}
    for metric in METRICS:
        kind = "students" if metric == "students" else "minutes"
        values = {}
        for sid in sids:
            if rng.random() < 0.1:
                continue  # a school without a value
            if base and sid in base.get(metric, {}) and rng.random() < 0.5:
                values[sid] = base[metric][sid] + rng.choice([0.0, 0.0, 1.0, -1.0, 15.0, -30.0])
            else:
                values[sid] = rng.choice(picks[kind])
        out[metric] = values
    return out


@pytest.mark.parametrize("seed", range(8))
def test_find_matches_checking_every_school(seed):
    dq = load_catalog().data_quality
    rng = random.Random(seed)
    sids = [f"21900{i:05d}" for i in range(rng.randint(1, 80))]
    rng.shuffle(sids)
    before = _month(rng, sids, None)
    now = _month(rng, sids, before)
    if seed == 0:
        before = {}  # no previous month
    assert find("云岭县", now, before, dq) == _find_school_by_school("云岭县", now, before, dq)
    assert find("云岭县", now, {}, dq) == _find_school_by_school("云岭县", now, {}, dq)
