"""The one source of "now". Tests and the sandbox replace it to move time deterministically."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; safe to share between threads."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when.astimezone(UTC)


_clock: Clock = SystemClock()
# A clock for the current thread or task only: an academy exercise's simulated time (academy/clock.py)
# while one request or command works in its workspace, leaving every other one on the process clock.
_scoped: ContextVar[Clock | None] = ContextVar("socialdesk_scoped_clock", default=None)


def now() -> datetime:
    return (_scoped.get() or _clock).now()


@contextmanager
def scoped(clock: Clock) -> Iterator[Clock]:
    """Use `clock` as "now" in this context (thread or task) until the block ends."""
    token = _scoped.set(clock)
    try:
        yield clock
    finally:
        try:
            _scoped.reset(token)
        except ValueError:  # left in another context (an async dependency's exit): clear it there
            _scoped.set(None)


def get_clock() -> Clock:
    return _clock


def set_clock(clock: Clock) -> None:
    global _clock
    _clock = clock


def utc(dt: datetime) -> datetime:
    """Treat a naive datetime read back from SQLite as UTC; convert an aware one to UTC."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)
