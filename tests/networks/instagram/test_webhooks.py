"""Instagram's webhooks through the app's /webhooks/instagram (Meta's handler, with the Instagram entries read
by networks/instagram/webhooks.py): a signed comment delivery stored once with its post, a replay and the
next poll storing nothing twice, a mention, a forged signature refused."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from socialdesk.channels import service as channels
from socialdesk.core.db import Database
from socialdesk.inbox import service as inbox
from socialdesk.inbox.models import InboxItem
from socialdesk.networks.base import IncomingKind
from socialdesk.networks.instagram.webhooks import events_from_entry
from tests.contract.meta import signed_delivery
from tests.contract.meta_instagram import add_comment, comments_delivery
from tests.helpers import make_world
from tests.networks.instagram.conftest import Instagram
from tests.networks.instagram.test_adapter import _image, _post
from tests.web_client import web_app


def _items(db: Database) -> list[InboxItem]:
    with db.read_sessions() as session:
        return list(session.scalars(select(InboxItem).order_by(InboxItem.received_at)))


def test_events_from_an_entry() -> None:
    entry = {"id": "17841400000000001", "time": 1765000000, "changes": [
        {"field": "comments", "value": {"from": {"id": "555", "username": "iva"}, "media": {"id": "1800"},
                                        "id": "1790", "parent_id": "1780", "text": "Yes!"}},
        {"field": "mentions", "value": {"media_id": "1900", "comment_id": "1910"}},
        {"field": "story_insights", "value": {"media_id": "1"}}]}
    entry["messaging"] = [{"sender": {"id": "6001"}, "recipient": {"id": "17841400000000001"},
                           "timestamp": 1765000000123, "message": {"mid": "aWdfm1", "text": "Hi!"}},
                          {"sender": {"id": "17841400000000001"}, "recipient": {"id": "6001"},
                           "timestamp": 1765000000999, "message": {"mid": "aWdfm2", "text": "Hello", "is_echo": True}}]
    comment, mention, message = events_from_entry(entry)
    assert message.items[0].external_id == "dm:6001:aWdfm1" and message.items[0].kind == IncomingKind.DIRECT_MESSAGE
    assert comment.account_external_id == "17841400000000001"
    (item,) = comment.items
    assert (item.kind, item.external_id, item.post_external_id, item.parent_external_id, item.author_handle) == (
        IncomingKind.COMMENT, "1790", "1800", "1780", "iva")
    assert mention.items[0].kind == IncomingKind.MENTION and mention.items[0].external_id == "m:1900:1910"


def test_signed_deliveries_are_stored_once_and_forgeries_refused(database: Database, instagram: Instagram,
                                                                 public_media: Any, tmp_path: Any) -> None:
    world = make_world(database, profiles=(), roles=("editor",))
    with database.unit_of_work() as session:
        channel_id = channels.connect(world.ctx(session), "instagram", "IG", ig_user_id=instagram.account["id"],
                                      access_token=instagram.token).id
    client = TestClient(web_app())
    shake = client.get("/webhooks/instagram", params={"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                                                      "hub.challenge": "4242"})
    assert shake.status_code == 200 and shake.text == "4242"

    adapter = channels.fresh_adapter(database, channel_id)
    media_id = adapter.publish(_post("Real time", [_image(tmp_path, "w.jpg")])).external_id
    comment = add_comment(instagram.world, media_id, "Is it vegan?", username="iva")
    raw, headers = signed_delivery(instagram.world, comments_delivery(instagram.account["id"], comment, 1765000000))
    forged, forged_headers = signed_delivery(instagram.world, comments_delivery(
        instagram.account["id"], comment, 1765000000), secret="guess")
    assert client.post("/webhooks/instagram", content=forged, headers=forged_headers).status_code == 403
    assert _items(database) == []
    assert client.post("/webhooks/instagram", content=raw, headers=headers).status_code == 200
    assert client.post("/webhooks/instagram", content=raw, headers=headers).status_code == 200  # a replay
    assert inbox.fetch_channel(database, channel_id) == 0  # the poll finds it known
    items = _items(database)
    assert [(i.text, i.kind, i.post_external_id, i.author_handle) for i in items] == [
        ("Is it vegan?", "comment", media_id, "iva")]
