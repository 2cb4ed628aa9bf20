"""审核: the administrator approves or returns submissions, reopens late months, reads the audit log."""
from __future__ import annotations

import streamlit as st

from core.db import DatabaseBusy, StoreError, open_db
from core.month import period_label
from core.present.audit import detail_sentence
from core.present.escape import md_text
from core.submission.review import approve, relock, reopen, return_submission
from ui import data, filters
from ui.auth import require
from ui.guard import ensure_app
from ui.render import display_frame

ensure_app()  # a first request straight to this page still goes through app.py
LOG_ROWS = 500  # the newest audit entries shown


def audit_table():
    """The newest LOG_ROWS audit entries as the table shows them, 详情 in sentences."""
    log = data.load("list_audit", limit=LOG_ROWS)
    log = log.assign(detail=[detail_sentence(a, d) for a, d in zip(log["action"], log["detail"])])
    return display_frame(log.rename(columns={
        "at": "时间", "actor": "操作人", "action_label": "操作", "submission_id": "报送编号", "county": "县区",
        "period": "月份", "sha256": "文件SHA-256", "detail": "详情"})[
        ["时间", "操作人", "操作", "报送编号", "县区", "月份", "文件SHA-256", "详情"]])


user = require("review")
st.title("审核与审计日志", anchor=False)
filters.completeness_banner()  # an open month: who is still missing

# Kept per data version (every review, upload and audit entry is a commit: a new version), not read
# again at every rerun; a busy database stops the page with its message (ui/data.py).
queue = data.load("review_queue")

tab_review, tab_log = st.tabs(["审核报送", "审计日志"])

with tab_review:
    if queue.empty:
        st.info("尚无通过校验的报送。")
    else:
        periods = sorted(queue["period"].unique(), reverse=True)
        period = filters.month() if filters.month() in periods else periods[0]  # the sidebar's month
        st.markdown(f"**{period_label(period)}的报送**(按所选月份)")
        rows = queue[queue["period"] == period]
        st.dataframe(display_frame(rows.rename(columns={
            "submission_id": "报送编号", "county": "县区", "file_name": "文件", "received_at": "收到时间",
            "submitted_by": "报送账号", "n_warnings": "警告数", "review_label": "审核状态",
            "review_comment": "审核意见", "reopened": "已重新开放"})[
            ["报送编号", "县区", "文件", "收到时间", "报送账号", "警告数", "审核状态", "审核意见", "已重新开放"]]),
            hide_index=True, width="stretch")
        labels = {int(r.submission_id): f"{r.county} · 第{r.submission_id}号 · {r.review_label}"
                  for r in rows.itertuples()}
        sid = st.selectbox("选择报送", list(labels), format_func=labels.get, key="review_sid")
        chosen = rows[rows["submission_id"] == sid].iloc[0]
        comment = st.text_area("审核意见(退回时必填)", key="review_comment")
        c1, c2, c3 = st.columns(3)
        action = None
        if c1.button("审核通过", type="primary", key="btn_approve"):
            action = lambda con: approve(con, sid, user.username, comment)  # noqa: E731
        if c2.button("退回", key="btn_return"):
            action = lambda con: return_submission(con, sid, user.username, comment)  # noqa: E731
        if chosen["reopened"]:
            if c3.button("重新锁定该月份", key="btn_relock"):
                action = lambda con: relock(con, chosen["county"], period, user.username)  # noqa: E731
        elif c3.button("重新开放该月份(允许县区逾期后再报)", key="btn_reopen"):
            action = lambda con: reopen(con, chosen["county"], period, user.username)  # noqa: E731
        if action is not None:
            try:
                with open_db() as con:
                    action(con)
            except (StoreError, DatabaseBusy) as exc:
                st.error(md_text(exc))
            else:
                st.rerun()

with tab_log:
    st.caption(f"每一次报送、拒绝、恢复、审核、退回、重新开放都记录在此(最近{LOG_ROWS}条),含操作人、时间和文件校验值。")
    st.dataframe(data.remember(data.cache_key("audit_table", LOG_ROWS), audit_table), hide_index=True, width="stretch")
