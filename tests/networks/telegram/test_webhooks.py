"""Telegram's webhook: setWebhook with the channel's secret, updates checked against
X-Telegram-Bot-Api-Secret-Token, a replayed update_id stored once, a wrong secret refused."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.crypto import decrypt_json
from socialdesk.core.db import Database
from socialdesk.inbox import service as inbox
from socialdesk.inbox.models import InboxItem
from socialdesk.jobs.runner import Runner
from tests.contract.telegram import TOKEN, TelegramContract
from tests.helpers import World, make_world
from tests.networks.telegram.test_publishing import _due_now, _publication
from tests.web_client import web_app

HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
def public(monkeypatch: pytest.MonkeyPatch, telegram: TelegramContract) -> str:
    monkeypatch.setenv("SOCIALDESK_PUBLIC_URL", "https://desk.example.org")
    reset_settings_cache()
    return "https://desk.example.org"


def _world(db: Database) -> tuple[World, str, str]:
    world = make_world(db, profiles=())
    with db.unit_of_work() as session:
        channel = channels.connect(world.ctx(session), "telegram", "Brand on Telegram", bot_token=TOKEN,
                                   chat_id="@brand_channel")
        world.channels["telegram"] = channel.id
        secret = decrypt_json(channel.credentials_encrypted)["webhook_secret"]
        return world, channel.id, secret


def _stored(db: Database) -> list[InboxItem]:
    with db.read_sessions() as session:
        return list(session.scalars(select(InboxItem)))


def test_the_first_inbox_fetch_sets_the_webhook_and_polling_stops(database: Database, clock: ManualClock,
                                                                  telegram: TelegramContract, public: str) -> None:
    _, channel_id, secret = _world(database)
    inbox.fetch_channel(database, channel_id)
    [hook] = telegram.sent("setWebhook")
    assert hook["url"] == f"{public}/webhooks/telegram/{channel_id}" and hook["secret_token"] == secret
    assert hook["allowed_updates"] == ["message"]
    inbox.fetch_channel(database, channel_id)
    assert len(telegram.sent("setWebhook")) == 1 and not telegram.sent("getUpdates")
    with database.read_sessions() as session:
        assert session.get(Channel, channel_id).inbox_cursor == "webhook"
    # Telegram says it cannot deliver: the channel shows Telegram's words.
    telegram.webhook_trouble = {"last_error_date": int(clock.now().timestamp()) - 60,
                                "last_error_message": "Connection timed out"}
    inbox.fetch_channel(database, channel_id)
    with database.read_sessions() as session:
        assert "Connection timed out" in (session.get(Channel, channel_id).status_message or "")
    # Someone pointed the bot elsewhere: the next fetch sets it back.
    telegram.webhook = None
    inbox.fetch_channel(database, channel_id)
    assert len(telegram.sent("setWebhook")) == 2


def test_an_update_with_the_right_secret_is_stored_once(database: Database, clock: ManualClock,
                                                        telegram: TelegramContract, public: str) -> None:
    world, channel_id, secret = _world(database)
    publication_id = _due_now(database, world, "Post")
    Runner(database).run_pending()
    publication = _publication(database, publication_id)
    post = int(publication.external_id.split(":")[1])
    update = telegram.comment("Great post!", on=post)
    client = TestClient(web_app())
    body = json.dumps(update)
    url = f"/webhooks/telegram/{channel_id}"
    answer = client.post(url, content=body, headers={HEADER: secret, "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    [item] = _stored(database)
    assert item.text == "Great post!" and item.post_external_id == publication.external_id
    assert item.publication_id == publication_id
    # Telegram repeats a delivery it thinks failed: the same update_id stores nothing new.
    again = client.post(url, content=body, headers={HEADER: secret, "Content-Type": "application/json"})
    assert again.status_code == 200 and len(_stored(database)) == 1
    # A forged request is refused, and stores nothing.
    forged = telegram.comment("Forged", on=post)
    for headers in ({HEADER: "not-the-secret"}, {}):
        refused = client.post(url, content=json.dumps(forged), headers={**headers, "Content-Type": "application/json"})
        assert refused.status_code == 403
    assert len(_stored(database)) == 1
