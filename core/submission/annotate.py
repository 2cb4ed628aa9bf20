"""A rejected workbook handed back to the county: offending cells highlighted, the message as a comment.

The clerk opens the file in Excel/WPS, sees each problem on the cell itself (red: error,
yellow: warning) and a first sheet 「问题清单」 listing every issue with a link to its cell.
.xls/.ods cannot be edited by openpyxl: for them a fresh .xlsx holds only the list.

Only a file that could be read is marked up, within the reader's bounds: one that filecheck or
the pre-scan refused (a zip bomb, a stray cell at XFD1048576) or whose cell elements exceed
MAX_ANNOTATE_CELLS gets the list alone (at most MAX_MARKED_CELLS cells are highlighted: openpyxl
writes each comment slowly; the list still has every issue and its link), and openpyxl runs in a confined child process
(core.reading.sandbox), so a file that still turns out too big costs that child, not the server.
"""
from __future__ import annotations

import io
import unicodedata
from pathlib import PurePath

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from core.present.export import write_table
from core.reading import sandbox
from core.reading.extent import ScanFailed, limit_messages, scan_workbook
from core.reading.filecheck import check_file
from core.reading.limits import MAX_ANNOTATE_CELLS, MAX_MARKED_CELLS
from core.submission.issues import Issue, has_errors

LIST_SHEET = "问题清单"
AUTHOR = "实验区监测看板"
SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
FILLS = {"error": PatternFill("solid", fgColor="FF9999"), "warning": PatternFill("solid", fgColor="FFEB84")}
LINK_FONT = Font(color="0563C1", underline="single")
WRAP = Alignment(wrap_text=True, vertical="top")
EDITABLE_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SEARCH_ROWS = 50  # a header row lies within the first rows of a sheet
_BRACKETS = str.maketrans({"[": "(", "【": "(", "]": ")", "】": ")"})


def fold(text: object) -> str:
    """Text compared the way the reader compares names: NFKC, no spaces or line breaks, one bracket style."""
    folded = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    return "".join(folded.split())


def annotated_file_name(file_name: str) -> str:
    """Name of the annotated copy: 「原名_问题标注.xlsx」 (.xlsm kept; .xls/.ods become .xlsx)."""
    path = PurePath(file_name or "工作簿.xlsx")
    suffix = ".xlsm" if path.suffix.lower() == ".xlsm" else ".xlsx"
    return f"{path.stem}_问题标注{suffix}"


UNREADABLE_NOTE = "原文件无法打开,未能在单元格上标注;请按下表逐条修改原文件。"
# The file opened but the marked copy could not be made (or the marking process did not start): not the file's fault.
NOT_MARKED_NOTE = "未能在原文件的单元格上标注(标注时出错,不是文件本身的问题);请按下表逐条修改原文件。"
TOO_LARGE_NOTE = "原文件内容超出可读取的范围,未能在单元格上标注;请按下表修改原文件后重新报送。"


def annotate_workbook(data: bytes, file_name: str, issues: list[Issue]) -> bytes:
    """The workbook with each issue's cell highlighted and commented, plus a first sheet 问题清单; never raises."""
    suffix = PurePath(file_name or "").suffix.lower()
    if suffix in EDITABLE_SUFFIXES or suffix == "":
        note = _cannot_mark(data)
        if note is None:
            try:
                return sandbox.run(marked_copy, data, file_name, issues, suffix == ".xlsm")
            except sandbox.ChildFailed as exc:  # an unreadable file still gets its list of issues
                note = TOO_LARGE_NOTE if exc.resources else UNREADABLE_NOTE
            except Exception:  # noqa: BLE001 - e.g. the fork server could not start
                note = NOT_MARKED_NOTE
    else:
        note = f"原文件为{suffix or '未知'}格式,无法直接标注;请按下表逐条修改原文件,或另存为.xlsx后重新报送。"
    return _list_only(file_name, issues, note)


def _cannot_mark(data: bytes) -> str | None:
    """Why the cells of this file are not marked (None: they can be), decided without loading it."""
    if has_errors(check_file(data, "")):
        return UNREADABLE_NOTE
    try:
        kind, extents = scan_workbook(data)
    except ScanFailed:
        return UNREADABLE_NOTE
    if kind != "xlsx":
        return UNREADABLE_NOTE
    if limit_messages(extents) or sum(e.tags for e in extents) > MAX_ANNOTATE_CELLS:
        return TOO_LARGE_NOTE
    return None


def marked_copy(data: bytes, file_name: str, issues: list[Issue], keep_vba: bool) -> bytes:
    """The annotated copy itself (openpyxl; runs in a confined child).

    Only a failure to load raises (the caller then says the file cannot be opened); a failure after
    that gives the list alone with a note that does not blame the file.
    """
    wb = load_workbook(io.BytesIO(data), keep_vba=keep_vba, keep_links=True)
    try:
        located = _mark_cells(wb, issues)
        _add_list_sheet(wb, file_name, issues, located, note=None)
        return _save(wb)
    except Exception:  # noqa: BLE001 - e.g. openpyxl cannot write back something it read
        return _list_only(file_name, issues, NOT_MARKED_NOTE)


def _list_only(file_name: str, issues: list[Issue], note: str) -> bytes:
    """A fresh workbook with just the 问题清单 sheet (the fallback that cannot fail)."""
    try:
        wb = Workbook()
        wb.remove(wb.active)
        _add_list_sheet(wb, file_name, issues, {}, note=note)
        return _save(wb)
    except Exception:  # noqa: BLE001 - last resort: the plainest possible sheet
        wb = Workbook()
        ws = wb.active
        ws.title = LIST_SHEET
        for issue in issues:
            ws.append([SEVERITY_LABELS.get(issue.severity, issue.severity), "'" + str(issue.message)])
        return _save(wb)


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _find_sheet(wb: Workbook, name: str | None) -> Worksheet | None:
    if not name:
        return None
    if name in wb.sheetnames:
        return wb[name]
    want = fold(name)
    for ws in wb.worksheets:
        if fold(ws.title) == want:
            return ws
    return None


def _find_column(ws: Worksheet, column: str | None, row: int) -> int | None:
    """Column index whose header (in a row at or above `row`) reads `column`, as written or folded.

    A two-row header's column is named `group / sub`: the sub-header cell whose cell above reads the group.
    """
    if not column:
        return None
    last = min(max(row, 1), HEADER_SEARCH_ROWS, ws.max_row or 1)
    group, _, sub = column.rpartition(" / ")
    want, want_group = fold(sub), fold(group)
    above: dict[int, object] = {}
    for r in ws.iter_rows(min_row=1, max_row=last):
        for cell in r:
            value = cell.value
            if value is not None and (value == sub or fold(value) == want):
                if not group or fold(above.get(cell.column, "")) == want_group:
                    return cell.column
            above[cell.column] = value if value is not None else _merged_value(ws, cell, above.get(cell.column))
    return None


def _merged_value(ws: Worksheet, cell, fallback):
    """The value a cell shows when it lies in a merged range (its top-left value), else fallback."""
    for rng in ws.merged_cells.ranges:
        if cell.coordinate in rng:
            return ws.cell(row=rng.min_row, column=rng.min_col).value
    return None


def _merge_rows(ws: Worksheet) -> dict[int, list[tuple[int, int, int]]]:
    """Row -> (first column, last column, first row) of the merged ranges crossing it: one pass over the
    ranges, so each issue's look-up is a short list, not every range of the sheet."""
    rows: dict[int, list[tuple[int, int, int]]] = {}
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            rows.setdefault(r, []).append((rng.min_col, rng.max_col, rng.min_row))
    return rows


def _anchor(merges: dict[int, list[tuple[int, int, int]]], row: int, col: int) -> tuple[int, int]:
    """The cell that holds a merged range's value and comment (its top-left) when (row, col) lies in one."""
    for first_col, last_col, first_row in merges.get(row, ()):
        if first_col <= col <= last_col:
            return first_row, first_col
    return row, col


def _mark_cells(wb: Workbook, issues: list[Issue]) -> dict[int, str]:
    """Highlight and comment each located issue; returns issue index -> 'sheet'!A1 reference.

    An issue on a cell inside a merged range is marked on the range's top-left cell (the others are
    read-only); a cell that cannot be marked is skipped, the rest of the copy is kept.
    """
    if LIST_SHEET in wb.sheetnames:  # a workbook annotated before and sent back
        wb.remove(wb[LIST_SHEET])
    notes: dict[tuple[str, int, int], list[Issue]] = {}
    located: dict[int, str] = {}
    columns: dict[tuple[str, str | None, int], int | None] = {}  # thousands of issues share a few headers
    anchors: dict[tuple[str, int, int], tuple[int, int]] = {}
    merges: dict[str, dict[int, list[tuple[int, int, int]]]] = {}
    for k, issue in enumerate(issues):
        ws = _find_sheet(wb, issue.sheet)
        if ws is None:
            continue
        if issue.row is None or issue.row < 1:  # a sheet-level issue: link to the sheet, mark nothing
            located[k] = f"'{ws.title}'!A1"
            continue
        key = (ws.title, issue.column, min(issue.row, HEADER_SEARCH_ROWS))
        if key not in columns:
            columns[key] = _find_column(ws, issue.column, issue.row)
        at = (ws.title, issue.row, columns[key] or 1)
        if at not in anchors:
            if ws.title not in merges:
                merges[ws.title] = _merge_rows(ws)
            anchors[at] = _anchor(merges[ws.title], issue.row, columns[key] or 1)
        row, col = anchors[at]
        notes.setdefault((ws.title, row, col), []).append(issue)
        located[k] = f"'{ws.title}'!{get_column_letter(col)}{row}"
    for (title, row, col), cell_issues in list(notes.items())[:MAX_MARKED_CELLS]:
        try:
            _mark_cell(wb[title].cell(row=row, column=col), cell_issues)
        except Exception:  # noqa: BLE001 - this cell stays unmarked; 问题清单 still lists its issues
            continue
    return located


def _mark_cell(cell, cell_issues: list[Issue]) -> None:
    """Fill one cell (red: an error among its issues, else yellow) and put its issues in a comment."""
    worst = "error" if any(i.is_error for i in cell_issues) else "warning"
    text = "\n".join(f"【{SEVERITY_LABELS.get(i.severity, i.severity)}】{i.message}" for i in cell_issues)
    comment = Comment(text, AUTHOR)
    comment.width, comment.height = 320, min(400, 60 + 40 * len(cell_issues))
    cell.comment = comment
    cell.fill = FILLS[worst]


def _add_list_sheet(wb: Workbook, file_name: str, issues: list[Issue], located: dict[int, str],
                    note: str | None) -> None:
    """Insert 问题清单 as the first sheet: every issue, errors first, linked to its cell when located."""
    ws = wb.create_sheet(LIST_SHEET, 0)
    order = sorted(range(len(issues)), key=lambda k: (not issues[k].is_error, k))
    frame = pd.DataFrame([{
        "序号": n,
        "严重程度": SEVERITY_LABELS.get(issues[k].severity, issues[k].severity),
        "工作表": issues[k].sheet or "(整个工作簿)",
        "行": issues[k].row,
        "列": issues[k].column or "",
        "值": issues[k].value or "",
        "说明": issues[k].message,
        "定位": "转到单元格" if k in located else "",
    } for n, k in enumerate(order, start=1)], columns=["序号", "严重程度", "工作表", "行", "列", "值", "说明", "定位"])
    frame["行"] = frame["行"].astype("Int64")
    n_err = sum(i.is_error for i in issues)
    title = f"「{file_name}」问题清单:错误{n_err}条,警告{len(issues) - n_err}条"
    hint = note or "红色单元格为错误(必须修改),黄色为警告;单元格批注中有具体说明。修改后请重新报送。"
    header_row = write_table(ws, frame, title, hint)
    link_col = frame.columns.get_loc("定位") + 1
    for n, k in enumerate(order, start=1):
        if k in located:
            cell = ws.cell(row=header_row + n, column=link_col)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=located[k], display="转到单元格")
            cell.font = LINK_FONT
    ws.column_dimensions["G"].width = 60
    for n in range(1, len(frame) + 1):
        ws.cell(row=header_row + n, column=frame.columns.get_loc("说明") + 1).alignment = WRAP
    for other in wb.worksheets:
        other.sheet_view.tabSelected = other is ws  # else Excel opens with the sheets grouped
    wb.active = 0
