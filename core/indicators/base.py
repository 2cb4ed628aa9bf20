"""Per-school facts for a set of months, in DuckDB SQL: scope, carried-forward values, yes/no flags.

Everything the indicators count is a column of the `facts` CTE built here, one row per
roster school of each county's in-force accepted submission for month M. The 优质学校
values are carried forward (newest in-force submission of the same county for a month ≤ M
that has the school in its 优质学校 sheet); the 体质健康 values come from the newest month
within M−11 … M in which the three columns were filled; the 综合育人 values from the county's
newest 综合育人 sheet within M−11 … M that listed the school (indicators.md, Conventions).
School rows are joined within their county only: a code another county also used (stored
before the ownership rule, docs/submission-format.md 学校标识码归属) changes nothing there.
"""
from __future__ import annotations

import threading

import duckdb

from core.indicators.catalog import Catalog, load_catalog
from core.month import month_add
from core.submission.bands import BAND_KEYS
from core.submission.status import zone_county_list

# One facts query at a time in a process (its execution, and the Python work on its result held in the
# same block): DuckDB's memory_limit (core.db.DUCKDB_SETTINGS) is one budget for the connections
# open at once, and province-scale facts queries together pass it — measured at 300 counties, four
# at once (two school-level month pairs, a school_detail, a county pair): three failed with DuckDB's
# "Out of Memory". One at a time each has the budget whole, and their Python results do not pile up.
FACTS_LOCK = threading.RLock()
BANDS = tuple(BAND_KEYS.values())  # covers_g12 … and lessons_g12 … (core/submission/bands.py)
# The sheets joined to the roster: the month's 体育 and 作业 rows, carried-forward 优质学校
# rows, carried-forward 体质健康 results and carried-forward 综合育人 rows.
SOURCES = frozenset({"pe", "homework", "quality", "fitness", "whole_child"})
RESOURCE_COLUMNS = ("higher_degree_teachers", "backbone_teachers", "pe_art_teachers", "teaching_area",
                    "sports_area", "equipment_value", "multimedia_rooms")
WHOLE_CHILD_COLUMNS = ("labor_lessons", "psych_fulltime", "psych_parttime", "parent_school", "parent_committee")


def lit(value) -> str:
    """A SQL literal for a number or string from the catalogue (never user input)."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(float(value))


def in_list(values) -> str:
    """A SQL IN-list of string literals."""
    return "(" + ", ".join(lit(v) for v in values) + ")" if values else "(NULL)"


# A month as an integer (year·12 + month) for ordering keys: (month, submission id) in one BIGINT.
_ORD = "(TRY_CAST(left({period}, 4) AS BIGINT) * 12 + TRY_CAST(substr({period}, 6, 2) AS BIGINT))"


def _types_covering(cat: Catalog, band: str) -> list[str]:
    return [t for t, bands in cat.scope.bands.items() if band in bands]


def facts_cte(periods: list[str], cat: Catalog | None = None, sources=SOURCES, county: str | None = None) -> str:
    """SQL text `WITH …, facts AS (…)`: one row per roster school per month in `periods`.

    `sources` (a subset of SOURCES) leaves out the joins an aggregation does not need: the
    columns of a left-out source are null (a history of one indicator need not carry forward
    every sheet). `county`: that county's rows only, the same as its rows of all counties' facts
    (every join stays within a county), from its submissions alone (at 300 counties a county's
    month pair read all 300 counties' facts: 1.5-3.7 s and +264 MB for 0.3 % of them).
    """
    cat = cat or load_catalog()
    off = {src: "" if src in sources else " WHERE FALSE" for src in SOURCES}
    th = cat.thresholds
    window, wc_window = cat.scope.fitness_window_months, cat.scope.whole_child_window_months
    values = ", ".join(f"({lit(p)}, {lit(month_add(p, 1 - window))}, {lit(month_add(p, 1 - wc_window))})"
                       for p in periods) or "(NULL, NULL, NULL)"
    covers = ",\n        ".join(
        f"r.school_type IN {in_list(_types_covering(cat, b))} AS covers_{b}" for b in BANDS)
    lesson_ok = " AND ".join(
        f"(NOT r.school_type IN {in_list(_types_covering(cat, b))}"
        f" OR coalesce(e.lessons_{b} >= {lit(th.pe_lessons[b])}, FALSE))" for b in BANDS)
    stage_case = " ".join(f"WHEN {lit(t)} THEN {lit(g)}" for t, g in cat.scope.stage_group.items())
    items = []
    for it in cat.resource_item:
        items.append(f"CASE WHEN q.school_id IS NOT NULL AND r.students > 0 THEN "
                     f"q.{it.column} * {lit(it.scale)} / r.students END AS {it.id}")
    item_ok, item_floor = [], []
    for it in cat.resource_item:
        thr = (f"CASE stage_group WHEN 'primary' THEN {lit(it.threshold['primary'])}"
               f" ELSE {lit(it.threshold['junior'])} END")
        item_ok.append(f"CASE WHEN {it.id} >= {thr} THEN 1 ELSE 0 END")
        item_floor.append(f"{it.id} >= {lit(th.resource_floor)} * {thr}")
    return f"""
WITH p(period, fit_lo, wc_lo) AS (VALUES {values}),
sub AS (
    SELECT id, county, period, {_ORD.format(period='period')} * 4294967296 + id AS ord FROM submission
    WHERE status = 'accepted' AND in_force AND county IS NOT NULL AND period IS NOT NULL
      AND period <= (SELECT max(period) FROM p){'' if county is None else f' AND county = {lit(county)}'}
),
rsub AS (SELECT s.id, s.county, s.period FROM sub s SEMI JOIN p ON p.period = s.period),
roster AS (
    SELECT s.period, s.county, s.id AS submission_id, sc.school_id, sc.name AS school_name,
           sc.school_type, sc.locale, sc.students, sc.classes, sc.teachers,
           CASE sc.school_type {stage_case} END AS stage_group,
           ({_ORD.format(period='s.period')} + 1) * 4294967296 - 1 AS ord_max
    FROM rsub s JOIN school sc ON sc.submission_id = s.id
),
-- The month's own 体育/作业 rows only (filtered before the joins: the tables hold every month).
pe_m AS (SELECT e.* FROM pe e SEMI JOIN rsub ON rsub.id = e.submission_id{off['pe']}),
hw_m AS (SELECT h.* FROM homework h SEMI JOIN rsub ON rsub.id = h.submission_id{off['homework']}),
-- Carry-forward: an ASOF join picks, per roster school, the newest source row of the SAME county
-- with (month, submission id) <= (M, any id), i.e. the newest month <= M, the highest id on a tie.
-- A school code is only ever joined within its county, so another county's rows never leak in.
qsrc AS (
    SELECT s2.county, q.school_id, s2.period AS quality_period, s2.ord, q.level, q.year,
           {', '.join(f'q.{c}' for c in RESOURCE_COLUMNS)}
    FROM quality q JOIN sub s2 ON s2.id = q.submission_id{off['quality']}
),
qcf AS (
    SELECT r.period, r.county, r.school_id, qs.* EXCLUDE (county, school_id, ord)
    FROM roster r ASOF JOIN qsrc qs ON qs.county = r.county AND qs.school_id = r.school_id AND qs.ord <= r.ord_max
),
fsrc AS (
    SELECT s2.county, e.school_id, s2.period AS fitness_period, s2.ord, e.fitness_tested, e.fitness_passed, e.fitness_good
    FROM pe e JOIN sub s2 ON s2.id = e.submission_id
    WHERE e.fitness_tested IS NOT NULL AND e.fitness_passed IS NOT NULL AND e.fitness_good IS NOT NULL
      AND s2.period >= (SELECT min(fit_lo) FROM p){off['fitness'].replace('WHERE', 'AND')}
),
fcf AS (
    SELECT r.period, r.county, r.school_id, fs.* EXCLUDE (county, school_id, ord)
    FROM roster r JOIN p ON p.period = r.period
    ASOF JOIN fsrc fs ON fs.county = r.county AND fs.school_id = r.school_id AND fs.ord <= r.ord_max
    WHERE fs.fitness_period >= p.fit_lo
),
-- 综合育人: the county's own newest sheet within M−11 … M that listed the school.
wsrc AS (
    SELECT s2.county, w.school_id, s2.period AS whole_child_period, s2.ord,
           {', '.join(f'w.{c}' for c in WHOLE_CHILD_COLUMNS)}
    FROM whole_child w JOIN sub s2 ON s2.id = w.submission_id
    WHERE s2.period >= (SELECT min(wc_lo) FROM p){off['whole_child'].replace('WHERE', 'AND')}
),
wcf AS (
    SELECT r.period, r.county, r.school_id, ws.* EXCLUDE (county, school_id, ord)
    FROM roster r JOIN p ON p.period = r.period
    ASOF JOIN wsrc ws ON ws.county = r.county AND ws.school_id = r.school_id AND ws.ord <= r.ord_max
    WHERE ws.whole_child_period >= p.wc_lo
),
base AS (
    SELECT r.period, r.county, r.submission_id, r.school_id, r.school_name, r.school_type, r.locale,
        CAST(r.students AS DOUBLE) AS students, r.classes, r.teachers, r.stage_group,
        r.stage_group IS NOT NULL AS compulsory,
        {covers},
        r.school_type IN {in_list(cat.scope.afterschool_types)} AS afterschool_type,
        e.school_id IS NOT NULL AS has_pe, h.school_id IS NOT NULL AS has_hw,
        e.lessons_g12, e.lessons_g36, e.lessons_g79, e.lessons_g1012,
        CASE WHEN e.school_id IS NOT NULL THEN {lesson_ok} END AS lessons_ok,
        e.activity_minutes,
        e.activity_minutes >= {lit(th.activity_minutes)} AS activity_ok,
        f.fitness_period, CAST(f.fitness_tested AS DOUBLE) AS fitness_tested,
        CAST(f.fitness_passed AS DOUBLE) AS fitness_passed, CAST(f.fitness_good AS DOUBLE) AS fitness_good,
        h.g12_written, h.g36_minutes, h.g79_minutes, h.publicity, CAST(h.afterschool AS DOUBLE) AS afterschool,
        h.g36_minutes <= {lit(th.hw_g36_max_minutes)} AS hw_g36_ok,
        h.g79_minutes <= {lit(th.hw_g79_max_minutes)} AS hw_g79_ok,
        q.school_id IS NOT NULL AS has_resource, q.quality_period, q.level AS quality_level,
        q.year AS quality_year,
        coalesce(q.level IN {in_list(cat.scope.quality_levels)}, FALSE) AS is_quality,
        coalesce(q.level = {lit(cat.scope.provincial_level)}, FALSE) AS is_provincial,
        {', '.join(f'q.{c}' for c in RESOURCE_COLUMNS)},
        {', '.join(items)},
        w.school_id IS NOT NULL AS has_whole_child, w.whole_child_period,
        {', '.join(f'w.{c}' for c in WHOLE_CHILD_COLUMNS)}
    FROM roster r
    LEFT JOIN pe_m e ON e.submission_id = r.submission_id AND e.school_id = r.school_id
    LEFT JOIN hw_m h ON h.submission_id = r.submission_id AND h.school_id = r.school_id
    LEFT JOIN qcf q ON q.period = r.period AND q.county = r.county AND q.school_id = r.school_id
    LEFT JOIN fcf f ON f.period = r.period AND f.county = r.county AND f.school_id = r.school_id
    LEFT JOIN wcf w ON w.period = r.period AND w.county = r.county AND w.school_id = r.school_id
),
facts AS (
    SELECT *,
        CASE WHEN has_resource AND compulsory THEN {' + '.join(item_ok)} END AS resource_items_ok,
        CASE WHEN has_resource AND compulsory THEN
            ({' + '.join(item_ok)}) >= {th.resource_min_items} AND {' AND '.join(item_floor)}
        END AS meets_rule
    FROM base
)"""


def available_periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Months with any accepted data in force, ascending."""
    rows = con.execute("SELECT DISTINCT period FROM submission WHERE status = 'accepted' AND in_force"
                       " AND period IS NOT NULL ORDER BY period").fetchall()
    return [r[0] for r in rows]


def zone_counties(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The zone's counties: data/zone.toml's list, else every county ever accepted."""
    return zone_county_list(con)
