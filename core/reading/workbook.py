"""Read a workbook's bytes into raw sheets: absolute Excel positions, Excel error cells detected.

python-calamine reads .xlsx/.xlsm/.xls/.ods fast but turns error cells (#DIV/0!, #N/A…)
into ''. For .xlsx/.xlsm the error cells are found again by scanning each sheet's XML for
cells with t="e" (no inflation beyond what calamine already did). For .ods, calamine keeps
the error text, which core.reading.cells recognises. For .xls (BIFF) error cells stay
undetectable and read as blank — a documented limitation.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from python_calamine import CalamineWorkbook

Cell = object  # str | float | int | bool | datetime | date | time | timedelta


class UnreadableWorkbook(Exception):
    """The file passed filecheck but the spreadsheet reader could not open it; str() is Chinese."""


@dataclass
class RawSheet:
    """A sheet's cells: rows[i][j] is Excel row i+1, column j+1; `errors` maps (i, j) -> '#DIV/0!'."""

    name: str
    rows: list[list[Cell]]
    errors: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class RawWorkbook:
    """All sheets of a workbook, in tab order."""

    sheets: list[RawSheet]

    @property
    def names(self) -> list[str]:
        """Sheet names as written."""
        return [s.name for s in self.sheets]


def read_workbook(data: bytes, file_name: str = "") -> RawWorkbook:
    """Read every sheet of the workbook; raises UnreadableWorkbook with a Chinese message."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [RawSheet(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False))
                  for name in book.sheet_names]
    except Exception as exc:  # calamine raises several types for broken files
        raise UnreadableWorkbook(
            f"文件「{file_name}」无法作为Excel工作簿读取(文件损坏、不完整或已加密:{type(exc).__name__});"
            "请在Excel或WPS中打开确认后重新保存再报送") from exc
    if data[:4] == b"PK\x03\x04":
        try:
            found = xlsx_error_cells(data)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            found = {}
        for sheet in sheets:
            sheet.errors = found.get(sheet.name, {})
    return RawWorkbook(sheets)


_SHEET_TAG = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?>')
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL_TAG = re.compile(rb'<(?:\w+:)?Relationship\b[^>]*?>')
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?\bt="e"[^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_VALUE = re.compile(rb'<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>')
_REF = re.compile(r"([A-Z]+)(\d+)")


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _cell_index(ref: str) -> tuple[int, int] | None:
    m = _REF.fullmatch(ref)
    if not m:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def xlsx_error_cells(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet name -> {(row index, col index): error text} for every t="e" cell of an xlsx/xlsm."""
    out: dict[str, dict[tuple[int, int], str]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        rels = {}
        for tag in _REL_TAG.findall(zf.read("xl/_rels/workbook.xml.rels")):
            a = _attrs(tag)
            target = a.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            rels[a.get("Id")] = path
        members = set(zf.namelist())
        for tag in _SHEET_TAG.findall(zf.read("xl/workbook.xml")):
            a = _attrs(tag)
            rid = next((v for k, v in a.items() if k.endswith(":id") or k == "id"), None)
            path = rels.get(rid)
            if not path or path not in members:
                continue
            xml = zf.read(path)
            if b't="e"' not in xml:
                continue
            cells = {}
            for attrs, inner in _ERROR_CELL.findall(xml):
                pos = _cell_index(_attrs(attrs).get("r", ""))
                if pos is None:
                    continue
                v = _VALUE.search(inner or b"")
                cells[pos] = v.group(1).decode("utf-8", "replace") if v else "#错误"
            out[_unescape(a.get("name", ""))] = cells
    return out
