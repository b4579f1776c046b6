"""Bulk jobs: poll the RSS/Atom feeds whose interval has passed."""

from socialdesk.bulk import newsfeeds
from socialdesk.core.db import get_database
from socialdesk.jobs.queue import enqueue
from socialdesk.jobs.registry import task


@task("feeds.poll_due", every_seconds=300)
def poll_due() -> None:
    db = get_database()
    due = newsfeeds.due_feed_ids(db)
    if not due:
        return
    with db.unit_of_work() as session:
        for workspace_id, feed_id in due:
            enqueue(session, "feeds.poll", {"workspace_id": workspace_id, "feed_id": feed_id},
                    dedupe_key=f"feed:{feed_id}")


@task("feeds.poll", max_attempts=2)
def poll(workspace_id: str, feed_id: str) -> None:
    newsfeeds.poll_in_background(get_database(), workspace_id, feed_id)
