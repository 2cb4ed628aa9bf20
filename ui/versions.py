"""报送情况's control for the administrator: make an earlier accepted version the one in force again."""
from __future__ import annotations

import streamlit as st

from core.access.accounts import User, can
from core.db import DatabaseUnavailable, StoreError, open_db
from core.present.escape import md_text
from core.submission.store import restore_submission
from ui.data import db_path, forget

DONE_KEY = "restored_version"  # the message shown after the rerun that follows a restore


def restore_version(user: User | None, chosen: dict, where: str) -> None:
    """Below the version history: restore the version chosen in 「版本」 (admin only; audited)."""
    done = st.session_state.pop(DONE_KEY, None)
    if done:
        st.success(done)
    if not can(user, "restore"):
        return
    sid = int(chosen["submission_id"])
    if chosen["status"] != "accepted":
        st.caption(f"第{sid}号报送未通过校验,不能恢复为现行版本;如需恢复,请在上方「版本」中选择一个已接收的版本。")
        return
    if chosen["in_force"] is True or chosen["in_force"] == 1:
        st.caption(f"第{sid}号报送是{md_text(where)}的现行版本;如需恢复更早的版本,请在上方「版本」中选择它。")
        return
    if st.button(f"将第{sid}号报送恢复为现行版本", key="btn_restore_version",
                 help="该县区该月份的指标改按这一版本计算;操作记入审计日志,可随时再恢复其他版本"):
        try:
            with open_db(db_path()) as con:
                replaced = restore_submission(con, sid, user.username)
        except (StoreError, DatabaseUnavailable) as exc:
            st.error(md_text(exc))
            return
        forget()  # results and figures are cached on the data version; recompute them
        st.session_state[DONE_KEY] = (f"已将第{sid}号报送恢复为{md_text(where)}的现行版本"
                                      + (f"(替换第{replaced}号)" if replaced else "") + ",已记入审计日志。")
        st.rerun()
