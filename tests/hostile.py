"""Hostile workbooks (issue 13): a stray cell far away, repeat bombs, a dense sheet that passes the size check.

Each builder returns bytes; they are small (the .xlsx ones patch the sheet XML of a workbook
written by openpyxl), so tests and bench/hostile.py can build them in milliseconds.
"""
from __future__ import annotations

import io
import re
import zipfile

from builders import build_workbook, ods_package, valid_submission_sheets

from core.reading.extent import column_index
from core.reading.scan_xlsx import sheet_parts

_REF = re.compile(r"([A-Z]+)(\d+)")


def _rewrite_part(data: bytes, path: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            zout.writestr(info, change(body) if info.filename == path else body)
    return out.getvalue()


def with_far_cell(data: bytes, sheet: str, ref: str, value: str = "x", empty: bool = False) -> bytes:
    """The .xlsx with one more cell at `ref` in `sheet` (rows kept in order); empty=True: formatted, no value."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        path = dict(sheet_parts(zf))[sheet]
    row = int(_REF.fullmatch(ref).group(2))
    cell = f'<c r="{ref}" s="0"/>' if empty else f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    def change(xml: bytes) -> bytes:
        text = xml.decode("utf-8").replace("<sheetData/>", "<sheetData></sheetData>")
        same = re.search(rf'<row r="{row}"[^>]*>.*?</row>', text, re.S)
        if same:
            return (text[:same.end() - 6] + cell + text[same.end() - 6:]).encode()
        later = next((m for m in re.finditer(r'<row r="(\d+)"', text) if int(m.group(1)) > row), None)
        new_row = f'<row r="{row}">{cell}</row>'
        at = later.start() if later else text.index("</sheetData>")
        return (text[:at] + new_row + text[at:]).encode()
    return _rewrite_part(data, path, change)


def with_dimension(data: bytes, sheet: str, ref: str) -> bytes:
    """The .xlsx whose `sheet` claims <dimension ref=…> (the tag is a hint that may lie)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        path = dict(sheet_parts(zf))[sheet]
    return _rewrite_part(data, path, lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>',
                                                        f'<dimension ref="{ref}"/>'.encode(), xml))


def with_merge(data: bytes, sheet: str, ref: str) -> bytes:
    """The .xlsx with one more merged range (written straight into the XML: openpyxl would create every cell)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        path = dict(sheet_parts(zf))[sheet]

    def change(xml: bytes) -> bytes:
        text = xml.decode("utf-8")
        if "<mergeCells" in text:
            return text.replace("</mergeCells>", f'<mergeCell ref="{ref}"/></mergeCells>').encode()
        return text.replace("</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>',
                            1).encode()
    return _rewrite_part(data, path, change)


def valid_xlsx(county: str = "云岭县", period: str = "2026-10", n_schools: int = 6) -> bytes:
    """A small workbook that is accepted as it is."""
    return build_workbook(valid_submission_sheets(county, period, n_schools))


def far_cell_xlsx(ref: str, sheet: str = "体育", **kw) -> bytes:
    """A valid workbook plus one stray cell at `ref`."""
    return with_far_cell(valid_xlsx(**kw), sheet, ref)


def _table(name: str, body: str) -> str:
    return f'<table:table table:name="{name}">{body}</table:table>'


def _cell(v: str, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell{rep} office:value-type="string"><text:p>{v}</text:p></table:table-cell>'


def far_cell_ods(ref: str) -> bytes:
    """An .ods whose 体育 table has a header row, then empty repeated rows, then one cell at `ref`."""
    m = _REF.fullmatch(ref)
    row, col = int(m.group(2)) - 1, column_index(m.group(1))
    header = "<table:table-row>" + _cell("学校标识码") + _cell("学校名称") + "</table:table-row>"
    gap = (f'<table:table-row table:number-rows-repeated="{row - 1}"><table:table-cell '
           f'table:number-columns-repeated="1024"/></table:table-row>') if row > 1 else ""
    lead = f'<table:table-cell table:number-columns-repeated="{col}"/>' if col else ""
    far = f"<table:table-row>{lead}{_cell('x')}</table:table-row>"
    return ods_package(_table("体育", header + gap + far))


def repeat_bomb_ods(rows: int = 1_048_576, cols: int = 16_384) -> bytes:
    """Under a kilobyte: one text cell repeated over every column of every row (17 billion cells)."""
    body = (f'<table:table-row table:number-rows-repeated="{rows}">{_cell("x", cols)}</table:table-row>')
    return ods_package(_table("体育", body))


def dense_xlsx(rows: int = 100_000, cols: int = 11) -> bytes:
    """A sheet packed with numbers: ~2 MB, under the 20 MB size check and the zip-bomb ratio."""
    from core.reading.extent import column_letters
    letters = [column_letters(j) for j in range(cols)]
    body = "".join(f'<row r="{i}">' + "".join(f'<c r="{c}{i}"><v>{(i * 7 + j) % 1000}</v></c>'
                                              for j, c in enumerate(letters)) + "</row>"
                   for i in range(1, rows + 1))
    base = build_workbook({"体育": [["学校标识码"]]})
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        path = dict(sheet_parts(zf))["体育"]
    return _rewrite_part(base, path, lambda xml: re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>",
                                                        f"<sheetData>{body}</sheetData>".encode(), xml, flags=re.S))
