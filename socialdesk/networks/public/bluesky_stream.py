"""Bluesky's repository stream, `com.atproto.sync.subscribeRepos`, as a PDS or a relay serves it.

The stream (https://docs.bsky.app/docs/advanced-guides/firehose, framing and cursors:
https://atproto.com/specs/event-stream, https://atproto.com/specs/sync) sends every repository change of
every account the server carries, each with a `seq`. A client that reconnects with `?cursor=SEQ` gets the
events after SEQ (as far back as the server keeps them; older: an `#info` OutdatedCursor message; a cursor
the server has not reached yet: the `FutureCursor` error).

Frames are decoded by the atproto SDK (frames, message models, the CAR of each commit); the connection is
ours, not the SDK's `FirehoseSubscribeReposClient`: that one dials by itself (past the outbound policy),
reconnects with its own backoff, and prints callback errors instead of raising them. Here the socket is
connected to an address the outbound policy allowed (networks/outbound.py), and the caller
(listening/stream.py) owns the reconnecting, the backoff and the cursor.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from atproto_client.exceptions import AtProtocolError
from atproto_core.car import CAR
from atproto_firehose import parse_subscribe_repos_message
from atproto_subscription.frames import ErrorFrame, Frame, MessageFrame
from websockets.sync.client import ClientConnection, connect

from socialdesk.networks import outbound
from socialdesk.networks.base import PermanentNetworkError, TransientNetworkError
from socialdesk.networks.bluesky import session
from socialdesk.networks.bluesky.reading import parse_time

METHOD = "com.atproto.sync.subscribeRepos"
POST = "app.bsky.feed.post"
CONNECT_TIMEOUT = 15.0
MAX_FRAME_BYTES = 5 * 1024 * 1024  # the SDK's limit; a commit's CAR is far smaller


class FutureCursor(TransientNetworkError):
    """The server has not reached our cursor (it was reset or replaced): start again from its present."""


@dataclass(frozen=True)
class StreamPost:
    uri: str  # at://did/app.bsky.feed.post/rkey
    did: str
    rkey: str
    text: str
    langs: tuple[str, ...]
    created_at: datetime | None


@dataclass
class Event:
    """One decoded message: its seq (None for messages without one) and what listening needs of it."""

    seq: int | None
    posts: list[StreamPost] = field(default_factory=list)
    handles: dict[str, str] = field(default_factory=dict)  # did -> handle, from #identity messages
    note: str = ""  # an #info message (OutdatedCursor: events were missed)


def stream_url(service: str, cursor: int | None) -> str:
    """The websocket address of the service's stream (http → ws, https → wss)."""
    url = httpx.URL(session.normalise_service(service))
    scheme = "wss" if url.scheme == "https" else "ws"
    query = f"?cursor={cursor}" if cursor is not None else ""
    port = f":{url.port}" if url.port else ""
    return f"{scheme}://{url.host}{port}{url.path.rstrip('/')}/xrpc/{METHOD}{query}"


def open_stream(service: str, cursor: int | None) -> ClientConnection:
    """Connect to the stream at an address the outbound policy allowed; the TLS name stays the host's."""
    service = session.normalise_service(service)
    outbound.check_url(service)  # scheme, and the name's addresses (raises OutboundRefused)
    url = httpx.URL(service)
    port = url.port or (443 if url.scheme == "https" else 80)
    failure: OSError | None = None
    sock: socket.socket | None = None
    for address in outbound.checked_addresses(url.host, port):
        try:
            sock = socket.create_connection((str(address), port), timeout=CONNECT_TIMEOUT)
            break
        except OSError as exc:
            failure = exc
    if sock is None:
        raise TransientNetworkError(f"{service} could not be reached: {failure}")
    options: dict[str, Any] = {"sock": sock, "max_size": MAX_FRAME_BYTES, "open_timeout": CONNECT_TIMEOUT,
                               "close_timeout": 1}
    if url.scheme == "https":
        options["server_hostname"] = url.host
    try:
        return connect(stream_url(service, cursor), **options)
    except Exception as exc:  # websockets' handshake errors: InvalidStatus (with the HTTP answer), InvalidURI …
        sock.close()
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        body = bytes(getattr(response, "body", b"") or b"")[:300].decode("utf-8", "replace")
        if status is not None and 400 <= status < 500 and status not in (408, 429):
            raise PermanentNetworkError(f"{service} refused the repository stream ({status}): {body or exc}",
                                        status_code=status) from exc
        raise TransientNetworkError(f"{service}: the repository stream did not open: {body or exc}") from exc


def decode(data: bytes | str) -> Event:
    """One websocket message as an Event; an error frame raises (FutureCursor, or the server's words)."""
    if isinstance(data, str):
        return Event(None)
    try:
        frame = Frame.from_bytes(data)
    except (AtProtocolError, ValueError, KeyError, TypeError) as exc:
        raise TransientNetworkError(f"an undecodable frame from the repository stream: {exc}") from exc
    if isinstance(frame, ErrorFrame):
        name, message = frame.body.error, frame.body.message or ""
        if name == "FutureCursor":
            raise FutureCursor(f"FutureCursor: {message}")
        raise TransientNetworkError(f"the repository stream closed: {name}: {message}".rstrip(": "))
    if not isinstance(frame, MessageFrame):
        return Event(None)
    try:
        message = parse_subscribe_repos_message(frame)
    except (AtProtocolError, KeyError, ValueError, TypeError):
        return Event(None)  # a message type this SDK does not know (#handle, #tombstone of old servers…)
    kind = frame.type
    seq = getattr(message, "seq", None)
    event = Event(int(seq) if seq is not None else None)
    if kind == "#identity" and getattr(message, "handle", None):
        event.handles[str(message.did)] = str(message.handle)
    elif kind == "#info":
        event.note = f"{message.name}: {message.message or ''}".rstrip(": ")
    elif kind == "#commit":
        event.posts = _posts(message)
    return event


def _posts(commit: Any) -> list[StreamPost]:
    created = [op for op in commit.ops if op.action == "create" and str(op.path).startswith(POST + "/")]
    if not created or not commit.blocks:
        return []
    try:
        blocks = CAR.from_bytes(commit.blocks).blocks
    except Exception:  # a broken CAR from one account must not stop the stream
        return []
    found = []
    for op in created:
        record = blocks.get(op.cid) if op.cid is not None else None
        if not isinstance(record, dict) or record.get("$type", POST) != POST:
            continue
        rkey = str(op.path).split("/", 1)[1]
        langs = tuple(str(x) for x in record.get("langs") or [] if isinstance(x, str))
        found.append(StreamPost(uri=f"at://{commit.repo}/{op.path}", did=str(commit.repo), rkey=rkey,
                                text=str(record.get("text") or ""), langs=langs,
                                created_at=parse_time(record.get("createdAt"))))
    return found


def events(connection: ClientConnection, *, wait: float) -> Iterator[Event | None]:
    """Decoded events from an open stream; None after `wait` seconds without one (the caller's chance to
    save its cursor or stop). A closed connection ends it with TransientNetworkError."""
    from websockets.exceptions import ConnectionClosed

    while True:
        try:
            data = connection.recv(timeout=wait)
        except TimeoutError:
            yield None
            continue
        except ConnectionClosed as exc:
            raise TransientNetworkError(f"the repository stream closed: {exc}") from exc
        yield decode(data)


def handle_of(did: str, services: list[str]) -> str | None:
    """The account's handle, asked of each service in turn: `com.atproto.repo.describeRepo` (a PDS knows
    its own accounts), then `app.bsky.actor.getProfile` (an AppView); None when none answers (the mention
    then shows the DID)."""
    for service in services:
        client = session.client_for(session.normalise_service(service))
        try:
            return str(client.com.atproto.repo.describe_repo({"repo": did}).handle)
        except (AtProtocolError, PermanentNetworkError, OSError):
            pass
        try:
            return str(client.app.bsky.actor.get_profile({"actor": did}).handle)
        except (AtProtocolError, PermanentNetworkError, OSError):
            continue
    return None
