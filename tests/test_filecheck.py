"""Files refused before parsing: empty, CSV renamed, truncated, encrypted, Word, zip bombs."""
from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile

import pytest
from builders import build_workbook, valid_submission_sheets

from core.reading.filecheck import MAX_FILE_BYTES, check_file
from core.submission.validate import validate_workbook

VALID = build_workbook(valid_submission_sheets())


def only_error(issues) -> str:
    assert len(issues) == 1 and issues[0].severity == "error" and issues[0].row is None
    return issues[0].message


def test_valid_workbook_passes():
    assert check_file(VALID, "云岭县_2026-10.xlsx") == []


def test_empty_file():
    assert only_error(check_file(b"", "a.xlsx")) == "文件「a.xlsx」是空文件(0字节),请重新导出Excel工作簿后报送"


def test_csv_renamed_to_xlsx():
    csv = "学校标识码,学校名称\n2110000001,第一小学\n".encode("utf-8-sig")
    msg = only_error(check_file(csv, "云岭县.xlsx"))
    assert "文本/CSV文件" in msg and "另存为Excel工作簿" in msg


def test_gbk_csv_renamed():
    msg = only_error(check_file("学校,人数\n一小,3\n".encode("gbk"), "a.xlsx"))
    assert "文本/CSV文件" in msg


def test_truncated_zip():
    msg = only_error(check_file(VALID[: len(VALID) // 2], "a.xlsx"))
    assert "已损坏或不完整" in msg


def test_too_large():
    msg = only_error(check_file(b"PK\x03\x04" + b"\0" * MAX_FILE_BYTES, "a.xlsx"))
    assert "超过20MB上限" in msg


def test_word_document_renamed():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    assert "Word文档" in only_error(check_file(buf.getvalue(), "a.xlsx"))


def ole_with(stream: str) -> bytes:
    """A minimal OLE compound-file header plus a directory entry name (enough for the sniffer)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + stream.encode("utf-16-le") + b"\0" * 64


def test_encrypted_xlsx():
    assert "设置了打开密码" in only_error(check_file(ole_with("EncryptedPackage"), "a.xlsx"))


def test_xls_container_is_let_through_to_the_reader():
    assert check_file(ole_with("Workbook"), "a.xls") == []
    # the reader then refuses this fake .xls cleanly
    result = validate_workbook(ole_with("Workbook"), "a.xls")
    assert not result.ok and "无法作为Excel工作簿读取" in result.issues[0].message


def highly_compressible_zip(member_bytes: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(member_bytes >> 20):
                f.write(chunk)
    return buf.getvalue()


def test_zip_bomb_by_ratio_is_refused_fast_and_small():
    bomb = highly_compressible_zip(32 << 20)  # 32 MB of zeros, ~32 KB on disk
    assert len(bomb) < 100_000
    tracemalloc.start()
    t0 = time.perf_counter()
    issues = check_file(bomb, "a.xlsx")
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "解压后异常巨大" in only_error(issues)
    assert elapsed < 0.5 and peak < 5 << 20


def test_zip_bomb_by_declared_total_size():
    """A central directory claiming 4 GB uncompressed is refused without inflating anything."""
    data = bytearray(VALID)
    pos = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, pos + 24, 0xFFFFFFF0)  # uncompressed size of the first member
    assert "解压后异常巨大" in only_error(check_file(bytes(data), "a.xlsx"))


@pytest.mark.parametrize("data, what", [(b"%PDF-1.7 ...", "PDF文件"), (b"\x89PNG\r\n\x1a\n....", "PNG图片")])
def test_other_file_types_named(data, what):
    assert what in only_error(check_file(data, "a.xlsx"))
