"""How much of a workbook the reader will load, and the Chinese messages when a file asks for more.

A county sheet is a few hundred schools × 10–20 columns (a few thousand cells). The limits leave
ample room for a large county and still keep one file to well under 500 MB and a few seconds:
python-calamine builds a dense grid from A1 to the farthest cell holding a value (≈32 bytes a
cell in Rust, then one Python object a cell), so what is bounded is that grid, not the file size.
"""
from __future__ import annotations

MAX_ROWS = 20_000  # Excel rows from row 1 to the farthest row holding a value, per sheet
MAX_AREA = 1_000_000  # cells of the grid A1..farthest row × farthest column, per sheet
MAX_BOOK_AREA = 2_000_000  # the same summed over the sheets that are loaded
MAX_MERGES = 10_000  # merged ranges per sheet
MAX_TAGS = 2_000_000  # cell elements per .xlsx sheet, empty formatted ones included (bounds the pre-scan's time)
MAX_ANNOTATE_CELLS = 60_000  # cell elements of the whole file for an annotated copy (openpyxl loads them all)
MAX_MARKED_CELLS = 2_000  # cells highlighted with a comment (the 问题清单 sheet lists every issue)
CHILD_MEMORY_BYTES = 512 * 1024 * 1024  # address space a reading process may add to what it starts with
CHILD_TIMEOUT_SECONDS = 60  # a reading child is killed after this

FIX_FAR = ("这通常是误输入或粘贴到远处的内容:请在Excel或WPS中删除该单元格(或其所在的整行、整列)后保存,"
           "再重新报送")
MESSAGES: dict[str, str] = {
    "too_many_rows": "工作表「{sheet}」的单元格{cell}(第{row:,}行)有内容,使该表长达{rows:,}行,"
                     "超出可读取的上限{max_rows:,}行。" + FIX_FAR,
    "too_wide": "工作表「{sheet}」的单元格{cell}有内容,远离表格,使需要读取的范围扩大到{rows:,}行×{cols:,}列"
                "(约{area}个单元格),超出可读取的上限{max_area}个单元格。" + FIX_FAR,
    "too_dense": "工作表「{sheet}」有内容的单元格超过可读取的上限{max_area}个(县区月报表通常只有几千个);"
                 "请只保留需要报送的表格,删除多余的数据后重新报送",
    "too_dense_rows": "工作表「{sheet}」有内容的行超过可读取的上限{max_rows:,}行(县区月报表通常只有几百行);"
                      "请只保留需要报送的表格,删除多余的数据后重新报送",
    "too_many_tags": "工作表「{sheet}」有超过{max_tags}个单元格(包括只设置了格式的空单元格),超出可读取的上限;"
                     "请删除表格以外多余的行和列(或清除其格式)后重新报送",
    "book_too_large": "工作簿中需要读取的工作表合计约{area}个单元格,超出上限{max_area}个单元格;"
                      "请删除与报送无关的工作表和数据后重新报送",
    "too_many_merges": "工作表「{sheet}」有{n:,}个合并单元格,超出上限{max_merges:,}个;"
                       "请取消不必要的合并单元格后重新报送",
    "reader_crashed": "文件「{file}」读取时超出内存或时间限制(内容异常庞大或文件已损坏),已拒收;"
                      "请在Excel或WPS中打开检查,删除多余的工作表和远离表格的内容,另存为.xlsx后重新报送",
    "unreadable": "文件「{file}」无法作为Excel工作簿读取({why});请在Excel或WPS中打开确认后重新保存再报送",
}
# What the reader's failure says about the file, for a clerk (the reader's own class names are English).
UNREADABLE_WHY = {
    "PasswordError": "文件设置了打开密码",
    "XmlError": "文件内部结构损坏,可能是由其他软件生成或导出不完整",
    "ZipError": "文件内容不完整或已损坏",
}
UNREADABLE_WHY_DEFAULT = "文件损坏、不完整或已加密"


def wan(n: int) -> str:
    """A cell count as a Chinese reader says it: 3.3亿, 8,192万, 100万, 3,500."""
    if n >= 100_000_000:
        return f"{n / 100_000_000:,.1f}亿"
    return f"{n / 10_000:,.0f}万" if n >= 100_000 else f"{n:,}"


def message(key: str, **fields) -> str:
    """MESSAGES[key] filled in (the limits themselves are added)."""
    return MESSAGES[key].format(max_rows=MAX_ROWS, max_area=wan(MAX_AREA), max_merges=MAX_MERGES,
                                max_tags=wan(MAX_TAGS), **fields)
