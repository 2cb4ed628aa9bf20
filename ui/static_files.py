"""Streamlit's own page files (its JavaScript, CSS and fonts) served from memory.

A new session's browser asks for ~96 of these files. Streamlit answers each through its whole
middleware stack and a file read on a worker thread: ~1 ms of the server's single event loop per
file, while the same loop is sending the session's first messages. These files are fixed for a
Streamlit version (hashed names, served `immutable` for a year), so this middleware answers them
from bytes read once, with Streamlit's own headers: 61 files over six connections in 10 ms
instead of 68 ms (bench/RESULTS.md, "Nagle").

Only an exact path of a file that was in Streamlit's static folder when the server started is
answered here (a dictionary lookup: a request's path never reaches the file system); anything
else (index.html, a range request, another method, an unknown name) goes on to Streamlit as
before. Memory: at most the files actually asked for, each kept once (the folder is 26 MB; a
dashboard session asks for ~3 MB of it).

Streamlit sends these files uncompressed. A browser that accepts gzip gets the script, style and
text files gzipped: a new session's 3.0 MB become 1.2 MB over the wire (most of the rest is
fonts), and across a county's network link that is most of the wait. Each file is compressed
once, on a worker thread the first time it is asked for, and kept beside its plain bytes. Fonts
and images are compressed already and go as they are. Both forms carry `Vary: Accept-Encoding`
and their own ETag, so no cache hands one to a client that asked for the other.

With `preload`, the files that index.html names (the page's script, its ~57 module preloads,
its style sheet and font: ~2.3 MB, the first requests of every new session) are read, fixed and
gzipped on a background thread as the server starts, so the first visitor does not wait for that
either (the server's health check already waits for its warm-up, ui/warmup.py).

The files are served with ui/page_file_fixes.py's fixes applied (Streamlit's plotly chart drawn
once instead of twice); a request that goes on to Streamlit gets the file as it is.
"""
from __future__ import annotations

import asyncio
import gzip
import hashlib
import logging
import mimetypes
import re
import threading
from pathlib import Path

from ui.page_file_fixes import fixed
from ui.web import base_path

IMMUTABLE = b"public, immutable, max-age=31536000"  # as Streamlit's static handler sends them
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MIN_GZIP_BYTES = 1024  # below this, gzip's own header and a second cache entry are not worth it
NO_GZIP = re.compile(rb"^\s*q\s*=\s*0(\.0*)?\s*$")  # "gzip;q=0": the client refuses gzip
INDEX_REF = re.compile(r'(?:src|href)="\.?/?static/([^"?#]+)"')  # a page file named by index.html
LOG = logging.getLogger(__name__)

Entry = tuple[bytes, bytes, list[tuple[bytes, bytes]]]  # body, ETag, response headers


def accepts_gzip(headers) -> bool:
    """Whether a request's Accept-Encoding takes gzip (or `*`) with a weight above 0."""
    for name, value in headers:
        if name != b"accept-encoding":
            continue
        for part in value.split(b","):
            token, _, weight = part.partition(b";")
            if token.strip().lower() in (b"gzip", b"*") and not NO_GZIP.match(weight):
                return True
    return False


def _static_root() -> Path:
    from streamlit import file_util

    return Path(file_util.get_static_dir())


class StaticFromMemory:
    """ASGI middleware: GET and HEAD of Streamlit's hashed page files, from memory."""

    def __init__(self, app, root: Path | None = None, base: str | None = None, preload: bool = False):
        self.app = app
        self.root = root or _static_root()
        self.prefix = (base_path() if base is None else base) + "/static/"
        folder = self.root / "static"
        self.files = {self.prefix + p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
        self.kept: dict[str, Entry] = {}
        self.zipped: dict[str, Entry] = {}  # the gzip form of kept files that compress
        if preload:
            threading.Thread(target=self.preload, name="page-files-preload", daemon=True).start()

    def first_files(self) -> list[str]:
        """The request paths of the page files index.html names, in its order."""
        try:
            html = (self.root / "index.html").read_text(encoding="utf-8")
        except OSError:
            return []
        paths = [self.prefix + name for name in INDEX_REF.findall(html)]
        return [p for p in dict.fromkeys(paths) if p in self.files]

    def preload(self) -> None:
        """Read, fix and (where it compresses) gzip the files of first_files() into memory."""
        try:
            for path in self.first_files():
                entry = self._entry(path)
                if (b"vary", b"accept-encoding") in entry[2]:
                    self._zip(path, entry)
        except OSError:  # a file gone since the start: the first request for it reads it, as before
            LOG.warning("preloading Streamlit's page files stopped", exc_info=True)

    def _entry(self, path: str) -> Entry:
        if path not in self.kept:
            file = self.files[path]
            body = fixed(file.name, file.read_bytes())
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if kind.startswith("text/"):
                kind += "; charset=utf-8"
            etag = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'.encode()
            headers = [(b"content-type", kind.encode()), (b"content-length", str(len(body)).encode()),
                       (b"etag", etag), (b"cache-control", IMMUTABLE)]
            if self._compressible(kind, body):
                headers.append((b"vary", b"accept-encoding"))
            self.kept[path] = (body, etag, headers)
        return self.kept[path]

    @staticmethod
    def _compressible(kind: str, body: bytes) -> bool:
        return kind.startswith(COMPRESSIBLE) and len(body) >= MIN_GZIP_BYTES

    def _zip(self, path: str, plain: Entry) -> Entry:
        """The gzip form of a kept file, compressed the first time."""
        if path not in self.zipped:
            body, etag, headers = plain
            packed = gzip.compress(body, 6, mtime=0)
            tag = etag[:-1] + b'-gz"'
            changed = {b"content-length": str(len(packed)).encode(), b"etag": tag}
            self.zipped[path] = (packed, tag, [(k, changed.get(k, v)) for k, v in headers]
                                 + [(b"content-encoding", b"gzip")])
        return self.zipped[path]

    async def _gzipped(self, path: str, plain: Entry) -> Entry:
        """_zip, on a worker thread the first time (off the event loop)."""
        return self.zipped.get(path) or await asyncio.to_thread(self._zip, path, plain)

    async def __call__(self, scope, receive, send):
        if (scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and scope["path"] in self.files
                and not any(name == b"range" for name, _ in scope.get("headers", ()))):
            try:  # the first time, read (and fix) the file off the event loop: the chart module is 4.7 MB
                entry = self.kept.get(scope["path"]) or await asyncio.to_thread(self._entry, scope["path"])
            except OSError:  # the file went away since the server started: Streamlit answers
                await self.app(scope, receive, send)
                return
            if (b"vary", b"accept-encoding") in entry[2] and accepts_gzip(scope.get("headers", ())):
                entry = await self._gzipped(scope["path"], entry)
            body, etag, headers = entry
            if any(name == b"if-none-match" and etag in value for name, value in scope.get("headers", ())):
                await send({"type": "http.response.start", "status": 304,
                            "headers": [(k, v) for k, v in headers if k in (b"etag", b"cache-control", b"vary")]})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})
            return
        await self.app(scope, receive, send)
