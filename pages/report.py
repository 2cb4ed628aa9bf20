"""月报: choose a month, read the generated sentences, download Excel / PDF / PNG pack."""
from __future__ import annotations

import streamlit as st

from core.db import DatabaseBusy
from core.month import period_label
from core.present.escape import md_text
from core.report.build import report_bytes
from core.report.data import ReportError
from core.report.html import prepare_pdf
from core.report.images import chromium_path
from ui import filters
from ui.data import cache_key, load, remember
from ui.guard import ensure_app

ensure_app()  # a first request straight to this page still goes through app.py

DOWNLOADS = [  # (label, suffix, mime, needs chromium)
    ("下载 Excel 月报", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
    ("下载 PDF 月报(A4)", ".pdf", "application/pdf", True),
    ("下载图表截图包(PNG)", ".zip", "application/zip", True),
]


st.title("月报", anchor=False)
period, _ = filters.selection_or_stop()  # the global month; the report always covers the whole zone
st.markdown(f"**{period_label(period)} 全区月报**(按所选月份;月报覆盖全部县区)")
try:
    data = load("collect_report_data", period)  # cached on the one data version, like every figure
except (ReportError, DatabaseBusy) as exc:
    st.error(str(exc))
    st.stop()

st.caption(f"{data.zone_name} · 数据截至 {data.as_of} · 数据来源:{data.source}")
has_browser = chromium_path() is not None
if has_browser:
    prepare_pdf(data)  # the PDF's charts drawn while the page is read: a click then only prints
cols = st.columns(len(DOWNLOADS))
file_key = cache_key("report_file", period)  # files made on click, once per data version and month
for col, (label, suffix, mime, needs_browser) in zip(cols, DOWNLOADS):
    with col:
        st.download_button(label, data=lambda s=suffix: remember((*file_key, s), lambda: report_bytes(data, s)),
                           file_name=f"{data.zone_name}月报_{period}{suffix}", mime=mime,
                           key=f"report_dl{suffix}", disabled=needs_browser and not has_browser,
                           on_click="ignore", width="stretch")
if not has_browser:
    st.warning("服务器未安装 chromium 或中文字体,PDF 和图表截图包暂不可用;"
               "请运行 bash scripts/setup_system.sh。Excel 月报不受影响。")

st.subheader("月报文字(由数据自动生成)", anchor=False)
for sentence in data.lead:  # an incomplete month's report says so first
    st.markdown(f"**{sentence}**")
for topic in data.topics:
    st.markdown(f"**{topic.title}**")
    for sentence in data.narrative.get(topic.key, []):
        st.markdown(md_text(sentence))  # sentences name counties and schools: plain text
