"""Running jobs in Celery worker processes (`socialdesk worker` with SOCIALDESK_BROKER_URL set)."""

from __future__ import annotations

import logging
import threading

from socialdesk.core.config import get_settings
from socialdesk.core.db import get_database
from socialdesk.jobs.worker import JobWorker

log = logging.getLogger("socialdesk.jobs")
_worker: JobWorker | None = None
_lock = threading.Lock()


def _this_process() -> JobWorker:
    """One JobWorker (one runner id, one heartbeat) per worker process, made after the fork."""
    global _worker
    with _lock:
        if _worker is None:
            _worker = JobWorker(get_database(), kind="worker")
            _start_heartbeat(_worker)
        return _worker


def _start_heartbeat(worker: JobWorker) -> None:
    interval = get_settings().heartbeat_seconds
    stop = threading.Event()

    def beat_forever() -> None:
        while not stop.wait(interval):
            try:
                worker.beat()
            except Exception:
                log.exception("heartbeat failed; trying again")

    worker.beat()
    threading.Thread(target=beat_forever, name="socialdesk-heartbeat", daemon=True).start()


def run_job_by_id(job_id: str) -> None:
    worker = _this_process()
    job = worker.claim(job_id)
    if job is None:
        return  # already done, running elsewhere, not due yet, or a repeated message
    worker.execute(job)


def start(concurrency: int, pool: str) -> None:
    """Start a Celery worker in this process (blocks)."""
    from socialdesk.jobs.broker import QUEUE, celery_app

    app = celery_app()
    app.worker_main(["worker", "--loglevel=INFO", f"--concurrency={concurrency}", f"--pool={pool}",
                     "-Q", QUEUE, "--without-gossip", "--without-mingle", "--without-heartbeat"])
