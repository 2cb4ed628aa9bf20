"""Pre-scan of an .xls (BIFF5/BIFF8 in an OLE compound file): each sheet's extent, merges, error cells.

Only what bounds the read is decoded: the compound file's sector chains (each followed at most as
many steps as the file has sectors, so a looping chain ends), the workbook stream's BOUNDSHEET
records (sheet names and where each sheet starts) and, per sheet, the row/column of every record
holding a value (NUMBER, RK, MULRK, LABEL, LABELSST, RSTRING, BOOLERR, FORMULA), MERGEDCELLS,
and error values (BOOLERR and FORMULA results), which calamine reads as blank.
BLANK/MULBLANK (formatted empty cells) and the DIMENSIONS record are ignored, as calamine does.
"""
from __future__ import annotations

import struct
import sys
from array import array

from core.reading.extent import ScanFailed, SheetExtent

ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
BOF, EOF, BOUNDSHEET, MERGEDCELLS = 0x0809, 0x000A, 0x0085, 0x00E5
NUMBER, RK, LABELSST, LABEL, RSTRING, BOOLERR, FORMULA, MULRK = \
    0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0205, 0x0006, 0x00BD
VALUE_RECORDS = frozenset({NUMBER, RK, LABELSST, LABEL, RSTRING, BOOLERR, FORMULA})
ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
               0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


def _u32s(raw: bytes) -> array:
    out = array("I")
    out.frombytes(raw[: len(raw) // 4 * 4])
    if sys.byteorder == "big":
        out.byteswap()
    return out


class CompoundFile:
    """Streams of an OLE compound file (just enough of [MS-CFB] to read the workbook stream)."""

    def __init__(self, data: bytes):
        if data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or len(data) < 512:
            raise ScanFailed("not a compound file")
        self.data = data
        self.ssize = 1 << struct.unpack_from("<H", data, 30)[0]
        self.mini_size = 1 << struct.unpack_from("<H", data, 32)[0]
        if self.ssize not in (512, 4096) or self.mini_size != 64:
            raise ScanFailed("unusual sector size")
        n_fat, first_dir = struct.unpack_from("<II", data, 44)
        self.cutoff, first_minifat, _, first_difat, n_difat = struct.unpack_from("<IIIII", data, 56)
        self.n_sectors = max(len(data) // self.ssize - 1, 0)
        fat_sectors = [s for s in _u32s(data[76:512]) if s < ENDOFCHAIN]
        sect, seen = first_difat, 0
        while sect < ENDOFCHAIN and seen < min(n_difat, self.n_sectors):
            entries = _u32s(self._sector(sect))
            fat_sectors += [s for s in entries[:-1] if s < ENDOFCHAIN]
            sect, seen = entries[-1], seen + 1
        self.fat = _u32s(b"".join(self._sector(s) for s in fat_sectors[: max(n_fat, 0) or len(fat_sectors)]))
        self.entries = self._directory(first_dir)
        root = next((e for e in self.entries if e[1] == 5), None)
        self.mini_stream = self._chain_bytes(root[2], self.fat, self.ssize, self._sector) if root else b""
        self.minifat = _u32s(self._chain_bytes(first_minifat, self.fat, self.ssize, self._sector)) \
            if first_minifat < ENDOFCHAIN else array("I")

    def _sector(self, n: int) -> bytes:
        start = (n + 1) * self.ssize
        if n >= self.n_sectors or start >= len(self.data):
            raise ScanFailed("sector outside the file")
        return self.data[start:start + self.ssize]

    def _chain_bytes(self, start: int, table: array, size: int, read) -> bytes:
        parts, sect, steps = [], start, 0
        while sect < ENDOFCHAIN:
            if sect >= len(table) or steps > len(table):
                raise ScanFailed("broken sector chain")
            parts.append(read(sect))
            sect, steps = table[sect], steps + 1
        return b"".join(parts)

    def _mini_sector(self, n: int) -> bytes:
        start = n * self.mini_size
        if start >= len(self.mini_stream):
            raise ScanFailed("mini sector outside the mini stream")
        return self.mini_stream[start:start + self.mini_size]

    def _directory(self, first: int) -> list[tuple[str, int, int, int]]:
        raw = self._chain_bytes(first, self.fat, self.ssize, self._sector)
        out = []
        for off in range(0, len(raw) - 127, 128):
            name_len = min(struct.unpack_from("<H", raw, off + 64)[0], 64)
            kind = raw[off + 66]
            start, size = struct.unpack_from("<II", raw, off + 116)
            name = raw[off:off + max(name_len - 2, 0)].decode("utf-16-le", "replace")
            out.append((name, kind, start, size))
        return out

    def stream(self, *names: str) -> bytes:
        """The first stream with one of these names (case-insensitive)."""
        wanted = {n.lower() for n in names}
        for name, kind, start, size in self.entries:
            if kind == 2 and name.lower() in wanted:
                if size < self.cutoff:
                    raw = self._chain_bytes(start, self.minifat, self.mini_size, self._mini_sector)
                else:
                    raw = self._chain_bytes(start, self.fat, self.ssize, self._sector)
                return raw[:size]
        raise ScanFailed("no workbook stream")


def _records(stream: bytes, pos: int):
    """(type, payload offset, payload length) from pos to the end of the stream."""
    end = len(stream)
    while pos + 4 <= end:
        rtype, length = struct.unpack_from("<HH", stream, pos)
        yield rtype, pos + 4, min(length, end - pos - 4)
        pos += 4 + length


def _sheet_name(stream: bytes, off: int, length: int, biff8: bool) -> str:
    cch = stream[off + 6] if length > 6 else 0
    if biff8:
        high = stream[off + 7] & 1 if length > 7 else 0
        raw = stream[off + 8: off + 8 + cch * (2 if high else 1)]
        return raw.decode("utf-16-le" if high else "latin-1", "replace")
    return stream[off + 7: off + 7 + cch].decode("gbk", "replace")


def scan(data: bytes) -> list[SheetExtent]:
    """Every worksheet's extent, in tab order; stops at the first sheet beyond a limit."""
    stream = CompoundFile(data).stream("Workbook", "Book")
    if len(stream) < 8 or struct.unpack_from("<H", stream, 0)[0] != BOF:
        raise ScanFailed("no BOF record")
    biff8 = struct.unpack_from("<H", stream, 4)[0] == 0x0600
    sheets: list[tuple[str, int]] = []
    for rtype, off, length in _records(stream, 0):
        if rtype == BOUNDSHEET and length >= 8:
            if stream[off + 5] == 0:  # a worksheet (not a chart or macro sheet)
                sheets.append((_sheet_name(stream, off, length, biff8), struct.unpack_from("<I", stream, off)[0]))
        elif rtype == EOF:
            break
    out = []
    for name, start in sheets:
        ext = _scan_sheet(stream, name, start)
        out.append(ext)
        if ext.stopped:
            break
    return out


def _scan_sheet(stream: bytes, name: str, start: int) -> SheetExtent:
    ext = SheetExtent(name)
    if start >= len(stream):
        return ext
    depth = 0  # an embedded chart is a BOF…EOF substream inside the sheet's
    for n, (rtype, off, length) in enumerate(_records(stream, start)):
        if rtype == BOF and n > 0:
            depth += 1
        elif rtype == EOF and n > 0:
            if not depth:
                break
            depth -= 1
        elif rtype in VALUE_RECORDS and length >= 4:
            row, col = struct.unpack_from("<HH", stream, off)
            ext.tags += 1
            ext.add(row, col)
            err = _error(stream, rtype, off, length)
            if err:
                ext.errors[(row, col)] = err
        elif rtype == MULRK and length >= 6:
            row, first = struct.unpack_from("<HH", stream, off)
            last = struct.unpack_from("<H", stream, off + length - 2)[0]
            if last >= first:
                ext.tags += last - first + 1
                ext.add(row, first, 1, last - first + 1)
        elif rtype == MERGEDCELLS and length >= 2:
            count = min(struct.unpack_from("<H", stream, off)[0], (length - 2) // 8)
            for k in range(count):
                r0, r1, c0, c1 = struct.unpack_from("<HHHH", stream, off + 2 + 8 * k)
                ext.merges.append((min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)))
        if ext.over():
            ext.stopped = True
            break
    return ext


def _error(stream: bytes, rtype: int, off: int, length: int) -> str | None:
    """The error literal of a BOOLERR error cell or a FORMULA whose cached result is an error."""
    if rtype == BOOLERR and length >= 8 and stream[off + 7] == 1:
        return ERROR_CODES.get(stream[off + 6], "#错误")
    if rtype == FORMULA and length >= 14 and stream[off + 6] == 2 and stream[off + 12:off + 14] == b"\xff\xff":
        return ERROR_CODES.get(stream[off + 8], "#错误")
    return None
