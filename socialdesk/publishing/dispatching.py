"""Asking for a dispatch pass (kept apart from the pipeline so composing posts can ask without a cycle)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from socialdesk.core import clock
from socialdesk.jobs.queue import enqueue


def request_dispatch(session: Session, at: datetime | None = None) -> None:
    """Make sure a dispatch pass runs at `at` (default: as soon as this transaction commits).

    Every scheduled time asks for its own pass, so posts go out on the second rather than at the
    periodic pass (every 15 s), which stays as the safety net. Passes are one per whole second, at the
    end of it: one at 10:00:01 serves every post due after 10:00:00 up to then. (A pass at the first
    requested instant would miss the later posts of its second: they would wait for the safety net.)
    """
    when = pass_for(at) if at is not None and at > clock.now() else None
    key = "dispatch:now" if when is None else f"dispatch:{when:%Y%m%dT%H%M%S}"
    enqueue(session, "publications.dispatch", {}, run_at=when, dedupe_key=key)


def pass_for(at: datetime) -> datetime:
    """The dispatch pass that sends a post due at `at`: the end of its second."""
    return at.replace(microsecond=0) + (timedelta(seconds=1) if at.microsecond else timedelta(0))
