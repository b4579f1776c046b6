"""Running jobs in Celery worker processes (`socialdesk worker` with SOCIALDESK_BROKER_URL set)."""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import timedelta

from socialdesk.core.config import get_settings
from socialdesk.core.db import get_database
from socialdesk.jobs.worker import JobWorker

log = logging.getLogger("socialdesk.jobs")
_worker: JobWorker | None = None
_lock = threading.Lock()


def _forget_after_fork() -> None:
    """A prefork child is a runner of its own: its own id and heartbeat (threads do not survive a fork)."""
    global _worker, _lock
    _worker = None
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def _this_process() -> JobWorker:
    """One JobWorker (one runner id, one heartbeat) per worker process."""
    global _worker
    with _lock:
        if _worker is None:
            _worker = JobWorker(get_database(), kind="worker")
            _start_heartbeat(_worker)
        return _worker


def _start_heartbeat(worker: JobWorker) -> None:
    interval = get_settings().heartbeat_seconds

    def beat_forever() -> None:
        while True:
            time.sleep(interval)
            try:
                worker.beat()
            except Exception:
                log.exception("heartbeat failed; trying again")

    worker.beat()
    threading.Thread(target=beat_forever, name="socialdesk-heartbeat", daemon=True).start()


def run_job_by_id(job_id: str) -> None:
    # Nothing happens when the job is already done, running elsewhere, not due yet, or a repeated message.
    _this_process().run(job_id)


def _start_rescue(worker: JobWorker) -> None:
    """Run jobs straight from the database when their messages have waited too long.

    The database decides who runs a job; the broker only makes workers start sooner. A Celery worker
    can stay connected yet stop taking messages after a Redis restart (celery/celery#8030, #9054,
    #10205); without this, its jobs would wait until someone restarted it. The rescue runs as this
    process's runner, whose heartbeat thread keeps beating while a rescued job runs: a silent
    heartbeat would let another runner take the job over mid-call.
    """
    settings = get_settings()
    waited = timedelta(seconds=settings.rescue_after_seconds)
    every = max(1.0, min(settings.rescue_after_seconds / 4, 15.0))

    def rescue_forever() -> None:
        while True:
            time.sleep(every)
            try:
                while (job := worker.run_next(waiting_longer_than=waited)) is not None:
                    log.warning("job %s (%s) waited over %.0f s for a worker: ran it from the database",
                                job.id, job.name, waited.total_seconds())
            except Exception:
                log.exception("rescue pass failed; trying again")

    threading.Thread(target=rescue_forever, name="socialdesk-rescue", daemon=True).start()


def start(concurrency: int, pool: str) -> None:
    """Start a Celery worker in this process (blocks)."""
    from socialdesk.jobs.broker import QUEUE, celery_app

    _start_rescue(_this_process())
    app = celery_app()
    # Celery sets the root logger to the level it is given: the one configure_logging chose (WARNING for a
    # service unless SOCIALDESK_LOG_LEVEL says otherwise; socialdesk's own INFO lines stay). At INFO,
    # Celery formats and writes two lines of its own for every message ("received", "succeeded").
    level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    app.worker_main(["worker", f"--loglevel={level}", f"--concurrency={concurrency}", f"--pool={pool}",
                     "-Q", QUEUE, "--without-gossip", "--without-mingle", "--without-heartbeat"])
