"""The demo's 综合育人 sheets: labour lessons, mental-health teachers, 家长学校 and 家长委员会.

A county sends the sheet in the first month and once each school year (September); the
values are carried forward in between. Shares and the 专职心理健康教师 density follow the
county's Behaviour (a few counties add 专职 teachers year by year, one lags on 家长学校).
Drawn from a generator of its own, so the other sheets' numbers do not depend on this one.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.demo.quality import send_months

SEND_MONTHS = (9,)  # the new school year
STREAM = 15  # the generator's stream key next to the zone seed (issue 15)


def whole_child_sheets(roster: pd.DataFrame, monthly: pd.DataFrame, beh: pd.Series, periods: list[str],
                       submitted: set[tuple[str, str]], seed: int) -> pd.DataFrame:
    """综合育人 rows for every (county, period) in which the county sends the sheet."""
    rng = np.random.default_rng([seed, STREAM])
    n = len(roster)
    rank = rng.random((4, n))  # a school's fixed place in the county: who is short, who has what
    spare = rng.random(n)  # rounds 专职 teachers up or down per school
    extra = rng.integers(0, 3, n)  # 兼职心理健康教师 beside the 专职 ones
    unreported = rng.random(n) < 0.04  # 兼职 left blank (not reported)
    lessons = rng.choice([1.0, 1.0, 1.0, 1.5, 2.0], n)
    by_key = dict(iter(monthly.groupby(["county", "period"], sort=False)))
    frames = []
    for county_idx, county_rows in roster.groupby("county_idx", sort=False):
        county = county_rows["county"].iloc[0]
        b = beh.iloc[county_rows.index[0]]
        for k in send_months(county, periods, submitted, SEND_MONTHS):
            month = by_key[(county, periods[k])]
            idx = month["idx"].to_numpy()
            t = k / max(1, len(periods) - 1)
            classes = month["classes"].to_numpy()
            fulltime = np.floor(classes / 10 * _at(b.psych_per_10, t) + spare[idx]).astype(int)
            fulltime = np.minimum(fulltime, month["teachers"].to_numpy())
            covered = (fulltime > 0) | (rank[1, idx] < _at(b.psych_any, t))
            parttime = np.where(fulltime > 0, extra[idx] // 2, np.where(covered, 1 + extra[idx] % 2, 0))
            frames.append(pd.DataFrame({
                "period": periods[k], "county": county, "school_id": month["school_id"].to_numpy(),
                "labor_lessons": np.where(rank[0, idx] < _at(b.labor_short, t), 0.5, lessons[idx]),
                "psych_fulltime": fulltime,
                "psych_parttime": pd.array(np.where(unreported[idx] & (fulltime > 0), np.nan, parttime),
                                           dtype="Int64"),
                "parent_school": rank[2, idx] < _at(b.parent_school, t),
                "parent_committee": rank[3, idx] < _at(b.parent_committee, t),
            }))
    return pd.concat(frames, ignore_index=True)


def _at(pair: tuple[float, float], t: float) -> float:
    """A Behaviour trend (start, end) at time t in 0..1."""
    return pair[0] + (pair[1] - pair[0]) * t
