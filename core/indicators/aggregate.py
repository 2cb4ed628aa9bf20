"""Raw indicator values (no targets yet) for a set of months and levels, in a few set-based queries.

The one engine of the sums: every school-summed indicator (its catalogue entry's per-school
numerator and denominator, core/indicators/measures.py) comes out of one GROUPING SETS query
over the per-school facts (zone = every county with data for M, county, school); the 差异系数
rows come from resource.py and the on-time rate from reporting.py. Ratio of sums, never mean of
ratios; a zero denominator gives a null value. When both the sums and the 差异系数 are wanted
the facts are computed once into a temporary table that both queries read.

compute_indicators asks for one month and the month before, at one level at a time: that pair
is computed once for every level and kept in the per-process cache (cache.py), each row paired
with its previous month's value in numpy. (tests/pair_oracle.py sums the same per school in
numpy, a second way of computing kept only to check this one.)

Results are built column-wise (numpy), never one Python dict per school and indicator:
at province scale the school level has ~440k rows.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from core.indicators import reporting
from core.indicators.base import FACTS_LOCK, SOURCES, facts_cte, lit, zone_counties
from core.indicators.cache import cached, data_key, nbytes_of
from core.indicators.catalog import Catalog, load_catalog
from core.indicators.measures import measures
from core.indicators.resource import cv_rows, item_stats

RAW_COLUMNS = ["indicator", "period", "level", "county", "school_id", "school_name", "stage", "value",
               "numerator", "denominator"]
FLOAT_COLUMNS = ["value", "numerator", "denominator"]
# Kinds whose value is Σnumerator ÷ Σdenominator: their sums are kept on zone and county rows, so that
# a zone change can be restated over the counties common to two months (compute._coverage). Only a
# rate's are shown (cli.md: a mean's numerator and denominator are null); shown_sums hides the others
# (school rows, ~600k at province scale, never carry a mean's: nothing to hide there).
SUMMED_KINDS = ("rate", "mean")
SHOWN_SUMS = ("rate",)
LEVEL_ORDER = {"zone": 0, "county": 1, "school": 2}
# Which joined sheets an indicator's facts need, by topic (cv indicators need the 优质学校 rows).
TOPIC_SOURCES = {"quality": {"quality"}, "pe": {"pe", "fitness"}, "homework": {"homework"},
                 "whole_child": {"whole_child"}, "submission": {"pe", "homework"}}
_GROUPING = {"zone": "(period)", "county": "(period, county)", "school": "(period, county, school_id)"}
_LEVEL_OF_GROUPING = {3: "zone", 1: "county", 0: "school"}


def raw_frame(con: duckdb.DuckDBPyConnection, periods: list[str], levels=("zone", "county", "school"),
              county: str | None = None, indicators=None, cat: Catalog | None = None) -> pd.DataFrame:
    """Unrated indicator rows (RAW_COLUMNS), sorted by month, catalogue order, level, county, stage, school.

    String columns are object dtype with None for null; value/numerator/denominator are
    float64 with NaN for null.
    """
    cols = raw_columns(con, periods, levels, county, indicators, cat)
    return frame_of({**cols, **shown_sums(cols, cat or load_catalog())}, RAW_COLUMNS)


def shown_sums(cols: dict[str, np.ndarray], cat: Catalog) -> dict[str, np.ndarray]:
    """numerator and denominator as shown: NaN on the rows of a kind not in SHOWN_SUMS (new arrays)."""
    hidden = np.isin(cols["indicator"], [i.id for i in cat.indicator if i.kind not in SHOWN_SUMS])
    return {c: np.where(hidden, np.nan, cols[c]) for c in ("numerator", "denominator")}


def frame_of(cols: dict[str, np.ndarray], columns: list[str]) -> pd.DataFrame:
    """A DataFrame over the arrays as they are (object arrays stay object; no copy into one block)."""
    return pd.DataFrame({c: pd.Series(cols[c], copy=False, dtype=cols[c].dtype) for c in columns},
                        columns=columns, copy=False)


def raw_columns(con: duckdb.DuckDBPyConnection, periods: list[str], levels=("zone", "county", "school"),
                county: str | None = None, indicators=None, cat: Catalog | None = None,
                prev: str | None = None) -> dict[str, np.ndarray]:
    """raw_frame as a dict of numpy arrays (the hot path of compute_indicators).

    With `prev` (a month before the only month of `periods`) every row also gets
    `prev_value`: the same row's value in `prev`, NaN when it has none. `_group` numbers the
    rows' (indicator, level, county, stage) groups, for looking up a target once per group.
    """
    cat = cat or load_catalog()
    sums_sql = measures(cat)
    wanted = [i for i in cat.indicator if indicators is None or i.id in indicators]
    levels = [lv for lv in levels if not (county is not None and lv == "zone")]
    summed = [i for i in wanted if i.id in sums_sql and set(i.levels) & set(levels)]
    want_cv = any(i.compute == "resource_cv" for i in wanted) and bool(set(levels) & {"zone", "county"})
    months = sorted({*periods, *([prev] if prev else [])})
    parts: list[dict[str, np.ndarray]] = []
    recs: list[dict] = []
    if prev is not None and periods and (summed or want_cv):
        # one month and the one before, zone and county levels at once, schools apart (each cached);
        # this call's rows picked out
        pairs = [_month_pair(con, months, county, cat, sums_sql, schools=want)
                 for want in (False, True) if (set(levels) - {"school"} if not want else "school" in levels)]
        pair = _Pair({lv: rows for p in pairs for lv, rows in p.sums.items()}, pairs[0].inds,
                     [r for p in pairs for r in p.cv])
        if summed:
            parts.append(_with_prev(_pick(pair, levels, [i.id for i in summed]), periods[0]))
        if want_cv:
            recs += pair.cv
    elif periods and (summed or want_cv):
        sources = set().union(*(TOPIC_SOURCES.get(i.topic, SOURCES) for i in wanted
                                if i.id in sums_sql or i.compute == "resource_cv"))
        with _facts_source(con, months, cat, sources, shared=bool(summed) and want_cv, county=county) as source:
            if summed:
                parts.append(_summed(con, source, levels, county, summed, months, sums_sql))
            if want_cv:
                recs += cv_rows(item_stats(con, months, county, cat, source=source))
    if any(i.compute == "on_time" for i in wanted) and set(levels) & {"zone", "county"}:
        counties = [c for c in zone_counties(con) if county is None or c == county]
        recs += reporting.on_time_rows(con, months, counties)
    if recs:
        parts.append(_small_part(recs, wanted, levels, cat, months, prev))
    if prev is not None:  # one month left: the parts' own ranks order it within an indicator
        for part in parts:
            part["_period"] = np.zeros(len(part["_rank"]), dtype=np.int64)
    frame = _concat(parts, prev is not None)
    # Parts never share an (indicator, month, level) and each is in order within one, so
    # month, catalogue position, level and the part's own rank order the whole.
    ind_order = {ind_id: n for n, ind_id in enumerate(cat.ids)}
    codes, uniques = pd.factorize(frame["indicator"])
    ind = np.array([ind_order[u] for u in uniques], dtype=np.int64)[codes] if len(uniques) else codes
    codes, uniques = pd.factorize(frame["level"])
    lvl = np.array([LEVEL_ORDER[u] for u in uniques], dtype=np.int64)[codes] if len(uniques) else codes
    order = np.lexsort((frame.pop("_rank"), lvl, ind, frame.pop("_period")))
    return {c: a[order] for c, a in frame.items()}


@dataclass(frozen=True)
class _Pair:
    """A month and the month before: the summed rows of every indicator by level (each level's rows in
    the order _summed gives them, with `_ind` = the row's position in `inds`), the 差异系数 rows."""

    sums: dict[str, dict[str, np.ndarray]]
    inds: tuple[str, ...]
    cv: list[dict]

    @property
    def nbytes(self) -> int:
        """Memory held, by its real bytes (for the cache bound)."""
        return nbytes_of(self.sums) + nbytes_of(self.cv)


def _month_pair(con, months: list[str], county: str | None, cat: Catalog,
                sums_sql: dict[str, tuple[str, str]], schools: bool = False) -> _Pair:
    """_Pair of the two `months`, from the cache when the data has not changed: the zone and county
    levels with the 差异系数 rows (small: what the pages' views need), or the school level alone (kept
    apart, so the views never wait for it or lose theirs to it; a province's is ~12 MB as _Wide)."""
    inds = [i for i in cat.indicator if i.id in sums_sql]
    if schools:
        levels = ["school"]
    else:
        levels = [lv for lv in LEVEL_ORDER if lv != "school" and not (county is not None and lv == "zone")]

    def compute() -> _Pair:
        with _facts_source(con, months, cat, SOURCES, shared=not schools, county=county) as source:
            if schools:  # kept as the query gave it: one row per school and month (_Wide)
                res = _sums(con, source, levels, county, inds, sums_sql) if inds else None
                wide = {"school": _Wide.of(res, inds, months)} if res is not None and len(res["g"]) else {}
                return _Pair(wide, tuple(i.id for i in inds), [])
            sums = _summed(con, source, levels, county, inds, months, sums_sql) if inds else None
            cv = cv_rows(item_stats(con, months, county, cat, source=source))
        return _Pair(_by_level(sums if sums is not None else _concat([], False), [i.id for i in inds]),
                     tuple(i.id for i in inds), cv)

    data = data_key(con)
    # the facts' SQL carries the catalogue's thresholds and scope; the measures its sums
    key = None if data is None else (data, "month_pair", "schools" if schools else "counties", tuple(months),
                                     county, facts_cte(months, cat), tuple(sums_sql.items()))
    return cached(key, compute, lambda p: p.nbytes)


def _by_level(part: dict[str, np.ndarray], ids: list[str]) -> dict[str, dict[str, np.ndarray]]:
    """The rows of `part` split by level, in their order, each with `_ind` (position in `ids`).

    The school level's strings (indicator, month, county, school code and name) are kept as codes
    into their distinct values (_Coded): a province pair repeats every school's code and name once
    per indicator and month, ~1.2 million rows."""
    ind = pd.Index(ids).get_indexer(part["indicator"]).astype(np.int64)
    out = {}
    for lv in LEVEL_ORDER:
        rows = np.flatnonzero(part["level"] == lv)
        if len(rows):
            out[lv] = {c: _Coded.of(a[rows]) if a.dtype == object else _narrow(a[rows]) for c, a in part.items()}
            out[lv]["_ind"] = _narrow(ind[rows])
    return out


def _narrow(values: np.ndarray) -> np.ndarray:
    """int64 bookkeeping columns (ranks, groups) kept as int32 when they fit (_pick widens them back)."""
    if values.dtype == np.int64 and (not len(values) or (values.min() >= -2**31 and values.max() < 2**31)):
        return values.astype(np.int32)
    return values


@dataclass(frozen=True)
class _Coded:
    """An object column as codes into its distinct values (None for code -1); the codes in the
    narrowest signed integer type that holds them (a county column: one byte a row)."""

    codes: np.ndarray
    uniques: np.ndarray  # object; one more slot at the end, None

    @classmethod
    def of(cls, values: np.ndarray | pd.Series) -> "_Coded":
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        objects = np.empty(len(uniques) + 1, dtype=object)
        objects[:-1] = np.asarray(uniques, dtype=object)
        return cls(cls.narrow(codes), objects)

    @staticmethod
    def narrow(codes: np.ndarray) -> np.ndarray:
        """pd.factorize's codes (-1 for null) in int8, int16 or int32, the first that holds them."""
        top = int(codes.max()) if len(codes) else 0
        for kind in (np.int8, np.int16, np.int32):
            if top <= np.iinfo(kind).max:
                return codes.astype(kind)
        return codes

    def take(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The values (of `rows`, else all) as an object array; equal values share one object."""
        return self.uniques[self.codes if rows is None else self.codes[rows]]

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def nbytes(self) -> int:
        return self.codes.nbytes + nbytes_of(self.uniques)


@dataclass(frozen=True)
class _Wide:
    """The school level of a month pair as the sums query gave it: one row per school and month, a
    numerator and denominator column per indicator (`n{k}`, `d{k}`), strings as codes (_Coded).

    Rows one per indicator and school (what _expand makes of it, ~1.2 million at 100 counties) are
    made only for the indicators a call picks. The sums are kept small: null as 0 (all _expand reads
    of them), equal columns once (a third of them repeat another: the same denominators), whole
    numbers as int32 when that gives the same float64 back bit for bit. 100 counties: 83 → 12 MB."""

    res: dict  # column -> np.ndarray or _Coded; equal sum columns are one array
    inds: tuple  # the catalogue entries of n{k}/d{k}
    months: tuple[str, ...]

    @classmethod
    def of(cls, res: dict[str, np.ndarray], inds, months: list[str]) -> "_Wide":
        out, distinct = {}, {}
        for c, a in res.items():
            if a.dtype == object:
                out[c] = _Coded.of(a)
            elif _is_sum(c):
                a = _exact_int32(np.nan_to_num(a))
                out[c] = distinct.setdefault((a.dtype.str, a.tobytes()), a)
            else:
                out[c] = a
        return cls(out, tuple(inds), tuple(months))

    def rows(self, ks: np.ndarray) -> dict[str, np.ndarray]:
        """The rows of the indicators at positions `ks` (ascending), with `_ind`, as _pick gives them."""
        wanted = {f"{x}{k}" for k in ks for x in "nd"}
        res = {c: a.take() if isinstance(a, _Coded) else a.astype(np.float64) if _is_sum(c) else a
               for c, a in self.res.items() if c in wanted or not _is_sum(c)}
        part = _expand(res, self.inds, list(self.months), ks)
        part["_ind"] = part.pop("_k")
        return part

    @property
    def nbytes(self) -> int:
        return sum(nbytes_of(a) for a in {id(a): a for a in self.res.values()}.values())


def _is_sum(column: str) -> bool:
    """A numerator or denominator sum column of a _sums result (n0, d0, n1 …)."""
    return column[:1] in ("n", "d") and column[1:].isdigit()


def _exact_int32(values: np.ndarray) -> np.ndarray:
    """`values` as int32 when converting back gives the same float64 bits (whole numbers in range,
    no -0.0), else as they are."""
    with np.errstate(invalid="ignore"):
        small = values.astype(np.int32)
    same = small.astype(np.float64).view(np.int64) == np.asarray(values, dtype=np.float64).view(np.int64)
    return small if same.all() else values


def _pick(pair: _Pair, levels, ids: list[str]) -> dict[str, np.ndarray]:
    """The rows of `pair` at `levels` for the indicators `ids` (a copy: the cached pair stays whole)."""
    parts = [pair.sums[lv] for lv in LEVEL_ORDER if lv in levels and lv in pair.sums]
    if not parts:
        return {c: a[:0] for c, a in _concat([], False).items()}
    wanted = np.isin(np.arange(len(pair.inds)), [k for k, u in enumerate(pair.inds) if u in ids])
    picked = []
    for part in parts:
        if isinstance(part, _Wide):
            picked.append(part.rows(np.flatnonzero(wanted)))
            continue
        rows = np.flatnonzero(wanted[part["_ind"]])
        picked.append({c: a.take(rows) if isinstance(a, _Coded) else
                       a[rows].astype(np.int64) if a.dtype == np.int32 else a[rows] for c, a in part.items()})
    if len(picked) == 1:
        out = picked[0]
    else:  # the levels back in the order _summed gave them: indicator, then its rows
        out = {c: np.concatenate([p[c] for p in picked]) for c in picked[0]}
        order = np.lexsort((out["_rank"], out["_ind"]))
        out = {c: a[order] for c, a in out.items()}
    del out["_ind"]
    return out


def _with_prev(part: dict[str, np.ndarray], period: str) -> dict[str, np.ndarray]:
    """The rows of `period`, each with `prev_value`: its (indicator, level, county, school) row's value
    in the other month of `part`, NaN when that has none."""
    school = pd.factorize(part["school_id"], use_na_sentinel=True)[0].astype(np.int64) + 1
    key = part["_group"].astype(np.int64) * (int(school.max(initial=0)) + 1) + school
    now = part["period"] == period
    out = {c: a[now] for c, a in part.items()}
    before_key, before_value = key[~now], part["value"][~now]
    order = np.argsort(before_key, kind="stable")
    before_key, before_value = before_key[order], before_value[order]
    pos = np.searchsorted(before_key, key[now])
    hit = np.minimum(pos, max(len(before_key) - 1, 0))
    found = (pos < len(before_key)) & (before_key[hit] == key[now]) if len(before_key) else np.zeros(len(pos), bool)
    out["prev_value"] = np.where(found, before_value[hit] if len(before_key) else np.nan, np.nan)
    return out


def _small_part(recs: list[dict], wanted, levels, cat: Catalog, months: list[str], prev: str | None):
    """The 差异系数 and on-time rows (a few hundred at most) as a part, in order, prev paired."""
    allowed = {(i.id, lv) for i in wanted for lv in i.levels if lv in levels}
    ind_order = {ind_id: n for n, ind_id in enumerate(cat.ids)}
    recs = [r for r in recs if (r["indicator"], r["level"]) in allowed]
    recs.sort(key=lambda r: (r["period"], ind_order[r["indicator"]], LEVEL_ORDER[r["level"]],
                             r["county"] or "", r["stage"] or "", r["school_id"] or ""))
    key = ("indicator", "level", "county", "school_id", "stage")
    if prev is not None:
        before = {tuple(r[k] for k in key): r["value"] for r in recs if r["period"] == prev}
        recs = [{**r, "prev_value": before.get(tuple(r[k] for k in key))} for r in recs if r["period"] != prev]
    part = _columns_of(recs, with_prev=prev is not None)
    part["_rank"] = np.arange(len(recs), dtype=np.int64)
    part["_period"] = np.array([months.index(r["period"]) for r in recs], dtype=np.int64)
    groups = {}
    part["_group"] = np.array([groups.setdefault((r["indicator"], r["level"], r["county"], r["stage"]), len(groups))
                               for r in recs], dtype=np.int64)
    return part


def raw_records(con: duckdb.DuckDBPyConnection, periods: list[str], levels=("zone", "county", "school"),
                county: str | None = None, indicators=None, cat: Catalog | None = None) -> list[dict]:
    """raw_frame as plain dicts with None for every null (small results: trends, projections)."""
    df = raw_frame(con, periods, levels, county, indicators, cat)
    cols = {c: df[c].to_numpy() for c in RAW_COLUMNS}
    for c in FLOAT_COLUMNS:
        cols[c] = to_objects(cols[c])
    return [dict(zip(RAW_COLUMNS, row)) for row in zip(*(cols[c] for c in RAW_COLUMNS))]


def to_objects(values: np.ndarray) -> np.ndarray:
    """A float array as an object array of Python floats, None where NaN.

    Equal values share one float object: school-level columns repeat a few values (0, 1,
    100 …) hundreds of thousands of times, and one object per cell was most of the memory.
    """
    codes, uniques = pd.factorize(np.asarray(values, dtype=float), use_na_sentinel=True)
    objects = np.empty(len(uniques) + 1, dtype=object)  # the last one stays None, for code -1
    objects[:-1] = np.asarray(uniques, dtype=float).astype(object)
    return objects[codes]


class _facts_source:
    """Context manager: the SQL source of the facts (of one county's schools with `county`) — a
    temporary table when several queries read it; FACTS_LOCK held inside (one facts query at a time)."""

    def __init__(self, con, months, cat, sources, shared: bool, county: str | None = None):
        self.con, self.shared = con, shared
        self.cte = facts_cte(months, cat, frozenset(sources) & SOURCES, county)
        self.table = f"_facts_{uuid.uuid4().hex[:12]}"

    def __enter__(self) -> str:
        FACTS_LOCK.acquire()
        if not self.shared:
            return f"({self.cte} SELECT * FROM facts)"
        try:
            self.con.execute(f"CREATE TEMP TABLE {self.table} AS {self.cte} SELECT * FROM facts")
        except BaseException:
            FACTS_LOCK.release()
            raise
        return self.table

    def __exit__(self, *exc) -> None:
        try:
            if self.shared:
                self.con.execute(f"DROP TABLE IF EXISTS {self.table}")
        finally:
            FACTS_LOCK.release()


def _summed(con, source: str, levels, county, inds, months: list[str],
            sums_sql: dict[str, tuple[str, str]]) -> dict[str, np.ndarray]:
    """The school-summed indicators of every month, by GROUPING SETS over the facts."""
    part = _expand(_sums(con, source, levels, county, inds, sums_sql), inds, months, np.arange(len(inds)))
    del part["_k"]
    return part


def _sums(con, source: str, levels, county, inds, sums_sql: dict[str, tuple[str, str]]) -> dict[str, np.ndarray]:
    """The GROUPING SETS query over the facts: one row per month and group of `levels`, `g` its
    grouping (3 zone, 1 county, 0 school), `n{k}`/`d{k}` the numerator and denominator sums of inds[k]."""
    sets = ", ".join(_GROUPING[lv] for lv in levels)
    # GROUPING() only accepts columns that are grouped in some set.
    by_county, by_school = bool(set(levels) & {"county", "school"}), "school" in levels
    g_county = "GROUPING(county)" if by_county else "1"
    g_school = "GROUPING(school_id)" if by_school else "1"
    cols = f"{'county' if by_county else 'NULL::VARCHAR AS county'}, " \
           f"{'school_id' if by_school else 'NULL::VARCHAR AS school_id'}"
    name = "any_value(school_name)" if by_school else "NULL::VARCHAR"
    where = f"WHERE county = {lit(county)}" if county is not None else ""
    sums = ", ".join(f"CAST(SUM({sums_sql[i.id][j]}) AS DOUBLE) AS {'nd'[j]}{k}"
                     for k, i in enumerate(inds) for j in (0, 1))
    # Ordered as the result must be within one indicator: month, level, county, school.
    sql = f"""
SELECT period, {cols}, {name} AS school_name, 2 * {g_county} + {g_school} AS g, {sums}
FROM {source} AS f {where}
GROUP BY GROUPING SETS ({sets})
ORDER BY period, g DESC, county NULLS FIRST, school_id NULLS FIRST"""
    return {k: plain(v) for k, v in con.execute(sql).fetchnumpy().items()}


def _expand(res: dict[str, np.ndarray], inds, months: list[str], ks) -> dict[str, np.ndarray]:
    """The rows of the indicators at positions `ks` (ascending) of a _sums result, one per indicator
    and group in scope, ordered by indicator then query row; `_k` = the indicator's position."""
    g = res["g"].astype(np.int64)
    level_names = [_LEVEL_OF_GROUPING.get(k) for k in range(4)]
    level = np.array(level_names, dtype=object)[g]
    is_school = g == 0
    county_codes = pd.factorize(res["county"])[0] + 1
    codes, uniques = pd.factorize(res["period"])
    period_index = np.array([months.index(p) for p in uniques], dtype=np.int64)[codes] if len(g) else codes
    out: dict[str, list] = {k: [] for k in ("row", "ind", "value", "numerator", "denominator")}
    for k in ks:
        ind = inds[k]
        num, den = np.nan_to_num(res[f"n{k}"]), np.nan_to_num(res[f"d{k}"])
        level_ok = np.array([lv in ind.levels for lv in level_names])[g]
        # outside the indicator's scope (e.g. a 小学 for 初中作业): no school row
        keep = np.flatnonzero(level_ok & ~(is_school & (den <= 0)))
        out["row"].append(keep)
        out["ind"].append(np.full(len(keep), k, dtype=np.int64))
        out["value"].append(value_of(ind.kind, num[keep], den[keep]))
        for col, sums in (("numerator", num[keep]), ("denominator", den[keep])):
            if ind.kind == "rate":
                out[col].append(sums)
            elif ind.kind in SUMMED_KINDS:  # a mean's: zone and county rows only (school rows stay as shown)
                out[col].append(np.where(is_school[keep], np.nan, sums))
            else:
                out[col].append(np.full(len(keep), np.nan))
    if not len(ks):
        out = {k: [np.empty(0, dtype=np.int64 if k in ("row", "ind") else float)] for k in out}
    row, ind_idx = np.concatenate(out["row"]), np.concatenate(out["ind"])
    school_name = np.where(is_school, res["school_name"], None)
    ids = np.array([i.id for i in inds], dtype=object)
    return {"indicator": ids[ind_idx], "period": res["period"][row], "level": level[row],
            "county": res["county"][row], "school_id": res["school_id"][row],
            "school_name": school_name[row], "stage": np.full(len(row), None, dtype=object),
            "value": np.concatenate(out["value"]), "numerator": np.concatenate(out["numerator"]),
            "denominator": np.concatenate(out["denominator"]), "_rank": row.astype(np.int64),
            "_period": period_index[row],
            "_group": (ind_idx * 4 + g[row]) * (int(county_codes.max(initial=0)) + 1) + county_codes[row],
            "_k": ind_idx}


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


def _empty(column: str) -> np.ndarray:
    return np.empty(0, dtype=float if column in FLOAT_COLUMNS or column == "prev_value" else object)


def _columns_of(recs: list[dict], with_prev: bool = False) -> dict[str, np.ndarray]:
    out = {}
    for c in [*RAW_COLUMNS, *(["prev_value"] if with_prev else [])]:
        if c in FLOAT_COLUMNS or c == "prev_value":
            out[c] = np.array([np.nan if r[c] is None else float(r[c]) for r in recs], dtype=float)
        else:
            arr = np.empty(len(recs), dtype=object)
            arr[:] = [r[c] for r in recs]
            out[c] = arr
    return out


def _concat(parts: list[dict[str, np.ndarray]], with_prev: bool) -> dict[str, np.ndarray]:
    """Parts joined column by column; `_group` numbers made distinct between parts."""
    cols = [*RAW_COLUMNS, *(["prev_value"] if with_prev else []), "_rank", "_period", "_group"]
    if not parts:
        return {c: _empty(c) if c in RAW_COLUMNS or c == "prev_value" else np.empty(0, dtype=np.int64)
                for c in cols}
    offset = 0
    for part in parts:
        part["_group"] = part["_group"] + offset
        offset = int(part["_group"].max(initial=offset - 1)) + 1
    if len(parts) == 1:
        return dict(parts[0])
    return {c: np.concatenate([p[c] for p in parts]) for c in cols}
