"""Pre-scan of an .ods: each table's extent and merged ranges from content.xml, read in chunks.

Rows and cells carry no coordinates in OpenDocument: a cell's place is the count of the rows and
cells before it, each multiplied by its table:number-rows-repeated / number-columns-repeated.
Those are multiplied out arithmetically here, never expanded. A cell holds a value when it has
an office:value-type or some text; empty repeated cells (LibreOffice writes a million of them
below every table) only move the position. Merged ranges are table:number-rows-spanned /
number-columns-spanned on the top-left cell (calamine does not report them for .ods).
"""
from __future__ import annotations

import html
import re
import zipfile

from core.reading.extent import ScanFailed, SheetExtent
from core.reading.scan_xlsx import CHUNK, matches

_ELEMENT = re.compile(
    rb'<table:table(?=[\s>])([^>]*)>'
    rb'|(</table:table>)'
    rb'|<table:table-row\b([^>]*?)(/?)>'
    rb'|(</table:table-row>)'
    rb'|<table:(?:covered-)?table-cell\b([^>]*?)(?:/>|>(.*?)</table:(?:covered-)?table-cell>)',
    re.S)
_NAME = re.compile(rb'table:name="([^"]*)"')
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="(\d{1,12})"')
_COLS_REPEATED = re.compile(rb'table:number-columns-repeated="(\d{1,12})"')
_ROWS_SPANNED = re.compile(rb'table:number-rows-spanned="(\d{1,12})"')
_COLS_SPANNED = re.compile(rb'table:number-columns-spanned="(\d{1,12})"')
_TAG = re.compile(rb'<[^>]*>')


def _count(pattern: re.Pattern, attrs: bytes) -> int:
    m = pattern.search(attrs)
    return max(int(m.group(1)), 1) if m else 1


def scan(zf: zipfile.ZipFile) -> list[SheetExtent]:
    """Every table's extent, in order; stops at the first table beyond a limit (calamine parses them all)."""
    try:
        info = zf.getinfo("content.xml")
    except KeyError as exc:
        raise ScanFailed("no content.xml") from exc
    out: list[SheetExtent] = []
    ext: SheetExtent | None = None
    row = col = 0
    row_repeat = 1
    with zf.open(info) as fh:
        for m in matches(_ELEMENT, iter(lambda: fh.read(CHUNK), b"")):
            table_attrs, row_attrs, cell_attrs = m.group(1), m.group(3), m.group(6)
            if table_attrs is not None:
                name = _NAME.search(table_attrs)
                ext = SheetExtent(html.unescape(name.group(1).decode("utf-8", "replace")) if name else "")
                out.append(ext)
                row = col = 0
            elif m.group(2) is not None:
                ext = None
            elif ext is None:
                continue  # a row or cell outside any table (not a spreadsheet body)
            elif row_attrs is not None:
                row_repeat, col = _count(_ROWS_REPEATED, row_attrs), 0
                if m.group(4):  # <table:table-row …/>: an empty row
                    row += row_repeat
            elif m.group(5) is not None:
                row += row_repeat
                row_repeat = 1
            else:
                col = _cell(ext, row, col, row_repeat, cell_attrs, m.group(7))
            if ext is not None and ext.over():
                ext.stopped = True
                return out
    return out


def _cell(ext: SheetExtent, row: int, col: int, row_repeat: int, attrs: bytes, inner: bytes | None) -> int:
    """Record one (possibly repeated) cell element; returns the column after it."""
    repeat = _count(_COLS_REPEATED, attrs)
    if b"office:value-type" in attrs or (inner and _TAG.sub(b"", inner).strip()):
        ext.add(row, col, row_repeat, repeat)
    nrows, ncols = _count(_ROWS_SPANNED, attrs), _count(_COLS_SPANNED, attrs)
    if nrows > 1 or ncols > 1:
        ext.merges.append((row, col, row + nrows - 1, col + ncols - 1))
    return col + repeat
