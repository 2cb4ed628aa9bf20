"""Read a workbook's bytes into raw sheets: bounded, isolated, merged cells filled, error cells found.

1. core.reading.extent pre-scans the file (pure Python, streaming, bounded memory) and refuses
   a sheet whose real extent exceeds core.reading.limits, naming the sheet and the cell.
2. python-calamine loads the sheets that are needed (for .ods/.xls it parses all of them on open,
   so all of them were checked) in a confined child process (core.reading.sandbox): a reader
   crash or a memory/time overrun rejects this one file and never takes the caller down.
3. Every cell of a merged range gets the range's top-left value, as the clerk sees it
   (ranges from the pre-scan: calamine does not report them for .ods). Filling is clipped to the
   loaded grid, so a merge reaching XFD1048576 costs nothing.
4. Excel error cells (#DIV/0!, #N/A…) are read from the pre-scan for .xlsx/.xlsm and .xls
   (calamine turns them into ''); .ods keeps the error text, which core.reading.cells recognises.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from core.reading import sandbox
from core.reading.extent import Merge, ScanFailed, SheetExtent, limit_messages, scan_workbook
from core.reading.limits import MAX_AREA, UNREADABLE_WHY, UNREADABLE_WHY_DEFAULT, message
from core.reading.load import abort_marker, load_sheets

Cell = object  # str | float | int | bool | datetime | date | time | timedelta


class UnreadableWorkbook(Exception):
    """The file passed filecheck but the spreadsheet reader could not open it; str() is Chinese."""


class WorkbookTooLarge(UnreadableWorkbook):
    """A sheet (or the whole file) exceeds the reading limits; .problems are (sheet or None, Chinese message)."""

    def __init__(self, problems: list[tuple[str | None, str]]):
        super().__init__(";".join(m for _, m in problems))
        self.problems = problems


@dataclass
class RawSheet:
    """A sheet's cells: rows[i][j] is Excel row i+1, column j+1; `errors` maps (i, j) -> '#DIV/0!'.

    A sheet that was not asked for is not loaded: rows is empty and `cells` says whether it holds anything.
    """

    name: str
    rows: list[list[Cell]]
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    cells: int | None = None  # cells holding a value, for a sheet that was not loaded

    @property
    def has_content(self) -> bool:
        """True when some cell holds a non-blank value."""
        if self.cells is not None:
            return self.cells > 0
        return any(v is not None and (not isinstance(v, str) or v.strip()) for row in self.rows for v in row)


@dataclass
class RawWorkbook:
    """All sheets of a workbook, in tab order."""

    sheets: list[RawSheet]

    @property
    def names(self) -> list[str]:
        """Sheet names as written."""
        return [s.name for s in self.sheets]


def read_workbook(data: bytes, file_name: str = "", wanted: Callable[[str], bool] | None = None) -> RawWorkbook:
    """Read the sheets `wanted` accepts (all by default); raises UnreadableWorkbook / WorkbookTooLarge (Chinese)."""
    try:
        kind, extents = scan_workbook(data)
    except ScanFailed:
        kind, extents = "", None  # calamine may still read it: it runs confined, so only the message is vaguer
    names = None
    if extents is not None:
        chosen = [e for e in extents if wanted is None or wanted(e.name)]
        problems = limit_messages(extents if kind in ("ods", "xls") else chosen)
        if problems:
            raise WorkbookTooLarge(problems)
        if kind == "xlsx":
            names = [e.name for e in chosen]
    try:
        all_names, loaded = sandbox.run(load_sheets, data, names, abort_marker())
    except sandbox.ChildFailed as exc:
        if exc.resources:
            raise WorkbookTooLarge([(None, message("reader_crashed", file=file_name))]) from exc
        why = UNREADABLE_WHY.get(exc.kind, UNREADABLE_WHY_DEFAULT)
        raise UnreadableWorkbook(message("unreadable", file=file_name, why=why)) from exc
    by_name = _extents_by_name(all_names, extents or [])
    sheets = []
    for name in all_names:
        ext = by_name.get(name)
        if name not in loaded or (wanted is not None and not wanted(name)):
            sheets.append(RawSheet(name, [], cells=ext.cells if ext else 1))
            continue
        rows = loaded[name]
        if ext is not None:
            fill_merges(rows, ext.merges)
        sheets.append(RawSheet(name, rows, dict(ext.errors) if ext else {}))
    return RawWorkbook(sheets)


def _extents_by_name(names: list[str], extents: list[SheetExtent]) -> dict[str, SheetExtent]:
    """Extents keyed by calamine's sheet names; by position when the names differ (e.g. an old .xls codepage)."""
    by_name = {e.name: e for e in extents}
    if all(n in by_name for n in names) or len(names) != len(extents):
        return by_name
    return dict(zip(names, extents))


def fill_merges(rows: list[list[Cell]], merges: list[Merge]) -> None:
    """Give every cell of each merged range its top-left value, within the loaded grid (at most MAX_AREA cells).

    A row that holds nothing of its own stays empty: a range merged past the end of the table (所属县区
    merged down a few rows too far) does not turn blank rows into schools.
    """
    if not merges:
        return
    budget = MAX_AREA
    height = len(rows)
    own = [any(v is not None and v != "" for v in row) for row in rows]
    for r0, c0, r1, c1 in merges:
        if r0 >= height or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        if value is None or value == "":
            continue
        for r in range(r0, min(r1, height - 1) + 1):
            if not own[r]:
                continue
            row = rows[r]
            last = min(c1, len(row) - 1)
            budget -= max(last - c0 + 1, 0)
            if budget < 0:
                return
            for c in range(c0, last + 1):
                row[c] = value
