"""Refuse a file before parsing: empty, too large, not a spreadsheet, corrupt, encrypted, zip bomb.

Only the first bytes and the zip central directory are read; nothing is inflated,
so a zip bomb is refused fast and with little memory.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from core.submission.issues import Issue

MAX_FILE_BYTES = 20 * 1024 * 1024  # a county workbook is well under 1 MB
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # sum of uncompressed member sizes
MAX_RATIO = 100  # uncompressed/compressed, checked for members above RATIO_MIN_BYTES
RATIO_MIN_BYTES = 1024 * 1024
MAX_MEMBERS = 10_000
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SEND_EXCEL = "请在Excel或WPS中打开后另存为Excel工作簿(.xlsx)再报送"

# (leading bytes, what the file is) for common non-spreadsheet files.
OTHER_MAGIC = (
    (b"%PDF", "PDF文件"),
    (b"\x89PNG", "PNG图片"),
    (b"\xff\xd8\xff", "JPEG图片"),
    (b"Rar!", "RAR压缩包"),
    (b"7z\xbc\xaf", "7z压缩包"),
    (b"{\\rtf", "RTF文档"),
)


def _error(message: str) -> list[Issue]:
    return [Issue(severity="error", message=message)]


def check_file(data: bytes, file_name: str) -> list[Issue]:
    """Issues that make the file unreadable as a county workbook (empty list when it may be parsed)."""
    if not data:
        return _error(f"文件「{file_name}」是空文件(0字节),请重新导出Excel工作簿后报送")
    if len(data) > MAX_FILE_BYTES:
        mb = len(data) / 1024 / 1024
        return _error(f"文件「{file_name}」有{mb:.1f}MB,超过{MAX_FILE_BYTES // 1024 // 1024}MB上限;"
                      "县区月报表通常不足1MB,请删除多余的工作表、图片后重新报送")
    head = data[:8]
    if head.startswith(ZIP_MAGIC):
        return _check_zip(data, file_name)
    if head == OLE_MAGIC:
        return _check_ole(data, file_name)
    for magic, what in OTHER_MAGIC:
        if head.startswith(magic):
            return _error(f"文件「{file_name}」是{what},不是Excel工作簿;{SEND_EXCEL}")
    if _looks_like_text(data):
        what = "网页(HTML)文件" if data[:512].lstrip().lower().startswith((b"<!doctype html", b"<html")) \
            else "文本/CSV文件"
        return _error(f"文件「{file_name}」是{what},只是改了扩展名,不是Excel工作簿;{SEND_EXCEL}")
    return _error(f"文件「{file_name}」不是可识别的Excel工作簿(.xlsx/.xlsm/.xls/.ods),文件可能已损坏;"
                  f"{SEND_EXCEL}")


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    for enc in ("utf-8-sig", "utf-16", "gb18030"):
        try:
            sample.decode(enc)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _check_zip(data: bytes, file_name: str) -> list[Issue]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return _error(f"文件「{file_name}」已损坏或不完整(可能下载、拷贝时被截断),无法打开;"
                      "请重新保存后再报送")
    if len(infos) > MAX_MEMBERS:
        return _error(f"文件「{file_name}」内部包含{len(infos)}个部件,不是正常的Excel工作簿,已拒收")
    total = sum(i.file_size for i in infos)
    bomb = total > MAX_UNZIPPED_BYTES or any(
        i.file_size > RATIO_MIN_BYTES and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos)
    if bomb:
        return _error(f"文件「{file_name}」解压后异常巨大({total / 1024 / 1024:.0f}MB),"
                      "不是正常的Excel工作簿,已拒收;请检查文件来源后重新导出")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names:
            return _error(f"文件「{file_name}」是Excel二进制工作簿(.xlsb),请另存为.xlsx后再报送")
        return []
    if "content.xml" in names and "mimetype" in names:
        return []
    if "word/document.xml" in names:
        return _error(f"文件「{file_name}」是Word文档,不是Excel工作簿;{SEND_EXCEL}")
    if "ppt/presentation.xml" in names:
        return _error(f"文件「{file_name}」是PowerPoint演示文稿,不是Excel工作簿;{SEND_EXCEL}")
    return _error(f"文件「{file_name}」是一个普通压缩包(zip),不是Excel工作簿;请解压后分别报送其中的Excel文件")


def _check_ole(data: bytes, file_name: str) -> list[Issue]:
    """An OLE compound file: .xls, an encrypted .xlsx, or a Word/other document."""
    # Directory entry names are UTF-16LE; a byte search avoids a CFB parser.
    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") in data

    if has("EncryptedPackage") or has("EncryptionInfo"):
        return _error(f"文件「{file_name}」设置了打开密码(已加密),无法读取;"
                      "请在Excel中取消密码(文件→信息→保护工作簿)后重新报送")
    if has("Workbook") or has("Book"):
        return []
    if has("WordDocument"):
        return _error(f"文件「{file_name}」是Word文档(.doc),不是Excel工作簿;{SEND_EXCEL}")
    return _error(f"文件「{file_name}」不是可识别的Excel工作簿;{SEND_EXCEL}")


def suffix_issue(file_name: str) -> list[Issue]:
    """A warning when the file name does not end in an accepted spreadsheet suffix."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix in SUFFIXES:
        return []
    return [Issue(severity="warning",
                  message=f"文件名「{file_name}」的扩展名不是.xlsx/.xlsm/.xls/.ods,已按文件内容识别为Excel工作簿")]
