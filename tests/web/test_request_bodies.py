"""Request bodies: refused unread when too large or when the caller is not signed in, counted while they
stream, spooled to disk instead of memory, timed out when they stall, and never counted as in flight while
they are still arriving. The app is driven as the ASGI server drives it, so what was read is visible."""

from __future__ import annotations

import asyncio
import struct
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from socialdesk.auth import service as auth
from socialdesk.auth.service import user_by_email
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database
from socialdesk.media.models import MediaAsset
from socialdesk.web.app import create_app
from socialdesk.workspaces.permissions import ALL_SCOPES
from tests.helpers import World, make_world

MB = 1024 * 1024
BOUNDARY = "socialdeskboundary"


@dataclass
class Exchange:
    status: int | None = None
    body: bytes = b""
    pulled: int = 0  # body bytes the app asked for
    messages: list[dict[str, object]] = field(default_factory=list)


async def _call(app: object, method: str, path: str, headers: dict[str, str], chunks: Iterator[bytes], *,
                stall: asyncio.Event | None = None) -> Exchange:
    """One request; `chunks` is pulled only as the app reads. With `stall`, after the first chunk the client
    goes quiet until the event is set."""
    exchange = Exchange()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in {"host": "testserver", **headers}.items()],
             "client": ("127.0.0.1", 40000), "server": ("testserver", 80)}
    source = iter(chunks)
    sent_first = False
    finished = False

    async def receive() -> dict[str, object]:
        nonlocal sent_first, finished
        if finished:
            await asyncio.sleep(3600)  # a real server only answers this when the client goes away
        if stall is not None and sent_first:
            await stall.wait()
        sent_first = True
        chunk = next(source, None)
        if chunk is None:
            finished = True
            return {"type": "http.request", "body": b"", "more_body": False}
        exchange.pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, object]) -> None:
        exchange.messages.append(message)
        if message["type"] == "http.response.start":
            exchange.status = int(message["status"])  # type: ignore[call-overload]
        elif message["type"] == "http.response.body":
            exchange.body += message.get("body", b"")  # type: ignore[operator]

    await app(scope, receive, send)  # type: ignore[operator]
    return exchange


def _zeros(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    while total > 0:
        yield b"\0" * min(size, total)
        total -= size


def _multipart(filename: str, content: Iterator[bytes]) -> Iterator[bytes]:
    yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
           "Content-Type: application/octet-stream\r\n\r\n").encode()
    yield from content
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def _video(padding: int) -> Iterator[bytes]:
    """An MP4 (ftyp + moov/mvhd stating 42 s) followed by a `free` box of `padding` bytes."""
    ftyp = struct.pack(">I4s4sI4s", 20, b"ftyp", b"isom", 0, b"isom")
    mvhd_body = struct.pack(">B3xIIII", 0, 0, 0, 1000, 42_000) + b"\x00" * 80
    mvhd = struct.pack(">I4s", 8 + len(mvhd_body), b"mvhd") + mvhd_body
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    yield ftyp + moov + struct.pack(">I4s", 8 + padding, b"free")
    yield from _zeros(padding)


MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database, profiles=())


@pytest.fixture
def token(database: Database, world: World) -> str:
    with database.unit_of_work() as session:
        user = user_by_email(session, world.users["owner"])
        assert user is not None
        secret, _ = auth.create_api_token(session, user, "uploads", sorted(ALL_SCOPES))
    return secret


def _media_count(database: Database) -> int:
    with database.unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(MediaAsset)) or 0


@pytest.mark.parametrize("path", ["/login", "/api/v1/workspaces/{w}/media", "/w/{w}/media"])
def test_an_unauthenticated_100_mb_body_is_refused_unread(database: Database, world: World, path: str) -> None:
    app = create_app()
    path = path.format(w=world.workspace_id)
    declared = asyncio.run(_call(app, "POST", path, {**MULTIPART, "content-length": str(100 * MB)},
                                 _multipart("big.jpg", _zeros(100 * MB))))
    assert declared.status in (401, 413) and declared.pulled == 0
    chunked = asyncio.run(_call(app, "POST", path, {**MULTIPART, "transfer-encoding": "chunked"},
                                _multipart("big.jpg", _zeros(100 * MB))))
    assert chunked.status in (401, 413)
    assert chunked.pulled <= 16 * 1024 + 64 * 1024 + 200, "counted while streaming, refused at the cap"


def test_an_authenticated_upload_over_the_limit_is_refused_while_streaming(
        database: Database, world: World, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALDESK_MAX_UPLOAD_MB", "1")
    reset_settings_cache()
    app = create_app()
    path = f"/api/v1/workspaces/{world.workspace_id}/media"
    headers = {**MULTIPART, "authorization": f"Bearer {token}"}
    declared = asyncio.run(_call(app, "POST", path, {**headers, "content-length": str(3 * MB)},
                                 _multipart("big.mp4", _video(3 * MB))))
    assert declared.status == 413 and declared.pulled == 0
    assert b"over the 1 MB limit" in declared.body
    chunked = asyncio.run(_call(app, "POST", path, headers, _multipart("big.mp4", _video(3 * MB))))
    assert chunked.status == 413 and chunked.pulled <= MB + 64 * 1024 + 64 * 1024 + 200
    assert _media_count(database) == 0


def test_a_large_upload_streams_to_disk_not_memory(database: Database, world: World, token: str) -> None:
    app = create_app()
    path = f"/api/v1/workspaces/{world.workspace_id}/media"
    headers = {**MULTIPART, "authorization": f"Bearer {token}", "accept": "application/json"}
    tracemalloc.start()
    try:
        answer = asyncio.run(_call(app, "POST", path, headers, _multipart("clip.mp4", _video(40 * MB))))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert answer.status == 201, answer.body
    assert peak < 12 * MB, f"peak {peak / MB:.1f} MB of Python memory for a 40 MB upload"
    with database.unit_of_work() as session:
        asset = session.scalars(select(MediaAsset)).one()
        assert asset.size_bytes > 40 * MB and asset.duration_seconds == pytest.approx(42)


def test_a_slow_body_holds_no_place_among_the_requests_in_flight(database: Database,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALDESK_WEB_MAX_REQUESTS", "1")
    reset_settings_cache()
    app = create_app()

    async def scenario() -> tuple[Exchange, Exchange]:
        release = asyncio.Event()
        body = b"email=a%40example.com&password=wrong+password%21&next=%2F"
        slow = asyncio.create_task(_call(app, "POST", "/login", {
            "content-type": "application/x-www-form-urlencoded", "content-length": str(len(body))},
            iter([body[:10], body[10:]]), stall=release))
        await asyncio.sleep(0.2)  # the slow client has sent its first bytes and gone quiet
        other = await _call(app, "GET", "/login", {}, iter([]))
        release.set()
        return await slow, other

    slow, other = asyncio.run(scenario())
    assert other.status == 200, "a half-sent body must not take the only place in flight"
    assert slow.status == 401  # then the slow one is answered normally (a wrong password)


def test_a_stalled_body_times_out(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALDESK_BODY_TIMEOUT_SECONDS", "0.2")
    reset_settings_cache()
    app = create_app()
    never = asyncio.Event()
    answer = asyncio.run(_call(app, "POST", "/login", {
        "content-type": "application/x-www-form-urlencoded", "content-length": "100"},
        iter([b"email=a"]), stall=never))
    assert answer.status == 408


def test_ordinary_bodies_are_capped_too(database: Database, token: str, world: World) -> None:
    app = create_app()
    answer = asyncio.run(_call(app, "POST", f"/api/v1/workspaces/{world.workspace_id}/posts", {
        "content-type": "application/json", "authorization": f"Bearer {token}",
        "content-length": str(5 * MB)}, _zeros(5 * MB)))
    assert answer.status == 413 and answer.pulled == 0
    assert b"over the 2,048 KB" in answer.body
