"""Print an HTML document to an A4 PDF in the process's one headless chromium (core/report/browser.py)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from core.report.browser import JOB_TIMEOUT_S, shared


def html_to_pdf(html: str, out: Path) -> Path:
    """Write `html` (self-contained: images inlined) to `out` as PDF; page size comes from its @page CSS."""
    out = Path(out).resolve()
    with tempfile.TemporaryDirectory(prefix="report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        pdf = shared.run(lambda browser, deadline: browser.print_pdf(page.as_uri(), deadline), JOB_TIMEOUT_S)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    return out
