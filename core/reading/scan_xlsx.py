"""Pre-scan of an .xlsx/.xlsm: each sheet's extent, merged ranges and error cells, read in chunks.

See core.reading.extent for why. The fast path looks at short tags only: a sheet whose every cell
element is written `<c r="A1"` … `<c r="Z999"` (the usual county sheet) takes two searches and a count
(~0.3 ms for a 150-school workbook) and is bounded by A1:Z999; otherwise each cell element's `r` is
collected (a few C-level passes); the precise path walks the cell elements
the way calamine places them: a cell's `r` gives its position, a cell without `r` follows the previous one in its row, a
row without `r` follows the previous row; a cell holds a value when it has `<is>` or a `<v>`
(an empty `<v></v>` only for text, error and boolean types).
"""
from __future__ import annotations

import html
import posixpath
import re
import zipfile
from typing import Iterator

from core.reading.extent import ScanFailed, SheetExtent, column_index

CHUNK = 4 << 20  # bytes of XML inflated and scanned at a time
CARRY_MAX = 4 << 20  # longest element kept across chunks (a cell's text is at most 32,767 characters)

_SHEET_TAG = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?>')
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL_TAG = re.compile(rb'<(?:\w+:)?Relationship\b[^>]*?>')

# A cell element other than `<c r="A1"` … `<c r="Z999"` (whitespace other than one space after `c`, no `r`
# first, a reference past column Z or row 999), or a namespace-prefixed one: not the usual small sheet.
_UNUSUAL_CELL = re.compile(rb'<c(?:[\t\n\r/>]| (?!r="[A-Z][0-9]{1,3}"))')
_PREFIXED_CELL = re.compile(rb':c[\s/>]')
_SPACED_CELL = re.compile(rb'<c[\t\n\r]')  # `<c` then a tab or line break: a cell element all the same
USUAL_ROWS, USUAL_COLS = 999, 26  # the bound on a sheet whose every cell is within A1:Z999
_ROW_OF_CELL = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_OPEN_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>')  # a cell element that is not empty
_COL_OF_CELL = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?\bt="e"[^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_VALUE = re.compile(rb'<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>')
_ELEMENT = re.compile(rb'<(?:\w+:)?(?:row\b([^>]*)>|c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)|mergeCell\b[^>]*>)', re.S)
_R = re.compile(rb'(?:^|\s)r="([A-Z]{0,3})([0-9]{0,7})"')
_T = re.compile(rb'(?:^|\s)t="([^"]*)"')
_TYPED_EMPTY = (b"s", b"str", b"inlineStr", b"e", b"b")


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}


def sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str | None]]:
    """(sheet name as written, part path or None when missing) in tab order, per workbook.xml and its rels."""
    rels = {}
    for tag in _REL_TAG.findall(zf.read("xl/_rels/workbook.xml.rels")):
        a = _attrs(tag)
        target = a.get("Target", "")
        rels[a.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    members = set(zf.namelist())
    out = []
    for tag in _SHEET_TAG.findall(zf.read("xl/workbook.xml")):
        a = _attrs(tag)
        rid = next((v for k, v in a.items() if k.endswith(":id") or k == "id"), None)
        path = rels.get(rid)
        out.append((html.unescape(a.get("name", "")), path if path in members else None))
    return out


def scan(zf: zipfile.ZipFile) -> list[SheetExtent]:
    """Every sheet's extent, in tab order; ScanFailed when a listed sheet has no part (a damaged file)."""
    try:
        parts = sheet_parts(zf)
    except KeyError as exc:
        raise ScanFailed(f"missing part {exc}") from exc
    if any(path is None for _, path in parts):
        raise ScanFailed("a sheet's part is missing")  # calamine then reports the damage itself
    return [scan_part(zf, name, path) for name, path in parts]


def scan_part(zf: zipfile.ZipFile, name: str, path: str) -> SheetExtent:
    """One sheet: the fast path; past a limit, the same over cells with content only (naming the farthest);
    the precise walk when some cell lacks a leading `r` reference."""
    ext = _fast(name, _chunks(zf, path))
    if ext is not None and ext.over():
        ext = _fast(name, _chunks(zf, path), content_only=True)
    return ext if ext is not None else _precise(name, _chunks(zf, path))


def _chunks(zf: zipfile.ZipFile, path: str):
    """The part's XML in pieces that never split a cell element (each cut is where a row or cell starts)."""
    carry = b""
    with zf.open(path) as fh:
        while chunk := fh.read(CHUNK):
            buf = carry + chunk
            cut = max(buf.rfind(b"<c "), buf.rfind(b"<row"), buf.rfind(b"</sheetData"))
            if cut <= 0:
                cut = max(len(buf) - 64, 0) if len(buf) > CARRY_MAX else 0
            if cut:
                yield buf[:cut]
            carry = buf[cut:]
    if carry:
        yield carry


def _digits_key(text: bytes) -> tuple[int, bytes]:
    """Order of row numbers or column letters written without leading zeros: by length, then text."""
    return len(text), text


def _fast(name: str, parts, content_only: bool = False) -> SheetExtent | None:
    """Bounds from C-level passes over the cell elements' `r` references.

    First over every cell element (formatted-only ones too: an upper bound). When that bound is past a
    limit, again with content_only: only cell elements that are not self-closing (`<c …/>` holds no
    value), which also names the cell in the farthest row and column; a sheet still past a limit stops
    there. None when some cell element lacks a leading `r` or has a namespace prefix (walk instead).
    Counting `<c …></c>` or a formula without a cached value as holding one only errs towards refusing.
    """
    ext = SheetExtent(name)
    for part in parts:
        if not content_only and _UNUSUAL_CELL.search(part) is None and _PREFIXED_CELL.search(part) is None:
            n = part.count(b'<c r="')  # every cell element is within A1:Z999: its count and that bound do
            ext.tags += n
            ext.cells += n
            if n:
                ext.rows, ext.cols = max(ext.rows, USUAL_ROWS), max(ext.cols, USUAL_COLS)
        elif not _refs(ext, part, content_only):
            return None  # a cell without a leading r, or namespace-prefixed elements
        if b"mergeCell" in part:
            ext.merges += _merges(part)
        if b't="e"' in part:
            ext.errors.update(_errors(part))
        if ext.over():
            ext.stopped = content_only
            break
    return ext


def _refs(ext: SheetExtent, part: bytes, content_only: bool) -> bool:
    """Add the part's cells from their `r` references; False when some cell element lacks a leading `r`."""
    rows = _ROW_OF_CELL.findall(part)
    if part.count(b"<c ") != len(rows) or b"<c>" in part or b"<c/>" in part or b":c " in part or b":c>" in part \
            or _SPACED_CELL.search(part):
        return False
    ext.tags += len(rows)
    if content_only:
        _add_content_refs(ext, _OPEN_REF.findall(part))
    elif rows:
        ext.cells += len(rows)
        ext.rows = max(ext.rows, int(max(set(rows), key=_digits_key)))
        cols = set(_COL_OF_CELL.findall(part))
        ext.cols = max(ext.cols, column_index(max(cols, key=_digits_key)) + 1)
    return True


def _add_content_refs(ext: SheetExtent, refs: list[tuple[bytes, bytes]]) -> None:
    """Cells with content, as (column letters, row digits): count them and keep the farthest row and column."""
    if not refs:
        return
    ext.cells += len(refs)
    cols, rows = zip(*refs)
    last = max(set(rows), key=_digits_key)
    if int(last) > ext.rows:
        ext.rows, ext.far_row = int(last), (int(last) - 1, column_index(cols[rows.index(last)]))
    widest = max(set(cols), key=_digits_key)
    if column_index(widest) + 1 > ext.cols:
        ext.cols = column_index(widest) + 1
        ext.far_col = (int(rows[cols.index(widest)]) - 1, ext.cols - 1)


def _merges(xml: bytes) -> list[tuple[int, int, int, int]]:
    out = []
    for c0, r0, c1, r1 in _MERGE.findall(xml):
        first = (int(r0) - 1, column_index(c0))
        last = (int(r1) - 1, column_index(c1)) if c1 else first
        out.append((min(first[0], last[0]), min(first[1], last[1]), max(first[0], last[0]), max(first[1], last[1])))
    return out


def _errors(xml: bytes) -> dict[tuple[int, int], str]:
    out = {}
    for attrs, inner in _ERROR_CELL.findall(xml):
        m = _R.search(attrs)
        if not m or not m.group(1) or not m.group(2):
            continue
        v = _VALUE.search(inner or b"")
        out[(int(m.group(2)) - 1, column_index(m.group(1)))] = \
            v.group(1).decode("utf-8", "replace") if v else "#错误"
    return out


def matches(pattern: re.Pattern, chunks) -> Iterator[re.Match]:
    """pattern's matches over XML given in chunks; an element cut by a chunk's end is completed by the next."""
    carry = b""
    for chunk in chunks:
        buf = carry + chunk
        end = 0
        for m in pattern.finditer(buf):
            end = m.end()
            yield m
        carry = buf[end:]
        if len(carry) > CARRY_MAX:
            carry = carry[-CARRY_MAX:]


def _precise(name: str, chunks) -> SheetExtent:
    """Walk every row and cell element (in chunks, an incomplete element carried over); stops at a limit."""
    ext = SheetExtent(name)
    row, col = -1, 0
    for m in matches(_ELEMENT, chunks):
        row_attrs, cell_attrs, inner = m.group(1), m.group(2), m.group(3)
        if row_attrs is not None:
            r = _R.search(row_attrs)
            row = int(r.group(2)) - 1 if r and r.group(2) else row + 1
            col = 0
        elif cell_attrs is not None:
            ext.tags += 1
            r = _R.search(cell_attrs)
            if r and r.group(1):
                col = column_index(r.group(1))
                if r.group(2):
                    row = int(r.group(2)) - 1
            here = (max(row, 0), col)
            col += 1
            if inner and _holds_value(cell_attrs, inner):
                ext.add(*here)
                t = _T.search(cell_attrs)
                if t and t.group(1) == b"e":
                    v = _VALUE.search(inner)
                    ext.errors[here] = v.group(1).decode("utf-8", "replace") if v else "#错误"
        else:
            ext.merges += _merges(m.group(0))
        if ext.over():
            ext.stopped = True
            break
    return ext


def _holds_value(attrs: bytes, inner: bytes) -> bool:
    if b"<is" in inner or b":is" in inner:
        return True
    v = _VALUE.search(inner)
    if v is None:
        return False
    if v.group(1):
        return True
    t = _T.search(attrs)
    return bool(t) and t.group(1) in _TYPED_EMPTY
