"""Labels shown beside the figures: completeness markers, month options, banners, status keys.

The texts live in data/ui.toml ([completeness], [status.*]); the pages, tiles, matrix, charts,
report and downloads take them from here, so 不完整 / 部分县区 read the same everywhere.
"""
from __future__ import annotations

import re
from functools import lru_cache

from core.indicators.completeness import NOT_COMPARABLE, PARTIAL, MonthChoice
from core.month import period_label
from core.present.numbers import is_missing
from core.present.palette import display_status, load_palette

INCOMPLETE = "incomplete"  # style key (data/ui.toml [status.incomplete]) of a count of an incomplete month


def _get(row, key: str):
    """A field of a row given as a dict, a pandas Series or a namedtuple (None when absent)."""
    if isinstance(row, dict) or hasattr(row, "get"):
        return row.get(key)
    return getattr(row, key, None)


def completeness_marker(row) -> str:
    """'部分县区' for a zone rate over the reporting counties of an incomplete month, '不完整' for a
    count (or provisional figure) of such a month, '' otherwise."""
    texts = load_palette().completeness
    kind = _get(row, "completeness")
    if kind == NOT_COMPARABLE:
        return texts["incomplete"]
    if kind == PARTIAL:
        return texts["partial"]
    return ""


def coverage_text(row) -> str:
    """'6/8县区有数据' for a zone row that reporting counties have no data for (体质健康 not tested in
    the last 12 months, 综合育人 never sent), '' otherwise (an incomplete month says 3/8县区已报送)."""
    n, reporting, total = (_get(row, k) for k in ("counties_with_data", "counties_reporting", "counties_expected"))
    if is_missing(n) or is_missing(reporting) or int(n) >= int(reporting):
        return ""
    return load_palette().completeness["with_data"].format(n=int(n), total=int(total))


def status_key(row) -> str:
    """The style key a row is shown with: its status, 'notarget' for a value without a target,
    'incomplete' for a count of an incomplete month (never 未达标)."""
    if _get(row, "completeness") == NOT_COMPARABLE:
        return INCOMPLETE
    return display_status(_get(row, "status"), not is_missing(_get(row, "value")))


def reporting_text(n_reporting: int, n_expected: int) -> str:
    """'3/8县区已报送'."""
    return load_palette().completeness["reporting"].format(n=n_reporting, total=n_expected)


def month_option(choice: MonthChoice) -> str:
    """A month selector option: '2026年10月', or '2026年11月(3/8县区已报送)' when incomplete."""
    label = period_label(choice.period)
    if choice.complete:
        return label
    return f"{label}({reporting_text(choice.n_reporting, choice.n_expected)})"


def banner_text(choice: MonthChoice, short: bool = False) -> str:
    """The banner of a page showing an incomplete month: how many reported, who is missing, what it
    means (`short`: one line, for the projector)."""
    texts = load_palette().completeness
    key = "banner_short" if short else "banner_open" if not choice.closed else "banner_closed"
    return texts[key].format(month=period_label(choice.period), n=choice.n_reporting,
                             total=choice.n_expected, missing="、".join(choice.missing),
                             due=f"{choice.due.month}月{choice.due.day}日")


def no_data_text(months: list[str], newest: str, short: bool = False) -> str:
    """The banner of months past their due date without any report (completeness.months_without_data):
    which months, and the newest month with data (`short`: one line, for the projector)."""
    span = period_label(months[0]) + (f"至{period_label(months[-1])}" if len(months) > 1 else "")
    key = "banner_no_data_short" if short else "banner_no_data"
    return load_palette().completeness[key].format(months=span, newest=period_label(newest))


def county_list_note(page: bool = False) -> str:
    """The administrator's note while data/zone.toml lists no counties (completeness judged against the
    counties that have reported so far): on the command line naming the file, on a page the README."""
    texts = load_palette().completeness
    return f"{texts['no_county_list']}({texts['county_list_help' if page else 'county_list_file']})"


@lru_cache(maxsize=1)
def _sheet_headers() -> dict[str, str]:
    """DB column -> the header a county writes (core/submission/schema.py), every sheet."""
    from core.submission.schema import SHEETS, columns

    out: dict[str, str] = {}
    for sheet in SHEETS.values():
        for col in columns(sheet.model):
            out.setdefault(col.name, col.header)
    return out


def column_label(column: str, with_unit: bool = True) -> str:
    """The one Chinese header of a column: data/ui.toml [columns], else the workbook's own header
    ('g36_minutes' -> '三至六年级日均书面作业时长(分钟)'); `with_unit=False` drops the unit
    ('三至六年级日均书面作业时长', for a legend)."""
    label = load_palette().columns.get(column) or _sheet_headers().get(column, column)
    return label if with_unit else re.sub(r"[((](分钟|%|%|所|人|平方米|万元)[))]$", "", label)


def column_labels(columns, with_unit: bool = True) -> dict[str, str]:
    """{column: column_label(column)} for DataFrame.rename(columns=…)."""
    return {c: column_label(c, with_unit) for c in columns}
