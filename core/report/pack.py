"""The screenshot pack: one 1600×900 PNG per report chart, zipped, ready to paste into Word."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from core.report.data import ReportData
from core.report.figures import chart_figure, report_charts
from core.report.images import figure_png

PACK_WIDTH, PACK_HEIGHT = 1600, 900
PACK_FONT_SIZE = 20  # readable when the picture is shrunk to a Word page's width


def pack_bytes(data: ReportData) -> bytes:
    """The zip file's bytes: '01_<title>.png', … in report order."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (_, spec) in enumerate(report_charts(data), start=1):
            fig = chart_figure(data, spec, base_size=PACK_FONT_SIZE, height=PACK_HEIGHT)
            png = figure_png(fig, PACK_WIDTH, PACK_HEIGHT, scale=1)
            zf.writestr(f"{i:02d}_{_file_name(fig.layout.meta['title'])}.png", png)
    return buf.getvalue()


def write_pack(data: ReportData, out: Path) -> Path:
    """Write the screenshot pack to `out` (.zip)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pack_bytes(data))
    return out


def _file_name(title: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_()()" else "_" for ch in title)
    return keep.strip("_")[:60]
