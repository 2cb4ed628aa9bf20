"""Homework (双减) indicators as per-school numerator/denominator SQL over `facts`.

A school "covers" a band by its 学段类型 (grade-band table of submission-format.md); a
blank answer in a band it covers is "not reported" and leaves the school out of that
band's indicator rather than counting as compliant or not.
"""
from __future__ import annotations

MEASURES: dict[str, tuple[str, str]] = {
    "hw_g12_none_rate": ("CASE WHEN covers_g12 AND g12_written = FALSE THEN 1 ELSE 0 END",
                         "CASE WHEN covers_g12 AND g12_written IS NOT NULL THEN 1 ELSE 0 END"),
    "hw_g36_compliance": ("CASE WHEN covers_g36 AND hw_g36_ok THEN 1 ELSE 0 END",
                          "CASE WHEN covers_g36 AND g36_minutes IS NOT NULL THEN 1 ELSE 0 END"),
    "hw_g79_compliance": ("CASE WHEN covers_g79 AND hw_g79_ok THEN 1 ELSE 0 END",
                          "CASE WHEN covers_g79 AND g79_minutes IS NOT NULL THEN 1 ELSE 0 END"),
    "hw_g36_minutes_mean": ("CASE WHEN covers_g36 AND g36_minutes IS NOT NULL THEN students * g36_minutes ELSE 0 END",
                            "CASE WHEN covers_g36 AND g36_minutes IS NOT NULL THEN students ELSE 0 END"),
    "hw_g79_minutes_mean": ("CASE WHEN covers_g79 AND g79_minutes IS NOT NULL THEN students * g79_minutes ELSE 0 END",
                            "CASE WHEN covers_g79 AND g79_minutes IS NOT NULL THEN students ELSE 0 END"),
    "hw_publicity_rate": ("CASE WHEN publicity THEN 1 ELSE 0 END",
                          "CASE WHEN publicity IS NOT NULL THEN 1 ELSE 0 END"),
    # 小学, 初级中学, 九年一贯制学校 only; a school that left the count blank is left out
    "afterschool_rate": ("CASE WHEN afterschool_type AND afterschool IS NOT NULL THEN afterschool ELSE 0 END",
                         "CASE WHEN afterschool_type AND afterschool IS NOT NULL THEN students ELSE 0 END"),
}
