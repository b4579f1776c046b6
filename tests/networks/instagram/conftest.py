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
def public_media(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[dict[str, Any]]:
    """Public addresses for media files: socialdesk's own `public_url` when the app serves it, otherwise (until
    media/public_links.py lands) a stand-in file host with the same two functions."""
    import importlib
    import sys
    import types
    from pathlib import Path

    from fastapi.responses import Response

    from socialdesk.core.config import get_settings
    from tests.contract.server import ContractServer

    served: dict[str, Path] = {}
    host = ContractServer("media-host")

    @host.endpoint("GET", "/f/{token}", doc="https://developers.facebook.com/docs/instagram-platform/content-publishing")
    async def serve(token: str) -> Response:
        path = served.get(token)
        if path is None or not path.exists():
            return Response(status_code=404)
        return Response(path.read_bytes(), media_type="application/octet-stream")

    try:
        importlib.import_module("socialdesk.media.public_links")
        real = True
    except ImportError:
        real = False
    with host.running() as base:
        if not real:
            module = types.ModuleType("socialdesk.media.public_links")

            def public_url(path: Path, *, lifetime: Any = None) -> str:
                token = f"t{len(served)}"
                served[token] = Path(path)
                return f"{base}/f/{token}"

            def derived_path(source: Path, suffix: str) -> Path:
                return get_settings().media_dir / "derived" / f"{Path(source).stem}-{suffix}"

            module.public_url = public_url  # type: ignore[attr-defined]
            module.derived_path = derived_path  # type: ignore[attr-defined]
            monkeypatch.setitem(sys.modules, "socialdesk.media.public_links", module)
        yield {"served": served, "host": host, "real": real}
