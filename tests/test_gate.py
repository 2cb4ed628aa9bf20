"""The upload gate: one validation and one connection per upload, school codes that belong to one county,
plain warnings for implausible values (on the upload page and in the annotated workbook)."""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from builders import PE_HEADER, ROSTER_HEADER, build_workbook, school_code, valid_submission_sheets
from streamlit.testing.v1 import AppTest

import core.submission.gate
import core.submission.validate
from core.access.accounts import User
from core.db import open_db
from core.present.escape import md_text
from core.submission.annotate import annotate_workbook
from core.submission.gate import submit_workbook
from core.submission.ingest import ingest_file, ingest_paths

ROOT = Path(__file__).resolve().parent.parent
ACTIVITY = PE_HEADER.index("日均校内体育活动时间(分钟)")
CODE = ROSTER_HEADER.index("学校标识码")
HOURS_SENTENCE = "日均校内体育活动时间1.1分钟,远低于云岭县其他学校(中位数62分钟),是否按小时填写?"
CLERK = User(username="yl", role="clerk", county="云岭县")


def with_activity(minutes: list[float], county: str = "云岭县", period: str = "2026-10") -> dict:
    """A valid workbook whose schools report these 日均校内体育活动时间 (one school each)."""
    sheets = valid_submission_sheets(county, period, n_schools=len(minutes))
    for row, m in zip(sheets["体育"][1:], minutes):
        row[ACTIVITY] = m
    return sheets


def recode(sheets: dict, codes: dict[str, str]) -> dict:
    """The same workbook with some school codes replaced (in every sheet)."""
    for rows in sheets.values():
        for row in rows[1:]:
            if row and row[0] in codes:
                row[0] = codes[row[0]]
    return sheets


# ---------------------------------------------------------------- one gate

def test_an_upload_is_validated_once_on_one_connection(db_path, monkeypatch):
    calls = {"validate": 0, "open": 0}
    real_validate, real_open = core.submission.validate.validate_workbook, core.submission.gate.open_db

    def counting_validate(*a, **kw):
        calls["validate"] += 1
        return real_validate(*a, **kw)

    def counting_open(*a, **kw):
        calls["open"] += 1
        return real_open(*a, **kw)

    monkeypatch.setattr(core.submission.validate, "validate_workbook", counting_validate)
    monkeypatch.setattr(core.submission.gate, "open_db", counting_open)
    res = submit_workbook(CLERK, build_workbook(valid_submission_sheets()), "云岭县_2026-10.xlsx", db_path=db_path,
                          now=datetime(2026, 11, 2))
    assert res.status == "accepted" and res.county == "云岭县"
    assert calls == {"validate": 1, "open": 1}


def test_the_app_and_the_command_line_store_the_same(tmp_path):
    data = build_workbook(with_activity([58, 60, 62, 62, 63, 64, 66, 1.1]))
    app = submit_workbook(CLERK, data, "云岭县_2026-10.xlsx", db_path=tmp_path / "a.duckdb", now=datetime(2026, 11, 2))
    cli = ingest_file(data, file_name="云岭县_2026-10.xlsx", db_path=tmp_path / "b.duckdb")
    assert app.model_dump(exclude={"submission_id"}) == cli.model_dump(exclude={"submission_id"})


# ---------------------------------------------------------------- school codes belong to one county

def test_codes_of_another_countys_roster_are_rejected_naming_that_county(db_path):
    assert ingest_file(build_workbook(valid_submission_sheets("乙县", "2026-10")), file_name="乙县_2026-10.xlsx",
                       db_path=db_path).status == "accepted"
    theirs = [school_code(i) for i in (1, 2, 3)]
    sheets = recode(valid_submission_sheets("甲县", "2026-10"), {school_code(i): f"22900{i:05d}" for i in range(4, 7)})
    res = submit_workbook(User(username="jx", role="clerk", county="甲县"), build_workbook(sheets),
                          "甲县_2026-10.xlsx", db_path=db_path, now=datetime(2026, 11, 2))
    assert res.status == "rejected"
    errors = [i for i in res.issues if i.severity == "error"]
    assert [(i.sheet, i.row, i.column, i.value) for i in errors] == [
        ("学校名册", 2 + n, "学校标识码", code) for n, code in enumerate(theirs)]
    assert errors[0].message == (
        f"学校名册 第2行「学校标识码」:学校标识码「{theirs[0]}」属于乙县(乙县2026年10月报送的学校名册中有该校),"
        "一所学校只能由所属县区报送;应核对学校标识码,学校确已划转的,应由乙县先报送不含该校的学校名册,"
        "或联系实验区管理员")
    with open_db(db_path) as con:
        assert con.execute("SELECT count(*) FROM school JOIN submission s ON s.id = submission_id"
                           " WHERE s.county = '甲县'").fetchone()[0] == 0


def test_a_folder_is_checked_as_if_its_files_came_one_after_the_other(db_path, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    build_workbook(valid_submission_sheets("乙县", "2026-10"), folder / "1_乙县_2026-10.xlsx")
    build_workbook(valid_submission_sheets("甲县", "2026-10"), folder / "2_甲县_2026-10.xlsx")
    results = ingest_paths([folder], db_path=db_path).results
    assert [r.status for r in results] == ["accepted", "rejected"]
    assert sum("属于乙县" in i.message for i in results[1].issues) == 6


def test_a_code_the_other_county_no_longer_lists_may_move(db_path):
    """A school transferred: once 乙县's newest roster leaves it out, 甲县 may list it."""
    moved = school_code(1)
    ingest_file(build_workbook(valid_submission_sheets("乙县", "2026-10")), file_name="乙县_2026-10.xlsx",
                db_path=db_path)
    ingest_file(build_workbook(recode(valid_submission_sheets("乙县", "2026-11"), {moved: "2190009999"})),
                file_name="乙县_2026-11.xlsx", db_path=db_path)
    others = {school_code(i): f"22900{i:05d}" for i in range(2, 7)}
    res = ingest_file(build_workbook(recode(valid_submission_sheets("甲县", "2026-11"), others)),
                      file_name="甲县_2026-11.xlsx", db_path=db_path)
    assert res.status == "accepted", [i.message for i in res.issues]


def test_a_school_that_moved_belongs_to_each_county_in_its_own_months(db_path, tmp_path):
    """乙县 lists the school until 2026-10 and hands it to 甲县 from 2026-11. 乙县 may still correct its
    September (the school was its own then); 甲县 may not list it in October (乙县's month). A folder
    with the hand-over in order (乙县's November first) passes, as the files would one after another."""
    moved = school_code(1)
    for period in ("2026-09", "2026-10"):
        assert ingest_file(build_workbook(valid_submission_sheets("乙县", period)), file_name=f"乙县_{period}.xlsx",
                           db_path=db_path).status == "accepted"
    others = {school_code(i): f"22900{i:05d}" for i in range(2, 7)}
    folder = tmp_path / "in"
    folder.mkdir()
    build_workbook(recode(valid_submission_sheets("乙县", "2026-11"), {moved: "2190009999"}), folder / "1_乙县_2026-11.xlsx")
    build_workbook(recode(valid_submission_sheets("甲县", "2026-11"), others), folder / "2_甲县_2026-11.xlsx")
    assert [r.status for r in ingest_paths([folder], db_path=db_path).results] == ["accepted", "accepted"]

    correction = valid_submission_sheets("乙县", "2026-09")
    correction["作业"][1][-2] = "否"
    res = ingest_file(build_workbook(correction), file_name="乙县_2026-09(更正).xlsx", db_path=db_path)
    assert res.status == "accepted", [i.message for i in res.issues]
    assert res.replaces is not None

    res = ingest_file(build_workbook(recode(valid_submission_sheets("甲县", "2026-10"), others)),
                      file_name="甲县_2026-10.xlsx", db_path=db_path)
    assert res.status == "rejected"
    (error,) = [i for i in res.issues if i.severity == "error"]
    assert (error.row, error.value) == (2, moved) and "属于乙县(乙县2026年10月报送的学校名册中有该校)" in error.message

    res = ingest_file(build_workbook(recode(valid_submission_sheets("乙县", "2026-12"), {})),
                      file_name="乙县_2026-12.xlsx", db_path=db_path)
    assert res.status == "rejected"  # 乙县 listing it again after the hand-over: 甲县's school now
    assert [i.value for i in res.issues if i.severity == "error"] == [moved]


def test_a_moved_school_listed_without_its_quality_level_is_a_warning(db_path):
    """乙县 reported the school as 市级 until October; 甲县 lists it from November without a 优质学校 row.
    Levels are carried forward within a county only: the school would leave 优质学校数 unseen."""
    moved = school_code(1)  # 市级 in the builder's 优质学校 sheet
    ingest_file(build_workbook(valid_submission_sheets("乙县", "2026-10")), file_name="乙县_2026-10.xlsx",
                db_path=db_path)
    ingest_file(build_workbook(recode(valid_submission_sheets("乙县", "2026-11"), {moved: "2190009999"})),
                file_name="乙县_2026-11.xlsx", db_path=db_path)
    others = {school_code(i): f"22900{i:05d}" for i in range(2, 7)}
    res = ingest_file(build_workbook(recode(valid_submission_sheets("甲县", "2026-11", quality=False), others)),
                      file_name="甲县_2026-11.xlsx", db_path=db_path)
    assert res.status == "accepted"
    (warning,) = [i for i in res.issues if "划转" in i.message]
    assert (warning.severity, warning.sheet, warning.row, warning.value) == ("warning", "学校名册", 2, moved)
    assert warning.message == (
        f"学校名册 第2行「学校标识码」:学校标识码「{moved}」的学校原属乙县(乙县2026年10月报送的优质学校情况中为市级优质学校);"
        "本表没有该校的优质学校情况,划转后该校在本县区不计入优质学校。如该校仍为市级优质学校,应在「优质学校」表中填写该校")
    res = ingest_file(build_workbook(recode(valid_submission_sheets("甲县", "2026-11"), others)),
                      file_name="甲县_2026-11(更正).xlsx", db_path=db_path)  # with its 优质学校 row: nothing to say
    assert res.status == "accepted" and not [i for i in res.issues if "划转" in i.message]
    res = ingest_file(build_workbook(recode(valid_submission_sheets("甲县", "2026-12", quality=False), others)),
                      file_name="甲县_2026-12.xlsx", db_path=db_path)  # its level is 甲县's own now, carried forward
    assert res.status == "accepted" and not [i for i in res.issues if "划转" in i.message]


# ---------------------------------------------------------------- plain warnings

def test_minutes_filled_in_as_hours_are_accepted_with_a_plain_warning_on_the_cell(db_path):
    data = build_workbook(with_activity([58, 60, 62, 62, 63, 64, 66, 1.1]))
    res = ingest_file(data, file_name="云岭县_2026-10.xlsx", db_path=db_path)
    assert res.status == "accepted"
    warning = next(i for i in res.issues if HOURS_SENTENCE in i.message)
    assert (warning.severity, warning.sheet, warning.row, warning.column, warning.value) == (
        "warning", "体育", 9, "日均校内体育活动时间(分钟)", "1.1")
    assert warning.message == f"体育 第9行「日均校内体育活动时间(分钟)」:{HOURS_SENTENCE}"
    assert not any(w in i.message for i in res.issues for w in ("z分数", "修正", "MAD"))
    with open_db(db_path) as con:  # stored with the submission, for 报送情况
        assert con.execute("SELECT count(*) FROM submission_issue WHERE message LIKE '%按小时%'").fetchone()[0] == 1
    annotated = openpyxl.load_workbook(io.BytesIO(annotate_workbook(data, "云岭县_2026-10.xlsx", res.issues)))
    column = openpyxl.utils.get_column_letter(ACTIVITY + 1)
    assert HOURS_SENTENCE in annotated["体育"][f"{column}9"].comment.text


def test_a_jump_from_last_month_is_a_plain_warning(db_path):
    """Four schools (too few to compare with each other): only the school's own last month counts."""
    ingest_file(build_workbook(with_activity([61, 62, 63, 64], period="2026-09")), file_name="云岭县_2026-09.xlsx",
                db_path=db_path)
    res = ingest_file(build_workbook(with_activity([110, 62, 63, 64])), file_name="云岭县_2026-10.xlsx",
                      db_path=db_path)
    assert res.status == "accepted"
    assert [i.message for i in res.issues if i.severity == "warning"] == [
        "体育 第2行「日均校内体育活动时间(分钟)」:日均校内体育活动时间由上月61分钟变为110分钟(增加49分钟),"
        "变化较大,请核实"]


def test_every_value_in_the_usual_range_gives_no_warning(db_path):
    res = ingest_file(build_workbook(with_activity([58, 60, 62, 62, 63, 64, 66, 61])), file_name="云岭县_2026-10.xlsx",
                      db_path=db_path)
    assert res.status == "accepted" and [i for i in res.issues if i.severity == "warning"] == []


def test_a_roster_much_shorter_than_last_month_is_a_plain_warning(db_path):
    """Rows left out when pasting: 10 schools last month, 6 now (the 6 rows of each sheet) — a warning
    naming the counts and the first codes no longer listed; one school fewer is no warning."""
    ingest_file(build_workbook(valid_submission_sheets(period="2026-08", n_schools=10)),
                file_name="云岭县_2026-08.xlsx", db_path=db_path)
    same = ingest_file(build_workbook(valid_submission_sheets(period="2026-09", n_schools=9)),
                       file_name="云岭县_2026-09.xlsx", db_path=db_path)
    assert not [i for i in same.issues if "请核实是否漏填" in i.message]
    res = ingest_file(build_workbook(valid_submission_sheets(n_schools=5)), file_name="云岭县_2026-10.xlsx",
                      db_path=db_path)
    assert res.status == "accepted"
    (warning,) = [i for i in res.issues if "请核实是否漏填" in i.message]
    assert warning.severity == "warning" and warning.sheet == "学校名册"
    assert warning.message == (f"学校名册:本月5所学校,上月9所,少了4所(如{school_code(6)}、{school_code(7)}、"
                               f"{school_code(8)}等),请核实是否漏填;学校确已撤并的,可忽略本提示")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_upload_page_shows_the_clerk_the_plain_warning(db_path, monkeypatch):
    ingest_file(build_workbook(with_activity([58, 60, 62, 62, 63, 64, 66, 61], period="2026-09")),
                file_name="云岭县_2026-09.xlsx", db_path=db_path)  # not empty: no demo zone is built
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(str(ROOT / "pages" / "upload.py")).run()
    data = build_workbook(with_activity([58, 60, 62, 62, 63, 64, 66, 1.1]))
    at.get("file_uploader")[0].set_value(("云岭县_2026-10.xlsx", data, "application/octet-stream"))
    at.run()
    assert not at.exception
    assert any("已接收" in s.value for s in at.success)
    box = next(w.value for w in at.warning if "请核实" in w.value)
    assert md_text(HOURS_SENTENCE) in box  # the sentence as Markdown shows it literally


def test_a_bug_in_the_checks_refuses_the_workbook_with_a_message_not_a_traceback(db_path, monkeypatch):
    import core.submission.crosscheck

    def broken(*a, **kw):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(core.submission.crosscheck, "find", broken)
    res = ingest_file(build_workbook(valid_submission_sheets()), file_name="云岭县_2026-10.xlsx", db_path=db_path)
    assert res.status == "rejected"
    assert [i.message for i in res.issues if i.severity == "error"] == [
        "内部检查「check_against_stored」出错(ZeroDivisionError),请联系管理员;本表暂不能接收"]
