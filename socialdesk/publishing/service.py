"""The publishing pipeline: claim due publications, send each once, record what the network said.

States (DESIGN §4): scheduled -> publishing -> published | failed | unconfirmed (and back to scheduled
for a retry after a transient error). The claim is a conditional UPDATE, so two dispatchers never take
the same publication; the attempt is recorded *before* the network call, so after a crash the next try
knows an earlier one may have gone out and looks for it instead of posting again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.content import service as content
from socialdesk.content.models import Post, Publication, PublicationStatus
from socialdesk.core import clock
from socialdesk.core.db import Database
from socialdesk.jobs.queue import enqueue
from socialdesk.jobs.registry import RetryLater
from socialdesk.jobs.runner import backoff
from socialdesk.media.service import path_of
from socialdesk.networks.base import (
    AuthError,
    Capabilities,
    IdempotencyMethod,
    MediaKind,
    NetworkError,
    OutcomeUnknown,
    OutgoingMedia,
    OutgoingPost,
    PublishedPost,
    RateLimited,
)
from socialdesk.workspaces.models import Workspace
from socialdesk.workspaces.service import system_context

log = logging.getLogger("socialdesk.publishing")
S = PublicationStatus
MAX_ATTEMPTS = 6
DISPATCH_BATCH = 200


def request_dispatch(session: Session) -> None:
    """Ask for a dispatch pass as soon as this transaction commits (publish now, retry)."""
    enqueue(session, "publications.dispatch", {}, dedupe_key="dispatch:now")


def dispatch_due(db: Database) -> int:
    """Claim every due publication and enqueue its publish job in the same transaction."""
    now = clock.now()
    claimed = 0
    with db.unit_of_work() as session:
        query = (
            select(Publication.id)
            .join(Channel, Channel.id == Publication.channel_id)
            .join(Workspace, Workspace.id == Publication.workspace_id)
            .where(Publication.status == S.SCHEDULED, Publication.scheduled_at <= now,
                   or_(Publication.next_attempt_at.is_(None), Publication.next_attempt_at <= now),
                   Channel.status == ChannelStatus.ACTIVE, Workspace.queue_paused.is_(False))
            .order_by(Publication.scheduled_at).limit(DISPATCH_BATCH)
        )
        if db.dialect == "postgresql":
            query = query.with_for_update(of=Publication, skip_locked=True)
        for publication_id in session.scalars(query).all():
            won = session.execute(
                update(Publication).where(Publication.id == publication_id, Publication.status == S.SCHEDULED)
                .values(status=S.PUBLISHING, claimed_at=now).execution_options(synchronize_session=False)
            ).rowcount
            if won:
                enqueue(session, "publication.publish", {"publication_id": publication_id},
                        dedupe_key=f"publish:{publication_id}")
                claimed += 1
    return claimed


@dataclass(frozen=True)
class Attempt:
    publication_id: str
    channel_id: str
    attempt: int
    outgoing: OutgoingPost
    caps: Capabilities
    since: datetime  # when the first try of this publication began


def publish(db: Database, publication_id: str) -> None:
    """Send one publication. Safe to run twice: only a publication in `publishing` is sent."""
    attempt = _start_attempt(db, publication_id)
    if attempt is None:
        return
    with db.unit_of_work() as session:
        channel = session.get(Channel, attempt.channel_id)
        assert channel is not None
        adapter = channels.adapter(channel)
    try:
        result: PublishedPost | None = None
        if attempt.attempt > 1 and attempt.caps.idempotency != IdempotencyMethod.KEY:
            # An earlier try may have reached the network before we lost track of it.
            result = adapter.find_published(attempt.outgoing, attempt.since)
        if result is None:
            result = adapter.publish(attempt.outgoing)
    except NetworkError as error:
        _record_failure(db, attempt, error)
        return
    except Exception as error:
        log.exception("publishing %s crashed inside the adapter", publication_id)
        _record_failure(db, attempt, OutcomeUnknown(f"Unexpected error while publishing: {error}"))
        return
    _record_success(db, attempt, result)


def _start_attempt(db: Database, publication_id: str) -> Attempt | None:
    now = clock.now()
    with db.unit_of_work() as session:
        publication = session.get(Publication, publication_id)
        if publication is None or publication.status != S.PUBLISHING:
            return None
        channel = session.get(Channel, publication.channel_id)
        post = session.get(Post, publication.post_id)
        assert channel is not None and post is not None
        if channel.status != ChannelStatus.ACTIVE:
            # Paused or disconnected after the claim: hand it back to the schedule untouched.
            publication.status = S.SCHEDULED
            return None
        caps = channels.capabilities(channel)
        wait_until = _rate_limit_wait(session, channel, caps, publication.id, now)
        if wait_until is not None:
            raise RetryLater(wait_until, f"{channel.name}: waiting for the network's rate limit")
        publication.attempts += 1
        ctx = system_context(session, publication.workspace_id, "publisher")
        assets = content.media_of(ctx, publication)
        outgoing = OutgoingPost(
            text=content.text_of(post, publication),
            media=[OutgoingMedia(path=path_of(a), kind=MediaKind(a.kind), content_type=a.content_type,
                                 size_bytes=a.size_bytes, alt_text=a.alt_text, width=a.width, height=a.height,
                                 duration_seconds=a.duration_seconds) for a in assets],
            idempotency_key=publication.id,
        )
        return Attempt(publication.id, channel.id, publication.attempts, outgoing, caps,
                       since=(publication.claimed_at or now) - timedelta(minutes=5))


def _rate_limit_wait(session: Session, channel: Channel, caps: Capabilities, publication_id: str,
                     now: datetime) -> datetime | None:
    """When the channel may post again, or None if it may now.

    Networks state their limits as "N posts per window" over a moving window (Instagram: 100 API posts
    in any 24 hours), so this counts the channel's own posts in the window rather than refilling a
    token bucket, which would let a burst exceed the network's count. Posts in flight count too.
    """
    if channel.rate_limited_until and channel.rate_limited_until > now:
        return channel.rate_limited_until
    if caps.rate_limit is None:
        return None
    window = timedelta(seconds=caps.rate_limit.per_seconds)
    recent = list(session.scalars(
        select(Publication.published_at).where(
            Publication.channel_id == channel.id, Publication.status == S.PUBLISHED,
            Publication.published_at > now - window).order_by(Publication.published_at)))
    in_flight = session.scalar(select(func.count()).where(
        Publication.channel_id == channel.id, Publication.status == S.PUBLISHING, Publication.attempts > 0,
        Publication.id != publication_id)) or 0
    over = len(recent) + in_flight - caps.rate_limit.posts
    if over < 0:
        return None
    # The oldest posts must leave the window first; with only posts in flight, look again shortly.
    return recent[over] + window if over < len(recent) else now + timedelta(minutes=1)


def _record_success(db: Database, attempt: Attempt, result: PublishedPost) -> None:
    with db.unit_of_work() as session:
        publication = session.get(Publication, attempt.publication_id)
        assert publication is not None
        publication.status = S.PUBLISHED
        publication.external_id = result.external_id
        publication.external_url = result.url
        publication.published_at = result.published_at
        publication.last_error = None
        publication.next_attempt_at = None
    log.info("published %s as %s", attempt.publication_id, result.external_id)


def _record_failure(db: Database, attempt: Attempt, error: NetworkError) -> None:
    now = clock.now()
    message = error.network_message or type(error).__name__
    with db.unit_of_work() as session:
        publication = session.get(Publication, attempt.publication_id)
        channel = session.get(Channel, attempt.channel_id)
        assert publication is not None and channel is not None
        publication.last_error_at = now
        if isinstance(error, AuthError):
            channels.mark_needs_reconnection(channel, message)
            publication.status = S.SCHEDULED
            publication.last_error = f"{channel.name} needs reconnecting: {message}"
        elif isinstance(error, OutcomeUnknown) and attempt.caps.idempotency != IdempotencyMethod.KEY:
            publication.status = S.UNCONFIRMED
            publication.last_error = (f"The network did not confirm the post ({message}). It may or may not be "
                                      "online: check the channel, then retry or cancel.")
        elif error.transient or isinstance(error, OutcomeUnknown):
            if attempt.attempt >= MAX_ATTEMPTS:
                publication.status = S.FAILED
                publication.last_error = f"Gave up after {attempt.attempt} tries: {message}"
            else:
                delay = timedelta(seconds=error.retry_after) if error.retry_after else backoff(attempt.attempt, 30)
                if isinstance(error, RateLimited):
                    channel.rate_limited_until = now + delay
                publication.status = S.SCHEDULED
                publication.next_attempt_at = now + delay
                publication.last_error = (f"Try {attempt.attempt} failed, retrying at "
                                          f"{publication.next_attempt_at:%H:%M:%S} UTC: {message}")
        else:
            publication.status = S.FAILED
            publication.last_error = message
    log.warning("publication %s: %s", attempt.publication_id, message)
