"""A small repository-stream server for the stream's unit tests: real DAG-CBOR frames
(https://atproto.com/specs/event-stream) with CAR blocks, on a loopback websocket, honouring `?cursor=`.

The frames are written by a minimal DAG-CBOR encoder here (libipld decodes but cannot write CID links);
the real PDS test (tests/integration/bluesky/test_listening_stream.py) checks the same code on real frames."""

from __future__ import annotations

import hashlib
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.sync.server import ServerConnection, serve


@dataclass(frozen=True)
class Link:
    cid: bytes


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for extra, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        try:
            return bytes([major << 5 | extra]) + struct.pack(fmt, n)
        except struct.error:
            continue
    raise ValueError(n)


def cbor(value: Any) -> bytes:
    if value is None:
        return b"\xf6"
    if value is True:
        return b"\xf5"
    if value is False:
        return b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode()
        return _head(3, len(data)) + data
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(cbor(v) for v in value)
    if isinstance(value, Link):
        return _head(6, 42) + cbor(b"\x00" + value.cid)
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))  # DAG-CBOR's canonical order
        return _head(5, len(keys)) + b"".join(cbor(k) + cbor(value[k]) for k in keys)
    raise TypeError(type(value))


def cid_of(data: bytes) -> bytes:
    return bytes([0x01, 0x71, 0x12, 0x20]) + hashlib.sha256(data).digest()  # CIDv1, dag-cbor, sha2-256


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def car(blocks: list[bytes]) -> tuple[bytes, list[bytes]]:
    cids = [cid_of(b) for b in blocks]
    header = cbor({"version": 1, "roots": [Link(cids[0])]})
    body = b"".join(_varint(len(c) + len(b)) + c + b for c, b in zip(cids, blocks, strict=True))
    return _varint(len(header)) + header + body, cids


def commit(seq: int, did: str, posts: dict[str, dict[str, Any]], *, action: str = "create") -> bytes:
    """A #commit frame creating `posts` (path -> record) in the repository of `did`."""
    commit_block = cbor({"did": did, "version": 3, "rev": f"3kabc{seq:08d}", "data": None})
    records = [cbor(r) for r in posts.values()]
    blocks, cids = car([commit_block, *records])
    ops = [{"action": action, "path": path, "cid": Link(cid) if action != "delete" else None}
           for path, cid in zip(posts, cids[1:], strict=True)]
    body = {"seq": seq, "rebase": False, "tooBig": False, "repo": did, "commit": Link(cids[0]),
            "rev": f"3kabc{seq:08d}", "since": None, "blocks": blocks, "ops": ops, "blobs": [],
            "time": "2026-12-07T20:00:00.000Z"}
    return cbor({"op": 1, "t": "#commit"}) + cbor(body)


def post(text: str, langs: tuple[str, ...] = ("hr",)) -> dict[str, Any]:
    return {"$type": "app.bsky.feed.post", "text": text, "langs": list(langs),
            "createdAt": "2026-12-07T20:00:00.000Z"}


def identity(seq: int, did: str, handle: str) -> bytes:
    return cbor({"op": 1, "t": "#identity"}) + cbor({"seq": seq, "did": did, "handle": handle,
                                                     "time": "2026-12-07T20:00:00.000Z"})


def info(name: str, message: str) -> bytes:
    return cbor({"op": 1, "t": "#info"}) + cbor({"name": name, "message": message})


def error(name: str, message: str) -> bytes:
    return cbor({"op": -1}) + cbor({"error": name, "message": message})


@dataclass
class Relay:
    """Events by seq; each connection gets those after its cursor, then stays open (or is dropped after
    `drop_after` frames, once, to test reconnecting)."""

    url: str = ""
    events: list[tuple[int, bytes]] = field(default_factory=list)
    cursors: list[int | None] = field(default_factory=list)  # the cursor of each connection, in order
    drop_after: int | None = None
    refuse_with: bytes | None = None  # an error frame sent (once) instead of events
    new_event: threading.Event = field(default_factory=threading.Event)

    def add(self, seq: int, frame: bytes) -> None:
        self.events.append((seq, frame))
        self.new_event.set()

    def handler(self, ws: ServerConnection) -> None:
        query = parse_qs(urlparse(ws.request.path).query)
        cursor = int(query["cursor"][0]) if "cursor" in query else None
        self.cursors.append(cursor)
        if self.refuse_with is not None:
            frame, self.refuse_with = self.refuse_with, None
            ws.send(frame)
            ws.close()
            return
        sent = 0
        last = cursor if cursor is not None else -1  # a real relay sends only new events: here, all (simpler)
        while True:
            for seq, frame in list(self.events):
                if seq > last:
                    if self.drop_after is not None and sent >= self.drop_after:
                        self.drop_after = None
                        ws.close()
                        return
                    ws.send(frame)
                    sent += 1
                    last = seq
            self.new_event.clear()
            if not self.new_event.wait(0.2):
                try:
                    ws.ping().wait(2)
                except Exception:  # the client went away
                    return


@contextmanager
def relay() -> Iterator[Relay]:
    state = Relay()
    with serve(state.handler, "127.0.0.1", 0) as server:
        port = server.socket.getsockname()[1]
        state.url = f"http://127.0.0.1:{port}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield state
        finally:
            server.shutdown()
