"""报送情况: county × month status matrix, one submission's issues and data-quality warnings, versions."""
from __future__ import annotations


import streamlit as st

from core.access.accounts import can, can_see_county
from core.db import DatabaseBusy, open_db
from core.month import now, period_label
from core.present.escape import md_text
from core.submission.status import submission_history, submission_issues
from core.submission.view import (
    as_text,
    history_table,
    issues_frame,
    matrix_table,
    quality_table,
    status_counts,
    status_css,
    status_pivot,
    version_label,
)
from core.zone import load_zone
from ui import data, filters
from ui.auth import current_user
from ui.grid_parts import grid_part, split
from ui.guard import ensure_app
from ui.render import download_table, static_table, styled_once
from ui.tabs import lay_out
from ui.versions import restore_version

ensure_app()  # a first request straight to this page still goes through app.py

SOURCE = f"数据来源:{load_zone().source} · 截至 {now():%Y-%m-%d %H:%M}"
st.title("报送情况", anchor=False)
user = current_user()
if not (can(user, "view_all_submissions") or can(user, "view_own_submissions")):
    st.info("当前账号只能查看指标,不能查看各县区的报送情况;如需查看,请联系实验区管理员。")
    st.stop()
matrix = data.load("submission_matrix")
if not can(user, "view_all_submissions"):
    matrix = matrix[matrix["county"].map(lambda c: can_see_county(user, c))]
    if filters.county() not in (None, user.county):  # the sidebar names another county: say whose these are
        st.info(f"当前账号只能查看{md_text(user.county)}的报送情况,下表为{md_text(user.county)}。")
if matrix.empty:
    st.info("尚无任何报送记录。请在「数据报送」页上传县区报送表。")
    st.stop()

periods = sorted(matrix["period"].unique(), reverse=True)
month = filters.month() if filters.month() in periods else periods[0]
filters.completeness_banner()  # an open month: who is still missing
filters.county_list_note()  # the administrator: no county list in data/zone.toml, completeness is relative
counts = status_counts(matrix[matrix["period"] == month])
st.caption(f"{period_label(month)}:" + ",".join(f"{k} {v}个县区" for k, v in counts.items())
           + f"。报送截止日为次月{load_zone().due_day}日。")


def status_matrix(_span: float) -> None:
    """The county × month status matrix (a province: [scale] grid_rows counties at a time) and its download."""
    # kept per data version and the counties this user sees (the pivot: 0.1 s a rerun at 300 counties)
    seen = tuple(matrix["county"].unique())
    texts, statuses = data.remember(data.cache_key("submission_pivot", seen), lambda: status_pivot(matrix))
    # a province: [scale] grid_rows counties at a time, the part chosen above the matrix (the download has them all)
    part = grid_part(split((c, c) for c in texts.index), filters.county(), "sub_part")
    rows = [c for _, c in part.rows]

    def styled():  # newest month first, in view; its styles worked out once per data version and part
        shown, marks = texts.loc[rows].iloc[:, ::-1], statuses.loc[rows].iloc[:, ::-1]
        return styled_once(shown.style.apply(lambda _: marks.map(status_css), axis=None))

    st.dataframe(data.remember(data.cache_key("submission_matrix_styled", seen, tuple(rows)), styled), width="stretch")
    table = data.remember(data.cache_key("submission_matrix_table", seen), lambda: matrix_table(matrix))
    download_table(table, "各县区逐月报送情况", "dl_matrix", SOURCE)


def one_submission(_span: float) -> None:
    """One county's month: its versions, the chosen version's issues, values to check, restoring."""
    counties = list(dict.fromkeys(matrix["county"]))
    c1, c2 = st.columns(2)
    county = c1.selectbox("县区", counties, key="sub_county",
                          index=counties.index(filters.county()) if filters.county() in counties else 0)
    period = c2.selectbox("报送月份", periods, index=periods.index(month), format_func=period_label,
                          key="sub_period")
    try:
        with open_db(data.db_path()) as con:
            history = submission_history(con, county, period)
            versions = history.to_dict("records")
            choice = st.selectbox("版本", range(len(versions)), key="sub_version",
                                  format_func=lambda i: version_label(history.iloc[i])) if versions else None
            issues = submission_issues(con, int(versions[choice]["submission_id"])) if versions else None
    except DatabaseBusy as exc:
        st.error(md_text(exc))
        return

    where = f"{county}{period_label(period)}"
    if not versions:
        st.info(f"{md_text(where)}尚未收到任何报送。")
    else:
        chosen = versions[choice]
        if chosen.get("review_comment"):
            st.warning(f"审核意见:{md_text(chosen['review_comment'])}")
        st.markdown(f"**校验问题**(第{chosen['submission_id']}号报送)")
        if issues.empty:
            st.success("该报送没有任何校验问题。")
        else:
            table = issues_frame(issues)
            if len(table) <= 30:  # a static table wraps the long messages so they can be read whole
                static_table(as_text(table))
            else:
                st.dataframe(table, hide_index=True, width="stretch")
            download_table(table, f"{where} 第{chosen['submission_id']}号报送 校验问题", "dl_issues", SOURCE)

    st.markdown(f"**请核实的数值**({md_text(where)}当前生效的数据中,与本县区其他学校相差很大、"
                "与上月相比变化很大或疑似按小时填写的数值;不影响接收)")
    warnings = quality_table(data.load("data_quality_warnings", period, county=county))
    if warnings.empty:
        st.success("没有需要核实的数值。")
    else:
        st.dataframe(warnings, hide_index=True, width="stretch")
        download_table(warnings, f"{where} 请核实的数值", "dl_quality", SOURCE)

    if versions:
        st.markdown(f"**版本历史**({md_text(where)},最新在前;当前生效的版本标为「是」)")
        st.dataframe(history_table(history), hide_index=True, width="stretch")
        download_table(history_table(history), f"{where} 报送版本历史", "dl_history", SOURCE)
        restore_version(user, versions[choice], where)


def unassigned_files(_span: float) -> None:
    """Rejected files whose county or month could not be told (the administrator sees them)."""
    if not can(user, "view_all_submissions"):
        return
    unassigned = data.load("unassigned_submissions")  # a rejected file is a commit: a new data version
    if not unassigned.empty:
        with st.expander(f"无法确定县区或月份的驳回文件({len(unassigned)}个)"):
            st.dataframe(unassigned, hide_index=True, width="stretch")


# A province: the matrix and one submission's details in tabs, only the open one drawn (data/ui.toml).
lay_out("submissions", {"matrix_heading": lambda _: st.subheader("各县区逐月报送状态", anchor=False),
                        "matrix": status_matrix,
                        "single_heading": lambda _: st.subheader("单个报送:问题与版本", anchor=False),
                        "single": one_submission, "unassigned": unassigned_files})
