"""Inbox jobs: poll every channel for new comments, mentions and messages."""

from socialdesk.channels.service import connected_channel_ids
from socialdesk.core.db import get_database
from socialdesk.inbox import service
from socialdesk.jobs.queue import enqueue
from socialdesk.jobs.registry import task


@task("inbox.fetch_all", every_seconds=120)
def fetch_all() -> None:
    with get_database().unit_of_work() as session:
        for channel_id in connected_channel_ids(session):
            enqueue(session, "inbox.fetch_channel", {"channel_id": channel_id}, dedupe_key=f"inbox:{channel_id}")


@task("inbox.fetch_channel", max_attempts=3)
def fetch_channel(channel_id: str) -> None:
    service.fetch_channel(get_database(), channel_id)
