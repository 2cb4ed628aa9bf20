"""Print an HTML document to an A4 PDF with headless chromium (the same browser kaleido uses)."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from core.report.images import ChartExportError, chromium_path

PRINT_TIMEOUT_S = 120


def html_to_pdf(html: str, out: Path) -> Path:
    """Write `html` (self-contained: images inlined) to `out` as PDF; page size comes from its @page CSS."""
    browser = chromium_path()
    if browser is None:
        raise ChartExportError("未找到 chromium 浏览器,无法生成PDF;请运行 bash scripts/setup_system.sh,"
                               "或改为导出 .html 后在浏览器中打印")
    out = Path(out).resolve()
    with tempfile.TemporaryDirectory(prefix="report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        pdf = Path(tmp) / "report.pdf"
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
               "--run-all-compositor-stages-before-draw", "--virtual-time-budget=5000",
               f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=PRINT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise ChartExportError("生成PDF超时(chromium 无响应),请稍后重试") from None
        if not pdf.is_file() or pdf.stat().st_size == 0:
            tail = (done.stderr or "").strip().splitlines()[-1:] or [""]
            raise ChartExportError(f"chromium 未能生成PDF(退出码 {done.returncode}):{tail[0]}")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(pdf.read_bytes())
    return out
