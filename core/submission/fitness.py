"""体质健康 rows not tested this month (probe N6): a 测试人数 of 0 is "not reported", never a test result."""
from __future__ import annotations

from typing import TYPE_CHECKING

from core.submission.issues import Issue
from core.submission.messages import rule_issue

if TYPE_CHECKING:  # rules imports this module
    from core.submission.rules import Context, ParsedSheet

FITNESS = ("fitness_tested", "fitness_passed", "fitness_good")


def fitness_not_tested(sheet: ParsedSheet) -> list[int]:
    """Valid 体育 rows whose 体质健康测试人数 is 0 and 及格/优良 are 0 or blank: not tested this month.

    Their three counts are stored as blank (validate.table_columns), so a zero triple never replaces the
    carried-forward results of the last test (core/indicators/base.py takes fitness_tested IS NOT NULL).
    """
    tested = sheet.fields["fitness_tested"]
    if 0 not in tested:
        return []
    passed, good = sheet.fields["fitness_passed"], sheet.fields["fitness_good"]
    return [k for k, (t, p, g) in enumerate(zip(tested, passed, good)) if t == 0 and not p and not g]


def fitness_zero(ctx: Context) -> list[Issue]:
    """测试人数 0 (及格/优良 0 or blank) is read as not tested this month: blank, with a warning on the row."""
    sheet = ctx.sheets.get("pe")
    if sheet is None:
        return []
    return [rule_issue("fitness_zero", "warning", **sheet.where_valid(k, "fitness_tested"))
            for k in fitness_not_tested(sheet)]
