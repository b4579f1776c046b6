"""The Meta Graph + Marketing API contract server for the campaign tests (tests/contract/meta_ads.py)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from tests.contract.meta import MetaWorld, meta_server, point_settings_at
from tests.contract.meta_ads import install_marketing


@pytest.fixture
def meta(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    world = MetaWorld()
    user = world.add_user("Ana")
    page = world.add_page("Roastery", admins=[user["id"]])
    graph = meta_server(world)
    marketing = install_marketing(graph)
    marketing.add_account("111", currency="EUR")
    token = world.user_token(user["id"], scopes=("ads_management", "ads_read"))
    with graph.server.running() as base_url:
        point_settings_at(monkeypatch, base_url, world)
        yield SimpleNamespace(world=world, graph=graph, marketing=marketing, token=token, page=page, user=user)
