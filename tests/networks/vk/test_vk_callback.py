"""VK's Callback API on /webhooks/vk/<channel id>: confirmation, the secret key, and replays."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from socialdesk.channels import service as channels
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox.models import InboxItem
from tests.contract.vk import VkContract
from tests.helpers import make_world
from tests.web_client import web_app

SECRET = "cb-secret-123"


def _channel(vk: VkContract, database: Database) -> str:
    world = make_world(database, "VK Brand", profiles=(), roles=())
    with database.unit_of_work() as session:
        return channels.connect(world.ctx(session), "vk", "Brand on VK", group_id=str(vk.state.group_id),
                                access_token=vk.state.user_token, community_token=vk.state.community_token,
                                callback_secret=SECRET).id


def _event(vk: VkContract, kind: str, obj: dict[str, Any], *, secret: str = SECRET,
           event_id: str = "a1b2c3") -> dict[str, Any]:
    return {"group_id": vk.state.group_id, "type": kind, "event_id": event_id, "v": "5.199", "object": obj,
            "secret": secret}


def test_confirmation_secret_and_replay(vk: VkContract, database: Database, clock: ManualClock) -> None:
    channel_id = _channel(vk, database)
    client = TestClient(web_app())
    url = f"/webhooks/vk/{channel_id}"

    confirmed = client.post(url, content=json.dumps({"type": "confirmation", "group_id": vk.state.group_id}))
    assert confirmed.status_code == 200 and confirmed.text == vk.state.confirmation_code

    comment = {"id": 77, "from_id": 501, "post_id": 5, "owner_id": -vk.state.group_id, "date": 1_760_000_000,
               "text": "Когда откроетесь?"}
    event = _event(vk, "wall_reply_new", comment)
    answered = client.post(url, content=json.dumps(event))
    assert answered.status_code == 200 and answered.text == "ok"
    assert client.post(url, content=json.dumps(event)).text == "ok"  # VK repeats it: stored once
    message = {"message": {"id": 9, "from_id": 502, "peer_id": 502, "date": 1_760_000_100, "text": "Привет",
                           "out": 0}, "client_info": {}}
    assert client.post(url, content=json.dumps(_event(vk, "message_new", message, event_id="d4e5"))).text == "ok"

    forged = client.post(url, content=json.dumps(_event(vk, "wall_reply_new", {**comment, "id": 78},
                                                        secret="guess", event_id="x9")))
    assert forged.status_code == 403
    other = client.post(url, content=json.dumps({**_event(vk, "wall_reply_new", {**comment, "id": 79},
                                                          event_id="y9"), "group_id": 1}))
    assert other.status_code == 403

    with database.read_sessions() as session:
        items = list(session.scalars(select(InboxItem).where(InboxItem.channel_id == channel_id)))
    assert sorted(i.external_id for i in items) == ["msg:502_9", f"wall:-{vk.state.group_id}_5_77"]
