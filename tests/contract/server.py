"""Contract servers: local stand-ins for networks no test machine can reach, built from their public docs.

A contract server implements the documented endpoints an adapter uses, each citing its documentation page
(`endpoint(..., doc=...)`), refuses what the documentation says is wrong, and answers with the network's
documented error shapes, so a wrong adapter fails here rather than on a client's account. Tests read back
what reached the server (`calls`) and make it misbehave the way networks do (`fail`, `lose_answer`).

    server = ContractServer("facebook")

    @server.endpoint("POST", "/{version}/{page_id}/feed", doc="https://developers.facebook.com/docs/…")
    async def feed(request: Request, version: str, page_id: str) -> dict: ...

    with server.running() as base_url:
        ...
    assert len(server.calls_to("POST", r"/v\\d+\\.\\d+/\\d+/feed")) == 1
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send


@dataclass
class Call:
    """One request as it reached the server."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        """A urlencoded body's fields (the last value of a repeated name)."""
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True).items()}


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    kind: str  # "fail": answer this instead; "lose": run the handler, then cut the answer off
    status: int = 500
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        return self.method == method and self.pattern.fullmatch(path) is not None


class AnswerLost(Exception):
    """Raised inside the server to cut a response off after its headers: the client sees a broken answer."""


class ContractServer:
    def __init__(self, name: str) -> None:
        self.name = name
        self.app = FastAPI(title=f"{name} contract server", openapi_url=None, docs_url=None, redoc_url=None)
        self.calls: list[Call] = []
        self.unexpected: list[Call] = []
        self.endpoints: list[tuple[str, str, str]] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self.base_url = ""

        @self.app.exception_handler(404)
        async def not_served(request: Any, exc: Exception) -> JSONResponse:
            return JSONResponse({"error": f"{self.name} contract server serves no {request.method} "
                                          f"{request.url.path}"}, status_code=404)

    # Declaring the API ------------------------------------------------------------------------------

    def endpoint(self, method: str, path: str, *, doc: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Serve `method path` with the decorated FastAPI endpoint; `doc` is the page it follows."""
        if not doc.startswith("https://"):
            raise ValueError(f"{method} {path}: cite the documentation page this endpoint follows")

        def register(handler: Callable[..., Any]) -> Callable[..., Any]:
            self.endpoints.append((method.upper(), path, doc))
            self.app.add_api_route(path, handler, methods=[method.upper()])
            return handler

        return register

    # Making it misbehave ----------------------------------------------------------------------------

    def fail(self, method: str, path_pattern: str, *, status: int, json: Any = None,
             headers: dict[str, str] | None = None) -> None:
        """The next matching request is answered with this, and the endpoint does nothing."""
        with self._lock:
            self._faults.append(_Fault(method.upper(), re.compile(path_pattern), "fail", status, json,
                                       dict(headers or {})))

    def lose_answer(self, method: str, path_pattern: str) -> None:
        """The next matching request is carried out, but its answer is cut off on the way back."""
        with self._lock:
            self._faults.append(_Fault(method.upper(), re.compile(path_pattern), "lose"))

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    self._faults.remove(fault)
                    return fault
        return None

    # Reading back -----------------------------------------------------------------------------------

    def calls_to(self, method: str, path_pattern: str) -> list[Call]:
        pattern = re.compile(path_pattern)
        return [c for c in self.calls if c.method == method.upper() and pattern.fullmatch(c.path)]

    # Running ----------------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI app uvicorn runs: records the call, applies faults, then lets FastAPI answer."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        query = parse_qs(scope["query_string"].decode(), keep_blank_values=True)
        call = Call(method=scope["method"], path=scope["path"], query={k: v[-1] for k, v in query.items()},
                    headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
                    body=body)
        with self._lock:
            self.calls.append(call)
        fault = self._take_fault(call.method, call.path)
        if fault is not None and fault.kind == "fail":
            await JSONResponse(fault.json, status_code=fault.status, headers=fault.headers)(scope, receive, send)
            return

        sent_body = False

        async def replay() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)  # the client is still connected: nothing more will come
            return {"type": "http.disconnect"}

        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                if fault is not None:
                    # Headers go out promising a body that never comes: the client cannot read the result.
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"]
                    await send({**message, "headers": [*headers, (b"content-length", b"100000")]})
                    raise AnswerLost(f"{call.method} {call.path}: answer lost on purpose")
            await send(message)

        try:
            await self.app(scope, replay, watch)
        except AnswerLost:
            raise
        if status and status[0] == 404 and not any(_route_matches(r, scope) for r in self.app.router.routes):
            with self._lock:
                self.unexpected.append(call)

    @contextmanager
    def running(self) -> Iterator[str]:
        """Serve on a free loopback port for the duration; yields the base URL (no trailing slash)."""
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(self, log_level="critical", lifespan="off", access_log=False)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError(f"{self.name} contract server did not start")
            time.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{port}"
        try:
            yield self.base_url
        finally:
            server.should_exit = True
            thread.join(timeout=5)
            sock.close()


def _route_matches(route: Any, scope: Scope) -> bool:
    from starlette.routing import Match

    match, _ = route.matches(scope)
    return match != Match.NONE
