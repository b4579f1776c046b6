"""Triage on arrival: the models read new messages, conversations are re-ordered, rules act.

Runs as the `inbox.triage` job that the fetch enqueues with the new items' ids, so a fetch never
waits for the models. The models run outside any transaction (a batch takes seconds on two cores);
only the short write at the end holds the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.channels.models import Channel
from socialdesk.core import clock
from socialdesk.core.db import Database
from socialdesk.inbox import conversations, rules
from socialdesk.inbox.models import InboxItem
from socialdesk.text import triage as models
from socialdesk.text.language import channel_languages

BACKLOG_AFTER = timedelta(minutes=10)  # untriaged this long after arrival: its job was lost
BACKLOG_BATCH = 1000


def triage_items(db: Database, item_ids: Sequence[str]) -> int:
    """Triage the items not triaged yet (safe to run twice); returns how many were triaged."""
    with db.unit_of_work(read_only=True) as session:
        pending = session.execute(
            select(InboxItem.id, InboxItem.text, InboxItem.language, Channel.settings)
            .join(Channel, Channel.id == InboxItem.channel_id)
            .where(InboxItem.id.in_(list(item_ids)), InboxItem.triaged_at.is_(None))).all()
    if not pending:
        return 0
    results = dict(zip(
        (row.id for row in pending),
        models.triage([models.TriageInput(row.text, row.language, channel_languages(row.settings))
                       for row in pending]), strict=True))
    with db.unit_of_work() as session:
        items = list(session.scalars(select(InboxItem).where(InboxItem.id.in_(list(results)),
                                                             InboxItem.triaged_at.is_(None))))
        now = clock.now()
        for item in items:
            store(item, results[item.id])
            item.triaged_at = now
        _thread_strays(session, items)
        session.flush()
        conversations.refresh(session, {i.conversation_id for i in items if i.conversation_id})
        rules.apply(session, items)
    return len(items)


def store(item: InboxItem, found: models.Triage) -> None:
    item.language = found.language
    item.language_group = found.language_group
    item.language_source = found.language_source
    item.sentiment, item.sentiment_score = found.sentiment, found.sentiment_score
    item.offensive, item.offensive_score = found.offensive, found.offensive_score
    item.spam, item.spam_score = found.spam, found.spam_score
    item.intent, item.intent_score = found.intent, found.intent_score
    item.question = found.question


def _thread_strays(session: Session, items: Sequence[InboxItem]) -> None:
    """Items stored before conversations existed get one now."""
    strays: dict[str, list[InboxItem]] = {}
    for item in items:
        if item.conversation_id is None:
            strays.setdefault(item.channel_id, []).append(item)
    for channel_id, found in strays.items():
        channel = session.get(Channel, channel_id)
        if channel is not None:
            conversations.thread(session, channel, sorted(found, key=lambda i: i.received_at))


def backlog(db: Database) -> list[str]:
    """Items whose triage job never ran (or that arrived before triage existed), oldest first."""
    with db.unit_of_work(read_only=True) as session:
        return list(session.scalars(select(InboxItem.id).where(
            InboxItem.triaged_at.is_(None), InboxItem.fetched_at < clock.now() - BACKLOG_AFTER)
            .order_by(InboxItem.fetched_at).limit(BACKLOG_BATCH)))
