"""Scaled out: jobs stay rows in the database (the source of truth), and a Celery message naming the
job id tells a worker to run it now.

A message is sent after the transaction that enqueued the job commits (never before: a worker must
find the row). Messages may be lost (broker restart) or repeated (redelivery after a worker died):
neither matters, because the scheduler re-sends for due jobs still queued, and a worker runs a job
only if its conditional claim on the row wins.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from socialdesk.core.config import get_settings

log = logging.getLogger("socialdesk.jobs")
QUEUE = "socialdesk"
TASK = "socialdesk.run_job"
_PENDING = "socialdesk_jobs_to_send"


def enabled() -> bool:
    return bool(get_settings().broker_url)


@lru_cache
def celery_app(broker_url: str | None = None) -> Any:
    from celery import Celery

    app = Celery("socialdesk", broker=broker_url or get_settings().broker_url)
    app.conf.update(
        task_default_queue=QUEUE,
        # A message is acknowledged when the job is done, so a worker killed mid-job leaves it with the
        # broker; the job row decides whether it still needs running.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 600},
        worker_hijack_root_logger=False,
        task_ignore_result=True,
    )

    @app.task(name=TASK, bind=False)
    def run_job(job_id: str) -> None:
        from socialdesk.jobs.celery_worker import run_job_by_id

        run_job_by_id(job_id)

    return app


def send(job_ids: list[str]) -> None:
    """Tell the workers to run these jobs now. A failure is logged, not raised: the scheduler re-sends."""
    if not job_ids:
        return
    app = celery_app()
    try:
        for job_id in job_ids:
            app.send_task(TASK, args=[job_id], queue=QUEUE)
    except Exception as exc:  # the broker may be down; the job rows are safe
        log.warning("could not reach the broker (%s); the scheduler will send these jobs again", exc)


def queue_length() -> int | None:
    """Messages waiting in the broker's queue; None when the broker cannot be asked."""
    from amqp.exceptions import ChannelError

    try:
        with celery_app().connection_for_read() as connection:
            return int(connection.default_channel.queue_declare(queue=QUEUE, passive=True).message_count)
    except ChannelError:
        return 0  # no such queue: Redis drops an empty list, RabbitMQ has not seen the queue yet
    except Exception as exc:  # the broker is down
        log.debug("could not read the queue length: %s", exc)
        return None


def send_after_commit(session: Session, job_ids: list[str]) -> None:
    """Send messages for these jobs once `session` commits (nothing is sent if it rolls back)."""
    if not enabled() or not job_ids:
        return
    pending: list[str] = session.info.setdefault(_PENDING, [])
    if not pending:
        event.listen(session, "after_commit", _flush, once=True)
        event.listen(session, "after_rollback", _forget, once=True)
    pending.extend(job_ids)


def _flush(session: Session) -> None:
    send(session.info.pop(_PENDING, []))


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
