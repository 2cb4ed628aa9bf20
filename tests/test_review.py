"""Review workflow: who may submit what (the upload gate), the lock after the due date, approve/return/reopen, audit."""
from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from core.access.accounts import User
from core.access.audit import list_audit
from core.db import StoreError, open_db
from core.submission.gate import check_can_submit as gate_check
from core.submission.gate import submit_workbook
from core.submission.review import (
    approve,
    is_locked,
    relock,
    reopen,
    return_submission,
    review_state,
)

ADMIN = User(username="office", role="admin", display="王主任")
WANGJIANG = User(username="wj", role="clerk", county="望江区")
SONGXI = User(username="sx", role="clerk", county="松溪县")
VIEWER = User(username="room", role="viewer")

SAMPLE = "望江区2026年10月监测数据.xlsx"  # county 望江区, month 2026-10, due 2026-11-05
ON_TIME = datetime(2026, 11, 3, 9, 0)
LATE = datetime(2026, 11, 20, 9, 0)


def variant(path, tag: str) -> bytes:
    """The same workbook saved again with a different document description: other bytes, same data."""
    wb = openpyxl.load_workbook(path)
    wb.properties.description = tag
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def sample(samples_dir):
    return samples_dir / SAMPLE


def check_can_submit(user, county, period, now, db_path):
    """The gate's permission and lock check on its own connection."""
    with open_db(db_path) as con:
        return gate_check(user, county, period, con=con, now=now)


def n_submissions(db) -> int:
    with open_db(db) as con:
        return con.execute("SELECT count(*) FROM submission").fetchone()[0]


def test_clerk_cannot_submit_for_another_county(db_path, sample):
    msg = check_can_submit(SONGXI, "望江区", "2026-10", ON_TIME, db_path=db_path)
    assert msg == ("该工作簿是「望江区」的数据,您的账号只能报送「松溪县」的数据;"
                   "请检查填报说明中的县区或学校名册中的所属县区")
    res = submit_workbook(SONGXI, sample.read_bytes(), SAMPLE, db_path=db_path, now=ON_TIME)
    assert res.status == "rejected" and res.submission_id is None
    assert res.issues[0].severity == "error" and "只能报送「松溪县」" in res.issues[0].message
    assert n_submissions(db_path) == 0, "a refused upload stores nothing"
    with open_db(db_path) as con:
        log = list_audit(con)
    assert list(log["action"]) == ["refused"] and log.loc[0, "actor"] == "sx"
    assert log.loc[0, "sha256"] and log.loc[0, "county"] == "望江区"


def test_viewer_and_anonymous_cannot_submit(db_path):
    assert "只能查看数据" in check_can_submit(VIEWER, "望江区", "2026-10", ON_TIME, db_path=db_path)
    assert check_can_submit(None, "望江区", "2026-10", ON_TIME, db_path=db_path) == "请先登录后再报送数据"


def test_first_late_submission_is_accepted_then_locked(db_path, sample):
    assert check_can_submit(WANGJIANG, "望江区", "2026-10", LATE, db_path=db_path) is None
    first = submit_workbook(WANGJIANG, sample.read_bytes(), SAMPLE, db_path=db_path, now=LATE, received_at=LATE)
    assert first.status == "accepted", first.issues
    with open_db(db_path) as con:
        who = con.execute("SELECT submitted_by FROM submission WHERE id = ?", [first.submission_id]).fetchone()[0]
        assert who == "wj"
        assert is_locked(con, "望江区", "2026-10", LATE)
        assert not is_locked(con, "望江区", "2026-10", ON_TIME)

    again = submit_workbook(WANGJIANG, variant(sample, "fix"), SAMPLE, db_path=db_path, now=LATE)
    assert again.status == "rejected"
    assert again.issues[0].message == ("望江区2026年10月的数据已报送,且已过截止日期(2026-11-05),已锁定,"
                                       "不能再次报送;如需更正,请联系实验区管理员重新开放该月份")
    assert n_submissions(db_path) == 1

    # the administrator (and the command line) is never locked out
    assert check_can_submit(ADMIN, "望江区", "2026-10", LATE, db_path=db_path) is None
    by_admin = submit_workbook(ADMIN, variant(sample, "admin"), SAMPLE, db_path=db_path, now=LATE)
    assert by_admin.status == "accepted" and by_admin.replaces == first.submission_id


def test_resubmission_before_due_date_is_allowed(db_path, sample):
    submit_workbook(WANGJIANG, sample.read_bytes(), SAMPLE, db_path=db_path, now=ON_TIME, received_at=ON_TIME)
    second = submit_workbook(WANGJIANG, variant(sample, "v2"), SAMPLE, db_path=db_path, now=ON_TIME)
    assert second.status == "accepted" and second.replaces is not None


def test_reopen_and_relock(db_path, sample):
    submit_workbook(ADMIN, sample.read_bytes(), SAMPLE, db_path=db_path, now=ON_TIME, received_at=ON_TIME)
    assert check_can_submit(WANGJIANG, "望江区", "2026-10", LATE, db_path=db_path) is not None
    with open_db(db_path) as con:
        reopen(con, "望江区", "2026-10", "office")
    res = submit_workbook(WANGJIANG, variant(sample, "reopened"), SAMPLE, db_path=db_path, now=LATE)
    assert res.status == "accepted"
    with open_db(db_path) as con:
        relock(con, "望江区", "2026-10", "office")
        assert is_locked(con, "望江区", "2026-10", LATE)
        actions = list(list_audit(con)["action"])
    assert actions[:3] == ["relock", "ingest", "reopen"]


def test_approve_and_return_show_state_and_are_audited(db_path, sample):
    res = submit_workbook(WANGJIANG, sample.read_bytes(), SAMPLE, db_path=db_path, now=ON_TIME)
    sid = res.submission_id
    with open_db(db_path) as con:
        assert review_state(con, sid)["label"] == "待审核"
        approve(con, sid, "office")
        state = review_state(con, sid)
        assert (state["status"], state["label"], state["reviewed_by"]) == ("approved", "审核通过", "office")
        with pytest.raises(StoreError, match="必须填写退回意见"):
            return_submission(con, sid, "office", "  ")
        return_submission(con, sid, "office", "体育表第12行活动时间有误,请核实")
        state = review_state(con, sid)
        assert (state["label"], state["comment"]) == ("退回", "体育表第12行活动时间有误,请核实")
        sha = con.execute("SELECT sha256 FROM submission WHERE id = ?", [sid]).fetchone()[0]
        log = list_audit(con, county="望江区")
    assert list(log["action_label"][:3]) == ["退回", "审核通过", "报送"]
    assert set(log["sha256"][:3]) == {sha}
    assert list(log["actor"][:3]) == ["office", "office", "wj"]


def test_returned_submission_can_be_resent_after_due_date(db_path, sample):
    res = submit_workbook(WANGJIANG, sample.read_bytes(), SAMPLE, db_path=db_path, now=ON_TIME)
    with open_db(db_path) as con:
        return_submission(con, res.submission_id, "office", "请补充优质学校表")
    again = submit_workbook(WANGJIANG, variant(sample, "resent"), SAMPLE, db_path=db_path, now=LATE)
    assert again.status == "accepted"
    with open_db(db_path) as con:
        assert review_state(con, again.submission_id)["label"] == "待审核"
        assert is_locked(con, "望江区", "2026-10", LATE)


def test_rejected_or_unknown_submissions_cannot_be_reviewed(db_path):
    res = submit_workbook(ADMIN, b"not a workbook", "望江区_2026-10.xlsx", db_path=db_path)
    assert res.status == "rejected"
    with open_db(db_path) as con:
        sid = con.execute("SELECT id FROM submission").fetchone()[0]
        with pytest.raises(StoreError, match="未通过校验"):
            approve(con, sid, "office")
        with pytest.raises(StoreError, match="找不到"):
            review_state(con, 999)


def test_review_page_approves_returns_and_shows_the_log(db_path, sample, tmp_path, monkeypatch):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PILOT_USERS", str(tmp_path / "no-users.toml"))  # demo mode: demo administrator
    res = submit_workbook(WANGJIANG, sample.read_bytes(), SAMPLE, db_path=db_path, now=ON_TIME)
    page = Path(__file__).resolve().parent.parent / "pages" / "review.py"
    at = AppTest.from_file(str(page), default_timeout=30).run()
    assert not at.exception
    at.button(key="btn_approve").click().run()
    assert not at.exception
    with open_db(db_path) as con:
        assert review_state(con, res.submission_id)["label"] == "审核通过"
    # what the page shows is read again after the action (kept per data version, and it is a commit)
    queue, log = at.dataframe[0].value, at.dataframe[1].value
    assert list(queue["审核状态"]) == ["审核通过"] and list(log["操作"][:2]) == ["审核通过", "报送"]
    at.button(key="btn_return").click().run()  # no comment: refused with a message
    assert any("必须填写退回意见" in e.value for e in at.error)
    at.text_area(key="review_comment").set_value("请核对在校生数")
    at.button(key="btn_return").click().run()
    at.button(key="btn_reopen").click().run()
    with open_db(db_path) as con:
        assert review_state(con, res.submission_id)["comment"] == "请核对在校生数"
        assert list(list_audit(con)["actor"][:3]) == ["demo", "demo", "demo"]
    assert not at.exception
