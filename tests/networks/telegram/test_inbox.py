"""Comments from the linked discussion group and messages to the bot, by long polling; reply, delete, ban."""

from __future__ import annotations

from sqlalchemy import select

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import actions
from socialdesk.inbox import service as inbox
from socialdesk.inbox.models import InboxItem
from socialdesk.jobs.runner import Runner
from tests.contract.telegram import CHANNEL_ID, GROUP_ID, TROLL, TelegramContract
from tests.networks.telegram.test_publishing import _due_now, _publication, _world


def _items(db: Database) -> list[InboxItem]:
    with db.read_sessions() as session:
        return list(session.scalars(select(InboxItem).order_by(InboxItem.received_at, InboxItem.external_id)))


def test_comments_and_messages_arrive_once_threaded_under_their_post(database: Database, clock: ManualClock,
                                                                    telegram: TelegramContract) -> None:
    world = _world(database)
    publication_id = _due_now(database, world, "Our new coffee")
    Runner(database).run_pending()
    publication = _publication(database, publication_id)
    post = int(publication.external_id.split(":")[1])
    first = telegram.comment("Looks great!", on=post)
    telegram.comment("Where can I buy it?", on=post, author=TROLL, reply_to=first["message"]["message_id"])
    telegram.direct_message("Hi, do you ship to Split?")
    channel_id = world.channels["telegram"]
    assert inbox.fetch_channel(database, channel_id) == 3
    items = _items(database)
    by_text = {i.text: i for i in items}
    top = by_text["Looks great!"]
    assert top.kind == "comment" and top.post_external_id == publication.external_id
    assert top.publication_id == publication_id and top.author_handle == "ana_k"
    assert top.external_id == f"{GROUP_ID}:{first['message']['message_id']}"
    reply = by_text["Where can I buy it?"]
    assert reply.parent_external_id == top.external_id and reply.author_external_id == str(TROLL["id"])
    assert by_text["Hi, do you ship to Split?"].kind == "direct_message"
    # Fetching again confirms what was read (offset) and stores nothing twice.
    assert inbox.fetch_channel(database, channel_id) == 0
    calls = telegram.sent("getUpdates")
    assert calls[-1]["offset"] > 0 and calls[-1]["allowed_updates"] == ["message"]
    assert not telegram.updates, "everything read was confirmed to Telegram"
    assert len(_items(database)) == 3


def test_reply_delete_and_ban(database: Database, clock: ManualClock, telegram: TelegramContract) -> None:
    world = _world(database)
    publication_id = _due_now(database, world, "Post")
    Runner(database).run_pending()
    post = int(_publication(database, publication_id).external_id.split(":")[1])
    telegram.comment("Nice", on=post)
    telegram.comment("Buy followers at spam.example", on=post, author=TROLL)
    telegram.direct_message("Hello bot")
    inbox.fetch_channel(database, world.channels["telegram"])
    by_text = {i.text: i for i in _items(database)}
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        replied = actions.reply(ctx, by_text["Nice"].id, "Thank you! <3 & *more*")
        assert replied.reply_external_id.startswith(f"{GROUP_ID}:")
        actions.reply(ctx, by_text["Hello bot"].id, "Hello!")
        actions.delete_item(ctx, by_text["Buy followers at spam.example"].id)
        actions.block_author(ctx, by_text["Buy followers at spam.example"].id)
    sent = telegram.sent("sendMessage")
    assert sent[-2]["chat_id"] == str(GROUP_ID) and sent[-2]["text"] == "Thank you! <3 & *more*"
    assert "parse_mode" not in sent[-2]
    assert sent[-2]["reply_parameters"] == {"message_id": int(by_text["Nice"].external_id.split(":")[1])}
    assert sent[-1]["chat_id"] == by_text["Hello bot"].external_id.split(":")[0]
    spam_id = int(by_text["Buy followers at spam.example"].external_id.split(":")[1])
    assert spam_id not in telegram.group.messages
    assert telegram.group.banned == {TROLL["id"]}
    assert telegram.sent("banChatMember")[-1] == {"chat_id": str(GROUP_ID), "user_id": TROLL["id"]}
    assert CHANNEL_ID not in telegram.channel.banned
