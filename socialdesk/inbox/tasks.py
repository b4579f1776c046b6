"""Inbox jobs: poll every channel for new comments, mentions and messages."""

from sqlalchemy import select

from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.core.db import get_database
from socialdesk.inbox import service
from socialdesk.jobs.queue import enqueue
from socialdesk.jobs.registry import task


@task("inbox.fetch_all", every_seconds=120)
def fetch_all() -> None:
    with get_database().unit_of_work() as session:
        for channel_id in session.scalars(select(Channel.id).where(Channel.status != ChannelStatus.NEEDS_RECONNECTION)):
            enqueue(session, "inbox.fetch_channel", {"channel_id": channel_id}, dedupe_key=f"inbox:{channel_id}")


@task("inbox.fetch_channel", max_attempts=3)
def fetch_channel(channel_id: str) -> None:
    service.fetch_channel(get_database(), channel_id)
