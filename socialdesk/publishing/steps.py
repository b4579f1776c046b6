"""What goes out after a publication, each on its own: a thread's further parts and a first comment.

Once the post is published, its steps (worked out with the attempt: `wanted`) are planned in the same
transaction (`plan`): parts 2, 3, … of the thread, each to be posted as a reply to the part before it, and
the `first_comment` option as a reply to the post, where the network's capabilities say the publisher
posts it (`first_comment_step`). `run` sends them one at a time, with the publication's own exactly-once
rules: each step's try is recorded before the network call, so a try that follows an interrupted one first
looks for what the interrupted one made (LOOKUP networks), relies on the network's key (KEY networks), or
marks the step unconfirmed for a person to check — never sends the part twice. A step that fails is shown
with its own error; the post stays published. A thread part whose previous part did not go out waits (a
thread must not skip a part).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel
from socialdesk.content import features as content_features
from socialdesk.content.models import Post, Publication, PublicationStatus, PublicationStep
from socialdesk.core import clock
from socialdesk.core.db import Database
from socialdesk.jobs.queue import enqueue
from socialdesk.jobs.worker import backoff
from socialdesk.networks.base import (
    AuthError,
    Capabilities,
    IdempotencyMethod,
    NetworkError,
    OutcomeUnknown,
    OutgoingPost,
    PublishedPost,
)
from socialdesk.notifications import service as notifications

log = logging.getLogger("socialdesk.publishing.steps")
THREAD_PART = "thread_part"
FIRST_COMMENT = "first_comment"
PENDING, PUBLISHED, FAILED, UNCONFIRMED = "pending", "published", "failed", "unconfirmed"
MAX_STEP_ATTEMPTS = 6
CALL_TIMEOUT = timedelta(minutes=2)


Step = tuple[str, int, str]  # kind, position, text


def wanted(publication: Publication, post: Post, caps: Capabilities) -> tuple[Step, ...]:
    """The steps a publication has once published: its thread's further parts and its first comment."""
    found: list[Step] = []
    features = content_features.effective(post.extras, publication.extras)
    if caps.threads:
        found += [(THREAD_PART, index, text) for index, text in enumerate(features.thread, start=2)]
    comment = str((publication.network_options or {}).get("first_comment") or "").strip()
    if comment and caps.first_comment_step:
        found.append((FIRST_COMMENT, 0, comment))
    return tuple(found)


def plan(session: Session, workspace_id: str, publication_id: str, steps: tuple[Step, ...]) -> int:
    """Add the publication's steps (once: a second call finds them there); returns how many were added."""
    if not steps:
        return 0
    existing = {(s.kind, s.position) for s in session.scalars(
        select(PublicationStep).where(PublicationStep.publication_id == publication_id))}
    added = 0
    for kind, position, text in steps:
        if (kind, position) not in existing:
            session.add(PublicationStep(workspace_id=workspace_id, publication_id=publication_id,
                                        kind=kind, position=position, text=text))
            added += 1
    return added


def _key(step: PublicationStep) -> str:
    return f"{step.publication_id}:{step.kind}:{step.position}"


def run(db: Database, publication_id: str) -> None:
    """Send the publication's pending steps in order until one cannot go now."""
    while _run_one(db, publication_id):
        pass


def _run_one(db: Database, publication_id: str) -> bool:
    now = clock.now()
    with db.unit_of_work() as session:
        publication = session.get(Publication, publication_id)
        if publication is None or publication.status != PublicationStatus.PUBLISHED or not publication.external_id:
            return False
        steps = list(session.scalars(select(PublicationStep).where(PublicationStep.publication_id == publication_id)
                                     .order_by(PublicationStep.kind.desc(), PublicationStep.position)))
        parts = {s.position: s for s in steps if s.kind == THREAD_PART}
        step = next((s for s in steps if s.status == PENDING and (
            s.kind != THREAD_PART or s.position == 2 or parts.get(s.position - 1, s).status == PUBLISHED)), None)
        if step is None:
            return False
        if step.attempt_started_at is not None and step.attempt_started_at > now - CALL_TIMEOUT:
            # Another try may still be waiting for the network: come back when it must have ended.
            enqueue(session, "publication.steps", {"publication_id": publication_id},
                    run_at=step.attempt_started_at + CALL_TIMEOUT, dedupe_key=f"steps:{publication_id}")
            return False
        post = session.get(Post, publication.post_id)
        assert post is not None
        channel = session.get(Channel, publication.channel_id)
        assert channel is not None
        caps = channels.capabilities(channel)
        features = content_features.effective(post.extras, publication.extras)
        if step.kind == THREAD_PART:
            parent = publication.external_id if step.position == 2 else parts[step.position - 1].external_id
        else:
            parent = publication.external_id
        interrupted = step.attempt_started_at is not None
        step.attempts += 1
        step.attempt_started_at = now
        outgoing = OutgoingPost(
            text=step.text, reply_to_external_id=parent, idempotency_key=_key(step),
            visibility=features.visibility, comment=step.kind == FIRST_COMMENT,
            # Mastodon's custom: the replies of a thread carry its content warning too.
            content_warning=features.content_warning if step.kind == THREAD_PART else "")
        since = (publication.published_at or now) - timedelta(minutes=5)
        adapter, channel_id, step_id, attempt = channels.adapter(channel), channel.id, step.id, step.attempts
        where = channel.name

    def call(fn):  # type: ignore[no-untyped-def]
        return channels.call_network(db, channel_id, fn, loaded=adapter)

    try:
        result: PublishedPost | None = None
        if interrupted and caps.idempotency == IdempotencyMethod.LOOKUP:
            result = call(lambda a: a.find_published(outgoing, since))
        if result is None:
            if interrupted and caps.idempotency != IdempotencyMethod.KEY:
                return _finish(db, step_id, UNCONFIRMED, where, error="An earlier try was interrupted before the "
                               "network answered, and the reply could not be found.")
            result = call(lambda a: a.publish(outgoing))
    except OutcomeUnknown as error:
        found = None
        if caps.idempotency == IdempotencyMethod.LOOKUP:
            try:
                found = call(lambda a: a.find_published(outgoing, since))
            except NetworkError:
                found = None
        if found is not None:
            return _finish(db, step_id, PUBLISHED, where, result=found)
        if caps.idempotency == IdempotencyMethod.KEY:
            return _retry_later(db, step_id, attempt, where, error)
        return _finish(db, step_id, UNCONFIRMED, where, error=f"The network did not confirm it "
                       f"({error.network_message}), and it could not be found.")
    except NetworkError as error:
        if error.transient and not isinstance(error, AuthError):
            return _retry_later(db, step_id, attempt, where, error)
        return _finish(db, step_id, FAILED, where, error=error.network_message or type(error).__name__)
    except Exception as error:  # a bug after the request may have gone out: unknown, never resent blindly
        log.exception("step %s crashed inside the adapter", step_id)
        return _finish(db, step_id, UNCONFIRMED, where, error=f"Unexpected error: {error}")
    return _finish(db, step_id, PUBLISHED, where, result=result)


def _what(step: PublicationStep) -> str:
    return "The first comment" if step.kind == FIRST_COMMENT else f"Part {step.position} of the thread"


def _finish(db: Database, step_id: str, status: str, where: str, *, result: PublishedPost | None = None,
            error: str | None = None) -> bool:
    with db.unit_of_work() as session:
        step = session.get(PublicationStep, step_id)
        assert step is not None
        step.attempt_started_at = None
        step.status = status
        if result is not None:
            step.external_id, step.external_url, step.published_at = result.external_id, result.url, \
                result.published_at
            step.last_error = None
            return True
        step.last_error = error
        publication = session.get(Publication, step.publication_id)
        assert publication is not None
        verb = "may or may not have gone out" if status == UNCONFIRMED else "failed"
        notifications.notify(session, step.workspace_id, "publication_step_failed",
                             f"{_what(step)} on {where} {verb}: {error}", subject=step.id,
                             link=f"/w/{step.workspace_id}/posts/{publication.post_id}", level="error")
    log.warning("step %s %s: %s", step_id, status, error)
    return False


def _retry_later(db: Database, step_id: str, attempt: int, where: str, error: NetworkError) -> bool:
    if attempt >= MAX_STEP_ATTEMPTS:
        return _finish(db, step_id, FAILED, where, error=f"Gave up after {attempt} tries: {error.network_message}")
    delay = timedelta(seconds=error.retry_after) if error.retry_after else backoff(attempt, 30)
    with db.unit_of_work() as session:
        step = session.get(PublicationStep, step_id)
        assert step is not None
        step.attempt_started_at = None
        step.last_error = f"Try {attempt} failed, trying again shortly: {error.network_message}"
        enqueue(session, "publication.steps", {"publication_id": step.publication_id},
                run_at=clock.now() + delay, dedupe_key=f"steps:{step.publication_id}")
    return False

