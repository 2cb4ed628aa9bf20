"""Month-over-month change and the status × change rating (5 levels) pages colour by.

In the spirit of the California School Dashboard's 5×5 grid (status level × change level →
one of five colours), with our three statuses as rows. Change classes: for % indicators the
change in percentage points, otherwise relative to |previous value|; thresholds in
data/indicators.toml [rating] (持平 below 1 pp / 2 %, 显著 from 5 pp / 10 %).

| status \\ change | 显著改善 | 改善 | 持平 | 退步 | 显著退步 |
|-----------------|---------|------|------|------|---------|
| green 达标       | 5       | 5    | 5    | 4    | 3       |
| amber 接近       | 4       | 4    | 3    | 2    | 2       |
| red 未达标       | 3       | 2    | 1    | 1    | 1       |

Rating 5 优 (blue) · 4 良好 (green) · 3 一般 (yellow) · 2 较差 (orange) · 1 差 (red);
RATING_KEY gives label and colour. No previous value → the 持平 column; status none → no rating.
"""
from __future__ import annotations

from core.indicators.catalog import Rating, load_catalog


def rating_key() -> list[dict]:
    """The 5-level colour key, best first: rating, label, colour."""
    r = load_catalog().rating
    return [{"rating": n, "label": r.labels[n - 1], "colour": r.colours[n - 1]} for n in range(5, 0, -1)]


def change_direction(change: float | None) -> str:
    """up / down / flat / none for a month-over-month change."""
    if change is None or change != change:
        return "none"
    return "up" if change > 1e-12 else "down" if change < -1e-12 else "flat"


def change_class(change: float | None, prev: float | None, unit: str, direction: str,
                 rating: Rating | None = None) -> int | None:
    """Column of the grid (0 = 显著改善 … 4 = 显著退步), None when there is no previous value."""
    if change is None or prev is None or change != change or prev != prev:
        return None
    r = rating or load_catalog().rating
    better = change if direction == ">=" else -change
    if unit == "%":
        size, small, large = abs(change), r.pct_small, r.pct_large
    else:
        size = abs(change) / abs(prev) if prev else (float("inf") if change else 0.0)
        small, large = r.rel_small, r.rel_large
    if size < small:
        return 2
    if better > 0:
        return 0 if size >= large else 1
    return 4 if size >= large else 3


def rate(status: str, cls: int | None, rating: Rating | None = None) -> int | None:
    """Rating 1–5 for a status and a change class; None for status none."""
    r = rating or load_catalog().rating
    if status not in r.grid:
        return None
    return r.grid[status][2 if cls is None else cls]


def improving(cls: int | None) -> bool | None:
    """True when getting better, False when worse, None when flat or unknown."""
    if cls is None or cls == 2:
        return None
    return cls < 2
