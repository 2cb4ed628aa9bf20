"""The pilot zone's configuration (data/zone.toml): name, data source, due day, counties, sign-in limits."""
from __future__ import annotations

import os
from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.config import describe_errors, read_toml
from core.month import due_date
from core.paths import DATA_DIR

ZONE_FILE = DATA_DIR / "zone.toml"
ZONE_ENV = "PILOT_ZONE"  # another zone file (a deployment's own settings, a test's short session limits)
HINTS = {"due_day": "应为1–28之间的日期", "session_idle_minutes": "应为大于0、不超过1440的分钟数",
         "session_max_hours": "应为大于0、不超过720的小时数"}


class ZoneConfigError(ValueError):
    """data/zone.toml is missing or malformed; the message names the file and the entry."""


class Zone(BaseModel):
    """The zone office's settings, as written in data/zone.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    source: str = Field(min_length=1)
    due_day: int = Field(ge=1, le=28)  # day of month M+1; <= 28 so it exists in every month
    counties: tuple[str, ...] = ()
    demo_on_empty: bool = True  # the app builds the demo zone into an empty database on first start
    session_idle_minutes: float = Field(60, gt=0, le=1440)  # a sign-in ends after this long unused
    session_max_hours: float = Field(12, gt=0, le=720)  # and this long after signing in, whatever

    def due_date(self, period: str) -> date:
        """The last day a workbook for `period` ('YYYY-MM') counts as on time."""
        return due_date(period, self.due_day)


def load_zone(path: Path | str | None = None) -> Zone:
    """Read and check the zone configuration; raise ZoneConfigError naming file and entry."""
    path = Path(path) if path is not None else Path(os.environ.get(ZONE_ENV) or ZONE_FILE)
    return _load(path.resolve())


@lru_cache(maxsize=8)
def _load(path: Path) -> Zone:
    raw = read_toml(path, ZoneConfigError)
    try:
        return Zone.model_validate(raw)
    except ValidationError as exc:
        raise ZoneConfigError(describe_errors(path, exc, raw, HINTS)) from None
