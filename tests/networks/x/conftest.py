"""The X contract server, running, with socialdesk pointed at it (SOCIALDESK_X_API_URL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from socialdesk.channels import service as channels
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database
from socialdesk.networks.x import media as x_media
from tests.contract.x import User, XContract, point_socialdesk_at
from tests.helpers import World, make_world


@dataclass
class XWorld:
    server: XContract
    url: str
    brand: User  # our account
    fan: User  # someone who mentions and replies


@pytest.fixture
def x(monkeypatch: pytest.MonkeyPatch) -> Iterator[XWorld]:
    server = XContract()
    brand = server.add_user("brand", "Brand", followers=1200, following=80)
    fan = server.add_user("fan", "A Fan")
    monkeypatch.setattr(x_media, "sleep", lambda seconds: None)  # X's check_after_secs, skipped
    with server.running() as url:
        point_socialdesk_at(url, monkeypatch)
        yield XWorld(server, url, brand, fan)
    reset_settings_cache()


def connect_channel(db: Database, x: XWorld, *, world: World | None = None, refresh: bool = True,
                    enterprise: bool = False) -> tuple[World, str]:
    """A workspace with the brand's X account connected by pasted tokens; returns (world, channel id)."""
    world = world or make_world(db, profiles=())
    issued = x.server.issue(x.brand, refresh=refresh)
    fields = {"access_token": issued["access_token"]}
    if refresh:
        fields["refresh_token"] = issued["refresh_token"]
    if enterprise:
        fields["enterprise"] = "true"
    with db.unit_of_work() as session:
        channel = channels.connect(world.ctx(session), "x", "Brand on X", **fields)
        world.channels["x"] = channel.id
    return world, channel.id
