"""Each sheet's real extent, known before a spreadsheet library loads it: the streaming pre-scan.

python-calamine builds a dense grid up to the farthest cell holding a value as soon as a sheet is
loaded (for .ods and .xls: as soon as the workbook is opened); one stray cell at XFD1048576 asks
for 512 GiB and the Rust side aborts the process. So the cells are located first, here, in pure
Python and in bounded memory, and a sheet that would exceed core.reading.limits is refused with a
message naming the sheet and the cell:

- .xlsx/.xlsm: each sheet's XML, read in chunks. Fast path (every normal file): count the cell
  elements and take the farthest `r="…"` reference — an upper bound, since it also counts empty,
  formatted-only cells. Only when that bound exceeds a limit are the cells parsed one by one, to
  tell cells holding a value (what calamine loads) from formatted-only ones and to name the
  farthest cell. The `<dimension>` tag is ignored (it lies).
- .ods: content.xml, with table:number-rows-repeated / number-columns-repeated multiplied out
  arithmetically (an 846-byte file can claim 17 billion cells).
- .xls: the BIFF records of each sheet in the compound file (core.reading.biff).

Merged ranges and (for .xlsx and .xls) Excel error cells are collected in the same pass.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.reading.limits import MAX_AREA, MAX_BOOK_AREA, MAX_MERGES, MAX_ROWS, MAX_TAGS, message, wan

Merge = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based, inclusive)


class ScanFailed(Exception):
    """The container could not be scanned (calamine may still read it, but only in a confined process)."""


@dataclass
class SheetExtent:
    """Where a sheet's cells holding a value are (0-based), how many, its merged ranges and error cells."""

    name: str
    rows: int = 0  # 1 + the farthest row holding a value (0: no value at all)
    cols: int = 0
    cells: int = 0  # cells holding a value (repeats counted); an upper bound on the fast path
    tags: int = 0  # .xlsx/.xls cell elements of any kind, empty formatted ones too (what openpyxl would load)
    far_row: tuple[int, int] | None = None  # a cell in the farthest row
    far_col: tuple[int, int] | None = None  # a cell in the farthest column
    merges: list[Merge] = field(default_factory=list)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    stopped: bool = False  # the scan stopped at a limit: the figures are lower bounds

    @property
    def area(self) -> int:
        """Cells of the grid A1..farthest cell, what calamine allocates for the sheet."""
        return self.rows * self.cols

    def add(self, row: int, col: int, nrows: int = 1, ncols: int = 1) -> None:
        """A block of nrows × ncols cells holding a value, its top-left at (row, col)."""
        self.cells += nrows * ncols
        last_row, last_col = row + nrows - 1, col + ncols - 1
        if last_row + 1 > self.rows:
            self.rows, self.far_row = last_row + 1, (last_row, col)
        if last_col + 1 > self.cols:
            self.cols, self.far_col = last_col + 1, (row, last_col)

    def over(self) -> bool:
        """True once the sheet is beyond a limit (scanners stop there)."""
        return (self.rows > MAX_ROWS or self.cells > MAX_AREA or self.area > MAX_AREA
                or len(self.merges) > MAX_MERGES or self.tags > MAX_TAGS)


def column_letters(col: int) -> str:
    """0 -> 'A', 16383 -> 'XFD'."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_name(cell: tuple[int, int]) -> str:
    """(row, col) 0-based -> 'XFD1048576'."""
    return f"{column_letters(cell[1])}{cell[0] + 1}"


def column_index(letters: str | bytes) -> int:
    """'A' -> 0, 'XFD' -> 16383."""
    col = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        col = col * 26 + ch - 64
    return col - 1


def limit_message(ext: SheetExtent) -> str | None:
    """The Chinese refusal for a sheet beyond a limit (which sheet, which cell, what to do), else None.

    A sheet packed with values is told to keep only the table; a sheet made large by a few cells
    far away is told which cell to delete (the one in the farthest row, or column if that is what
    is out of proportion).
    """
    name = ext.name.strip()
    too_long = ext.rows > MAX_ROWS
    too_big = ext.area > MAX_AREA or ext.cells > MAX_AREA
    if (too_long or too_big) and ext.cells * 10 >= ext.area:
        return message("too_dense_rows" if too_long else "too_dense", sheet=name)
    if too_long and ext.far_row is not None:
        return message("too_many_rows", sheet=name, cell=cell_name(ext.far_row), row=ext.far_row[0] + 1,
                       rows=ext.rows)
    if too_big and ext.far_col is not None:
        far = ext.far_col if ext.cols / 1000 > ext.rows / MAX_ROWS or ext.far_row is None else ext.far_row
        return message("too_wide", sheet=name, cell=cell_name(far), rows=ext.rows, cols=ext.cols,
                       area=wan(ext.area))
    if len(ext.merges) > MAX_MERGES:
        return message("too_many_merges", sheet=name, n=len(ext.merges))
    if ext.tags > MAX_TAGS:
        return message("too_many_tags", sheet=name)
    return None


def limit_messages(extents: list[SheetExtent]) -> list[tuple[str | None, str]]:
    """(sheet name, refusal) for the sheets that will be loaded: each sheet beyond a limit, or (None, …)
    for all of them together."""
    found = [(e.name.strip(), m) for e in extents if (m := limit_message(e))]
    total = sum(e.area for e in extents)
    if not found and total > MAX_BOOK_AREA:
        found.append((None, message("book_too_large", area=wan(total))))
    return found


def scan_workbook(data: bytes) -> tuple[str, list[SheetExtent]]:
    """('xlsx' | 'ods' | 'xls', every sheet's extent in tab order); raises ScanFailed."""
    from core.reading import biff, scan_ods, scan_xlsx
    try:
        if data[:4] == b"PK\x03\x04":
            import io
            import zipfile
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                if "content.xml" in names and "xl/workbook.xml" not in names:
                    return "ods", scan_ods.scan(zf)
                return "xlsx", scan_xlsx.scan(zf)
        return "xls", biff.scan(data)
    except ScanFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - any malformed container
        raise ScanFailed(f"{type(exc).__name__}: {exc}") from exc
