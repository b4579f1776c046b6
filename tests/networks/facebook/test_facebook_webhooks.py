"""Meta's webhooks for a connected Page, through the app's /webhooks/facebook: the handshake, a signed
comment delivery stored once, a replay storing nothing twice, a forged signature refused."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from socialdesk.channels import service as channels
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import service as inbox
from socialdesk.inbox.models import Conversation, InboxItem
from socialdesk.networks.base import OutgoingPost
from tests.contract.meta import signed_delivery
from tests.contract.meta_facebook import add_comment, add_message, comment_delivery, message_delivery, posts_of
from tests.helpers import make_world
from tests.networks.facebook.conftest import Facebook
from tests.web_client import signed_in_client, web_app


def _items(db: Database) -> list[InboxItem]:
    with db.read_sessions() as session:
        return list(session.scalars(select(InboxItem).order_by(InboxItem.received_at)))


def test_signed_deliveries_are_stored_once_and_forgeries_refused(database: Database, clock: ManualClock,
                                                                 fb: Facebook) -> None:
    world = make_world(database, profiles=(), roles=("editor",))
    with database.unit_of_work() as session:
        channel = channels.connect(world.ctx(session), "facebook", "FB", page_id=fb.page["id"], access_token=fb.token)
        channel_id = channel.id
    client = TestClient(web_app())

    shake = client.get("/webhooks/facebook", params={"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                                                     "hub.challenge": "1158201444"})
    assert shake.status_code == 200 and shake.text == "1158201444"
    wrong = client.get("/webhooks/facebook", params={"hub.mode": "subscribe", "hub.verify_token": "guess",
                                                     "hub.challenge": "1"})
    assert wrong.status_code == 403

    adapter = channels.fresh_adapter(database, channel_id)
    post_id = adapter.publish(OutgoingPost(text="Webhooks")).external_id
    assert posts_of(fb.world, fb.page["id"])[0]["id"] == post_id
    comment = add_comment(fb.world, post_id, {"id": "5200", "name": "Iva"}, "Real time!")
    raw, headers = signed_delivery(fb.world, comment_delivery(fb.world, comment))
    assert client.post("/webhooks/facebook", content=raw, headers=headers).status_code == 200
    items = _items(database)
    assert [(i.text, i.kind, i.post_external_id) for i in items] == [("Real time!", "comment", post_id)]

    # Meta delivers it again (or someone replays it): nothing twice; the next poll neither.
    assert client.post("/webhooks/facebook", content=raw, headers=headers).status_code == 200
    assert inbox.fetch_channel(database, channel_id) == 0
    assert len(_items(database)) == 1

    message = add_message(fb.world, fb.page["id"], {"id": "7200", "name": "Maja"}, "Hi there")
    raw, headers = signed_delivery(fb.world, message_delivery(fb.world, message))
    forged_raw, forged_headers = signed_delivery(fb.world, message_delivery(fb.world, message), secret="guess")
    assert client.post("/webhooks/facebook", content=forged_raw, headers=forged_headers).status_code == 403
    assert client.post("/webhooks/facebook", content=raw + b" ", headers=headers).status_code == 403
    assert len(_items(database)) == 1
    assert client.post("/webhooks/facebook", content=raw, headers=headers).status_code == 200
    with database.read_sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboxItem)) == 2
    dm = _items(database)[-1]
    assert dm.kind == "direct_message"

    # The inbox tells whoever answers about Messenger's window before they type.
    owner, _ = signed_in_client(database, world.users["owner"])
    with database.read_sessions() as session:
        conversation_id = session.scalars(select(Conversation.id).join(InboxItem, InboxItem.conversation_id ==
                                                                        Conversation.id)
                                          .where(InboxItem.id == dm.id)).one()
    page = owner.get(f"/w/{world.workspace_id}/inbox", params={"c": conversation_id})
    assert page.status_code == 200
    assert 'id="messaging-window"' in page.text and "within 24 hours" in page.text
