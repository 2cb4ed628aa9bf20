"""Streamlit's page files answered from memory exactly as Streamlit answers them (ui/static_files.py)."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from streamlit import file_util
from streamlit.web.server.starlette.starlette_static_routes import create_streamlit_static_handler

from ui.static_files import MIN_GZIP_BYTES, StaticFromMemory

ROOT = Path(file_util.get_static_dir())


class Counted:
    """Streamlit's own static handler, counting the requests that reach it."""

    def __init__(self):
        self.handler = create_streamlit_static_handler(str(ROOT), None)
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        try:
            await self.handler(scope, receive, send)
        except HTTPException as exc:  # in the server, Starlette's exception middleware answers these
            await PlainTextResponse(exc.detail, status_code=exc.status_code)(scope, receive, send)


def call(app, path: str, method: str = "GET", headers: tuple = ()) -> tuple[int, dict, bytes]:
    sent, asked, done = [], [], asyncio.Event()

    async def receive():  # the request once; then the client leaves when the response is complete
        if not asked:
            asked.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": b"", "headers": [(k.encode(), v.encode()) for k, v in headers], "scheme": "http",
             "server": ("testserver", 80), "client": ("testclient", 1), "http_version": "1.1"}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


def sample_files() -> list[str]:
    """A script chunk, a style sheet and a font of this Streamlit version, as the page asks for them."""
    folder = ROOT / "static"
    picks = [next(folder.glob("js/Html.*.js")), next(folder.glob("css/*.css")), next(folder.glob("media/*.woff2"))]
    return ["/static/" + p.relative_to(folder).as_posix() for p in picks]


@pytest.mark.parametrize("path", sample_files())
def test_a_page_file_is_answered_from_memory_with_streamlits_own_body_and_headers(path):
    inner = Counted()
    app = StaticFromMemory(inner, root=ROOT, base="")
    for _ in range(2):  # the first answer reads the file, the second comes from memory
        status, headers, body = call(app, path)
        assert status == 200
        assert body == (ROOT / path.lstrip("/")).read_bytes()
    assert inner.calls == 0
    own_status, own, own_body = call(inner, path)
    assert (own_status, own_body) == (200, body)
    for name in ("content-type", "cache-control", "content-length"):
        assert headers[name] == own[name]


def test_head_and_a_revalidation_get_no_body():
    path = sample_files()[0]
    app = StaticFromMemory(Counted(), root=ROOT, base="")
    status, headers, body = call(app, path, "HEAD")
    assert (status, body) == (200, b"")
    assert int(headers["content-length"]) == (ROOT / path.lstrip("/")).stat().st_size
    status, again, body = call(app, path, headers=(("if-none-match", headers["etag"]),))
    assert (status, body) == (304, b"")
    assert again["etag"] == headers["etag"]
    status, _, body = call(app, path, headers=(("if-none-match", '"other"'),))
    assert status == 200 and body


@pytest.mark.parametrize("path, method, headers", [
    ("/", "GET", ()),  # index.html: no-cache, Streamlit's
    ("/index.html", "GET", ()),
    ("/static/js/no-such-file.js", "GET", ()),
    ("/static/../index.html", "GET", ()),
    ("/static/js/%2e%2e/%2e%2e/index.html", "GET", ()),
    ("/static//js/x.js", "GET", ()),
    (None, "POST", ()),
    (None, "GET", (("range", "bytes=0-9"),)),
])
def test_anything_else_goes_on_to_streamlit(path, method, headers):
    inner = Counted()
    app = StaticFromMemory(inner, root=ROOT, base="")
    call(app, path or sample_files()[0], method, headers)
    assert inner.calls == 1


def test_under_a_base_url_path_only_the_prefixed_paths_are_answered():
    path = sample_files()[0]
    inner = Counted()
    app = StaticFromMemory(inner, root=ROOT, base="/pilot")
    status, _, body = call(app, "/pilot" + path)
    assert status == 200 and body == (ROOT / path.lstrip("/")).read_bytes()
    assert inner.calls == 0
    call(app, path)
    assert inner.calls == 1


def test_only_files_asked_for_are_kept():
    app = StaticFromMemory(Counted(), root=ROOT, base="")
    assert len(app.files) > 100 and not app.kept
    call(app, sample_files()[1])
    assert list(app.kept) == [sample_files()[1]]


GZIP = (("accept-encoding", "gzip, deflate, br, zstd"),)  # what Chromium sends


def test_a_browser_that_takes_gzip_gets_scripts_and_styles_gzipped_once():
    import gzip

    js, css, font = sample_files()
    inner = Counted()
    app = StaticFromMemory(inner, root=ROOT, base="")
    _, plain, _ = call(app, js)
    for path in (js, css):
        raw = (ROOT / path.lstrip("/")).read_bytes()
        for _ in range(2):
            status, headers, body = call(app, path, headers=GZIP)
            assert status == 200 and headers["content-encoding"] == "gzip" and headers["vary"] == "accept-encoding"
            assert gzip.decompress(body) == raw and int(headers["content-length"]) == len(body) < len(raw)
    assert headers["content-type"] == "text/css; charset=utf-8" and headers["cache-control"] == plain["cache-control"]
    assert list(app.zipped) == [js, css] and inner.calls == 0
    _, again, _ = call(app, js, headers=GZIP)
    assert again["etag"] != plain["etag"]  # a cache never hands the gzip form to a client that asked for the plain one
    assert plain["vary"] == "accept-encoding" and "content-encoding" not in plain
    status, headers, body = call(app, font, headers=GZIP)  # woff2 is compressed already: sent as it is
    assert status == 200 and "content-encoding" not in headers and body == (ROOT / font.lstrip("/")).read_bytes()


@pytest.mark.parametrize("value", ["gzip;q=0", "gzip; q=0.0, br", "br, deflate", "identity"])
def test_a_client_that_refuses_gzip_gets_the_plain_file(value):
    path = sample_files()[0]
    app = StaticFromMemory(Counted(), root=ROOT, base="")
    status, headers, body = call(app, path, headers=(("accept-encoding", value),))
    assert status == 200 and "content-encoding" not in headers
    assert body == (ROOT / path.lstrip("/")).read_bytes() and not app.zipped


def test_a_gzipped_file_revalidates_and_answers_head_without_a_body():
    path = sample_files()[0]
    app = StaticFromMemory(Counted(), root=ROOT, base="")
    status, headers, body = call(app, path, "HEAD", headers=GZIP)
    assert (status, body) == (200, b"") and headers["content-encoding"] == "gzip"
    status, again, body = call(app, path, headers=(*GZIP, ("if-none-match", headers["etag"])))
    assert (status, body) == (304, b"") and again["etag"] == headers["etag"] and again["vary"] == "accept-encoding"
    status, _, body = call(app, path, headers=(("if-none-match", headers["etag"]),))  # the plain form: another tag
    assert status == 200 and body == (ROOT / path.lstrip("/")).read_bytes()


def test_preloading_keeps_the_files_index_html_names_and_answers_them_as_asked_for_files():
    import gzip
    import re

    html = (ROOT / "index.html").read_text(encoding="utf-8")
    named = ["/static/" + n for n in re.findall(r'(?:src|href)="\.?/?static/([^"]+)"', html)]
    cold = StaticFromMemory(Counted(), root=ROOT, base="")
    warm = StaticFromMemory(Counted(), root=ROOT, base="")
    assert warm.first_files() == list(dict.fromkeys(named)) and len(named) > 10
    warm.preload()  # what the server does on a background thread when it starts (app.py)
    assert set(warm.kept) == set(named)
    scripts = [p for p in named if p.endswith(".js") and (ROOT / p.lstrip("/")).stat().st_size >= MIN_GZIP_BYTES]
    assert scripts and set(scripts) <= set(warm.zipped)  # the page's own script among them
    for path in (scripts[0], named[-1]):
        for headers in ((), GZIP):
            assert call(warm, path, headers=headers) == call(cold, path, headers=headers)
    status, headers, body = call(warm, scripts[0], headers=GZIP)
    assert gzip.decompress(body) == (ROOT / scripts[0].lstrip("/")).read_bytes()
    assert StaticFromMemory(Counted(), root=ROOT, base="/pilot").first_files()[0].startswith("/pilot/static/")
