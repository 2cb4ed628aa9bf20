"""A school that moved in from another county, listed without its 优质学校 row: a warning that says so.

优质学校 levels are carried forward within a county only (indicators.md, Carried forward): a school
the old county had reported as 市级 counts as a quality school of the new county only once the new
county reports its level. Listed in the new county's 学校名册 without a row in its 优质学校 sheet (or
with no such sheet, and no level of the school stored for the new county), the school silently drops
out of 优质学校数 — the zone's count falls by one with nothing to say why. So the gate accepts the
workbook with a warning on the school's code naming the old county, the level it reported and what to
fill in (docs/submission-format.md, 学校标识码归属).
"""
from __future__ import annotations

import duckdb

from core.month import period_label
from core.submission.messages import rule_issue
from core.submission.parsed import ParsedSubmission
from core.submission.schema import QUALITY_LEVELS

NO_LEVEL = QUALITY_LEVELS[0]  # 无: not a quality school


def moved_quality_warnings(con: duckdb.DuckDBPyConnection, p: ParsedSubmission, codes: list[str],
                           moved_in: set[str]) -> None:
    """Add to `p` (in place) a warning per school of `moved_in` (codes of its 学校名册 `codes` that
    another county listed before its month, and that its 优质学校 sheet does not list) that the old
    county last reported as a quality school and that no stored workbook of `p`'s county gives a level."""
    todo = sorted(moved_in)
    if not todo:
        return
    latest: dict[str, tuple[str, str, str]] = {}  # code -> (county, month, level) of the newest report
    own: set[str] = set()
    for code, county, period, level in con.execute(
            "SELECT q.school_id, s.county, s.period, q.level FROM quality q"
            " JOIN submission s ON s.id = q.submission_id"
            " WHERE s.status = 'accepted' AND s.in_force AND s.period <= ?"
            " AND list_contains(?, q.school_id) ORDER BY s.period", [p.period, todo]).fetchall():
        if county == p.county:
            own.add(code)
        else:
            latest[code] = (county, period, level)
    row_of = {code: n for n, code in enumerate(codes)}
    for code in todo:
        if code in own or code not in latest or latest[code][2] == NO_LEVEL:
            continue
        county, period, level = latest[code]
        p.issues.append(rule_issue("moved_quality", "warning", value=code, owner=county,
                                   month=period_label(period), level=level,
                                   **p.places["school"].where(row_of[code], "school_id")))
