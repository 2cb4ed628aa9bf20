"""Status, change and rating for whole columns of indicator values (numpy, not one call per row).

The same rules as core.indicators.targets.judge and core.indicators.change (tests compare the two), applied
to arrays: the target is looked up once per (indicator, level, county, stage) group, its figures
spread to the group's rows, and every comparison is an array operation. At province scale the
school level has ~440k rows; one Python call per row cost seconds.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.indicators.aggregate import to_objects
from core.indicators.catalog import Catalog
from core.indicators.targets import GAP_AMBER, Targets, expected_value, tolerance_of

KEY_COLUMNS = ("indicator", "level", "county", "school_id", "stage")
GROUP_COLUMNS = ("indicator", "level", "county", "stage")
STATUSES = np.array(["green", "amber", "red", "none"], dtype=object)
DIRECTIONS = np.array(["up", "down", "flat", "none"], dtype=object)
IMPROVING = np.array([True, False, None], dtype=object)
FLAT_CHANGE = 1e-12  # change_direction: |change| up to this is flat


def composite_keys(cols: dict[str, np.ndarray], columns=KEY_COLUMNS) -> np.ndarray:
    """One int64 per row identifying its values in `columns` (None is a value of its own)."""
    key = np.zeros(len(cols[columns[0]]), dtype=np.int64)
    for c in columns:
        codes, uniques = pd.factorize(cols[c], use_na_sentinel=True)
        key = key * (len(uniques) + 1) + (codes + 1)
    return key


def rate_frame(cur: dict[str, np.ndarray], prev_value: np.ndarray, period: str, cat: Catalog,
               targets: Targets, groups: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The COLUMNS of compute_indicators (object arrays, None for null) for the raw rows `cur`.

    `groups` (optional) numbers the rows' (indicator, level, county, stage) groups when the
    caller knows them; otherwise they are found from those columns.
    """
    n = len(cur["indicator"])
    gkeys = composite_keys(cur, GROUP_COLUMNS) if groups is None else groups
    _, first, inverse = np.unique(gkeys, return_index=True, return_inverse=True)
    g = _group_params(cur, first, period, cat, targets)
    row = {k: v[inverse] for k, v in g.items()}

    value = cur["value"].astype(float)
    null = np.isnan(value)
    has_t, traj, ge = row["has_target"], row["trajectory"], row["ge"]
    t_val, tol, expected, span = row["t_value"], row["tolerance"], row["expected"], row["span"]
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = (value - expected) / span
        green = np.where(traj, gap >= 0, np.where(ge, value >= t_val, value <= t_val))
        amber = np.where(traj, gap >= GAP_AMBER, np.where(ge, value >= t_val - tol, value <= t_val + tol))
        remaining = np.where(traj, t_val - value, np.maximum(0.0, np.where(ge, t_val - value, value - t_val)))
    judged = has_t & ~null
    status = np.where(~judged, 3, np.where(green, 0, np.where(amber, 1, 2)))
    gap = np.where(judged & traj, gap, np.nan)
    remaining = np.where(judged, remaining, np.nan)

    change = value - prev_value
    cls = _change_class(change, prev_value, row["pct"], row["ge_change"], cat)
    direction_code = np.where(np.isnan(change), 3, np.where(change > FLAT_CHANGE, 0,
                                                            np.where(change < -FLAT_CHANGE, 1, 2)))
    grid = np.array([cat.rating.grid[s] for s in ("green", "amber", "red")], dtype=np.int64)
    rating = np.where(status < 3, grid[np.minimum(status, 2), np.where(cls < 0, 2, cls)], 0)
    ratings = np.array([None, 1, 2, 3, 4, 5], dtype=object)
    improving = np.where((cls < 0) | (cls == 2), 2, np.where(cls < 2, 0, 1))
    return {
        "indicator": cur["indicator"], "name": row["name"], "period": cur["period"], "level": cur["level"],
        "county": cur["county"], "school_id": cur["school_id"], "stage": cur["stage"],
        "value": to_objects(value), "numerator": to_objects(cur["numerator"]),
        "denominator": to_objects(cur["denominator"]), "unit": row["unit"], "target": row["target"],
        "direction": row["direction"], "expected": row["expected_obj"], "status": STATUSES[status],
        "school_name": cur["school_name"], "prev_value": to_objects(prev_value), "change": to_objects(change),
        "change_direction": DIRECTIONS[direction_code], "improving": IMPROVING[improving],
        "rating": ratings[rating], "remaining": to_objects(remaining),
        "projection": np.full(n, None, dtype=object), "gap": to_objects(gap),
        "target_month": row["target_month"]}


def _group_params(cur, first: np.ndarray, period: str, cat: Catalog, targets: Targets) -> dict[str, np.ndarray]:
    meta = {i.id: i for i in cat.indicator}
    names = ("has_target", "trajectory", "ge", "ge_change", "pct", "t_value", "tolerance", "expected", "span",
             "name", "unit", "target", "direction", "expected_obj", "target_month")
    vals: dict[str, list] = {k: [] for k in names}
    for i in first:
        ind = meta[cur["indicator"][i]]
        t = targets.find(ind.id, cur["level"][i], cur["county"][i], cur["stage"][i])
        exp = expected_value(t, period) if t is not None else None
        direction = t.direction if t else ind.direction
        traj = t is not None and t.is_trajectory
        for k, v in (("has_target", t is not None), ("trajectory", traj),
                     ("ge", t is not None and t.direction == ">="), ("ge_change", direction == ">="),
                     ("pct", ind.unit == "%"), ("t_value", t.value if t else np.nan),
                     ("tolerance", tolerance_of(t, ind.unit) if t else np.nan),
                     ("expected", np.nan if exp is None else exp),
                     ("span", t.value - t.baseline_value if traj else np.nan),
                     ("name", ind.name), ("unit", ind.unit), ("target", t.value if t else None),
                     ("direction", direction), ("expected_obj", exp),
                     ("target_month", t.target_month if t else None)):
            vals[k].append(v)
    out = {}
    for k, v in vals.items():
        if k in ("has_target", "trajectory", "ge", "ge_change", "pct"):
            out[k] = np.array(v, dtype=bool)
        elif k in ("t_value", "tolerance", "expected", "span"):
            out[k] = np.array(v, dtype=float)
        else:
            arr = np.empty(len(v), dtype=object)
            arr[:] = v
            out[k] = arr
    return out


def _change_class(change: np.ndarray, prev: np.ndarray, pct: np.ndarray, ge: np.ndarray,
                  cat: Catalog) -> np.ndarray:
    """change.change_class for arrays: 0 = 显著改善 … 4 = 显著退步, -1 when there is no previous value."""
    r = cat.rating
    better = np.where(ge, change, -change)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(prev != 0, np.abs(change) / np.abs(prev), np.where(change != 0, np.inf, 0.0))
    size = np.where(pct, np.abs(change), rel)
    small = np.where(pct, r.pct_small, r.rel_small)
    large = np.where(pct, r.pct_large, r.rel_large)
    with np.errstate(invalid="ignore"):
        cls = np.where(size < small, 2, np.where(better > 0, np.where(size >= large, 0, 1),
                                                 np.where(size >= large, 4, 3)))
    return np.where(np.isnan(change) | np.isnan(prev), -1, cls)

