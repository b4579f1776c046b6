"""A Facebook Page on the Meta contract server, and an adapter pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.networks.base import ChannelAccount
from socialdesk.networks.facebook.adapter import FacebookAdapter
from tests.contract.meta import MetaGraph, MetaWorld, meta_server, point_settings_at
from tests.contract.meta_facebook import install_facebook


@dataclass
class Facebook:
    world: MetaWorld
    graph: MetaGraph
    base_url: str
    user: dict[str, Any]
    page: dict[str, Any]
    token: str

    @property
    def server(self) -> Any:
        return self.graph.server

    def adapter(self, **credentials: Any) -> FacebookAdapter:
        account = ChannelAccount("ch1", self.page["id"], "brand", {"access_token": self.token, **credentials},
                                 {"page_id": self.page["id"]})
        return FacebookAdapter(account)


@pytest.fixture
def fb(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> Iterator[Facebook]:
    world = MetaWorld(now=lambda: clock_module.now().timestamp())
    user = world.add_user("Ana Admin")
    page = world.add_page("Brand", admins=[user["id"]], followers_count=1234, username="brand")
    graph = meta_server(world)
    install_facebook(graph)
    with graph.server.running() as base_url:
        point_settings_at(monkeypatch, base_url, world)
        yield Facebook(world, graph, base_url, user, page, world.page_token(page["id"], user_id=user["id"]))
