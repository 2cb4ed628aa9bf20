"""Indicator metadata, school scope and thresholds, loaded from data/indicators.toml."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.config import describe_errors, read_toml
from core.paths import DATA_DIR
from core.submission.bands import BAND_KEYS, SCHOOL_BANDS, STAGE_GROUPS

CATALOG_FILE = DATA_DIR / "indicators.toml"
LEVELS = ("zone", "county", "school")
Stage = Literal["primary", "junior"]


class CatalogError(ValueError):
    """data/indicators.toml (or data/targets.toml) is malformed; the message names file and entry."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# Computations that are not sums over schools, by name (core/indicators/aggregate.py COMPUTED).
Computed = Literal["resource_cv", "on_time"]


class Indicator(_Frozen):
    """One indicator: what it is called, what it counts, how it is measured, why it matters.

    What it counts is SQL over the per-school facts (core/indicators/base.py, one row per roster
    school and month): among the schools in `scope`, the zone/county/school value is
    Σ weight·numerator ÷ Σ weight·denominator (× 100 for a rate; the numerator sum alone for a
    count). An indicator that is not such a sum names its `compute` instead.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    topic: Literal["quality", "pe", "homework", "whole_child", "submission"]  # its 月报 section
    kind: Literal["count", "rate", "mean", "cv"]
    direction: Literal[">=", "<="]
    # Counties the zone figure adds up: those reporting for the month (an incomplete month is
    # partial), or every expected county (按时报送率: provisional until the month is closed).
    counties: Literal["reporting", "expected"] = "reporting"
    # A reporting county may send no data for it (体质健康 columns, the 优质学校 and 综合育人 sheets):
    # its zone row is then partial (counties_with_data). Otherwise a county without a value has no
    # school in its scope (no 小学 for 三至六年级), which leaves nothing out.
    optional_data: bool = False
    headline: bool = False
    levels: tuple[Literal["zone", "county", "school"], ...]
    definition: str = Field(min_length=1)
    source: str = Field(min_length=1)
    scope: str = "TRUE"  # which schools it is about (a condition on the facts)
    numerator: str | None = None  # what each school adds (a condition counts 1)
    denominator: str = "1"  # what each school in scope weighs (1: schools)
    weight: str = "1"  # a factor of both (在校生数 for student-weighted figures)
    compute: Computed | None = None


class Scope(_Frozen):
    """Which schools an indicator counts: grade bands and stage groups (from the one table of
    core/submission/bands.py), 课后服务 types, quality levels, carry-forward windows."""

    afterschool_types: tuple[str, ...]
    quality_levels: tuple[str, ...]
    provincial_level: str
    fitness_window_months: int = Field(ge=1, le=36)
    whole_child_window_months: int = Field(ge=1, le=36)

    @property
    def bands(self) -> dict[str, tuple[str, ...]]:
        """学段类型 -> the band keys it covers ('g12', 'g36', …), from core/submission/bands.py."""
        return {t: tuple(BAND_KEYS[b] for b in bands) for t, bands in SCHOOL_BANDS.items()}

    @property
    def stage_group(self) -> dict[str, Stage]:
        """学段类型 -> 优质均衡 stage group (compulsory types only), from core/submission/bands.py."""
        return {t: g for t, g in STAGE_GROUPS.items() if g is not None}


class Thresholds(_Frozen):
    """Policy thresholds with their source text."""

    pe_lessons: dict[str, float]  # weekly PE lessons by band key (every key of bands.BAND_KEYS)
    pe_lessons_source: str
    activity_minutes: float
    activity_source: str
    hw_g36_max_minutes: float
    hw_g79_max_minutes: float
    homework_source: str
    resource_min_items: int = Field(ge=1, le=7)
    resource_floor: float = Field(gt=0, le=1)
    resource_source: str
    cv_max: dict[Stage, float]


class ResourceItem(_Frozen):
    """One of the 7 优质均衡 resource items: column × scale / 在校生数 against a threshold."""

    id: str
    code: str
    name: str
    column: Literal["higher_degree_teachers", "backbone_teachers", "pe_art_teachers", "teaching_area",
                    "sports_area", "equipment_value", "multimedia_rooms"]
    scale: float = Field(gt=0)
    unit: str
    threshold: dict[Stage, float]


class Rating(_Frozen):
    """Status × change grid: change classes and the 1–5 rating with labels and colours."""

    pct_small: float
    pct_large: float
    rel_small: float
    rel_large: float
    grid: dict[Literal["green", "amber", "red"], tuple[int, int, int, int, int]]
    labels: tuple[str, str, str, str, str]
    colours: tuple[str, str, str, str, str]


class DataQuality(_Frozen):
    """Limits of the data-quality checks (outliers, month-over-month jumps, minutes that look like hours,
    a roster shorter than last month's)."""

    z_limit: float = Field(gt=0)
    min_schools: int = Field(ge=3)
    activity_jump_minutes: float = Field(gt=0)
    homework_jump_minutes: float = Field(gt=0)
    jump_ratio: float = Field(gt=1)
    students_jump_share: float = Field(gt=0)
    hours_like_max: float = Field(gt=0)
    roster_drop_share: float = Field(gt=0, lt=1)


class Catalog(_Frozen):
    """The whole of data/indicators.toml."""

    scope: Scope
    thresholds: Thresholds
    resource_item: tuple[ResourceItem, ...] = Field(min_length=7, max_length=7)
    rating: Rating
    data_quality: DataQuality
    indicator: tuple[Indicator, ...]

    def get(self, indicator_id: str) -> Indicator:
        """The indicator with this id; KeyError with a Chinese message if unknown."""
        for ind in self.indicator:
            if ind.id == indicator_id:
                return ind
        raise KeyError(f"未知指标「{indicator_id}」")

    @property
    def ids(self) -> list[str]:
        """Indicator ids in catalogue order."""
        return [ind.id for ind in self.indicator]


def load_catalog(path: Path | str | None = None) -> Catalog:
    """Read and check data/indicators.toml (cached until the file changes); CatalogError naming file and entry."""
    path = Path(path or CATALOG_FILE).resolve()
    return _load(path, file_stamp(path))


def file_stamp(path: Path) -> tuple[int, int] | None:
    """(mtime, size) of a file for cache keys, None if it does not exist (the loader then reports it)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=8)
def _load(path: Path, stamp: tuple[int, int] | None = None) -> Catalog:
    raw = read_toml(path, CatalogError)
    try:
        catalog = Catalog.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(describe_errors(path, exc, raw)) from None
    ids = catalog.ids
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CatalogError(f"配置文件 {path} 有误:指标 {'、'.join(dupes)} 重复定义")
    if set(catalog.thresholds.pe_lessons) != set(BAND_KEYS.values()):
        raise CatalogError(f"配置文件 {path} 有误:thresholds.pe_lessons 应为每个学段各填一个课时数"
                           f"({'、'.join(BAND_KEYS.values())})")
    for ind in catalog.indicator:  # an indicator nobody computes must not vanish from every page
        if (ind.numerator is None) == (ind.compute is None):
            raise CatalogError(f"配置文件 {path} 有误:指标「{ind.id}」应填写 numerator(分子,可另填 scope、"
                               f"denominator、weight)或 compute 二者之一,现在{'都没有' if ind.compute is None else '两者都有'}")
    return catalog
