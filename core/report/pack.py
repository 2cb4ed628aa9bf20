"""The screenshot pack: one 1600×900 PNG per report chart, zipped, ready to paste into Word."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from core.report.data import ReportData
from core.report.figures import chart_figure, report_charts
from core.report.images import figure_json, figure_pictures, png_bytes

PACK_WIDTH, PACK_HEIGHT = 1600, 900
PACK_FONT_SIZE = 20  # readable when the picture is shrunk to a Word page's width


def pack_bytes(data: ReportData) -> bytes:
    """The zip file's bytes: '01_<title>.png', … in report order."""
    titles: list[str] = []

    def figures():  # built one by one while the browser draws the previous one
        for _, spec in report_charts(data):
            fig = chart_figure(data, spec, base_size=PACK_FONT_SIZE, height=PACK_HEIGHT)
            titles.append(fig.layout.meta["title"])
            yield figure_json(fig)

    pngs = figure_pictures(figures(), "png", PACK_WIDTH, PACK_HEIGHT, scale=1)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (title, png) in enumerate(zip(titles, pngs), start=1):
            zf.writestr(f"{i:02d}_{_file_name(title)}.png", png_bytes(png))
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
