"""What each school adds to an indicator's sums: SQL from its catalogue entry (data/indicators.toml).

Among the schools in `scope`, the numerator sum is Σ weight·numerator and the denominator sum
Σ weight·denominator; a yes/no numerator counts 1. The engine (core/indicators/aggregate.py)
and the test oracle read the sums from here, never from a copy.
"""
from __future__ import annotations

from core.indicators.catalog import Catalog, Indicator


def measure_sql(ind: Indicator) -> tuple[str, str]:
    """(numerator, denominator) per-school SQL expressions over the facts, 0 outside the scope."""
    if ind.numerator is None:
        raise ValueError(f"指标「{ind.id}」不是按学校求和的指标(compute = {ind.compute})")
    weight = "" if ind.weight.strip() == "1" else f"CAST(({ind.weight}) AS DOUBLE) * "
    return tuple(f"CASE WHEN ({ind.scope}) THEN {weight}CAST(({expr}) AS DOUBLE) ELSE 0 END"
                 for expr in (ind.numerator, ind.denominator))


def measures(cat: Catalog) -> dict[str, tuple[str, str]]:
    """measure_sql of every summed indicator of the catalogue, in catalogue order."""
    return {ind.id: measure_sql(ind) for ind in cat.indicator if ind.numerator is not None}
