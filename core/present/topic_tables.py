"""The tables of a topic page: who is behind on what, and the schools that do not meet a yes/no indicator.

Both read the rows compute_indicators already gives (nothing is recomputed or retyped here):
a county is behind when its status is 未达标 or 接近; a school does not meet a yes/no indicator
when its school-level value is 0 (a school row exists only where the school is in scope).
The school table shows the school's own answers under their one header (core.present.labels).
"""
from __future__ import annotations

import pandas as pd

from core.present.labels import column_labels
from core.present.numbers import format_value
from core.present.palette import status_label
from core.submission.schema import NOT_STORED, SHEETS, columns

BEHIND = ("red", "amber")  # worst first
SCHOOL_COLUMNS = ("county", "school_name", "school_id", "school_type", "classes")


def behind_table(zone: pd.DataFrame, counties: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """One row per indicator with a target: the zone value and status, and the counties below target
    (未达标) and close to it (接近), each with its value, the furthest behind first."""
    out = []
    for ind in ids:
        z = zone[(zone["indicator"] == ind) & zone["stage"].isna()]
        c = counties[(counties["indicator"] == ind) & counties["stage"].isna()]
        if pd.concat([z, c])["target"].isna().all():
            continue  # no target (e.g. a coverage figure): nobody is behind
        row = (z if len(z) else c).iloc[0]
        ascending = row["direction"] != "<="
        c = c.sort_values(["value", "county"], ascending=[ascending, True], na_position="first")
        lists = {s: "、".join(f"{r.county} {format_value(r.value, r.unit)}" for r in c[c["status"] == s]
                             .itertuples()) or "—" for s in BEHIND}
        zone_value = z.iloc[0] if len(z) else None
        out.append({"指标": row["name"],
                    "实验区": format_value(zone_value["value"], row["unit"]) if zone_value is not None else "—",
                    "实验区状态": status_label(zone_value["status"], pd.notna(zone_value["value"]))
                    if zone_value is not None else "—",
                    f"{status_label('red')}县区": lists["red"], f"{status_label('amber')}县区": lists["amber"]})
    return pd.DataFrame(out, columns=["指标", "实验区", "实验区状态", f"{status_label('red')}县区",
                                      f"{status_label('amber')}县区"])


def schools_not_meeting(schools: pd.DataFrame, detail: pd.DataFrame, indicator: str, sheet: str) -> pd.DataFrame:
    """The schools whose school-level value of a yes/no indicator is 0, with their answers in `sheet`
    and the month they were sent (沿用 when older), under the one header of each column."""
    rows = schools[(schools["indicator"] == indicator) & (schools["value"] == 0)]
    picked = detail.merge(rows[["county", "school_id"]], on=["county", "school_id"], how="inner")
    answers = [c for c in columns(SHEETS[sheet].model) if c.name in picked and c.kind != "code"
               and c.name not in NOT_STORED]  # the sheet's 学校名称 is the roster's (SCHOOL_COLUMNS)
    month = f"{sheet}_period"
    table = picked[[*SCHOOL_COLUMNS, *(c.name for c in answers), *([month] if month in picked else [])]].copy()
    for c in answers:
        if c.kind == "bool":
            table[c.name] = table[c.name].map({True: "是", False: "否"})
    table = table.sort_values(["county", "school_name"]).reset_index(drop=True)
    return table.rename(columns=column_labels(table.columns))
