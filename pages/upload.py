"""数据报送: upload county workbooks (validated, stored or rejected), annotated copies, blank templates."""
from __future__ import annotations

import streamlit as st

from core.db import DatabaseBusy, open_db
from core.month import month_add, month_range, of, period_label, today
from core.present.escape import md_text
from core.present.export import table_to_xlsx
from core.submission.annotate import annotate_workbook, annotated_file_name
from core.submission.arrival import arrival_key
from core.submission.gate import submit_workbook
from core.submission.ingest import STATUS_LABELS, WORKBOOK_SUFFIXES
from core.submission.status import zone_county_list
from core.submission.template import template_bytes
from core.submission.view import as_text, issues_frame
from ui import filters
from ui.auth import require
from ui.data import db_path, forget
from ui.guard import ensure_app
from ui.render import static_table

ensure_app()  # a first request straight to this page still goes through app.py


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOW = {"accepted": st.success, "rejected": st.error, "duplicate": st.info}
TABLE_ROWS = 30
WARNINGS_SHOWN = 10  # warnings of an accepted file listed in its result box; the rest in the table
RESULTS_KEY = "upload_results"  # file_id -> (IngestResult, bytes): a rerun never ingests a file twice

st.title("数据报送", anchor=False)
user = require("upload_own")
st.caption("每个县区每月报送一个工作簿;可一次选择多个文件。系统逐个校验:无错误的文件入库,"
           "有错误的文件被驳回,可下载标注了问题单元格的工作簿,修改后重新上传。"
           "数值明显异常(如按小时填写了分钟数)时会提示核实,但不影响入库。")

files = st.file_uploader("上传县区月度报送工作簿(.xlsx / .xlsm / .xls / .ods,可多选,可拖放到下框)",
                         type=[s.lstrip(".") for s in WORKBOOK_SUFFIXES], accept_multiple_files=True,
                         key="upload_files")
done: dict = st.session_state.setdefault(RESULTS_KEY, {})
# a correction after the workbook it corrects, whatever order they were chosen in: the last stored is in force
new = sorted((f for f in files or [] if f.file_id not in done), key=lambda f: arrival_key(f.name))
if new:
    bar = st.progress(0.0, text="正在校验…")
    for n, f in enumerate(new, start=1):
        bar.progress((n - 1) / len(new), text=f"正在校验第{n}/{len(new)}个文件:{md_text(f.name)}")
        data = f.getvalue()
        try:
            done[f.file_id] = (submit_workbook(user, data, f.name, db_path=db_path()), data)
        except DatabaseBusy as exc:
            st.error(f"「{md_text(f.name)}」:{md_text(exc)}")
        except Exception as exc:  # noqa: BLE001 - one bad file must not take the page down
            st.error(f"「{md_text(f.name)}」处理时发生内部错误({type(exc).__name__}),未入库;请将此文件发给管理员。")
    bar.progress(1.0, text=f"已处理{len(new)}个文件")
    if any(done[f.file_id][0].status == "accepted" for f in new if f.file_id in done):
        forget()  # results and figures are cached on the data version: recompute them,
        st.rerun()  # and rerun so the sidebar's month list includes the new month

for f in files or []:
    if f.file_id not in done:
        continue
    result, data = done[f.file_id]
    where = " ".join(p for p in (result.county, period_label(result.period)) if p)
    rows = "、".join(f"{k}{v}行" for k, v in result.rows.items() if v)
    detail = {"accepted": f"已入库({rows})" + (f",替换第{result.replaces}号报送" if result.replaces else ""),
              "rejected": "有错误,未入库;请按下表修改后重新上传",
              "duplicate": "与已载入的文件完全相同,未重复保存"}[result.status]
    SHOW[result.status](f"**{STATUS_LABELS[result.status]}** · {md_text(f.name)} {md_text(where)} — {md_text(detail)}")
    if not result.issues:
        continue
    warnings = [i for i in result.issues if i.severity == "warning"]
    if result.status == "accepted" and warnings:  # stored, but some values look wrong: say so right here
        shown = "\n".join(f"- {md_text(i.message)}" for i in warnings[:WARNINGS_SHOWN])
        more = f"\n\n另有{len(warnings) - WARNINGS_SHOWN}条,见下方问题清单。" if len(warnings) > WARNINGS_SHOWN else ""
        st.warning(f"**请核实以下{len(warnings)}处**(已入库,不影响接收;如确有填错,请改正后重新上传):\n\n"
                   f"{shown}{more}")
    table = issues_frame(result.issues)
    n_err = int((table["严重程度"] == "错误").sum())
    with st.expander(f"问题 {len(table)} 条(错误{n_err}条,警告{len(table) - n_err}条)",
                     expanded=result.status == "rejected"):
        if len(table) <= TABLE_ROWS:  # a static table wraps the long messages so they can be read whole
            static_table(as_text(table))
        else:
            st.dataframe(table, hide_index=True, width="stretch")
    c1, c2, _ = st.columns([1, 1, 2])  # below the list, visible even when it is folded
    if result.status == "rejected" or (result.status == "accepted" and warnings):
        c1.download_button("下载标注问题的工作簿", key=f"annot_{f.file_id}", mime=XLSX_MIME,
                           data=lambda d=data, n=f.name, i=result.issues: annotate_workbook(d, n, i),
                           file_name=annotated_file_name(f.name), on_click="ignore")
    c2.download_button("下载问题清单(Excel)", key=f"issues_{f.file_id}", mime=XLSX_MIME,
                       data=lambda t=table, n=f.name: table_to_xlsx(t, f"「{n}」校验问题清单", "问题清单"),
                       file_name=f"{f.name.rsplit('.', 1)[0]}_问题清单.xlsx", on_click="ignore")

st.divider()
st.subheader("下载空白报送模板", anchor=False)
try:
    with open_db(db_path()) as con:
        counties = zone_county_list(con)
except DatabaseBusy as exc:
    st.error(str(exc))
    st.stop()
if user is not None and user.county:
    counties = [user.county]
this_month = of(today())
months = month_range(f"{this_month[:4]}-01", month_add(f"{this_month[:4]}-12", 12))
last_month = month_add(this_month, -1)
c1, c2, c3 = st.columns([2, 2, 3], vertical_alignment="bottom")
county = c1.selectbox("县区", counties, key="tpl_county",
                      index=counties.index(filters.county()) if filters.county() in counties else 0) \
    if counties else None
period = c2.selectbox("报送月份", months, index=months.index(last_month), format_func=period_label,
                      key="tpl_period")
if county:
    c3.download_button("下载模板(已预填学校名册)", key="tpl_download", mime=XLSX_MIME, on_click="ignore",
                       data=lambda: template_bytes(county, period, db_path()),
                       file_name=f"{county}_{period}.xlsx")
else:
    c3.info("尚未配置县区名单,也没有已入库的报送,无法生成模板。")
