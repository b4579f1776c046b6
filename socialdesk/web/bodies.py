"""Request bodies: capped per route before anything parses them, refused unread when the caller is not
signed in, spooled to disk while they arrive, and timed out when they stall.

The app only sees a request once its whole body is here. So a client that sends its body slowly (or
never finishes) holds no place among the requests in flight (LoadShedding counts only what is inside), a
100 MB body to /login is refused from its Content-Length, a large body without credentials is refused
before a byte of it is read, and an upload is never held in memory: past 1 MB it is on disk.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from tempfile import SpooledTemporaryFile

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from socialdesk.core.config import get_settings

KB = 1024
MB = 1024 * KB
LOGIN_LIMIT = 16 * KB
# Bodies above this (or of unknown length) are read only for a caller whose credentials resolve.
CHECK_CREDENTIALS_ABOVE = 64 * KB
MULTIPART_OVERHEAD = 64 * KB  # part headers and form fields around the file(s)
IN_MEMORY = 1 * MB  # a spooled body moves to a temporary file past this
REPLAY_CHUNK = 64 * KB
UPLOAD_ROUTES = re.compile(r"^/(api/v1/workspaces/[^/]+/media|w/[^/]+/media|w/[^/]+/compose/upload)$")
# Routes that take a body from someone not signed in yet.
PUBLIC_ROUTES = {"/login"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def limit_for(path: str) -> int:
    """The largest body a route accepts, in bytes."""
    settings = get_settings()
    if path == "/login":
        return LOGIN_LIMIT
    if UPLOAD_ROUTES.match(path):
        return settings.max_upload_mb * MB + MULTIPART_OVERHEAD
    return settings.max_body_kb * KB


def _has_valid_credentials(headers: Headers) -> bool:
    """Does the request carry an API token or a session cookie that resolves? (Runs in a thread: DB.)"""
    from socialdesk.auth import service as auth
    from socialdesk.core.db import get_database
    from socialdesk.web.deps import SESSION_COOKIE

    authorization = headers.get("authorization", "")
    cookie = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
    if not authorization.lower().startswith("bearer ") and not cookie:
        return False
    with get_database().unit_of_work(read_only=True) as session:
        if authorization.lower().startswith("bearer "):
            return auth.resolve_api_token(session, authorization[7:].strip()) is not None
        return auth.resolve_session(session, cookie) is not None


class RequestBodies:
    def __init__(self, app: ASGIApp, credentials_check: Callable[[Headers], bool] = _has_valid_credentials) -> None:
        self.app = app
        self.credentials_check = credentials_check

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = Headers(scope=scope)
        limit = limit_for(path)
        declared = headers.get("content-length")
        try:
            length = int(declared) if declared is not None else None
        except ValueError:
            await _refuse(scope, receive, send, 400, "bad_request", "The Content-Length header is not a number.")
            return
        if length is not None and length > limit:
            await _refuse(scope, receive, send, 413, "payload_too_large", _too_large(path, limit))
            return
        if (path not in PUBLIC_ROUTES and (length is None or length > CHECK_CREDENTIALS_ABOVE)
                and not await run_in_threadpool(self.credentials_check, headers)):
            await _refuse(scope, receive, send, 401, "unauthorized",
                          "Sign in first, or send an API token as 'Authorization: Bearer <token>'.")
            return
        body = SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 (closed in finally)
        try:
            outcome = await self._receive_body(receive, body, limit)
            if outcome == "disconnected":
                return
            if outcome == "too_large":
                await _refuse(scope, receive, send, 413, "payload_too_large", _too_large(path, limit))
                return
            if outcome == "timed_out":
                await _refuse(scope, receive, send, 408, "request_timeout",
                              "The request body stopped arriving; send it again.")
                return
            body.seek(0)
            await self.app(scope, _replay(body, receive), send)
        finally:
            body.close()

    async def _receive_body(self, receive: Receive, body: SpooledTemporaryFile[bytes], limit: int) -> str:
        idle = get_settings().body_timeout_seconds
        received = 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), timeout=idle)
            except TimeoutError:
                return "timed_out"
            if message["type"] == "http.disconnect":
                return "disconnected"
            chunk: bytes = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                return "too_large"  # counted as it streams: a chunked body has no Content-Length to check
            if chunk:
                body.write(chunk)
            if not message.get("more_body", False):
                return "complete"


def _replay(body: SpooledTemporaryFile[bytes], receive: Receive) -> Callable[[], Awaitable[Message]]:
    done = False

    async def replay() -> Message:
        nonlocal done
        if done:
            return await receive()  # after the body: the server's disconnect notice
        chunk = body.read(REPLAY_CHUNK)
        more = len(chunk) == REPLAY_CHUNK
        done = not more
        return {"type": "http.request", "body": chunk, "more_body": more}

    return replay


def _too_large(path: str, limit: int) -> str:
    if UPLOAD_ROUTES.match(path):
        return (f"The upload is over the {get_settings().max_upload_mb} MB limit (SOCIALDESK_MAX_UPLOAD_MB); "
                "upload a smaller file, or fewer files at once.")
    return f"The request body is over the {limit // KB:,} KB this address accepts."


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str) -> None:
    # Connection: close, since the unread rest of the body cannot be skipped to reuse the connection.
    headers = Headers(scope=scope)
    response: Response
    if scope["path"].startswith("/api/") or "application/json" in headers.get("accept", ""):
        response = JSONResponse({"error": code, "message": message}, status_code=status,
                                headers={"Connection": "close"})
    else:  # a page's form: the browser shows this text, with the way back
        response = PlainTextResponse(f"{message}\n\nGo back and try again.", status_code=status,
                                     headers={"Connection": "close"})
    await response(scope, receive, send)
