"""优质学校 indicators as per-school numerator/denominator SQL over the `facts` CTE.

The 差异系数 indicators (resource_cv_max, resource_cv_composite) are per county × stage
group, not sums over schools: they live in core/indicators/resource.py.
"""
from __future__ import annotations

# indicator id -> (numerator, denominator), each a per-school SQL expression over `facts`.
MEASURES: dict[str, tuple[str, str]] = {
    "quality_schools": ("CASE WHEN is_quality THEN 1 ELSE 0 END", "1"),
    "quality_schools_provincial": ("CASE WHEN is_provincial THEN 1 ELSE 0 END", "1"),
    "quality_student_share": ("CASE WHEN is_quality THEN students ELSE 0 END", "students"),
    # compulsory schools with resource data meeting the 7-item rule / compulsory schools with resource data
    "resource_pass_rate": ("CASE WHEN meets_rule THEN 1 ELSE 0 END",
                           "CASE WHEN has_resource AND compulsory THEN 1 ELSE 0 END"),
}
