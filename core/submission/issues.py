"""The one shape every problem found in a workbook takes."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["error", "warning"]


class Issue(BaseModel):
    """One problem in a workbook: where (sheet, Excel row, column as written), what, in Chinese."""

    model_config = ConfigDict(frozen=True)

    severity: Severity
    sheet: str | None = None
    row: int | None = None  # Excel row number, 1-based, as the clerk sees it
    column: str | None = None  # header text as written in the file
    value: str | None = None
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def has_errors(issues: list[Issue]) -> bool:
    """True when any issue blocks the workbook."""
    return any(i.is_error for i in issues)
