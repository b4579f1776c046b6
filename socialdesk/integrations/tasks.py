"""The job that delivers one outgoing webhook event (it re-enqueues itself with backoff on failure)."""

from socialdesk.core.db import get_database
from socialdesk.integrations import service
from socialdesk.jobs.registry import task


@task("webhooks.deliver", max_attempts=3, lease_seconds=120)
def deliver(delivery_id: str) -> None:
    service.deliver(get_database(), delivery_id)
