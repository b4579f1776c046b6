"""The publishing pipeline: claim due publications, send each once, record what the network said.

States (DESIGN §4): scheduled -> publishing -> published | failed | unconfirmed (and back to scheduled
for a retry after a transient error). The claim is a conditional UPDATE, so two dispatchers never take
the same publication; the attempt is recorded *before* the network call, so after a crash the next try
knows an earlier one may have gone out and looks for it instead of posting again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Row, Select, Table, bindparam, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningUpdate

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.content import bloglink
from socialdesk.content import features as content_features
from socialdesk.content import service as content
from socialdesk.content.models import Post, PostMedia, Publication, PublicationStatus
from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.db import Database, UTCDateTime
from socialdesk.integrations import service as integrations
from socialdesk.jobs.health import runner_alive
from socialdesk.jobs.queue import enqueue, enqueue_many
from socialdesk.jobs.registry import RetryLater
from socialdesk.jobs.worker import backoff, current_runner, end_job, first_transaction
from socialdesk.links import shortlinks
from socialdesk.links.models import ShortLink
from socialdesk.media.service import path_of
from socialdesk.networks.base import (
    AuthError,
    Capabilities,
    IdempotencyMethod,
    MediaKind,
    NetworkAdapter,
    NetworkError,
    OutcomeUnknown,
    OutgoingMedia,
    OutgoingPost,
    PublishedPost,
    RateLimited,
)
from socialdesk.notifications import service as notifications
from socialdesk.publishing import steps
from socialdesk.publishing.dispatching import request_dispatch
from socialdesk.workspaces.models import Workspace

log = logging.getLogger("socialdesk.publishing")
_PUBLICATIONS: Table = Publication.__table__  # type: ignore[assignment]
_CHANNELS: Table = Channel.__table__  # type: ignore[assignment]
S = PublicationStatus
T = TypeVar("T")
MAX_ATTEMPTS = 6
DISPATCH_BATCH = 200


def dispatch_due(db: Database) -> int:
    """Claim every due publication and enqueue its publish job in the same transaction, batch by batch."""
    total = 0
    while True:
        claimed, seen = _dispatch_batch(db)
        total += claimed
        if seen < DISPATCH_BATCH:
            return total


def _dispatch_batch(db: Database) -> tuple[int, int]:
    now = clock.now()
    with db.unit_of_work() as session:
        query = (
            select(Publication.id)
            .join(Channel, Channel.id == Publication.channel_id)
            .join(Workspace, Workspace.id == Publication.workspace_id)
            .where(Publication.status == S.SCHEDULED, Publication.scheduled_at <= now,
                   or_(Publication.next_attempt_at.is_(None), Publication.next_attempt_at <= now),
                   Channel.status == ChannelStatus.ACTIVE, Workspace.queue_paused.is_(False),
                   bloglink.ready_to_send())
            .order_by(Publication.scheduled_at).limit(DISPATCH_BATCH)
        )
        if db.dialect == "postgresql":
            query = query.with_for_update(of=Publication, skip_locked=True)
        due = session.scalars(query).all()
        if not due:
            return 0, 0
        # The status condition makes the claim safe with any number of dispatchers: a publication
        # another one took in the meantime is not returned, so it gets no second job.
        claimed = list(session.scalars(
            update(Publication).where(Publication.id.in_(due), Publication.status == S.SCHEDULED)
            .values(status=S.PUBLISHING, claimed_at=now).returning(Publication.id)
            .execution_options(synchronize_session=False)))
        enqueue_many(session, "publication.publish",
                     {f"publish:{publication_id}": {"publication_id": publication_id} for publication_id in claimed})
    return len(claimed), len(due)


@dataclass(frozen=True)
class Attempt:
    publication_id: str
    workspace_id: str
    post_id: str
    channel_id: str
    attempt: int
    outgoing: OutgoingPost
    caps: Capabilities
    since: datetime  # look for an earlier try's post from here on
    interrupted_at: datetime | None  # an earlier try began then and never recorded its outcome
    adapter: NetworkAdapter  # built from the channel's row read with the attempt
    steps: tuple[steps.Step, ...] = ()  # what goes out after the post (a thread's parts, a first comment)
    had_trouble: bool = False  # an earlier try left an error (and maybe a notification) to clear

    def call(self, db: Database, call: Callable[[NetworkAdapter], T]) -> T:
        return channels.call_network(db, self.channel_id, call, loaded=self.adapter)


def publish(db: Database, publication_id: str) -> None:
    """Send one publication at most once. Safe to run twice: only a publication in `publishing` is sent,
    and a try that follows an interrupted one first finds out what the interrupted one did."""
    attempt = _start_attempt(db, publication_id)
    if attempt is None:
        return
    with _sending_lock:
        _sending_here.add(publication_id)
    try:
        _send(db, attempt)
    finally:
        with _sending_lock:
            _sending_here.discard(publication_id)
    if attempt.steps:
        steps.run(db, publication_id)  # the thread's further parts and the first comment, each on its own


def _send(db: Database, attempt: Attempt) -> None:
    publication_id = attempt.publication_id
    try:
        result = None
        if attempt.interrupted_at is not None and attempt.caps.idempotency == IdempotencyMethod.LOOKUP:
            # The interrupted try may have made the post: look before sending again.
            result = attempt.call(db, lambda adapter: adapter.find_published(attempt.outgoing, attempt.since))
        if result is None:
            if attempt.interrupted_at is not None and attempt.caps.idempotency != IdempotencyMethod.KEY:
                # The interrupted try may have gone out and the network cannot tell us: do not guess.
                _record_unconfirmed(db, attempt, "An earlier try was interrupted before the network answered, "
                                                 "and the post could not be found on the channel.")
                return
            result = attempt.call(db, lambda adapter: adapter.publish(attempt.outgoing))
    except OutcomeUnknown as error:
        if attempt.caps.idempotency == IdempotencyMethod.KEY:
            _record_failure(db, attempt, error)  # the same key makes the retry safe
            return
        found = _look_up_quietly(db, attempt)
        if found is not None:
            _record_success(db, attempt, found)
        else:
            _record_unconfirmed(db, attempt, f"The network did not confirm the post ({error.network_message}), "
                                             "and it could not be found on the channel.")
        return
    except NetworkError as error:
        _record_failure(db, attempt, error)
        return
    except Exception as error:
        # A bug or an unexpected library error after the request may have gone out: treat it as unknown.
        log.exception("publishing %s crashed inside the adapter", publication_id)
        unknown = OutcomeUnknown(f"Unexpected error while publishing: {error}")
        if attempt.caps.idempotency == IdempotencyMethod.KEY:
            _record_failure(db, attempt, unknown)
        else:
            _record_unconfirmed(db, attempt, unknown.network_message)
        return
    _record_success(db, attempt, result)


def _look_up_quietly(db: Database, attempt: Attempt) -> PublishedPost | None:
    if attempt.caps.idempotency != IdempotencyMethod.LOOKUP:
        return None
    try:
        return attempt.call(db, lambda adapter: adapter.find_published(attempt.outgoing, attempt.since))
    except NetworkError as error:
        log.warning("look-up for %s failed: %s", attempt.publication_id, error.network_message)
        return None


def _start_attempt(db: Database, publication_id: str) -> Attempt | None:
    """Record a try of the publication before its network call, in the job's claim transaction (a publish
    job joins its claim): read the publication with its channel and post, locking both rows, then one
    conditional UPDATE that counts the try only while the channel's and the network's limits allow it.
    None when there is nothing to send; RetryLater (after the commit) when it must wait."""
    now = clock.now()
    with first_transaction(db) as session:
        found = _read_for_attempt(session, db.dialect, publication_id)
        if found is None or found.Publication.status != S.PUBLISHING:
            end_job(session, "publication.publish")
            return None
        publication, channel, post = found.Publication, found.Channel, found.Post
        if _try_in_flight(session, publication, now):
            # Another runner's try (a repeated or re-queued job) may still be waiting for the network:
            # sending or looking up now could post twice. Its answer, or its death, settles it.
            later = RetryLater(min(publication.attempt_started_at + CALL_TIMEOUT, now + IN_FLIGHT_RETRY),
                               "Another worker is still sending this post; waiting for its answer.")
        elif channel.status != ChannelStatus.ACTIVE:
            # Paused or disconnected after the claim: hand it back to the schedule untouched.
            publication.status = S.SCHEDULED
            end_job(session, "publication.publish")
            return None
        else:
            caps = channels.capabilities(channel)
            attempts = _count_try(session, publication, channel, caps, now)
            if attempts is not None:
                return _attempt(session, publication, channel, post, caps, attempts, now, found.has_media,
                                found.has_links)
            wait_until = _rate_limit_wait(session, channel, caps, publication.id, now) or now + BUSY_RETRY
            later = RetryLater(wait_until, f"{channel.name}: waiting for the network's rate limit")
    raise later  # after the commit: a publish job's claim stands, and the job runs again then


def _read_for_attempt(session: Session, dialect: str, publication_id: str) -> Row[Any] | None:
    """The publication, its channel and its post in one statement, with whether it has media and short
    links (each a further read only where it has). On PostgreSQL the publication's and the channel's rows
    are locked: the channel's serialises the limit check between workers, the publication's makes a repeated
    job wait for this try's commit and then see it."""
    return session.execute(_read_statement(dialect == "postgresql"), {"publication_id": publication_id}).one_or_none()


@lru_cache
def _read_statement(lock: bool) -> Select[Any]:
    query = (select(Publication, Channel, Post,
                    select(PostMedia.media_id).where(PostMedia.post_id == Publication.post_id).exists()
                    .label("has_media"),
                    select(ShortLink.id).where(ShortLink.publication_id == Publication.id).exists()
                    .label("has_links"))
             .join(Channel, Channel.id == Publication.channel_id).join(Post, Post.id == Publication.post_id)
             .where(Publication.id == bindparam("publication_id")))
    return query.with_for_update(of=[Publication, Channel]) if lock else query


def _count_try(session: Session, publication: Publication, channel: Channel, caps: Capabilities,
               now: datetime) -> int | None:
    """Count a try, if the limits allow one now: one UPDATE whose conditions are the limits (calls in
    flight to the channel and to the network, the network's posting limit over its moving window).
    Returns the try's number, or None when a limit says wait. It runs after the channel's row is locked,
    so on PostgreSQL it sees every other worker's committed try on this channel."""
    if channel.rate_limited_until and channel.rate_limited_until > now:
        return None
    settings = get_settings()
    network_cap = settings.network_concurrency.get(channel.network)
    rate = caps.rate_limit
    return session.scalar(_count_try_statement(bool(network_cap), rate is not None), {
        "publication_id": publication.id, "the_channel_id": channel.id, "network": channel.network, "now": now,
        "call_cutoff": now - CALL_TIMEOUT, "channel_cap": settings.channel_concurrency, "network_cap": network_cap,
        "window_start": now - timedelta(seconds=rate.per_seconds) if rate else None,
        "rate_posts": rate.posts if rate else None, "runner_id": current_runner.get()})


@lru_cache
def _count_try_statement(network_cap: bool, rate_limit: bool) -> ReturningUpdate[tuple[int]]:
    """_count_try's UPDATE, built once for each set of limits: building it took more of a worker's CPU than
    the database took to run it (an aliased entity's columns are worked out again for every new alias).
    On the tables, not the mapped classes: the ORM's handling of an UPDATE costs a tenth of a millisecond
    more, and the row is not loaded as an object anyway."""
    mine, other, channel = _PUBLICATIONS, _PUBLICATIONS.alias("other"), _CHANNELS
    in_flight = (select(func.count()).select_from(other)
                 .where(other.c.status == S.PUBLISHING, other.c.attempt_started_at > bindparam("call_cutoff"),
                        other.c.id != bindparam("publication_id")))
    on_channel = in_flight.where(other.c.channel_id == bindparam("the_channel_id")).scalar_subquery()
    limits = [on_channel < bindparam("channel_cap")]
    if network_cap:
        on_network = (in_flight.join(channel, channel.c.id == other.c.channel_id)
                      .where(channel.c.network == bindparam("network")).scalar_subquery())
        limits.append(on_network < bindparam("network_cap"))
    if rate_limit:
        recent = (select(func.count()).select_from(other)
                  .where(other.c.channel_id == bindparam("the_channel_id"), other.c.status == S.PUBLISHED,
                         other.c.published_at > bindparam("window_start")).scalar_subquery())
        limits.append(recent + on_channel < bindparam("rate_posts"))
    return (update(mine).where(mine.c.id == bindparam("publication_id"), mine.c.status == S.PUBLISHING, *limits)
            .values(attempts=mine.c.attempts + 1, attempt_started_at=bindparam("now", type_=UTCDateTime()),
                    attempt_runner_id=bindparam("runner_id"))
            .returning(mine.c.attempts))


def _attempt(session: Session, publication: Publication, channel: Channel, post: Post, caps: Capabilities,
             attempts: int, now: datetime, has_media: bool, has_links: bool) -> Attempt | None:
    """What the counted try sends (the publication's row as read before the count: `publication.attempts`
    and `attempt_started_at` are the previous try's)."""
    interrupted_at = publication.attempt_started_at
    assets = content.media_to_send(session, publication.workspace_id, publication) if has_media else []
    text = content.text_of(post, publication)
    if has_links:
        text = shortlinks.outgoing_text(session, publication, text)
    if publication.link_from_id is not None:
        blog = session.get(Publication, publication.link_from_id)
        if blog is None or blog.status != S.PUBLISHED or not blog.external_url:
            # The dispatcher only takes it once the blog post is out; anything else is a bug or a
            # blog post without a public address: never send the social post without its link.
            session.execute(update(Publication).where(Publication.id == publication.id).values(
                status=S.FAILED, attempt_started_at=None,
                last_error="The blog post this post links to has no public address yet.")
                .execution_options(synchronize_session=False))
            end_job(session, "publication.publish")
            return None
        text = bloglink.with_link(text, blog.external_url)
    options = publication.blog_options or {}
    wanted = content_features.effective(post.extras, publication.extras)
    network_options = dict(publication.network_options or {})
    if caps.first_comment_step:
        network_options.pop("first_comment", None)  # sent after the post, as a step of its own (steps.py)
    outgoing = OutgoingPost(
        text=text,
        title=publication.title or "",
        tags=tuple(options.get("tags") or ()),
        categories=tuple(options.get("categories") or ()),
        as_draft=bool(options.get("draft")),
        media=[OutgoingMedia(path=path_of(a), kind=MediaKind(a.kind), content_type=a.content_type,
                             size_bytes=a.size_bytes, alt_text=a.alt_text, width=a.width, height=a.height,
                             duration_seconds=a.duration_seconds) for a in assets],
        idempotency_key=publication.id,
        options=network_options,
        poll=wanted.outgoing_poll() if caps.polls else None,
        content_warning=wanted.content_warning if caps.content_warnings else "",
        visibility=wanted.visibility if caps.visibilities else None,
    )
    first_try = min(t for t in (interrupted_at, publication.claimed_at, now) if t is not None)
    return Attempt(publication.id, publication.workspace_id, post.id, channel.id, attempts,
                   outgoing, caps, since=first_try - timedelta(minutes=5), interrupted_at=interrupted_at,
                   adapter=channels.adapter(channel), steps=steps.wanted(publication, post, caps),
                   had_trouble=publication.last_error is not None)


# A network call older than this is not in flight any more: its worker died (adapters time out sooner).
CALL_TIMEOUT = timedelta(minutes=2)
BUSY_RETRY = timedelta(seconds=2)
IN_FLIGHT_RETRY = timedelta(seconds=5)
# Publications whose network call runs in this process right now (the in-flight check for our own runner).
_sending_here: set[str] = set()
_sending_lock = threading.Lock()


def _try_in_flight(session: Session, publication: Publication, now: datetime) -> bool:
    """Whether the last try of this publication may still be waiting for the network.

    A try is over when its outcome is recorded, when its runner died (heartbeat silent), or when it
    is older than any network call can be. A runner outside a job (tests, the CLI) is not tracked.
    """
    started, holder = publication.attempt_started_at, publication.attempt_runner_id
    if started is None or holder is None or started <= now - CALL_TIMEOUT:
        return False
    if holder == current_runner.get():
        with _sending_lock:
            return publication.id in _sending_here
    return runner_alive(session, holder, now)


def _calls_in_flight(session: Session, publication_id: str, now: datetime, *where: Any) -> int:
    return session.scalar(
        select(func.count()).select_from(Publication).join(Channel, Channel.id == Publication.channel_id).where(
            Publication.status == S.PUBLISHING, Publication.attempt_started_at > now - CALL_TIMEOUT,
            Publication.id != publication_id, *where)) or 0


def _rate_limit_wait(session: Session, channel: Channel, caps: Capabilities, publication_id: str,
                     now: datetime) -> datetime | None:
    """When the channel may post again, or None if it may now.

    Three limits, shared by every worker through the database: how many calls may be in flight to one
    channel and to one network at once (SOCIALDESK_CHANNEL_CONCURRENCY, SOCIALDESK_NETWORK_CONCURRENCY),
    and the network's posting limit. Networks state that as "N posts per window" over a moving window
    (Instagram: 100 API posts in any 24 hours), so the channel's own posts in the window are counted
    rather than a token bucket refilled, which would let a burst exceed the network's count.
    """
    if channel.rate_limited_until and channel.rate_limited_until > now:
        return channel.rate_limited_until
    settings = get_settings()
    if _calls_in_flight(session, publication_id, now, Channel.id == channel.id) >= settings.channel_concurrency:
        return now + BUSY_RETRY
    network_cap = settings.network_concurrency.get(channel.network)
    on_network = Channel.network == channel.network
    if network_cap and _calls_in_flight(session, publication_id, now, on_network) >= network_cap:
        return now + BUSY_RETRY
    if caps.rate_limit is None:
        return None
    window = timedelta(seconds=caps.rate_limit.per_seconds)
    recent = list(session.scalars(
        select(Publication.published_at).where(
            Publication.channel_id == channel.id, Publication.status == S.PUBLISHED,
            Publication.published_at > now - window).order_by(Publication.published_at)))
    in_flight = _calls_in_flight(session, publication_id, now, Channel.id == channel.id)
    over = len(recent) + in_flight - caps.rate_limit.posts
    if over < 0:
        return None
    # The oldest posts must leave the window first; with only posts in flight, look again shortly.
    return recent[over] + window if over < len(recent) else now + timedelta(minutes=1)


def _finished(session: Session, attempt: Attempt) -> Publication:
    publication = session.get(Publication, attempt.publication_id)
    assert publication is not None
    publication.attempt_started_at = None
    publication.attempt_runner_id = None
    return publication


def _channel(session: Session, attempt: Attempt) -> Channel:
    channel = session.get(Channel, attempt.channel_id)
    assert channel is not None
    return channel


def _post_link(attempt: Attempt) -> str:
    return f"/w/{attempt.workspace_id}/posts/{attempt.post_id}"


# Built once: the hot path's statements cost more to build than to run (see _count_try_statement). It
# returns whether the workspace has webhooks, which saves most publications emit's look-up.
_PUBLISHED = (update(_PUBLICATIONS).where(_PUBLICATIONS.c.id == bindparam("publication_id")).values(
    status=S.PUBLISHED, attempt_started_at=None, attempt_runner_id=None, external_id=bindparam("answer_id"),
    external_url=bindparam("answer_url"), published_at=bindparam("answer_at", type_=UTCDateTime()),
    last_error=None, next_attempt_at=None).returning(integrations.any_active(_PUBLICATIONS.c.workspace_id)))


def _record_success(db: Database, attempt: Attempt, result: PublishedPost) -> None:
    """The try's outcome, its steps, its webhooks and (with no steps to send) the job's end: one transaction,
    written without reading the publication again (the attempt read what it needs)."""
    with db.unit_of_work() as session:
        has_webhooks = session.scalar(_PUBLISHED, {
            "publication_id": attempt.publication_id, "answer_id": result.external_id, "answer_url": result.url,
            "answer_at": result.published_at})
        steps.plan(session, attempt.workspace_id, attempt.publication_id, attempt.steps)
        if attempt.had_trouble:
            for kind in ("publication_failed", "publication_unconfirmed"):
                notifications.resolve(session, attempt.workspace_id, kind, attempt.publication_id)
        if has_webhooks:
            integrations.emit(session, attempt.workspace_id, "post.published", {
                "post_id": attempt.post_id, "publication_id": attempt.publication_id,
                "channel_id": attempt.channel_id, "external_id": result.external_id, "url": result.url,
                "published_at": result.published_at})
        if attempt.caps.blog and bloglink.dependents(session, attempt.publication_id):
            request_dispatch(session)  # the social posts waiting for this blog post go now, with its link
        if not attempt.steps:
            end_job(session, "publication.publish")  # with steps, the job ends after them
    log.info("published %s as %s", attempt.publication_id, result.external_id)


def _record_unconfirmed(db: Database, attempt: Attempt, why: str) -> None:
    with db.unit_of_work() as session:
        publication, channel = _finished(session, attempt), _channel(session, attempt)
        publication.status = S.UNCONFIRMED
        publication.last_error_at = clock.now()
        publication.last_error = f"{why} Check {channel.name}: retry if the post is not there, or mark it published."
        notifications.notify(session, attempt.workspace_id, "publication_unconfirmed",
                             f"A post on {channel.name} may or may not have been published; please check.",
                             subject=attempt.publication_id, link=_post_link(attempt), level="error")
        bloglink.hold_dependents(session, publication, channel.name,
                                 "it may or may not have been published, and a person must check.")
        end_job(session, "publication.publish")
    log.warning("publication %s unconfirmed: %s", attempt.publication_id, why)


def _record_failure(db: Database, attempt: Attempt, error: NetworkError) -> None:
    now = clock.now()
    message = error.network_message or type(error).__name__
    with db.unit_of_work() as session:
        publication, channel = _finished(session, attempt), _channel(session, attempt)
        publication.last_error_at = now
        if isinstance(error, AuthError):
            channels.mark_needs_reconnection(session, channel, message)
            publication.status = S.SCHEDULED
            publication.last_error = f"{channel.name} needs reconnecting: {message}"
            bloglink.hold_dependents(session, publication, channel.name,
                                     f"the blog needs reconnecting ({message}).")
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
                request_dispatch(session, publication.next_attempt_at)
                publication.last_error = (f"Try {attempt.attempt} failed, retrying at "
                                          f"{publication.next_attempt_at:%H:%M:%S} UTC: {message}")
        else:
            publication.status = S.FAILED
            publication.last_error = message
        if publication.status == S.FAILED:
            bloglink.hold_dependents(session, publication, channel.name, f"it failed ({publication.last_error}).")
            integrations.emit(session, attempt.workspace_id, "post.failed", {
                "post_id": publication.post_id, "publication_id": publication.id, "channel_id": channel.id,
                "error": publication.last_error})
            notifications.notify(session, attempt.workspace_id, "publication_failed",
                                 f"A post on {channel.name} failed: {publication.last_error}",
                                 subject=attempt.publication_id, link=_post_link(attempt), level="error")
        end_job(session, "publication.publish")
    log.warning("publication %s: %s", attempt.publication_id, message)


# Nothing silent ----------------------------------------------------------------------------------

# A publication still `publishing` this long after its claim, with no job left to finish it.
STUCK_AFTER = timedelta(minutes=10)
# A due publication not sent this long after its time (and not waiting for a retry or a rate limit).
OVERDUE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Reconciliation:
    restarted: int  # stuck publications given a new publish job
    overdue: dict[str, int]  # workspace id -> late publications


def overdue_counts(session: Session, now: datetime) -> dict[str, int]:
    """Per workspace: publications that should have gone out by now and have not (nothing holds them)."""
    return dict(session.execute(
        select(Publication.workspace_id, func.count())
        .join(Channel, Channel.id == Publication.channel_id)
        .join(Workspace, Workspace.id == Publication.workspace_id)
        .where(Publication.status == S.SCHEDULED, Publication.scheduled_at < now - OVERDUE_AFTER,
               or_(Publication.next_attempt_at.is_(None), Publication.next_attempt_at < now - OVERDUE_AFTER),
               Channel.status == ChannelStatus.ACTIVE, Workspace.queue_paused.is_(False),
               bloglink.ready_to_send())  # one waiting for its blog post says so itself
        .group_by(Publication.workspace_id)).all())


def reconcile(db: Database) -> Reconciliation:
    """Find publications that fell through the cracks and put them back on track, loudly."""
    now = clock.now()
    with db.unit_of_work() as session:
        stuck = list(session.scalars(select(Publication.id).where(
            Publication.status == S.PUBLISHING, Publication.claimed_at < now - STUCK_AFTER)))
        restarted = 0
        for publication_id in stuck:
            # enqueue() does nothing while a queued or running publish job for it exists.
            if enqueue(session, "publication.publish", {"publication_id": publication_id},
                       dedupe_key=f"publish:{publication_id}"):
                restarted += 1
                log.warning("publication %s was stuck in publishing; trying to finish it", publication_id)
        late = overdue_counts(session, now)
        for workspace_id in session.scalars(select(Workspace.id)):
            if late.get(workspace_id):
                notifications.notify(session, workspace_id, "publications_overdue",
                                     f"{late[workspace_id]} post(s) are more than {OVERDUE_AFTER.seconds // 60} "
                                     "minutes past their time and were not sent yet; they are being sent now.",
                                     subject="queue", link=f"/w/{workspace_id}/posts?status=scheduled")
            else:
                notifications.resolve(session, workspace_id, "publications_overdue", "queue")
    dispatch_due(db)
    return Reconciliation(restarted, late)
