"""X webhook deliveries (Account Activity API) at /webhooks/x: the CRC answered with the consumer secret,
signed deliveries stored once, forged ones refused
(https://docs.x.com/x-api/webhooks/quickstart)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database
from socialdesk.inbox.models import InboxItem
from tests.networks.x.conftest import XWorld, connect_channel
from tests.web_client import web_app

SECRET = "consumer-secret"


def _sign(message: bytes) -> str:
    return "sha256=" + base64.b64encode(hmac.new(SECRET.encode(), message, hashlib.sha256).digest()).decode()


@pytest.fixture
def signed(monkeypatch: pytest.MonkeyPatch, x: XWorld) -> None:
    monkeypatch.setenv("SOCIALDESK_X_CONSUMER_SECRET", SECRET)
    reset_settings_cache()


def test_crc_and_signed_deliveries(database: Database, x: XWorld, signed: None, clock: ManualClock) -> None:
    _, channel_id = connect_channel(database, x, refresh=False)
    client = TestClient(web_app())
    crc = client.get("/webhooks/x", params={"crc_token": "9b4507b3"})
    assert crc.status_code == 200 and crc.json() == {"response_token": _sign(b"9b4507b3")}

    delivery = {
        "for_user_id": x.brand.id,
        "tweet_create_events": [
            {"id_str": "1900000000000000001", "text": "@brand love it", "created_at": "Mon Mar 02 09:00:00 +0000 2026",
             "user": {"id_str": x.fan.id, "screen_name": "fan", "name": "A Fan"},
             "in_reply_to_status_id_str": "1860000000000000099", "in_reply_to_user_id_str": x.brand.id,
             "entities": {"user_mentions": [{"id_str": x.brand.id, "screen_name": "brand"}]}},
            {"id_str": "1900000000000000002", "text": "our own post", "created_at": "Mon Mar 02 09:00:00 +0000 2026",
             "user": {"id_str": x.brand.id, "screen_name": "brand"}},
        ],
        "direct_message_events": [
            {"type": "message_create", "id": "1900000000000000003", "created_timestamp": "1772442000000",
             "message_create": {"sender_id": x.fan.id, "target": {"recipient_id": x.brand.id},
                                "message_data": {"text": "Where is my order?"}}}],
        "users": {x.fan.id: {"id": x.fan.id, "screen_name": "fan", "name": "A Fan"}},
    }
    raw = json.dumps(delivery).encode()
    headers = {"x-twitter-webhooks-signature": _sign(raw), "content-type": "application/json"}
    assert client.post("/webhooks/x", content=raw, headers=headers).status_code == 200
    assert client.post("/webhooks/x", content=raw, headers=headers).status_code == 200  # replayed: once
    with database.read_sessions() as session:
        items = {i.external_id: i for i in session.scalars(select(InboxItem))}
    low, high = sorted([x.brand.id, x.fan.id], key=int)
    assert set(items) == {"1900000000000000001", f"dm:{low}-{high}:1900000000000000003"}
    assert items["1900000000000000001"].kind == "comment" and items["1900000000000000001"].channel_id == channel_id

    forged = raw.replace(b"love it", b"hate it")
    assert client.post("/webhooks/x", content=forged, headers=headers).status_code == 403
    assert client.post("/webhooks/x", content=raw, headers={"content-type": "application/json"}).status_code == 403
