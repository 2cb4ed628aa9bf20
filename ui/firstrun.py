"""First start on an empty database: build the embedded demo zone, unless the zone office turned it off.

Off when data/zone.toml says `demo_on_empty = false` or the app runs with PILOT_NO_DEMO=1;
the empty dashboard then asks for workbooks on 数据报送.
"""
from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from core.zone import Zone, load_zone
from ui import data

NO_DEMO_ENV = "PILOT_NO_DEMO"
PREPARING = 0.05  # share of the first-start bar for generating the zone, before any workbook is loaded


def demo_on_empty(zone: Zone | None = None) -> bool:
    """Whether an empty database gets the demo zone (zone.toml demo_on_empty, PILOT_NO_DEMO=1 wins)."""
    if os.environ.get(NO_DEMO_ENV, "").strip() in ("1", "true", "yes"):
        return False
    return (zone or load_zone()).demo_on_empty


def ensure_data() -> None:
    """Build the demo zone into an empty database (with a progress bar) when that is wanted."""
    if data.load("latest_submission_id") > 0 or not demo_on_empty():
        return
    from core.demo.build import build_demo

    bar = st.progress(PREPARING, text="首次启动:正在生成演示数据(约半分钟到一两分钟)…")

    def progress(done, total=None, text: str | None = None):
        # Generating the zone and starting the writers take the first few percent; loading the rest.
        fraction = PREPARING if not total else PREPARING + (1 - PREPARING) * done / total
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"首次启动:{text or '正在生成演示数据…'}")

    build_demo(Path(data.db_path()), progress=progress)
    data.forget()
    bar.empty()


def no_data_hint() -> None:
    """What an empty dashboard says: no accepted workbook yet, upload them on 数据报送."""
    st.info("数据库中还没有任何已接收的报送数据。请在「数据报送」页上传各县区的月度报送工作簿"
            "(可在该页下载空白模板);上传通过校验后,这里即显示各项指标。")
    from core.access.accounts import can
    from ui.auth import current_user

    if can(current_user(), "upload_own"):  # the page is in the navigation only for those allowed
        st.page_link("pages/upload.py", label="前往「数据报送」", icon=":material/upload_file:")
