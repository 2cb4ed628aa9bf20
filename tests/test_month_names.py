"""The report month in a file name and in the 报送月份 cell: a full date in a file name is the send date."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from builders import build_workbook, valid_submission_sheets

from core.month import file_name_date, file_name_month, find_month
from core.submission.validate import validate_workbook


@pytest.mark.parametrize("name, month", [
    ("云岭县2026年10月.xlsx", "2026-10"),
    ("云岭县_2026-10.xlsx", "2026-10"),
    ("云岭县_2026_10.xlsx", "2026-10"),
    ("云岭县202610.xlsx", "2026-10"),
    ("云岭县2026年3月监测数据.xlsx", "2026-03"),
    ("云岭县２０２６年１０月.xlsx", "2026-10"),  # full-width digits
    ("松溪县月报_2026-11-03.xlsx", None),
    ("松溪县月报_2026.11.03.xlsx", None),
    ("松溪县月报2026年11月3日.xlsx", None),
    ("松溪县月报20261103.xlsx", None),
    ("松溪县月报_2026_11_03.xlsx", None),
    ("白石县10月监测数据(2026-11-03报送).xlsx", None),
    ("白石县2026年10月监测数据(2026-11-03报送).xlsx", "2026-10"),  # the month, beside the send date
    ("白石县2026-10(2026年11月3日报送).xlsx", "2026-10"),
])
def test_month_in_a_file_name_ignores_a_full_date(name, month):
    assert file_name_month(name) == month


@pytest.mark.parametrize("name, found", [("松溪县月报_2026-11-03.xlsx", "2026-11-03"),
                                         ("月报2026年11月3日.xlsx", "2026年11月3日"),
                                         ("云岭县2026年10月.xlsx", None)])
def test_the_send_date_in_a_file_name_is_found_as_written(name, found):
    assert file_name_date(name) == found


@pytest.mark.parametrize("cell, month", [
    (datetime(2026, 10, 1), "2026-10"), (date(2026, 10, 1), "2026-10"),
    ("2026-10-01", "2026-10"), ("2026年10月1日", "2026-10"), ("2026年10月", "2026-10"), (202610.0, "2026-10"),
])
def test_a_month_cell_holding_a_date_reads_as_that_dates_month(cell, month):
    assert find_month(cell) == month


def _sheets(period):
    sheets = valid_submission_sheets(county="松溪县", period="2026-10", n_schools=4)
    sheets["填报说明"] = [["县区", "松溪县"], ["报送月份", period], []] if period is not None else [["县区", "松溪县"]]
    return sheets


def test_send_date_in_the_name_does_not_contradict_the_month_cell():
    parsed = validate_workbook(build_workbook(_sheets("2026-10")), "松溪县10月监测数据(2026-11-03报送).xlsx")
    assert parsed.ok and parsed.period == "2026-10"


@pytest.mark.parametrize("cell", [datetime(2026, 10, 1), "2026-10-01"])
def test_month_cell_with_a_date_still_reads_as_its_month(cell):
    parsed = validate_workbook(build_workbook(_sheets(cell)), "松溪县_2026-11-03.xlsx")
    assert parsed.ok and parsed.period == "2026-10"


def test_a_send_date_alone_is_not_a_month_and_the_message_says_so():
    parsed = validate_workbook(build_workbook(_sheets(None)), "松溪县月报_2026-11-03.xlsx")
    assert not parsed.ok and parsed.period is None
    assert [i.message for i in parsed.issues if i.is_error] == [
        "无法确定报送月份:「填报说明」中没有「报送月份」,文件名「松溪县月报_2026-11-03.xlsx」中的「2026-11-03」是日期"
        "(报送时间),不作为报送月份;应在「填报说明」填写报送月份(如2026-10)或在文件名中写明月份(如县区2026年10月.xlsx)"]


@pytest.mark.parametrize("cell, month", [
    ("2026年十月", "2026-10"), ("二〇二六年十月", "2026-10"), ("二零二六年十二月", "2026-12"), ("2026年三月", "2026-03"),
    ("26年10月", "2026-10"), ("报送月份:二〇二六年十一月", "2026-11"), ("2026年正月", None), ("126年10月", None),
])
def test_a_month_in_words_or_with_a_two_digit_year_is_read(cell, month):
    assert find_month(cell) == month


def test_a_send_date_in_words_in_a_file_name_is_not_the_month():
    name = "松溪县十月数据(二〇二六年十一月三日报送).xlsx"
    assert file_name_month(name) is None and file_name_date(name) == "2026年11月3日"
    assert file_name_month("松溪县二〇二六年十月监测数据.xlsx") == "2026-10"
