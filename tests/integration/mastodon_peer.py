"""mastodon_mock (PyPI), a third-party emulation of Mastodon's client API, run as a separate process on
loopback: no real Mastodon server can be installed from a package registry (shared/research/peers.md §2).

It keeps state in SQLite, speaks real HTTP and OAuth, honours Idempotency-Key, and has a control plane
for fault injection (`/api/v1/_mock/faults`) and fresh accounts (`/api/v1/_mock/dev_user`), which the
tests use to get an account of their own instead of resetting the shared server.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

START_TIMEOUT = 30.0


@dataclass(frozen=True)
class Peer:
    url: str
    log: Path

    def new_account(self, prefix: str = "brand") -> tuple[str, str]:
        """A fresh local account: (username, access token)."""
        username = f"{prefix}_{secrets.token_hex(4)}"
        body = httpx.post(f"{self.url}/api/v1/_mock/dev_user", json={"username": username}, timeout=10).json()
        return username, str(body["access_token"])

    def api(self, token: str) -> MockClient:
        return MockClient(self.url, token)

    def add_fault(self, path: str, effect: dict[str, Any], *, methods: list[str] | None = None,
                  count: int = 1) -> str:
        spec = {"match": {"path": path, "methods": methods}, "effect": effect, "count": count}
        response = httpx.post(f"{self.url}/api/v1/_mock/faults", json=spec, timeout=10)
        response.raise_for_status()
        return str(response.json()["id"])

    def clear_faults(self) -> None:
        httpx.delete(f"{self.url}/api/v1/_mock/faults", timeout=10)


class MockClient:
    """Another person on the server (replying, favouriting) through plain HTTP: not the code under test."""

    def __init__(self, url: str, token: str) -> None:
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, **data: Any) -> Any:
        response = self.http.post(path, data=data)
        response.raise_for_status()
        return response.json()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_peer(folder: Path) -> Iterator[Peer]:
    """Start mastodon_mock on a free loopback port, wait until it answers, and stop it by its process id."""
    port = _free_port()
    config = folder / "mastodon_mock.toml"
    # No seeded accounts: each test makes its own. Faults on; the opt-in global rate limit stays off (the
    # tests inject 429s where they want them).
    config.write_text('title = "socialdesk test server"\n[faults]\nenabled = true\n[seed]\naccounts = []\n')
    log = folder / "mastodon_mock.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "mastodon_mock", "serve", "--config", str(config), "--host", "127.0.0.1",
             "--port", str(port), "--in-memory", "--log-level", "warning"],
            stdout=out, stderr=subprocess.STDOUT, cwd=folder, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"mastodon_mock exited with {process.returncode}: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/api/v2/instance", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"mastodon_mock did not answer in {START_TIMEOUT:.0f} s: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield Peer(url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class LosingProxy:
    """Between the adapter and the server: passes every request on, records what was sent, and for the next
    `lose` requests to a path lets the server act but never answers (the connection just closes) — a reply
    lost on the way back, which the server's own fault injection cannot make (it drops the work too)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.lose: dict[str, int] = {}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                proxy.seen.append((self.command, path, dict(self.headers)))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                answer = httpx.request(self.command, f"{proxy.upstream}{self.path}", headers=headers,
                                       content=body, timeout=30)
                if proxy.lose.get(path, 0) > 0:
                    proxy.lose[path] -= 1
                    self.close_connection = True  # the server did the work; its answer goes nowhere
                    return
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PUT = do_DELETE = _relay

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> LosingProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
