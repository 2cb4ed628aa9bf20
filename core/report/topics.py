"""The report's sections and chart list (data/report.toml), loaded into frozen models."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.paths import DATA_DIR

REPORT_FILE = DATA_DIR / "report.toml"
ChartKind = Literal["county", "trend", "trajectory"]


class ChartSpec(BaseModel):
    """One chart of a section: its kind and indicator ('county:activity_hour_compliance')."""

    model_config = ConfigDict(frozen=True)

    kind: ChartKind
    indicator: str

    @property
    def key(self) -> str:
        """Stable name for files ('county-activity_hour_compliance')."""
        return f"{self.kind}-{self.indicator}"


class Topic(BaseModel):
    """One section of the report: a sheet in the Excel file, a page in the PDF."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    title: str
    narrative: tuple[str, ...] = Field(min_length=1, max_length=4)
    table: tuple[str, ...] = Field(min_length=1)
    charts: tuple[ChartSpec, ...] = ()
    submissions: bool = False
    compare_counties: bool | Literal["all"] = True  # "all": every narrative sentence, not only the first
    school_lists: bool = False

    @field_validator("charts", mode="before")
    @classmethod
    def _parse_charts(cls, value):
        return tuple(_chart(v) if isinstance(v, str) else v for v in value)


class ReportConfig(BaseModel):
    """The whole of data/report.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage_labels: dict[str, str]
    trend_months: int = Field(ge=2, le=36)
    topics: tuple[Topic, ...] = Field(min_length=1)


def _chart(text: str) -> dict:
    kind, _, indicator = text.partition(":")
    return {"kind": kind, "indicator": indicator}


def load_report_config(path: Path | str | None = None) -> ReportConfig:
    """The report's configuration from data/report.toml (or `path`)."""
    return _load(Path(path or REPORT_FILE).resolve())


def load_topics(path: Path | str | None = None) -> tuple[Topic, ...]:
    """The report's topics in order."""
    return load_report_config(path).topics


@lru_cache(maxsize=4)
def _load(path: Path) -> ReportConfig:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return ReportConfig.model_validate(raw)
