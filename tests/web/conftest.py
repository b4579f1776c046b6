"""Fixtures for the page tests: a workspace with sandbox channels, a post, and a signed-in browser-like client."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.media import service as media
from tests.helpers import World, make_world
from tests.web_client import signed_in_client


def jpeg_bytes(colour: tuple[int, int, int] = (200, 120, 60)) -> bytes:
    """A real JPEG (the Instagram-like sandbox takes JPEG only)."""
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "JPEG")
    return out.getvalue()


@dataclass
class Site:
    """A world, a browser signed in as its owner, and the ids the pages need."""

    db: Database
    world: World
    client: TestClient
    csrf: str
    post_id: str
    publication_id: str
    media_id: str

    @property
    def w(self) -> str:
        return f"/w/{self.world.workspace_id}"

    def post(self, path: str, data: dict[str, object] | None = None, **kwargs: object) -> object:
        """A form POST as the page sends it: the token in a hidden field, not in a header."""
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def site(database: Database, clock: ManualClock) -> Site:
    return build_site(database)


def build_site(database: Database) -> Site:
    """Two sandbox channels (X-like, Instagram-like), an image, a scheduled post; the owner signed in."""
    world = make_world(database, profiles=("x", "instagram"))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        asset = media.upload(ctx, "latte.jpg", jpeg_bytes(), "A latte")
        result = content.compose(ctx, PostIn(
            text="Fresh beans today #coffee https://example.com/beans", channel_ids=[world.channels["x"]],
            scheduled_at=datetime(2026, 3, 4, 10, 0), intent=Intent.SCHEDULE))
        post_id = result.post.id
        publication_id = content.publications(ctx, result.post)[0].id
        media_id = asset.id
    client, csrf = signed_in_client(database, world.users["owner"])
    # Pages send the token as a form field; the header the helper sets would hide a missing field.
    del client.headers["x-csrf-token"]
    return Site(database, world, client, csrf, post_id, publication_id, media_id)
