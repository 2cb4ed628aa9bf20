"""The pilot zone's configuration (data/zone.toml): name, data source, due day, clock, counties, sign-in limits."""
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
         "session_max_hours": "应为大于0、不超过720的小时数",
         "utc_offset_hours": "应为该地与世界协调时(UTC)相差的小时数,-12到14之间,中国为8"}


# How the name of a county-level unit ends (县, 区, county-level 市, 旗; 自治县 and 特区 end so too): a
# name that does not (「东湖」, the traditional 「東湖區」) is a typo, not a new county.
COUNTY_ENDINGS = ("县", "区", "市", "旗")
# The names a county's education bureau goes by. A clerk writes 「松溪县教育局」 where the county
# belongs (填报说明's 县区, 学校名册's 所属县区): that is the county 松溪县, said as its office.
BUREAU_WORDS = ("教育局", "教育体育局", "教育和体育局", "教体局", "教育科技局", "教育和科技局", "教科局",
                "教育文体局", "教文体局", "文教局")


def county_of_bureau(name: str) -> str | None:
    """The county whose education bureau `name` is (「松溪县教育局」 → 「松溪县」), else None."""
    for word in BUREAU_WORDS:
        head = name.removesuffix(word)
        if head != name and head.endswith(COUNTY_ENDINGS):
            return head
    return None


class ZoneConfigError(ValueError):
    """data/zone.toml is missing or malformed; the message names the file and the entry."""


class Zone(BaseModel):
    """The zone office's settings, as written in data/zone.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    source: str = Field(min_length=1)
    due_day: int = Field(ge=1, le=28)  # day of month M+1; <= 28 so it exists in every month
    # The zone's clock (today, receipt times, the due date's end): hours ahead of UTC. A fixed
    # offset, not a tz name: China has no daylight saving and a fresh server needs no tz database.
    utc_offset_hours: float = Field(8, ge=-12, le=14)
    counties: tuple[str, ...] = ()
    demo_on_empty: bool = True  # the app builds the demo zone into an empty database on first start
    session_idle_minutes: float = Field(60, gt=0, le=1440)  # a sign-in ends after this long unused
    session_max_hours: float = Field(12, gt=0, le=720)  # and this long after signing in, whatever

    def county_problem(self, county: str) -> tuple[str, dict] | None:
        """Why `county` cannot be one of the zone's counties (message key and fields), or None.

        With a county list (data/zone.toml) the list decides. Without one, every county that sends
        is the zone's, so a name that is no county name at all is refused: once stored, a typo would
        be expected every month after and make every month incomplete."""
        if self.counties:
            if county in self.counties:
                return None
            return "county_outside", {"county": county, "counties": "、".join(self.counties)}
        if county.endswith(COUNTY_ENDINGS) and len(county) <= 20:
            return None
        return "county_not_a_name", {"county": county, "endings": "、".join(COUNTY_ENDINGS), "example": "东湖区"}

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
