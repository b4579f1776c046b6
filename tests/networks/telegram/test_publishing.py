"""Telegram through the real publisher: no idempotency key and no history to look in, so an answer that
never came leaves the publication *unconfirmed* for a person, and nothing is sent twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from socialdesk.channels import service as channels
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.jobs.runner import Runner
from socialdesk.notifications.models import Notification
from socialdesk.publishing import service as publishing
from tests.contract.telegram import TOKEN, TelegramContract
from tests.helpers import World, make_world

S = PublicationStatus
SEND = r"/bot[^/]+/sendMessage"


def _world(db: Database) -> World:
    world = make_world(db, profiles=())
    with db.unit_of_work() as session:
        channel = channels.connect(world.ctx(session), "telegram", "Brand on Telegram", bot_token=TOKEN,
                                   chat_id="@brand_channel", updates_by="polling")
        world.channels["telegram"] = channel.id
        assert channels.capabilities(channel).idempotency == "none"
    return world


def _due_now(db: Database, world: World, text: str = "Hello *there* <b>") -> str:
    with db.unit_of_work() as session:
        post = content.compose(world.ctx(session), PostIn(text=text, channel_ids=[world.channels["telegram"]],
                                                          intent=Intent.PUBLISH_NOW)).post
    with db.read_sessions() as session:
        return session.scalars(select(Publication.id).where(Publication.post_id == post.id)).one()


def _publication(db: Database, publication_id: str) -> Publication:
    with db.read_sessions() as session:
        found = session.get(Publication, publication_id)
        assert found is not None
        return found


def test_a_post_goes_out_once_and_its_message_id_is_recorded(database: Database, clock: ManualClock,
                                                             telegram: TelegramContract) -> None:
    world = _world(database)
    publication_id = _due_now(database, world)
    Runner(database).run_pending()
    publication = _publication(database, publication_id)
    assert publication.status == S.PUBLISHED
    [sent] = telegram.sent("sendMessage")
    assert sent["text"] == "Hello *there* <b>" and "parse_mode" not in sent
    message = max(telegram.channel.messages)
    assert publication.external_id == f"{telegram.channel.id}:{message}"
    assert publication.external_url == f"https://t.me/brand_channel/{message}"


def test_a_lost_answer_leaves_it_unconfirmed_and_never_sends_again(database: Database, clock: ManualClock,
                                                                   telegram: TelegramContract) -> None:
    world = _world(database)
    telegram.server.lose_answer("POST", SEND)
    publication_id = _due_now(database, world)
    Runner(database).run_pending()
    publication = _publication(database, publication_id)
    assert publication.status == S.UNCONFIRMED
    assert "may or may not" in (publication.last_error or "") or "did not confirm" in (publication.last_error or "")
    # The post did go out (the contract ran the handler), and it is there once.
    assert len(telegram.calls_sent()) == 1 and len(telegram.channel.messages) == 1
    clock.advance(timedelta(hours=1))
    publishing.dispatch_due(database)
    Runner(database).run_pending()
    assert len(telegram.calls_sent()) == 1, "an unconfirmed publication is never re-sent on its own"
    assert _publication(database, publication_id).status == S.UNCONFIRMED
    with database.read_sessions() as session:
        assert session.scalars(select(Notification).where(Notification.kind == "publication_unconfirmed")).one()


def test_a_server_error_on_send_is_not_retried_blindly(database: Database, clock: ManualClock,
                                                       telegram: TelegramContract) -> None:
    world = _world(database)
    telegram.server.fail("POST", SEND, status=502, json=None)
    publication_id = _due_now(database, world)
    Runner(database).run_pending()
    clock.advance(timedelta(hours=1))
    publishing.dispatch_due(database)
    Runner(database).run_pending()
    assert _publication(database, publication_id).status == S.UNCONFIRMED
    assert len(telegram.calls_sent()) == 1


def test_a_rate_limit_is_waited_out_and_then_sent_once(database: Database, clock: ManualClock,
                                                       telegram: TelegramContract) -> None:
    world = _world(database)
    telegram.server.fail("POST", SEND, status=429, json={
        "ok": False, "error_code": 429, "description": "Too Many Requests: retry after 30",
        "parameters": {"retry_after": 30}})
    publication_id = _due_now(database, world)
    Runner(database).run_pending()
    publication = _publication(database, publication_id)
    assert publication.status == S.SCHEDULED and "retry after 30" in (publication.last_error or "")
    clock.advance(timedelta(seconds=31))
    publishing.dispatch_due(database)
    Runner(database).run_pending()
    assert _publication(database, publication_id).status == S.PUBLISHED
    assert len(telegram.calls_sent()) == 2 and len(telegram.channel.messages) == 1


def test_a_crash_mid_call_leaves_it_unconfirmed(database: Database, clock: ManualClock,
                                                telegram: TelegramContract) -> None:
    world = _world(database)
    publication_id = _due_now(database, world)
    publishing.dispatch_due(database)
    attempt = publishing._start_attempt(database, publication_id)
    assert attempt is not None
    channels.fresh_adapter(database, world.channels["telegram"]).publish(attempt.outgoing)  # then the worker dies
    clock.advance(timedelta(minutes=11))
    Runner(database).run_pending()
    publishing.reconcile(database)
    Runner(database).run_pending()
    assert _publication(database, publication_id).status == S.UNCONFIRMED
    assert len(telegram.calls_sent()) == 1
