"""An Instagram professional account linked to a Page, in a Meta Graph contract server, with socialdesk's
settings pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.networks.base import ChannelAccount
from socialdesk.networks.instagram import adapter as adapter_module
from socialdesk.networks.instagram.adapter import InstagramAdapter
from tests.contract.meta import MetaGraph, MetaWorld, meta_server, point_settings_at
from tests.contract.meta_instagram import install_instagram


@dataclass
class Instagram:
    world: MetaWorld
    graph: MetaGraph
    base_url: str
    page: dict[str, Any]
    account: dict[str, Any]
    token: str
    user: dict[str, Any]

    @property
    def server(self) -> Any:
        return self.graph.server

    def adapter(self, **settings: Any) -> InstagramAdapter:
        return InstagramAdapter(ChannelAccount(
            "ch1", self.account["id"], self.account["username"], {"access_token": self.token},
            {"ig_user_id": self.account["id"], "username": self.account["username"], **settings}))


@pytest.fixture
def real_now() -> Iterator[ManualClock]:
    """socialdesk's clock starts at the real time and moves only when a test moves it; the contract world
    reads the same clock, so "an hour later" is an hour later on both sides."""
    previous = clock_module.get_clock()
    manual = ManualClock(datetime.now(UTC))
    clock_module.set_clock(manual)
    yield manual
    clock_module.set_clock(previous)


@pytest.fixture
def instagram(monkeypatch: pytest.MonkeyPatch) -> Iterator[Instagram]:
    world = MetaWorld(now=lambda: clock_module.now().timestamp())
    user = world.add_user("Ana")
    page = world.add_page("Brand", admins=[user["id"]])
    account = world.add_instagram_account(page["id"], "brand", name="Brand", followers_count=1200,
                                          follows_count=80, media_count=0)
    graph = meta_server(world)
    install_instagram(graph)
    monkeypatch.setattr(adapter_module, "POLL_FIRST", 0.01)
    monkeypatch.setattr(adapter_module, "POLL_MAX_INTERVAL", 0.02)
    with graph.server.running() as base_url:
        point_settings_at(monkeypatch, base_url, world)
        yield Instagram(world, graph, base_url, page, account, world.page_token(page["id"]), user)
    assert not graph.server.unexpected, graph.server.unexpected


@pytest.fixture
def public_media(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """socialdesk itself, served on a loopback port as SOCIALDESK_PUBLIC_URL: Instagram's stand-in fetches each
    image from socialdesk's real `/public-media/<token>/<name>` route (media/public_links.py)."""
    import socket
    import threading
    import time

    import uvicorn

    from socialdesk.core.config import reset_settings_cache
    from socialdesk.web.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("SOCIALDESK_PUBLIC_URL", base)
    reset_settings_cache()
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="critical", lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "socialdesk did not start"
        time.sleep(0.01)
    try:
        yield {"base_url": base}
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
