"""The month (报送月份): one 'YYYY-MM' string everywhere — parse, add, range, label, due date, closed, today.

A month is always carried as 'YYYY-MM' text: in the URL, the database, the CLI and the pages.
"Today" comes from one place, `today()`: the real date, or `PILOT_TODAY=YYYY-MM-DD` (tests, and
re-running a past meeting). The real date and time are the zone's, not the server's: the clock is
read in UTC and moved by `utc_offset_hours` of data/zone.toml (8 for China, which has no daylight
saving), so a server set to UTC stamps a file received at 07:30 on the 6th in Beijing as the 6th.
Times are naive datetimes in zone-local time, as stored and compared everywhere else.
"""
from __future__ import annotations

import os
import re
import unicodedata
from datetime import date, datetime, time, timedelta, timezone

TODAY_ENV = "PILOT_TODAY"
PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"  # a stored month; pydantic fields use it too

_STRICT = re.compile(r"(\d{4})-(\d{1,2})")
# Months as written in file names and cells: 2026年10月, 2026-10, 2026_10, 2026.10, 202610.
_FOUND = (
    re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月"),
    re.compile(r"(?<!\d)(20\d{2})[-_./](\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(20\d{2})(\d{2})(?!\d)"),
)

# A full date in a file name is the day it was sent (月报_2026-11-03.xlsx), not the month reported on:
# 2026-11-03, 2026.11.3, 2026_11_03 (one separator), 2026年11月3日, 20261103. Removed before a month is looked for.
_DATES = (
    re.compile(r"(?<!\d)20\d{2}\s*年\s*(0?[1-9]|1[0-2])\s*月\s*(0?[1-9]|[12]\d|3[01])\s*[日号]"),
    re.compile(r"(?<!\d)20\d{2}([-_./])(0?[1-9]|1[0-2])\1(0?[1-9]|[12]\d|3[01])(?!\d)"),
    re.compile(r"(?<!\d)20\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)"),
)


class MonthError(ValueError):
    """Text that is not a month; the message is Chinese and says how to write one."""


def clock() -> datetime:
    """The zone's real local time now (naive, to the microsecond); `PILOT_TODAY` does not move it.

    For stamps of when something happened here (audit log, 载入时间, backups); "today" and a
    receipt time that counts for timeliness are `today()` and `now()`."""
    from core.zone import load_zone  # core.zone imports this module

    offset = timedelta(hours=load_zone().utc_offset_hours)
    return (_utc_now() + offset).replace(tzinfo=None)


def _utc_now() -> datetime:
    """The machine's clock in UTC (aware); one place for tests to stop the clock."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date in the zone: `PILOT_TODAY` (YYYY-MM-DD) when set, else the zone's clock()."""
    text = os.environ.get(TODAY_ENV, "").strip()
    if not text:
        return clock().date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MonthError(f"环境变量 {TODAY_ENV}「{text}」不是有效的日期,应写成 YYYY-MM-DD") from None


def now() -> datetime:
    """The current time on `today()` (the zone clock's time of day): receipt time of an upload."""
    moment = clock().replace(microsecond=0)  # read once: a second read could fall after midnight
    return datetime.combine(today(), moment.time()) if os.environ.get(TODAY_ENV, "").strip() else moment


def of(day: date) -> str:
    """The month a date falls in: date(2026, 11, 3) -> '2026-11'."""
    return f"{day.year:04d}-{day.month:02d}"


def is_month(text: object) -> bool:
    """True for a well-formed 'YYYY-MM'."""
    return isinstance(text, str) and re.match(PATTERN, text) is not None


def parse_month(text: str) -> str:
    """'2026-3' or '2026-03' -> '2026-03' (what a user types); MonthError otherwise."""
    m = _STRICT.fullmatch(str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise MonthError(f"「{text}」不是有效的月份,应写成 YYYY-MM")
    return f"{m.group(1)}-{int(m.group(2)):02d}"


def find_month(value: object) -> str | None:
    """The month named in a cell ('2026年3月', '202603', '2026-10-01', a date cell); None if none.

    For a file name use file_name_month: there a full date is the send date, not the month.
    """
    if isinstance(value, (datetime, date)):
        return of(value)
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    elif is_ambiguous_month(value):
        return None
    text = _in_digits(unicodedata.normalize("NFKC", str(value)))  # full-width digits typed in Chinese input mode
    for pattern in _FOUND:
        for m in pattern.finditer(text):
            month = int(m.group(2))
            if 1 <= month <= 12:
                return f"{m.group(1)}-{month:02d}"
    return None


_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_CN_NUMBER = "(三十一|三十|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
_CN_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})(\s*年)")
_CN_MONTH = re.compile(r"(年\s*)" + _CN_NUMBER + r"(\s*月)")
_CN_DAY = re.compile(r"(月\s*)" + _CN_NUMBER + r"(\s*[日号])")
_SHORT_YEAR = re.compile(r"(?<![\d〇零一二三四五六七八九])(\d{2})(\s*年\s*\d{1,2}\s*月)")


def _cn_number(words: str) -> int:
    """一 … 三十一 -> 1 … 31."""
    tens, _, ones = words.rpartition("十") if "十" in words else ("", "", words)
    ten = ("一" if words.startswith("十") else tens) if "十" in words else ""
    return int(ten.translate(_CN_DIGITS) or 0) * 10 + int(ones.translate(_CN_DIGITS) or 0)


def _in_digits(text: str) -> str:
    """A month (and day) written in words as in digits: 二〇二六年十月 and 2026年十月 -> 2026年10月,
    2026年十一月三日 -> 2026年11月3日; a two-digit year: 26年10月 -> 2026年10月."""
    if "年" not in text:
        return text
    text = _CN_YEAR.sub(lambda m: m.group(1).translate(_CN_DIGITS) + m.group(2), text)
    text = _CN_MONTH.sub(lambda m: f"{m.group(1)}{_cn_number(m.group(2))}{m.group(3)}", text)
    text = _CN_DAY.sub(lambda m: f"{m.group(1)}{_cn_number(m.group(2))}{m.group(3)}", text)
    return _SHORT_YEAR.sub(r"20\1\2", text)


_BARE_MONTH = re.compile(r"(?:(1[0-2]|0?[1-9])|(十[一二]?|[一二三四五六七八九]))\s*月份?")


def bare_month(value: object) -> int | None:
    """The month number of a month written without its year ('10月', '十月', '10月份'); None otherwise."""
    if not isinstance(value, str):
        return None
    m = _BARE_MONTH.fullmatch(unicodedata.normalize("NFKC", value).strip())
    if m is None:
        return None
    return int(m.group(1)) if m.group(1) else _cn_number(m.group(2))


def file_name_month(name: str) -> str | None:
    """The month named in a file name, a full date in it (the send date) not counting: None if none."""
    text = _in_digits(unicodedata.normalize("NFKC", str(name or "")))
    for pattern in _DATES:
        text = pattern.sub(" ", text)
    return find_month(text)


def file_name_date(name: str) -> str | None:
    """The first full date written in a file name, with its numbers in digits ('2026-11-03'); None if none."""
    text = _in_digits(unicodedata.normalize("NFKC", str(name or "")))
    found = [m for pattern in _DATES for m in pattern.finditer(text)]
    return min(found, key=lambda m: m.start()).group(0) if found else None


def is_ambiguous_month(value: object) -> bool:
    """A number such as 2026.1 in a month cell: Excel keeps 2026.10 typed into a cell as 2026.1, so it
    may be January or October."""
    return isinstance(value, float) and 2000 < value < 2100 and round(value % 1, 6) == 0.1


def month_add(period: str, months: int) -> str:
    """'YYYY-MM' shifted by a number of months."""
    y, m = (int(p) for p in period.split("-"))
    idx = y * 12 + (m - 1) + months
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def months_between(first: str, last: str) -> int:
    """Whole months from first to last ('2026-01' → '2026-03' is 2)."""
    y1, m1 = (int(p) for p in first.split("-"))
    y2, m2 = (int(p) for p in last.split("-"))
    return (y2 - y1) * 12 + (m2 - m1)


def month_range(first: str, last: str) -> list[str]:
    """Every month from first to last inclusive (empty when last is before first)."""
    return [month_add(first, k) for k in range(months_between(first, last) + 1)]


def period_label(period: str | None) -> str:
    """'2026-10' -> '2026年10月' ('' for None)."""
    if not is_month(period):
        return period or ""
    return f"{int(period[:4])}年{int(period[5:7])}月"


def month_label(period: str) -> str:
    """'2026-10' -> '10月' (inside a sentence that already names the year)."""
    return f"{int(period[5:7])}月"


def due_date(period: str, due_day: int) -> date:
    """The last day a workbook for `period` is on time: day `due_day` of the next month."""
    return date.fromisoformat(f"{month_add(period, 1)}-{due_day:02d}")


def deadline(period: str, due_day: int) -> datetime:
    """The first moment a workbook for `period` is late (received any time on the due day is on time)."""
    return datetime.combine(due_date(period, due_day) + timedelta(days=1), time.min)


def on_time(received_at: datetime | None, period: str, due_day: int) -> bool:
    """Whether a workbook received at `received_at` is on time for `period` (never received: False)."""
    return received_at is not None and received_at < deadline(period, due_day)


def is_past_due(period: str, due_day: int, day: date | None = None) -> bool:
    """Whether the due date of `period` has passed on `day` (default today())."""
    return (day or today()) > due_date(period, due_day)


def is_closed(period: str, complete: bool, due_day: int, day: date | None = None) -> bool:
    """A month is closed when every county reported or its due date has passed (indicators.md, Completeness)."""
    return complete or is_past_due(period, due_day, day)
