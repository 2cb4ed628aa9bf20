"""What reading + validating one workbook produces, and what the store consumes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.submission.issues import Issue, has_errors

if TYPE_CHECKING:  # annotations only: ingest's worker processes need not import pandas
    import pandas as pd

# Sheet key (DB table) -> sheet name as in the format spec.
SHEET_NAMES: dict[str, str] = {
    "school": "学校名册",
    "pe": "体育",
    "homework": "作业",
    "quality": "优质学校",
    "whole_child": "综合育人",
}


@dataclass
class SheetPlaces:
    """Where the stored rows of one sheet sit in the file, for messages written after validation."""

    label: str  # sheet name as written
    headers: dict[str, str]  # DB column -> header as written
    rows: list[int]  # Excel row of each table row, in table order

    def where(self, n: int, column: str) -> dict:
        """Keyword arguments locating table row `n`, `column` for rule_issue (as ParsedSheet.where)."""
        return {"sheet": self.label, "row": self.rows[n], "column": self.headers.get(column, column)}


@dataclass
class ParsedSubmission:
    """One workbook after validation.

    `tables` maps a sheet key of SHEET_NAMES to a DataFrame whose columns are
    exactly that DB table's columns (without submission_id), one row per school.
    A sheet that was absent (only 优质学校 and 综合育人 may be) has no key. `places` says, per
    table, where each of its rows is in the file (for the gate's checks against stored data).
    """

    file_name: str
    county: str | None = None
    period: str | None = None  # 'YYYY-MM'
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    places: dict[str, SheetPlaces] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.issues)

    @property
    def rows(self) -> dict[str, int]:
        """Row counts per Chinese sheet name, 0 for an absent sheet (the CLI's `rows`)."""
        return {name: len(self.tables[key]) if key in self.tables else 0
                for key, name in SHEET_NAMES.items()}
