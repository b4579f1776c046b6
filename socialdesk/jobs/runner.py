"""The embedded job runner: threads inside one process (the web app, `socialdesk worker` without a
broker, the demo's history replay, tests) that run due jobs straight from the database."""

from __future__ import annotations

import logging
import threading

from socialdesk.core.db import Database
from socialdesk.jobs.worker import JobWorker, backoff

__all__ = ["Runner", "backoff"]
log = logging.getLogger("socialdesk.jobs")


class Runner(JobWorker):
    def __init__(self, database: Database, *, kind: str = "embedded", threads: int = 2,
                 poll_seconds: float = 1.0) -> None:
        super().__init__(database, kind=kind)
        self.threads = threads
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []

    def run_pending(self, limit: int = 10_000) -> int:
        """Run every job that is due now, including jobs those jobs enqueue for now; returns the count."""
        ran = 0
        self.tick_schedules()
        while ran < limit:
            if self.run_next() is None:
                return ran
            ran += 1
        return ran

    def start(self) -> None:
        self._stop.clear()
        for index in range(self.threads):
            thread = threading.Thread(target=self._loop, args=(index,), name=f"socialdesk-runner-{index}",
                                      daemon=True)
            thread.start()
            self._workers.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in self._workers:
            thread.join(timeout)
        self._workers.clear()

    def _loop(self, index: int) -> None:
        while not self._stop.is_set():
            try:
                if index == 0:
                    self.beat()
                    self.tick_schedules()
                if self.run_next() is not None:
                    continue
            except Exception:
                log.exception("job runner loop error; continuing")
            self._stop.wait(self.poll_seconds)
