"""Metrics jobs: snapshot every channel on a schedule."""

from socialdesk.analytics import service
from socialdesk.channels.service import connected_channel_ids
from socialdesk.core.db import get_database
from socialdesk.jobs.queue import enqueue
from socialdesk.jobs.registry import task


@task("metrics.collect_all", every_seconds=3600)
def collect_all() -> None:
    with get_database().unit_of_work() as session:
        for channel_id in connected_channel_ids(session):
            enqueue(session, "metrics.collect_channel", {"channel_id": channel_id}, dedupe_key=f"metrics:{channel_id}")


@task("metrics.collect_channel", max_attempts=3)
def collect_channel(channel_id: str) -> None:
    service.collect_channel(get_database(), channel_id)
