"""Rendering helpers: page headers, chart captions, plotly charts, Excel downloads."""
from __future__ import annotations

import re
from html import escape

import numpy as np
import pandas as pd
import streamlit as st

from core.month import period_label
from core.present import figures
from core.present.charts import Caption, plotly_config
from core.present.escape import md_text
from core.present.labels import column_labels
from core.present.export import TEXT_COLUMNS
from core.present.numbers import column_decimals, round_to
from core.present.palette import status_label
from core.zone import load_zone
from ui import data, figcache
from ui.projector import is_projector

def page_header(title: str, period: str | None, county: str | None = None, projector: bool = False) -> None:
    """Page title with month and scope. In projector mode the control bar names page, month and
    county, so the title is left out unless `projector` (the slideshow's slide title): then one line."""
    scope = county or load_zone().name
    text = f"{period_label(period)} {scope} · {title}" if period else title
    if is_projector() and not projector:
        return
    if is_projector():
        st.html(f'<div style="font-size:34px;font-weight:800;line-height:1.3;margin:0">'
                f'{escape(text)}</div>')
    else:
        st.title(md_text(text), anchor=False)


def caption_for(indicator: str, period: str, row: pd.Series | None = None) -> Caption:
    """口径, target, data source and as-of date of an indicator for a chart subtitle."""
    return figures.indicator_caption(indicator, row, load_zone().source, data.as_of(period))


def source_caption(period: str, definition: str = "") -> None:
    """The 口径/source/as-of line under a table (tables have no figure subtitle)."""
    st.caption(source_note(period, definition))


# Content width (px) at the smallest supported screen (1280 wide): with / without the sidebar.
CONTENT_WIDTH = {False: 900, True: 1230}


PROJECTOR_HEIGHT = 600  # px: a chart fills a 1280×720 projector screen under the page header


def chart_columns(n: int = 2) -> list:
    """Side-by-side chart slots; stacked full width in projector mode (large type needs the room)."""
    return [st.container() for _ in range(n)] if is_projector() else list(st.columns(n))


def half_span() -> float:
    """The page share of a chart in a `chart_columns(2)` slot."""
    return 1.0 if is_projector() else 0.5


def show_chart(fig, key: str, filename: str, select: bool = False, span: float = 1.0,
               fill: bool = False):
    """Render a figure (titles wrapped for `span` of the page width) with the camera-button config.

    `fill`: the figure takes the height of its container (the slideshow sizes it to the screen).
    Returns the selection event if `select`.
    """
    from core.present.charts import fit_width
    from ui.narrow import chart_width, is_narrow, phone_figure

    projector, narrow = is_projector(), is_narrow()

    def adjust(f) -> None:
        if fill:
            f.update_layout(height=None, autosize=True)
        elif projector and f.layout.height is None:
            f.update_layout(height=PROJECTOR_HEIGHT)
        fit_width(f, chart_width(int(CONTENT_WIDTH[projector] * span) - 20))
        phone_figure(f)

    spec = figcache.shown(fig, (fill, projector, narrow, span), adjust)  # the figure itself stays as built
    kwargs = {"on_select": "rerun", "selection_mode": "points"} if select else {}
    return st.plotly_chart(spec, key=key, config=plotly_config(filename), theme=None,
                           width="stretch", height="stretch" if fill else "content", **kwargs)


def chinese_table(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Indicator rows as a table with Chinese headers (status as 达标/接近/未达标/无数据)."""
    out = df.copy()
    if "status" in out:
        out["status_label"] = [status_label(s, pd.notna(v)) for s, v in
                               zip(out["status"], out["value"])]
    cols = [c for c in columns if c in out]
    return out[cols].rename(columns=column_labels(cols))


def static_table(df: pd.DataFrame) -> None:
    """A small table that wraps long text (st.table), every cell and header shown as plain text.

    st.table renders Markdown in its cells: an issue value 「[x](http://…)」 from a county
    workbook would become a link, 「![](http://…)」 an external image.
    """
    shown = df.map(lambda v: md_text(v) if isinstance(v, str) else v)
    shown.columns = [md_text(c) for c in shown.columns]
    st.table(shown, hide_index=True)


def source_note(period: str | None, definition: str = "") -> str:
    """The 口径/数据来源/数据截至 line of a table, a chart caption and every download."""
    parts = [f"口径:{definition}" if definition else "", f"数据来源:{load_zone().source}",
             f"数据截至 {(data.as_of(period) if period else '') or '—'}"]
    return " · ".join(p for p in parts if p)


def download_table(df: pd.DataFrame, title: str, key: str, note: str = "", *, definition: str = "",
                   decimals: dict[str, int] | None = None, default: int = 2) -> None:
    """An Excel download of a table as shown (same rounding as show_table with the same `decimals`
    and `default`) under `note`, by default the 口径/数据来源/数据截至 line of the selected month
    (built only on click)."""
    from core.present.export import table_to_xlsx
    from ui.filters import month

    note = note or source_note(month(), definition)
    st.download_button("下载 Excel", data=lambda: table_to_xlsx(df, title, note=note, decimals=decimals,
                                                              default=default),
                       file_name=f"{title}.xlsx", key=key,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def download_grid(grid, title: str, key: str, definition: str = "") -> None:
    """The overview's county × indicator grid (core.present.grid) as an Excel download, laid out as on screen."""
    from core.present.export import grid_to_xlsx
    from ui.filters import month

    note = source_note(month(), definition)
    st.download_button("下载 Excel", data=lambda: grid_to_xlsx(grid, title, note=note),
                       file_name=f"{title}.xlsx", key=key,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _zone_row(indicator: str, period: str) -> pd.Series | None:
    rows = data.indicators(period, level="zone", indicator=indicator)
    rows = rows[rows["stage"].isna()]
    return rows.iloc[0] if len(rows) else None


def _county_rows(indicator: str, period: str) -> pd.DataFrame:
    rows = data.indicators(period, level="county", indicator=indicator)
    return rows[rows["stage"].isna()]


@figcache.cached_figure
def county_bars(indicator: str, period: str, size: int, highlight: str | None = None):
    """Bar per county for one indicator (core.present.figures.county_bars, as in the report)."""
    return figures.county_bars(indicator, period, _county_rows(indicator, period), _zone_row(indicator, period),
                               load_zone().source, data.as_of(period), base_size=size, highlight=highlight)


def same_everywhere(indicator: str, period: str) -> str | None:
    """The sentence replacing a county chart whose counties all have the same value, else None."""
    return figures.same_everywhere(indicator, period, _county_rows(indicator, period))


def show_county_bars(indicator: str, period: str, size: int, key: str, span: float = 1.0,
                     highlight: str | None = None, select: bool = False):
    """The county bars, or — when every county has the same value — the sentence that says so."""
    note = same_everywhere(indicator, period)
    if note:
        note_card(note)
        return None
    return show_chart(county_bars(indicator, period, size, highlight), key, f"{indicator}_{period}",
                      select=select, span=span)


def note_card(text: str) -> None:
    """A sentence in place of a chart that would tell nothing (e.g. every county at 100 %)."""
    st.html(f'<div style="border:1px solid #d0d7e2;border-radius:8px;padding:14px 18px;margin:6px 0;'
            f'font-size:1.1em;background:#f7f9fc">{escape(text)}</div>')


@figcache.cached_figure
def trend_chart(indicator: str, period: str, size: int, county: str | None = None,
                months: int = 12, limit: float | None = None):
    """Monthly lines per county (or one county) with the zone line and target (as in the report).
    Every county's rows are loaded (shared with the zone-wide chart): with many counties the chosen
    county is drawn against their band."""
    trend = data.load("indicator_trend", indicator, level="county", end=period, months=months)
    zone = data.load("indicator_trend", indicator, level="zone", end=period, months=months)
    return figures.trend_lines(indicator, period, trend, zone, load_zone().source, data.as_of(period),
                               base_size=size, county=county, limit=limit)


def tidy(df: pd.DataFrame) -> pd.DataFrame:
    """Numbers as numbers and blanks as empty cells (core frames carry None in object columns);
    codes (学校标识码) stay text."""
    out = df.copy()
    for col in out.columns:
        if col in TEXT_COLUMNS:
            continue
        if out[col].dtype == object:
            converted = pd.to_numeric(out[col], errors="coerce")
            if converted.notna().sum() == out[col].notna().sum():
                out[col] = converted
            else:
                out[col] = out[col].where(out[col].notna(), "")
    return out


MISSING_CELL = "—"


def display_frame(df: pd.DataFrame, decimals: dict[str, int] | None = None,
                  default: int = 2) -> pd.DataFrame:
    """Numbers as text for reading, rounded as the download is (numbers.column_decimals: `decimals`
    per column, else the header's unit, whole numbers, or `default`), blanks as —.
    (st.dataframe would print a missing number as "None".)"""
    out = tidy(df)
    for col in out.columns:
        if col in TEXT_COLUMNS:
            out[col] = [MISSING_CELL if v is None or v == "" or pd.isna(v) else str(v) for v in df[col]]
            continue
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: "是", False: "否"}).astype(object)
            continue
        if pd.api.types.is_string_dtype(out[col]) or out[col].dtype == object:
            out[col] = out[col].astype(object).where(out[col].notna(), MISSING_CELL)
            out[col] = out[col].replace("", MISSING_CELL)
            continue
        if not pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]):
            continue
        places = (decimals or {}).get(col, column_decimals(col, out[col], default))
        # each distinct value formatted once (a province table repeats a few hundred values)
        codes, uniques = pd.factorize(out[col], use_na_sentinel=True)
        texts = np.array([f"{round_to(v, places):.{places}f}" for v in uniques] + [MISSING_CELL], dtype=object)
        out[col] = pd.Series(texts[codes], index=out.index, dtype=object)
    return out


def show_table(df: pd.DataFrame, decimals: dict[str, int] | None = None, default: int = 2,
               flagged: pd.Series | None = None) -> None:
    """A table as the officer reads it: formatted numbers right-aligned, — for blanks, flagged rows red."""
    shown, numeric, key = _displayed(df, decimals, default)
    config = {c: st.column_config.TextColumn(alignment="right") for c in numeric}
    body = shown
    if flagged is not None:
        marks = np.asarray(flagged.fillna(False).astype(bool), dtype=bool)
        body = data.remember(("flagged_table", key, marks.tobytes()), lambda: _flagged(shown, marks))
    st.dataframe(body, hide_index=True, width="stretch", column_config=config)


def _flagged(shown: pd.DataFrame, marks: np.ndarray):
    """`shown` with the marked rows red, as a Styler that works its styles out once."""
    rows = np.where(marks, "background-color:#f8d7da", "")[:, None]  # one frame of styles for all rows
    styles = pd.DataFrame(np.repeat(rows, shown.shape[1], axis=1), index=shown.index, columns=shown.columns)
    return styled_once(shown.style.apply(lambda _: styles, axis=None))


def styled_once(body):
    """A Styler that works its styles out once, to be kept (data.remember) and shown at every rerun:
    st.dataframe asks pandas for them on every rerun, and a province table's styles cost more than
    its data. (st.dataframe recognises a Styler by its exact type, so the instance's methods are
    replaced.)"""
    body._compute()
    translated = {}
    translate = body._translate
    text = body.data.astype(str)

    def once(*args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        if key not in translated:
            translated[key] = _unchanged_unmarked(translate(*args, **kwargs), text)
        return translated[key]

    body._compute = lambda: body  # already computed
    body._translate = once
    return body


STYLER_CELL = re.compile(r"row(\d+)_col(\d+)")  # a body cell's id in a translated Styler


def _unchanged_unmarked(styles: dict, text: pd.DataFrame) -> dict:
    """A translated Styler whose body cells keep their id only where the shown text differs from the
    cell's own text (`text`: the frame as str). Streamlit writes the display value of every cell with
    an id into a str copy of the frame at every rerun, through pandas (~26 ms for a province's
    resource table); for our tables, already text, that writes each cell's own text back."""
    body = []
    for row in styles.get("body", []):
        cells = []
        for cell in row:
            found = STYLER_CELL.match(cell.get("id") or "")
            if found and str(cell.get("display_value")) == text.iat[int(found[1]), int(found[2])]:
                cell = {k: v for k, v in cell.items() if k != "id"}
            cells.append(cell)
        body.append(cells)
    return {**styles, "body": body}


def _displayed(df: pd.DataFrame, decimals: dict[str, int] | None,
               default: int) -> tuple[pd.DataFrame, list[str], tuple]:
    """display_frame of `df`, its numeric columns and the cache key of both, once per table content
    (a rerun shows the same tables)."""
    import hashlib
    import pickle

    def compute():
        numbers = tidy(df)
        numeric = [c for c in numbers.columns if pd.api.types.is_numeric_dtype(numbers[c])
                   and not pd.api.types.is_bool_dtype(numbers[c]) and c not in TEXT_COLUMNS]
        return display_frame(df, decimals, default).reset_index(drop=True), numeric

    digest = hashlib.blake2b(pickle.dumps(df, protocol=5), digest_size=20).digest()
    key = ("display_frame", digest, tuple(sorted((decimals or {}).items())), default)
    shown, numeric = data.remember(key, compute)
    return shown.copy(deep=False), numeric, key


@figcache.cached_figure
def trajectory_figure(indicator: str, period: str, county: str | None, size: int):
    """Actual vs the planned trajectory to the target month, with the projection (as in the report)."""
    level = "county" if county else "zone"
    now = data.indicators(period, level=level, county=county, indicator=indicator)
    row = now.iloc[0] if len(now) else None
    trend = data.load("indicator_trend", indicator, level=level, county=county, end=period, months=24)
    return figures.trajectory(indicator, period, trend, row, county or load_zone().name, load_zone().source,
                              data.as_of(period), county=county, base_size=size)
