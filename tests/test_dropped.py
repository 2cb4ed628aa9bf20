"""A correction without an optional sheet (优质学校, 综合育人) the replaced version had: accepted, with a
warning naming the sheet, the replaced submission and what the county's figures become
(core/submission/dropped.py)."""
from __future__ import annotations

from datetime import datetime

from builders import build_workbook, valid_submission_sheets

from core.db import open_db
from core.indicators import compute_indicators
from core.month import month_add
from core.submission.ingest import ingest_file, ingest_paths
from core.submission.status import submission_issues

ASK = "如只是漏了此表,请把此表补上重新报送"


def send(db_path, period: str, received: str, *, quality: bool = True, whole_child: bool = True,
         name: str | None = None, minutes: int | None = None):
    """One 云岭县 workbook for `period`, received at `received` (ISO); `minutes` makes a changed copy."""
    sheets = valid_submission_sheets("云岭县", period, quality=quality, whole_child=whole_child)
    if minutes is not None:
        sheets["体育"][1][6] = minutes
    return ingest_file(build_workbook(sheets), file_name=name or f"云岭县_{period}.xlsx", db_path=db_path,
                       received_at=datetime.fromisoformat(received))


def dropped(result) -> list:
    return [i for i in result.issues if ASK in i.message]


def test_a_correction_without_the_optional_sheets_is_accepted_with_a_warning_per_sheet(db_path):
    first = send(db_path, "2026-09", "2026-10-03T09:00")
    res = send(db_path, "2026-09", "2026-10-04T10:30", quality=False, whole_child=False,
               name="云岭县_2026-09(更正).xlsx")
    assert res.status == "accepted" and res.replaces == first.submission_id
    quality, whole = dropped(res)
    assert (quality.severity, quality.sheet, quality.row) == ("warning", "优质学校", None)
    assert quality.message == (
        "优质学校:本次报送没有「优质学校」表,而被替换的云岭县2026年9月报送(2026-10-03 09:00接收)中有此表"
        "(6所学校);接收后,该县区2026年9月的「优质学校」数据将变为无数据(此前没有含此表的报送);" + ASK)
    assert whole.sheet == "综合育人" and whole.message == (
        "综合育人:本次报送没有「综合育人」表,而被替换的云岭县2026年9月报送(2026-10-03 09:00接收)中有此表"
        "(6所学校);接收后,该县区2026年9月的「综合育人」数据将变为无数据(此前12个月内没有含此表的报送);" + ASK)
    with open_db(db_path) as con:  # stored with the workbook: 报送情况 lists it under the version in force
        stored = submission_issues(con, res.submission_id)
    assert [m for m in stored["message"] if ASK in m] == [quality.message, whole.message]


def test_the_warning_names_the_earlier_month_carried_and_the_later_months_affected(db_path):
    send(db_path, "2026-07", "2026-08-03T09:00")
    send(db_path, "2026-08", "2026-09-03T09:00", quality=False)  # 综合育人 again, 优质学校 carried from July
    send(db_path, "2026-09", "2026-10-03T09:00")
    send(db_path, "2026-10", "2026-11-03T09:00", quality=False, whole_child=False)  # both carried from September
    res = send(db_path, "2026-09", "2026-11-04T09:00", quality=False, whole_child=False,
               name="云岭县_2026-09(更正).xlsx")
    quality, whole = dropped(res)
    assert "该县区2026年9月至2026年10月的「优质学校」数据将改为沿用更早的报送(最近一次含此表的是2026年7月的报送)" \
        in quality.message
    assert "该县区2026年9月至2026年10月的「综合育人」数据将改为沿用更早的报送(最近一次含此表的是2026年8月的报送)" \
        in whole.message


def test_no_warning_when_the_correction_keeps_the_sheets_or_the_original_had_none(db_path):
    send(db_path, "2026-09", "2026-10-03T09:00", whole_child=False)
    kept = send(db_path, "2026-09", "2026-10-04T09:00", whole_child=False, minutes=75, name="云岭县_2026-09(更正).xlsx")
    assert kept.status == "accepted" and kept.replaces is not None and dropped(kept) == []
    first = send(db_path, "2026-10", "2026-11-03T09:00", quality=False, whole_child=False)
    assert first.replaces is None and dropped(first) == []


def test_an_older_file_loaded_late_replaces_nothing_and_gets_no_warning(db_path):
    send(db_path, "2026-09", "2026-10-04T09:00")
    late = send(db_path, "2026-09", "2026-10-02T09:00", quality=False, name="云岭县_2026-09(旧).xlsx")
    assert late.status == "accepted" and dropped(late) == []


def test_a_folder_with_the_original_and_its_correction_warns_on_the_correction(db_path, tmp_path):
    build_workbook(valid_submission_sheets("云岭县", "2026-09", whole_child=True), tmp_path / "云岭县_2026-09.xlsx")
    build_workbook(valid_submission_sheets("云岭县", "2026-09", quality=True, whole_child=False),
                   tmp_path / "云岭县_2026-09(更正).xlsx")
    original, correction = ingest_paths([tmp_path], db_path=db_path,
                                        received_at=datetime(2026, 10, 3, 9, 0)).results
    assert dropped(original) == []
    (warning,) = dropped(correction)
    assert warning.sheet == "综合育人" and "(2026-10-03 09:00接收)" in warning.message


def test_later_months_past_the_carry_forward_window_are_named_as_losing_their_data(db_path):
    """综合育人 is carried forward 12 months counted from each month: a correction of September that
    drops the sheet sends September–December back to January's sheet, but January and February of
    the next year are more than 11 months after it and have none (the warning says which is which)."""
    send(db_path, "2025-01", "2025-02-03T09:00")
    send(db_path, "2025-09", "2025-10-03T09:00")
    for period in ("2025-10", "2025-11", "2025-12", "2026-01", "2026-02"):
        send(db_path, period, f"{month_add(period, 1)}-03T09:00", whole_child=False)
    res = send(db_path, "2025-09", "2026-03-04T09:00", whole_child=False, name="云岭县_2025-09(更正).xlsx")
    (whole,) = dropped(res)
    assert ("该县区2025年9月至2026年2月的「综合育人」数据将变化如下:2025年9月至2025年12月改为沿用更早的报送"
            "(最近一次含此表的是2025年1月的报送),2026年1月至2026年2月变为无数据(此前12个月内没有含此表的报送)"
            ) in whole.message
    with open_db(db_path) as con:  # what the warning says is what the figures now are
        for period, has in (("2025-12", True), ("2026-01", False)):
            row = compute_indicators(con, period, county="云岭县", indicator="parent_school_rate").iloc[0]
            assert (row["value"] is not None) == has, period


def _running_out(result) -> list[str]:
    return [i.message for i in result.issues if i.sheet == "综合育人" and "本次报送没有填写" in i.message]


def test_the_county_is_told_in_the_last_month_its_whole_child_sheet_reaches_and_in_the_first_it_does_not(db_path):
    send(db_path, "2025-10", "2025-11-03T09:00")  # the county's newest 综合育人 sheet
    months = [month_add("2025-11", k) for k in range(13)]  # 2025-11 … 2026-11, none with the sheet
    results = {m: send(db_path, m, f"{month_add(m, 1)}-03T09:00", whole_child=False) for m in months}
    told = {m: _running_out(r) for m, r in results.items() if _running_out(r)}
    assert list(told) == ["2026-09", "2026-10"]
    assert told["2026-09"] == [
        "综合育人:本次报送没有填写「综合育人」表;云岭县的「综合育人」数据沿用2025年10月的报送,只能沿用12个月,"
        "2026年9月是最后一个月,2026年10月起将变为无数据;请在2026年10月的报送中填写此表"]
    assert told["2026-10"] == [
        "综合育人:本次报送没有填写「综合育人」表;云岭县最近一次含此表的是2025年10月的报送,已超过12个月,"
        "2026年10月起「综合育人」各项数据为无数据;请填写此表后重新报送"]
    with open_db(db_path) as con:  # what the warnings say is what the figures are
        for period, has in (("2026-09", True), ("2026-10", False)):
            row = compute_indicators(con, period, county="云岭县", indicator="parent_school_rate").iloc[0]
            assert (row["value"] is not None) == has, period
    assert all(results[m].status == "accepted" for m in months)


def test_no_running_out_warning_for_a_county_that_never_sent_the_sheet_or_for_an_older_month(db_path):
    never = [send(db_path, m, f"{month_add(m, 1)}-03T09:00", whole_child=False) for m in ("2026-08", "2026-09")]
    assert [_running_out(r) for r in never] == [[], []]
    send(db_path, "2025-10", "2025-11-03T09:00")
    late = send(db_path, "2026-07", "2026-08-03T09:00", whole_child=False)  # not the county's newest month
    assert _running_out(late) == []
