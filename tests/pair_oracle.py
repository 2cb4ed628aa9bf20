"""Test oracle: a month and the month before summed per school in numpy, every level from those sums.

This was the second engine of the sums (the dashboard's month pair) before the GROUPING SETS
engine of core/indicators/aggregate.py became the only one. It computes the same figures a
different way — one SQL pass of per-school values, paired and summed in numpy — and the tests
compare the two (tests/test_indicator_cache.py).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from core.indicators.base import SOURCES, facts_cte
from core.indicators.catalog import Catalog, Indicator
from core.indicators.resource import item_stats


@dataclass(frozen=True)
class SchoolSums:
    """Per school (county, school_id order): M's and M−1's sums of every measure, and the CV statistics."""

    county: np.ndarray       # object
    school_id: np.ndarray    # object
    school_name: np.ndarray  # object, M's name (None if the school is only in M−1)
    in_cur: np.ndarray       # bool: the school has a row in M
    cur: dict[str, tuple[np.ndarray, np.ndarray]]   # indicator -> (numerator, denominator) in M
    prev: dict[str, tuple[np.ndarray, np.ndarray]]  # the same in M−1
    stats: pd.DataFrame      # resource.item_stats of both months

    @property
    def nbytes(self) -> int:
        """Approximate memory held (for the cache bound)."""
        arrays = [a for pair in (*self.cur.values(), *self.prev.values()) for a in pair]
        return sum(a.nbytes for a in arrays) + 64 * 4 * len(self.county)


def school_sums(con: duckdb.DuckDBPyConnection, period: str, prev: str, measures: dict[str, tuple[str, str]],
                cat: Catalog) -> SchoolSums:
    """SchoolSums for `period` and `prev`."""
    return _compute(con, period, prev, measures, cat, facts_cte([prev, period], cat, SOURCES))


def _compute(con, period, prev, measures, cat, cte) -> SchoolSums:
    # One pass over the facts: each school-month's own measure values (no SQL grouping); the
    # two months are paired per school in numpy and the CV statistics read the same rows.
    ids = list(measures)
    items = ", ".join(f"CAST({it.id} AS DOUBLE) AS {it.id}" for it in cat.resource_item)
    values = ", ".join(f"CAST({measures[i][j]} AS DOUBLE) AS {'nd'[j]}{k}" for k, i in enumerate(ids) for j in (0, 1))
    rows = con.sql(f"""{cte}
SELECT period, county, school_id, school_name, students, stage_group, compulsory, has_resource, {items}, {values}
FROM facts""").to_arrow_table()
    view = f"_school_months_{uuid.uuid4().hex[:12]}"
    con.register(view, rows)
    try:
        stats = item_stats(con, [prev, period], None, cat, source=view)
    finally:
        con.unregister(view)
    col = {name: _numpy(rows.column(name)) for name in rows.column_names}
    # schools in (county, school_id) order, as the sums were grouped
    county_codes, counties = pd.factorize(col["county"], sort=True)
    school_codes, schools = pd.factorize(col["school_id"], sort=True)
    uniq, first, inverse = np.unique(county_codes.astype(np.int64) * (len(schools) + 1) + school_codes,
                                      return_index=True, return_inverse=True)
    n = len(uniq)
    is_cur, is_prev = col["period"] == period, col["period"] == prev
    name = np.full(n, None, dtype=object)
    name[inverse[is_cur]] = col["school_name"][is_cur]

    def summed(values: np.ndarray, when: np.ndarray) -> np.ndarray:
        return np.bincount(inverse[when], weights=np.nan_to_num(values[when]), minlength=n)

    return SchoolSums(
        county=col["county"][first], school_id=col["school_id"][first], school_name=name,
        in_cur=np.bincount(inverse[is_cur], minlength=n) > 0,
        cur={i: (summed(col[f"n{k}"], is_cur), summed(col[f"d{k}"], is_cur)) for k, i in enumerate(ids)},
        prev={i: (summed(col[f"n{k}"], is_prev), summed(col[f"d{k}"], is_prev)) for k, i in enumerate(ids)},
        stats=stats)


def _numpy(column) -> np.ndarray:
    """An Arrow column as numpy: float64 with NaN, or objects with None, for nulls."""
    if column.type.equals(pa.float64()):
        return column.to_numpy(zero_copy_only=False)
    values = np.empty(len(column), dtype=object)
    values[:] = column.to_pylist()
    return values


def level_part(sums: SchoolSums, period: str, level: str, county: str | None,
               inds: list[Indicator]) -> dict[str, np.ndarray]:
    """Raw rows (aggregate.RAW_COLUMNS + prev_value, _rank, _period, _group) of the indicators at one level."""
    sel = np.ones(len(sums.county), dtype=bool) if county is None else sums.county == county
    if level == "school":
        rows = np.flatnonzero(sel & sums.in_cur)
        group_of = lambda a: a[rows]  # noqa: E731 - one row per school
        n_rows = len(rows)
        cty, sid, name = sums.county[rows], sums.school_id[rows], sums.school_name[rows]
        exists = np.ones(n_rows, dtype=bool)
    else:
        if level == "county":
            codes, cty = pd.factorize(sums.county[sel], sort=True)
            cty = np.asarray(cty, dtype=object)
        else:
            codes, cty = np.zeros(int(sel.sum()), dtype=np.int64), np.array([None], dtype=object)
        n_rows = len(cty)
        group_of = lambda a: np.bincount(codes, weights=a[sel], minlength=n_rows)  # noqa: E731
        exists = group_of(sums.in_cur.astype(float)) > 0
        sid = name = np.full(n_rows, None, dtype=object)
    # targets are per county: one group per indicator × county
    county_codes, n_counties = (np.zeros(n_rows, dtype=np.int64), 1) if level == "zone" else \
        (lambda f: (f[0], len(f[1])))(pd.factorize(cty))
    out: dict[str, list] = {k: [] for k in ("row", "ind", "value", "numerator", "denominator", "prev_value")}
    for k, ind in enumerate(inds):
        num, den = (group_of(a) for a in sums.cur[ind.id])
        pnum, pden = (group_of(a) for a in sums.prev[ind.id])
        # outside the indicator's scope (e.g. a 小学 for 初中作业): no school row
        keep = np.flatnonzero(exists & ((den > 0) if level == "school" else True))
        # sums kept for every ratio of sums, a mean's on zone and county rows only (shown for rates only)
        ratio = ind.kind == "rate" or (ind.kind == "mean" and level != "school")
        out["row"].append(keep)
        out["ind"].append(np.full(len(keep), k, dtype=np.int64))
        out["value"].append(value_of(ind.kind, num[keep], den[keep]))
        out["numerator"].append(num[keep] if ratio else np.full(len(keep), np.nan))
        out["denominator"].append(den[keep] if ratio else np.full(len(keep), np.nan))
        out["prev_value"].append(value_of(ind.kind, pnum[keep], pden[keep]))
    row = np.concatenate(out["row"]) if out["row"] else np.empty(0, dtype=np.int64)
    ind_idx = np.concatenate(out["ind"]) if out["ind"] else np.empty(0, dtype=np.int64)
    ids = np.array([i.id for i in inds], dtype=object)
    n = len(row)
    part = {"indicator": ids[ind_idx], "period": np.full(n, period, dtype=object),
            "level": np.full(n, level, dtype=object), "county": cty[row], "school_id": sid[row],
            "school_name": name[row], "stage": np.full(n, None, dtype=object)}
    for c in ("value", "numerator", "denominator", "prev_value"):
        part[c] = np.concatenate(out[c]) if out[c] else np.empty(0)
    part["_rank"] = row.astype(np.int64)
    part["_period"] = np.zeros(n, dtype=np.int64)
    part["_group"] = ind_idx * (n_counties + 1) + county_codes[row]
    return part


def value_of(kind: str, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Value from summed numerator and denominator; NaN where the denominator is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "rate":
            val = 100.0 * num / den
        elif kind == "mean":
            val = num / den
        else:  # count
            val = num.astype(float)
    return np.where(den > 0, val, np.nan)


def plain(values) -> np.ndarray:
    """A fetchnumpy column without its mask: None (objects) or NaN (floats) where null."""
    if not isinstance(values, np.ma.MaskedArray):
        return np.asarray(values)
    mask = np.ma.getmaskarray(values)
    data = np.asarray(values.data)
    if data.dtype.kind == "f":
        data = data.copy()
        data[mask] = np.nan
        return data
    data = data.astype(object)
    data[mask] = None
    return data
