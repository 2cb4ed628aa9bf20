"""The county × indicator grid of 总览 as a table: rows 实验区 then counties, one column per headline indicator.

The overview's download is this grid, laid out as on screen (not a long list): values rounded
as the matrix shows them, each cell filled with its status colour, the zone row labelled with
its completeness.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.present import numbers as n
from core.present.labels import completeness_marker, reporting_text, status_key


@dataclass(frozen=True)
class Grid:
    """Values (rounded as shown) and style keys by row label and column header."""

    values: pd.DataFrame  # index: row labels; columns: headers with unit
    statuses: pd.DataFrame  # same shape: labels.status_key per cell
    units: dict[str, str]  # header -> unit


def overview_grid(zone: pd.DataFrame, counties: pd.DataFrame, ids: list[str], names: dict[str, str],
                  zone_name: str, missing: list[str] = ()) -> Grid:
    """The grid of `ids` (columns, named by `names`) for the zone row then every county (name order)
    but the `missing` ones (not reported: no figures, as on screen)."""
    headers, units = [], {}
    for i in ids:
        rows = zone[zone["indicator"] == i] if len(zone) else zone
        unit = rows["unit"].iloc[0] if len(rows) else ""
        header = names[i] if unit in ("", "系数") else f"{names[i]}({unit})"
        headers.append(header)
        units[header] = unit
    zone_label = _zone_label(zone, zone_name)
    labels = [zone_label, *sorted(set(counties["county"].dropna()) - set(missing))]
    values = pd.DataFrame(index=pd.Index(labels, name="县区"), columns=headers, dtype=object)
    statuses = pd.DataFrame("none", index=values.index, columns=headers, dtype=object)
    header_of = dict(zip(ids, headers))
    shown = set(labels[1:])
    cells: dict[tuple[str, str], dict] = {}  # (row label, header) -> the first row of it, as the page shows
    for label, frame in ((zone_label, zone), (None, counties)):
        frame = frame[frame["indicator"].isin(ids) & frame["stage"].isna()] if len(frame) else frame
        for r in frame.to_dict("records"):
            row = label if label is not None else r["county"]
            if label is None and row not in shown:
                continue
            cells.setdefault((row, header_of[r["indicator"]]), r)
    row_at, col_at = {label: k for k, label in enumerate(labels)}, {h: k for k, h in enumerate(headers)}
    value_cells, status_cells = values.to_numpy(copy=True), statuses.to_numpy(copy=True)
    for (label, header), r in cells.items():
        value_cells[row_at[label], col_at[header]] = n.rounded(r["value"], units[header])
        status_cells[row_at[label], col_at[header]] = status_key(r)
    values = pd.DataFrame(value_cells, index=values.index, columns=headers, dtype=object)
    statuses = pd.DataFrame(status_cells, index=values.index, columns=headers, dtype=object)
    return Grid(values, statuses, units)


def _zone_label(zone: pd.DataFrame, zone_name: str) -> str:
    """'实验区', or '实验区(部分县区,3/8县区已报送)' when the month is incomplete."""
    if zone.empty or "complete" not in zone or zone["complete"].iloc[0] is not False:
        return zone_name
    r = zone.iloc[0]
    marker = completeness_marker({"completeness": "partial"})
    return f"{zone_name}({marker},{reporting_text(int(r['counties_reporting']), int(r['counties_expected']))})"
