"""Inbox test helpers: a stand-in network that delivers chosen messages, and a sandbox channel that has
real comments to act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from socialdesk.channels import service as channels_service
from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import service
from socialdesk.inbox.triage import triage_items
from socialdesk.jobs.models import Job, JobStatus
from socialdesk.jobs.runner import Runner
from socialdesk.networks.base import InboxPage, IncomingItem, IncomingKind, PermanentNetworkError
from tests.helpers import World, make_world


def message(external_id: str, text: str, *, kind: IncomingKind = IncomingKind.COMMENT, minutes_ago: float = 30,
            author: str = "u-1", handle: str = "ana.h", name: str = "Ana Horvat", parent: str | None = None,
            post: str | None = "p-1", language: str | None = None) -> IncomingItem:
    return IncomingItem(external_id, kind, text, clock_module.now() - timedelta(minutes=minutes_ago), author, handle,
                        name, post_external_id=post if kind == IncomingKind.COMMENT else None,
                        parent_external_id=parent, language=language)


@dataclass
class FakeNetwork:
    """Delivers `pending` on the next fetch and records what socialdesk asked of it."""

    pending: list[IncomingItem] = field(default_factory=list)
    calls: list[tuple[str, ...]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    def credentials_expire_at(self) -> datetime | None:
        return None

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        page, self.pending = self.pending, []
        return InboxPage(page, f"cursor-{len(self.calls)}")

    def _do(self, name: str, *args: str) -> None:
        if name in self.refuse:
            raise PermanentNetworkError(f"The network says no to {name}.", status_code=403)
        self.calls.append((name, *args))

    def reply(self, item_external_id: str, text: str) -> str:
        self._do("reply", item_external_id, text)
        return f"r-{len(self.calls)}"

    def __getattr__(self, name: str) -> Any:
        if name in ("hide", "unhide", "like", "unlike", "delete_comment", "block", "unblock"):
            return lambda external_id: self._do(name, external_id)
        raise AttributeError(name)


@dataclass
class Inbox:
    db: Database
    world: World
    network: FakeNetwork

    @property
    def channel_id(self) -> str:
        return self.world.channels["facebook"]

    def deliver(self, *items: IncomingItem, triage: bool = True) -> int:
        self.network.pending = list(items)
        added = service.fetch_channel(self.db, self.channel_id)
        if triage:
            self.run_triage()
        return added

    def run_triage(self) -> None:
        """Run the triage jobs the fetch enqueued (and only those: the stand-in network has no metrics)."""
        with self.db.unit_of_work() as session:
            jobs = list(session.scalars(select(Job).where(Job.name == "inbox.triage", Job.status == JobStatus.QUEUED)))
            for job in jobs:
                job.status = JobStatus.DONE
            payloads = [job.payload["item_ids"] for job in jobs]
        for ids in payloads:
            triage_items(self.db, ids)


@pytest.fixture
def inbox(database: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> Inbox:
    """A workspace with a Facebook-like channel (reply, like, hide, delete, block) whose audience speaks
    Croatian and English, and a stand-in network behind it."""
    world = make_world(database, profiles=("facebook",))
    with database.unit_of_work() as session:
        channel = channels_service.get(world.ctx(session), world.channels["facebook"])
        channel.settings = {**channel.settings, "languages": {"hr": 0.6, "en": 0.4}}
    network = FakeNetwork()
    monkeypatch.setattr(channels_service, "adapter", lambda channel: network)
    return Inbox(database, world, network)


def sandbox_with_comments(db: Database, clock: ManualClock, profile: str, hours: int = 24,
                          audience: int = 12000) -> World:
    """A real sandbox channel with a published post and the audience's comments fetched and triaged."""
    world = make_world(db, f"Shop {profile}", profiles=(profile,), audience=audience)
    with db.unit_of_work() as session:
        media_ids = []
        content.compose(world.ctx(session), PostIn(
            text="Nova jesenska kava je stigla! ☕ What do you think? #coffee", channel_ids=[world.channels[profile]],
            media_ids=media_ids, intent=Intent.PUBLISH_NOW))
    runner = Runner(db)
    runner.run_pending()
    for _ in range(hours // 6):
        clock.advance(timedelta(hours=6))
        runner.run_pending()
    return world
