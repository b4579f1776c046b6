"""Named task functions. The embedded runner (and, scaled out, the Celery workers) run them by name.

A task takes its payload as keyword arguments (ids, never objects), opens its own unit of work, and is
safe to run twice: it re-reads its rows and returns early when the work is already done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TaskFunction = Callable[..., Any]


@dataclass(frozen=True)
class TaskSpec:
    name: str
    function: TaskFunction
    max_attempts: int
    lease_seconds: int  # after this long without finishing, the job is presumed dead and run again
    # The task's first transaction is the claim's own (jobs.worker.first_transaction): one commit for both.
    joins_claim: bool = False


_tasks: dict[str, TaskSpec] = {}
# Periodic jobs: name -> interval in seconds.
PERIODIC: dict[str, int] = {}
DEFAULT_LEASE_SECONDS = 600


def task(name: str, *, max_attempts: int = 5, lease_seconds: int = DEFAULT_LEASE_SECONDS,
         every_seconds: int | None = None, joins_claim: bool = False) -> Callable[[TaskFunction], TaskFunction]:
    def register(function: TaskFunction) -> TaskFunction:
        _tasks[name] = TaskSpec(name, function, max_attempts, lease_seconds, joins_claim)
        if every_seconds:
            PERIODIC[name] = every_seconds
        return function

    return register


def get_task(name: str) -> TaskSpec:
    load_task_modules()
    try:
        return _tasks[name]
    except KeyError:
        raise KeyError(f"No task named {name!r}; known: {sorted(_tasks)}") from None


def other_leases() -> dict[str, int]:
    """Task name -> lease, for the tasks whose lease is not the default."""
    load_task_modules()
    return {name: spec.lease_seconds for name, spec in _tasks.items() if spec.lease_seconds != DEFAULT_LEASE_SECONDS}


def load_task_modules() -> None:
    """Import every module that declares tasks (their decorators fill the registry)."""
    import socialdesk.analytics.tasks
    import socialdesk.bulk.tasks
    import socialdesk.campaigns.tasks
    import socialdesk.competitors.tasks
    import socialdesk.goals.tasks
    import socialdesk.inbox.tasks
    import socialdesk.integrations.tasks
    import socialdesk.jobs.maintenance
    import socialdesk.listening.tasks
    import socialdesk.notifications.tasks
    import socialdesk.publishing.tasks
    import socialdesk.reports.tasks
    import socialdesk.scheduling.tasks  # noqa: F401


class RetryLater(Exception):
    """Raised by a task to run again at `at` without counting a failed attempt (e.g. a rate limit)."""

    def __init__(self, at: Any, reason: str = "") -> None:
        super().__init__(reason)
        self.at = at
        self.reason = reason
