"""One entry point for every report format: the file suffix chooses the builder."""
from __future__ import annotations

from pathlib import Path

from core.report.data import ReportData, ReportError, collect_report_data

FORMATS = {".xlsx": "Excel 工作簿", ".pdf": "A4 PDF", ".html": "可打印网页(A4)", ".zip": "图表截图包(PNG)"}


def report_bytes(data: ReportData, suffix: str) -> bytes:
    """The report file's bytes in the format of `suffix` ('.xlsx', '.pdf', '.html', '.zip')."""
    import tempfile

    suffix = suffix.lower()
    if suffix not in FORMATS:
        raise ReportError(f"不支持的月报格式「{suffix}」,可选:{'、'.join(FORMATS)}")
    with tempfile.TemporaryDirectory(prefix="report-") as tmp:
        out = write_report_file(data, Path(tmp) / f"report{suffix}")
        return out.read_bytes()


def write_report_file(data: ReportData, out: Path) -> Path:
    """Write the report for `data` to `out`; the suffix chooses the format."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix == ".xlsx":
        from core.report.xlsx import write_xlsx
        return write_xlsx(data, out)
    if suffix in (".pdf", ".html"):
        from core.report.html import pdf_html, render_html
        if suffix == ".html":
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(render_html(data), encoding="utf-8")
            return out
        from core.report.pdf import html_to_pdf
        return html_to_pdf(pdf_html(data), out)
    if suffix == ".zip":
        from core.report.pack import write_pack
        return write_pack(data, out)
    raise ReportError(f"不支持的月报格式「{out.suffix or '(无后缀)'}」,请用 {'、'.join(FORMATS)} 结尾的文件名")


def write_report(db_path: Path | str | None, period: str | None, out: Path) -> Path:
    """Collect the month's data from the database and write the report to `out`."""
    from core.db import open_db

    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise ReportError(f"不支持的月报格式「{Path(out).suffix or '(无后缀)'}」,"
                          f"请用 {'、'.join(FORMATS)} 结尾的文件名")
    with open_db(db_path) as con:
        data = collect_report_data(con, period)
    return write_report_file(data, out)
