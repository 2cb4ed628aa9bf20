"""The value behind a yes/no school indicator (minutes, 课时, items) against its standard.

At school level 校内体育活动1小时达标率 is 0 or 100 %: drawn as bars it is a row of empty and
full bars that tell nothing. data/drill.toml names the number behind it (日均校内体育活动时间)
and the standard (60 分钟, from data/indicators.toml [thresholds]); `school_values` gives each
school that number, its standard and whether it meets it.
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator

from core.indicators.catalog import Thresholds, file_stamp
from core.paths import DATA_DIR

DRILL_FILE = DATA_DIR / "drill.toml"


class Band(BaseModel):
    """One column of the school detail with its threshold key and band name."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    column: str
    threshold: str
    name: str = ""


class SchoolValue(BaseModel):
    """What a school's bar shows for one indicator."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    label: str
    unit: str
    direction: Literal[">=", "<="]
    bands: tuple[Band, ...]

    @field_validator("bands", mode="before")
    @classmethod
    def _bands(cls, value):
        return tuple(dict(zip(("column", "threshold", "name"), b)) if isinstance(b, list) else b
                     for b in value)


class Drill(BaseModel):
    """The whole of data/drill.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    values: dict[str, SchoolValue]


def load_drill(path: Path | str | None = None) -> Drill:
    """data/drill.toml (cached until the file changes)."""
    path = Path(path or DRILL_FILE).resolve()
    return _load(path, file_stamp(path))


@lru_cache(maxsize=4)
def _load(path: Path, stamp) -> Drill:
    return Drill.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))


def threshold_value(thresholds: Thresholds, key: str) -> float:
    """A threshold by key ('activity_minutes') or key.band ('pe_lessons.g36')."""
    name, _, band = key.partition(".")
    value = getattr(thresholds, name)
    return float(value[band] if band else value)


def school_values(detail: pd.DataFrame, indicator: str, thresholds: Thresholds,
                  drill: Drill | None = None) -> tuple[SchoolValue, pd.DataFrame] | None:
    """(what is shown, one row per school with a value: school_id, school_name, label, band, value,
    limit, status), or None when the indicator has no number behind it.

    With several bands (体育课 per grade band) a school is shown by the band furthest from its
    standard; status is green when the value meets the standard, red when not.
    """
    spec = (drill or load_drill()).values.get(indicator)
    if spec is None or detail.empty:
        return None
    sign = 1.0 if spec.direction == ">=" else -1.0
    parts = []
    for band in spec.bands:
        if band.column not in detail:
            continue
        values = pd.to_numeric(detail[band.column], errors="coerce")
        limit = threshold_value(thresholds, band.threshold)
        parts.append(pd.DataFrame({"school_id": detail["school_id"], "school_name": detail["school_name"],
                                   "band": band.name, "value": values, "limit": limit,
                                   "margin": sign * (values - limit)}))
    if not parts:
        return None
    rows = pd.concat(parts, ignore_index=True).dropna(subset=["value"])
    rows = rows.sort_values("margin", kind="stable").drop_duplicates("school_id")  # furthest-off band
    several = rows["band"].ne("").any() and len(spec.bands) > 1
    rows["label"] = [f"{n}({b})" if several and b else n for n, b in zip(rows["school_name"], rows["band"])]
    rows["status"] = np.where(rows["margin"] >= 0, "green", "red")
    return spec, rows[["school_id", "school_name", "label", "band", "value", "limit", "status"]]
