"""Requests in an academy exercise's workspace see the exercise's simulated time (academy/service.py).

An async dependency after the route guard: the caller is already identified (by the real clock), then
`clock.now()` reads the run's simulated moment for the rest of the request, in that request only, so the
composer, calendar, inbox and analytics pages of the exercise all live in its time (the JSON API keeps the
real clock).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from fastapi import Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from socialdesk.core import clock
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import get_database


def _simulated_now(workspace_id: str) -> datetime | None:
    from socialdesk.academy.models import AcademyRun

    with get_database().unit_of_work(read_only=True) as session:
        at = session.scalar(select(AcademyRun.sim_now).where(AcademyRun.workspace_id == workspace_id))
    return clock.utc(at) if at is not None else None


async def exercise_time(request: Request) -> AsyncIterator[None]:
    # Pages only: the learner acts through them, and an API call keeps its few statements (one more a call).
    workspace_id = None if request.url.path.startswith("/api/") else request.path_params.get("workspace_id")
    at = await run_in_threadpool(_simulated_now, str(workspace_id)) if workspace_id else None
    if at is None:
        yield
        return
    with clock.scoped(ManualClock(at)):
        yield
