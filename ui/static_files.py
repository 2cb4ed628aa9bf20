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
"""
from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

from ui.web import base_path

IMMUTABLE = b"public, immutable, max-age=31536000"  # as Streamlit's static handler sends them


def _static_root() -> Path:
    from streamlit import file_util

    return Path(file_util.get_static_dir())


class StaticFromMemory:
    """ASGI middleware: GET and HEAD of Streamlit's hashed page files, from memory."""

    def __init__(self, app, root: Path | None = None, base: str | None = None):
        self.app = app
        root = root or _static_root()
        prefix = (base_path() if base is None else base) + "/static/"
        folder = root / "static"
        self.files = {prefix + p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
        self.kept: dict[str, tuple[bytes, bytes, list[tuple[bytes, bytes]]]] = {}

    def _entry(self, path: str) -> tuple[bytes, bytes, list[tuple[bytes, bytes]]]:
        if path not in self.kept:
            file = self.files[path]
            body = file.read_bytes()
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if kind.startswith("text/"):
                kind += "; charset=utf-8"
            etag = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'.encode()
            headers = [(b"content-type", kind.encode()), (b"content-length", str(len(body)).encode()),
                       (b"etag", etag), (b"cache-control", IMMUTABLE)]
            self.kept[path] = (body, etag, headers)
        return self.kept[path]

    async def __call__(self, scope, receive, send):
        if (scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and scope["path"] in self.files
                and not any(name == b"range" for name, _ in scope.get("headers", ()))):
            try:
                body, etag, headers = self._entry(scope["path"])
            except OSError:  # the file went away since the server started: Streamlit answers
                await self.app(scope, receive, send)
                return
            if any(name == b"if-none-match" and etag in value for name, value in scope.get("headers", ())):
                await send({"type": "http.response.start", "status": 304,
                            "headers": [(b"etag", etag), (b"cache-control", IMMUTABLE)]})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})
            return
        await self.app(scope, receive, send)
