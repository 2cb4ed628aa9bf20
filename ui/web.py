"""What the dashboard adds to Streamlit's web server (app.py builds `st.App` with these).

- /_pilot/session/start?t=TICKET: turns the one-time ticket of a sign-in that just happened
  into the HttpOnly, SameSite=Strict session cookie (core/access/sessions.py); the page asks
  for it with an invisible image, so no script is needed. /_pilot/session/end deletes the
  cookie (and the session it names).
- An upload gate: Streamlit's own upload endpoint (/_stcore/upload_file/…) accepts a file from
  any open browser tab and holds it in memory; here a PUT is refused unless the request
  carries the cookie of a signed-in account allowed to upload (or the demo is in use), so an
  anonymous visitor can make the server hold nothing.
- A health check held until the server's warm-up is over (ui/warmup.py), so "healthy" means
  the first visitor gets a warm page.
- A script-error handler: an unexpected error shows a Chinese message, never a traceback with
  server paths; the traceback goes to the server log.
"""
from __future__ import annotations

import asyncio
import base64
import logging
import time

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from core.access import sessions
from core.access.accounts import access_mode, can, demo_offered

LOG = logging.getLogger(__name__)
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")  # 1×1 transparent GIF
UPLOAD_PATH = "/_stcore/upload_file/"
HEALTH_PATH = "/_stcore/health"
INTERNAL_ERROR = "页面出现内部错误,已记入服务器日志。请刷新页面重试;如仍出现,请联系实验区管理员。"
# Streamlit refuses an uploaded file whose name has a NUL character before the page runs.
BAD_FILE_NAME = "所选文件的文件名含有不允许的字符(如空字符),未上传。请刷新页面,把文件重命名后重新上传。"


def base_path() -> str:
    """The server's URL path prefix (server.baseUrlPath) as "/prefix", or "" at the root."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _pixel(request: Request) -> Response:
    return Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})


def _same_origin(request: Request) -> bool:
    """A request the dashboard's own page made (browsers send Sec-Fetch-Site; old ones do not)."""
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def session_start(request: Request) -> Response:
    """Set the session cookie for a ticket issued by a sign-in in this browser a moment ago."""
    response = _pixel(request)
    if not _same_origin(request):
        return response
    token = sessions.redeem_ticket(request.query_params.get("t"))
    store = sessions.store()
    if token is None or store.get(token) is None:
        return response
    response.set_cookie(sessions.COOKIE, store.cookie_value(token),
                        max_age=int(sessions.Policy.from_zone().lifetime), path=base_path() or "/",
                        httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


def session_end(request: Request) -> Response:
    """Delete the session cookie and the session it names (sign-out already ended it server-side)."""
    response = _pixel(request)
    if not _same_origin(request):
        return response
    token = sessions.store().token_of(request.cookies.get(sessions.COOKIE))
    if token:
        sessions.store().end(token)
    response.delete_cookie(sessions.COOKIE, path=base_path() or "/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
    return response


def routes() -> list[Route]:
    base = base_path()
    return [Route(f"{base}/_pilot/session/start", session_start, methods=["GET"]),
            Route(f"{base}/_pilot/session/end", session_end, methods=["GET"])]


_DEMO_OFFERED: tuple[float, bool] = (0.0, False)


def _demo_offered_now() -> bool:
    """demo_offered of the database, remembered for 30 s (an upload is several requests)."""
    global _DEMO_OFFERED
    at, offered = _DEMO_OFFERED
    if time.monotonic() - at > 30:
        from core.db import DatabaseUnavailable, open_db

        try:
            with open_db(timeout=2) as con:
                offered = demo_offered(con)
        except DatabaseUnavailable:
            offered = False
        _DEMO_OFFERED = (time.monotonic(), offered)
    return offered


def may_upload(cookie_value: str | None) -> bool:
    """Whether a request with this session cookie may hand the server a file."""
    mode = access_mode()
    if mode == "demo":
        return True
    if mode == "unconfigured":  # anyone may choose the demo on the first-start screen, while it is offered
        return _demo_offered_now()
    if mode != "accounts":
        return False
    token = sessions.store().token_of(cookie_value)
    if token is None:
        return False
    try:
        user, _ = sessions.check(token, sessions.Policy.from_zone())
    except sessions.SessionError:
        return False
    return can(user, "upload_own")


class UploadGate:
    """ASGI middleware: refuse uploads from browsers that are not signed in with upload rights."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "PUT" and UPLOAD_PATH in scope["path"]:
            from starlette.concurrency import run_in_threadpool

            cookie = Request(scope).cookies.get(sessions.COOKIE)
            if not await run_in_threadpool(may_upload, cookie):
                response = PlainTextResponse("请先以有报送权限的账号登录,再上传文件。", status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class HealthWhenWarm:
    """ASGI middleware: Streamlit's health check answers once the warm-up is over (or after
    `wait` seconds); every other request goes on at once."""

    POLL_S = 0.01

    def __init__(self, app, ready=None, wait: float | None = None, base: str | None = None):
        from ui import warmup

        self.app = app
        self.ready = warmup.READY if ready is None else ready
        self.wait = warmup.READY_WAIT_S if wait is None else wait
        self.path = (base_path() if base is None else base) + HEALTH_PATH

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] == self.path and not self.ready.is_set():
            deadline = time.monotonic() + self.wait
            while not self.ready.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(self.POLL_S)  # a poll: the event is set by a plain thread
        await self.app(scope, receive, send)


def on_script_error(exc: Exception) -> bool:
    """Show a Chinese message instead of Streamlit's traceback; log the traceback."""
    import streamlit as st
    from streamlit.errors import StreamlitAPIException

    from core.db import DatabaseUnavailable
    from core.present.escape import md_text

    if isinstance(exc, DatabaseUnavailable):
        st.error(md_text(exc))
        return True
    if isinstance(exc, StreamlitAPIException) and "null bytes" in str(exc).lower():
        LOG.warning("upload refused: a file name with a NUL character")
        st.error(BAD_FILE_NAME)
        return True
    LOG.error("script error", exc_info=exc)
    st.error(INTERNAL_ERROR)
    return True
