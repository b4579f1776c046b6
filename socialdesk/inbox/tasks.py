"""Inbox jobs: poll every channel for new comments, mentions and messages; triage what arrived."""

from socialdesk.channels.service import connected_channel_ids
from socialdesk.core.db import get_database
from socialdesk.inbox import service, triage
from socialdesk.jobs.queue import enqueue
from socialdesk.jobs.registry import task


@task("inbox.fetch_all", every_seconds=120)
def fetch_all() -> None:
    db = get_database()
    with db.unit_of_work() as session:
        for channel_id in connected_channel_ids(session):
            enqueue(session, "inbox.fetch_channel", {"channel_id": channel_id}, dedupe_key=f"inbox:{channel_id}")
    stray = triage.backlog(db)
    if stray:
        with db.unit_of_work() as session:
            service.enqueue_triage(session, stray)


@task("inbox.fetch_channel", max_attempts=3)
def fetch_channel(channel_id: str) -> None:
    service.fetch_channel(get_database(), channel_id)


@task("inbox.triage", max_attempts=3)
def triage_items(item_ids: list[str]) -> None:
    triage.triage_items(get_database(), item_ids)
