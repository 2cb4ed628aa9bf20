"""Targets (目标) from data/targets.toml, and the status rules of indicators.md.

Threshold target `>= T`: green if value ≥ T; amber if value ≥ T − tolerance (default
5 percentage points for %, 10 % of T otherwise); red below. `<= T` mirrors it.
Trajectory target: expected(M) = baseline + (T − baseline) × elapsed / planned months;
gap = (value − expected) / (T − baseline); green if gap ≥ 0, amber if −0.10 ≤ gap < 0,
red below. A null value has status none (无数据); no target → none (无目标).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.config import describe_errors, read_toml
from core.indicators import catalog as _catalog
from core.indicators.catalog import Catalog, CatalogError, file_stamp, load_catalog
from core.month import PATTERN, is_month, months_between
from core.paths import DATA_DIR

TARGETS_FILE = DATA_DIR / "targets.toml"
GAP_AMBER = -0.10
STATUS_LABELS = {"green": "达标", "amber": "接近", "red": "未达标", "none": "无目标"}


class Target(BaseModel):
    """One target entry of data/targets.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    indicator: str
    direction: Literal[">=", "<="]
    value: float
    stage: Literal["primary", "junior"] | None = None
    county: str | None = None
    levels: tuple[Literal["zone", "county", "school"], ...] = ("zone", "county", "school")
    tolerance: float | None = Field(default=None, ge=0)
    baseline_month: str | None = Field(default=None, pattern=PATTERN)
    baseline_value: float | None = None
    target_month: str | None = Field(default=None, pattern=PATTERN)
    source: str = ""

    @model_validator(mode="after")
    def _trajectory_complete(self) -> "Target":
        if (self.baseline_month is None) != (self.baseline_value is None):
            raise ValueError("趋势目标须同时填写 baseline_month 与 baseline_value")
        if self.baseline_month is not None:
            if self.target_month is None:
                raise ValueError("趋势目标须填写 target_month")
            if self.target_month <= self.baseline_month:
                raise ValueError("target_month 应晚于 baseline_month")
            if self.baseline_value == self.value:
                raise ValueError("目标值应不同于基线值")
        return self

    @property
    def is_trajectory(self) -> bool:
        """True when the target has a baseline (expected value rises linearly to the target month)."""
        return self.baseline_month is not None


class TargetFile(BaseModel):
    """The whole of data/targets.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: tuple[Target, ...] = ()


@dataclass(frozen=True)
class Targets:
    """Loaded targets with lookup by indicator × stage × county × level."""

    entries: tuple[Target, ...]

    def find(self, indicator: str, level: str, county: str | None = None, stage: str | None = None) -> Target | None:
        """The target for a row: a county-specific entry first, else the general one; None if none."""
        best = None
        for t in self.entries:
            if t.indicator != indicator or level not in t.levels or t.stage != stage:
                continue
            if t.county is not None and t.county == county:
                return t
            if t.county is None and best is None:
                best = t
        return best


def load_targets(path: Path | str | None = None, catalog: Catalog | None = None) -> Targets:
    """Read and check data/targets.toml; CatalogError naming the file and the entry when wrong."""
    path = Path(path or TARGETS_FILE).resolve()
    if catalog is not None:
        return _build(path, catalog)
    cat_path = Path(_catalog.CATALOG_FILE).resolve()
    return _cached(path, file_stamp(path), cat_path, file_stamp(cat_path))


@lru_cache(maxsize=8)
def _cached(path: Path, stamp: tuple[int, int] | None, cat_path: Path, cat_stamp: tuple[int, int] | None) -> Targets:
    # keyed on both files' (mtime, size): an edited targets.toml or indicators.toml is read again
    return _build(path, load_catalog(cat_path))


def _build(path: Path, cat: Catalog) -> Targets:
    raw = read_toml(path, CatalogError)
    try:
        parsed = TargetFile.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(describe_errors(path, exc, raw)) from None
    seen = set()
    for n, t in enumerate(parsed.target, start=1):
        where = f"配置文件 {path} 第{n}个目标「{t.indicator}」"
        try:
            ind = cat.get(t.indicator)
        except KeyError:
            raise CatalogError(f"{where}:data/indicators.toml 中没有这个指标") from None
        if t.direction != ind.direction:
            raise CatalogError(f"{where}:方向「{t.direction}」与指标方向「{ind.direction}」不一致")
        if (ind.kind == "cv") != (t.stage is not None):
            raise CatalogError(f"{where}:差异系数指标须填写 stage(primary/junior),其他指标不填")
        key = (t.indicator, t.stage, t.county, t.levels)
        if key in seen:
            raise CatalogError(f"{where}:重复定义")
        seen.add(key)
    return Targets(parsed.target)


def expected_value(target: Target, period: str) -> float | None:
    """expected(M) of a trajectory target (clamped to the baseline … target months); None otherwise."""
    if not target.is_trajectory or not is_month(period):
        return None
    planned = months_between(target.baseline_month, target.target_month)
    elapsed = min(max(months_between(target.baseline_month, period), 0), planned)
    return target.baseline_value + (target.value - target.baseline_value) * elapsed / planned


def tolerance_of(target: Target, unit: str) -> float:
    """The amber band: the entry's tolerance, else 5 percentage points for %, else 10 % of T."""
    if target.tolerance is not None:
        return target.tolerance
    return 5.0 if unit == "%" else 0.1 * abs(target.value)


@dataclass(frozen=True)
class Judgement:
    """Status of one value against its target, with the trajectory figures."""

    status: str  # green | amber | red | none
    expected: float | None = None
    gap: float | None = None
    remaining: float | None = None


def judge(value: float | None, target: Target | None, period: str, unit: str) -> Judgement:
    """Status of `value` for month `period` against `target`, exactly as indicators.md defines it."""
    if target is None:
        return Judgement("none")
    expected = expected_value(target, period)
    if value is None or value != value:  # null or NaN
        return Judgement("none", expected=expected)
    if target.is_trajectory:
        gap = (value - expected) / (target.value - target.baseline_value)
        status = "green" if gap >= 0 else "amber" if gap >= GAP_AMBER else "red"
        return Judgement(status, expected=expected, gap=gap, remaining=target.value - value)
    t, tol = target.value, tolerance_of(target, unit)
    if target.direction == ">=":
        status = "green" if value >= t else "amber" if value >= t - tol else "red"
        remaining = max(0.0, t - value)
    else:
        status = "green" if value <= t else "amber" if value <= t + tol else "red"
        remaining = max(0.0, value - t)
    return Judgement(status, remaining=remaining)
