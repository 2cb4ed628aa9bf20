"""The report's sections (data/report.toml), loaded into frozen models."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from core.paths import DATA_DIR

REPORT_FILE = DATA_DIR / "report.toml"


class Topic(BaseModel):
    """One section of the report: a sheet in the Excel file, a page group in the PDF."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    title: str
    narrative: tuple[str, ...] = Field(min_length=1, max_length=3)
    table: tuple[str, ...] = Field(min_length=1)
    submissions: bool = False


class _ReportFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    topics: tuple[Topic, ...] = Field(min_length=1)


def load_topics(path: Path | str | None = None) -> tuple[Topic, ...]:
    """The report's topics in order, from data/report.toml (or `path`)."""
    return _load(Path(path or REPORT_FILE).resolve())


@lru_cache(maxsize=4)
def _load(path: Path) -> tuple[Topic, ...]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return _ReportFile.model_validate(raw).topics
