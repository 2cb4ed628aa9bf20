"""School codes belong to one county: stored overlapping codes change nothing in the other county."""
from __future__ import annotations

import pandas as pd
from test_indicators import add_submission, new_db

from core.indicators import compute_indicators, school_detail
from core.indicators.dataquality import data_quality_warnings

B_SCHOOLS = [{"id": f"B{i}", "act": 55 + i, "students": 300 + 40 * i,
              **({"tested": 200, "passed": 180, "good": 90} if i < 3 else {})} for i in range(6)]
B_QUALITY = [{"id": f"B{i}", "level": "市级" if i % 2 else "无", "year": 2020 if i % 2 else None,
              "hd": 5 + i, "ta": 400 + 50 * i} for i in range(6)]


def _zone_with_b():
    """County 乙县: September with 优质学校 and 体质健康, October without (both carried forward)."""
    con = new_db()
    add_submission(con, "乙县", "2026-09", B_SCHOOLS, B_QUALITY, received="2026-10-02 09:00")
    add_submission(con, "乙县", "2026-10", [{k: v for k, v in s.items() if k not in ("tested", "passed", "good")}
                                          for s in B_SCHOOLS], received="2026-11-02 09:00")
    return con


def _b_figures(con) -> pd.DataFrame:
    return compute_indicators(con, "2026-10", "county", "乙县").drop(columns=["target", "expected", "status"])


def test_another_countys_rows_with_the_same_codes_change_nothing_in_this_county():
    con = _zone_with_b()
    before = _b_figures(con)
    detail_before = school_detail(con, "2026-10", "乙县")
    assert before.set_index("indicator").loc["quality_schools", "value"] == 3  # the carry-forward works
    # 甲县 stored (before the ownership rule existed) a workbook using three of 乙县's codes, later in
    # the same month, with other 优质学校 levels, resources and 体质健康 results.
    add_submission(con, "甲县", "2026-10",
                   [{"id": f"B{i}", "act": 5, "students": 2000, "tested": 10, "passed": 1, "good": 0}
                    for i in range(3)],
                   [{"id": f"B{i}", "level": "省级", "year": 2024, "hd": 99, "ta": 9000} for i in range(3)],
                   received="2026-11-03 09:00")
    pd.testing.assert_frame_equal(_b_figures(con), before)
    pd.testing.assert_frame_equal(school_detail(con, "2026-10", "乙县"), detail_before)
    # 甲县's own rows get 甲县's own values (and nothing of 乙县's)
    a = school_detail(con, "2026-10", "甲县")
    assert list(a["quality_level"]) == ["省级"] * 3 and list(a["fitness_tested"]) == [10.0] * 3


def test_jumps_compare_a_school_with_its_own_countys_previous_month():
    con = _zone_with_b()
    add_submission(con, "甲县", "2026-09", [{"id": "B0", "act": 5}], received="2026-10-03 09:00")
    w = data_quality_warnings(con, "2026-10")
    assert w[w["kind"] == "jump"].empty  # 乙县's B0 went 55 → 55: 甲县's 5 minutes is not its last month
