"""The pilot zone's configuration (data/zone.toml): name, data source, due day, counties."""
from __future__ import annotations

import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.paths import DATA_DIR

ZONE_FILE = DATA_DIR / "zone.toml"


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

    def due_date(self, period: str) -> date:
        """The last day a workbook for `period` ('YYYY-MM') counts as on time."""
        year, month = (int(p) for p in period.split("-"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return date(year, month, self.due_day)


def load_zone(path: Path | str | None = None) -> Zone:
    """Read and check the zone configuration; raise ZoneConfigError naming file and entry."""
    path = Path(path) if path is not None else ZONE_FILE
    return _load(path.resolve())


@lru_cache(maxsize=8)
def _load(path: Path) -> Zone:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ZoneConfigError(f"配置文件 {path} 不存在") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ZoneConfigError(f"配置文件 {path} 格式有误:{exc}") from None
    try:
        return Zone.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"「{'.'.join(str(p) for p in err['loc']) or '(整个文件)'}」{_explain(err)}"
            for err in exc.errors()
        )
        raise ZoneConfigError(f"配置文件 {path} 有误:{problems}") from None


def _explain(err: dict) -> str:
    kind = err["type"]
    if kind == "missing":
        return "缺少此项"
    if kind == "extra_forbidden":
        return "是未知的配置项"
    if kind in ("greater_than_equal", "less_than_equal"):
        return "应为1–28之间的日期"
    if kind == "string_too_short":
        return "不能为空"
    return f"取值「{err.get('input')}」不正确"
