"""Publishing jobs."""

from socialdesk.core.db import get_database
from socialdesk.jobs.registry import task
from socialdesk.publishing import service, steps


@task("publications.dispatch", every_seconds=15, max_attempts=3)
def dispatch() -> None:
    service.dispatch_due(get_database())


@task("publication.publish", max_attempts=10, lease_seconds=300, joins_claim=True)
def publish(publication_id: str) -> None:
    service.publish(get_database(), publication_id)


@task("publications.reconcile", every_seconds=60, max_attempts=3)
def reconcile() -> None:
    service.reconcile(get_database())


@task("publication.steps", max_attempts=10, lease_seconds=300)
def publication_steps(publication_id: str) -> None:
    """A thread's further parts and a first comment that could not go right after the post."""
    steps.run(get_database(), publication_id)
