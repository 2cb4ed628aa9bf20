"""PE and physical-activity indicators as per-school numerator/denominator SQL over `facts`.

Denominators count the roster schools that have a 体育 row (the rule-checker may accept a
workbook where a roster school lacks one, with a warning; such a school is then outside
these indicators and shows up in school_coverage instead).
"""
from __future__ import annotations

MEASURES: dict[str, tuple[str, str]] = {
    "pe_lessons_compliance": ("CASE WHEN lessons_ok THEN 1 ELSE 0 END",
                              "CASE WHEN has_pe THEN 1 ELSE 0 END"),
    # student-weighted mean: Σ 在校生数·分钟 / Σ 在校生数
    "activity_minutes_mean": ("CASE WHEN activity_minutes IS NOT NULL THEN students * activity_minutes ELSE 0 END",
                              "CASE WHEN activity_minutes IS NOT NULL THEN students ELSE 0 END"),
    "activity_hour_compliance": ("CASE WHEN activity_ok THEN 1 ELSE 0 END",
                                 "CASE WHEN activity_minutes IS NOT NULL THEN 1 ELSE 0 END"),
    # carried-forward 体质健康 results (newest filled month within M−11 … M)
    "fitness_pass_rate": ("coalesce(fitness_passed, 0)", "coalesce(fitness_tested, 0)"),
    "fitness_good_rate": ("coalesce(fitness_good, 0)", "coalesce(fitness_tested, 0)"),
}
