"""The sandbox network behind the adapter protocol, and `connect`, which opens an account on it.

Every call checks the token (a revoked one fails every call until the account is connected again),
waits the account's latency, and serves a queued fault if one is meant for it (faults.py). Reads
and writes use the sandbox's own transactions (store.py), never the caller's.

Post URLs are `sandbox://<handle>/posts/<seq>`: there is nothing to open, as the network exists only
inside socialdesk.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

import numpy as np

from socialdesk.core import clock
from socialdesk.networks.base import (
    AccountMetrics,
    AuthError,
    Capabilities,
    ChannelAccount,
    Follower,
    FollowerPage,
    IdempotencyMethod,
    InboxPage,
    IncomingItem,
    IncomingKind,
    OutgoingPost,
    PermanentNetworkError,
    PostMetrics,
    PublishedPost,
    RateLimited,
)
from socialdesk.networks.sandbox import audience, chatter, faults, ids, link_clicks, store, tokens
from socialdesk.networks.sandbox.faults import Fault
from socialdesk.networks.sandbox.imitation import REPORTS_LANGUAGE, capabilities_for
from socialdesk.networks.sandbox.items import Item, Sources, comments_of
from socialdesk.networks.sandbox.limits import check_features, check_post, check_text, poll_closes, poll_votes
from socialdesk.networks.sandbox.simulation import PostInput, PostTimeline, simulation_for
from socialdesk.networks.sandbox.store import AccountRecord, PostRecord, ReplyRecord
from socialdesk.networks.sandbox.timegrid import from_epoch

PAGE_SIZE = 100  # inbox items per page
MAX_FOLLOWER_PAGE = 1000
_AFTER_EVERYTHING = "~"  # sorts after every id (ids are ASCII letters, digits and "_")


def _not_found(what: str) -> PermanentNetworkError:
    return PermanentNetworkError(f"{what} was not found.", status_code=404)


def _encode_cursor(position: tuple[float, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(position)).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[float, Any]:
    try:
        first, second = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return float(first), second
    except (ValueError, TypeError, binascii.Error) as exc:
        raise PermanentNetworkError("Invalid cursor.", status_code=400) from exc


def shift_cursor(cursor: str, by: timedelta) -> str:
    """An inbox bookmark moved in time with everything else (the demo's recorded history, demo_history.py)."""
    at, after = _decode_cursor(cursor)
    return _encode_cursor((at + by.total_seconds(), after))


def _as_input(post: PostRecord) -> PostInput:
    return PostInput(post.seq, post.published_at.timestamp(), post.text,
                     tuple(str(m.get("kind", "image")) for m in post.media), post.reply_to_seq,
                     None if post.deleted_at is None else post.deleted_at.timestamp())


@dataclass(frozen=True)
class _Call:
    """One call's view of the account: its rows as read at the start, and a fault to serve at the end."""

    record: AccountRecord
    caps: Capabilities
    posts: list[PostRecord]
    replies: list[ReplyRecord]
    hidden: dict[str, datetime]
    late: Fault | None

    def finish(self) -> None:
        """Serve a `timeout_after_send` fault: the work is done, the answer is lost."""
        if self.late is not None:
            raise faults.error_for(self.late, self.record.handle)

    def sources(self) -> Sources:
        params = self.record.params()
        timelines = simulation_for(params).timelines([_as_input(p) for p in self.posts])
        return Sources(params, timelines, self.replies, self.caps.comments, self.caps.direct_messages)


class SandboxAdapter:
    network: ClassVar[str] = "sandbox"

    def __init__(self, account: ChannelAccount) -> None:
        self.account = account  # no I/O here: registries build adapters just to ask for capabilities

    def capabilities(self) -> Capabilities:
        return capabilities_for(str(self.account.settings.get("profile") or "generic"),
                                keyless=bool(self.account.settings.get("keyless")))

    # Credentials ---------------------------------------------------------------------------------

    def credentials_expire_at(self) -> datetime | None:
        return tokens.expires_at(self.account.credentials)

    def refresh_credentials(self) -> dict[str, Any]:
        return tokens.refresh(self.account.handle, self.account.credentials)

    # Every call starts here ----------------------------------------------------------------------

    def _open(self, operation: str, *, posts: bool = False, replies: bool = False, hidden: bool = False) -> _Call:
        """The account and the rows asked for, if the token is good; raises a queued fault now, or
        keeps a `timeout_after_send` for `_Call.finish`."""
        found = store.snapshot(self.account.handle, posts=posts, replies=replies, hidden=hidden)
        if found is None:
            raise AuthError("This account does not exist. Reconnect it.", status_code=401,
                            details={"reason": "missing"})
        record = found.account
        if record.revoked:
            raise AuthError("The access token was revoked by the user. Reconnect the account.",
                            status_code=401, details={"reason": "revoked"})
        if self.account.credentials.get("access_token") != record.access_token:
            raise AuthError("The access token is not valid for this account.", status_code=401,
                            details={"reason": "invalid"})
        if tokens.expired(record, clock.now()):
            raise AuthError("The access token has expired.", status_code=401, details={"reason": "expired"})
        if record.latency_ms:
            time.sleep(record.latency_ms / 1000)
        late = None
        if record.fault_plan:
            fault = faults.take(record.handle, operation)
            if fault is not None and fault.kind == "timeout_after_send":
                late = fault  # the work is done, then the answer is lost
            elif fault is not None:
                raise faults.error_for(fault, record.handle)
        return _Call(record, capabilities_for(record.profile, keyless=bool(record.settings.get("keyless"))),
                     found.posts, found.replies, found.hidden, late)

    # Publishing ----------------------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishedPost:
        call = self._open("publish")
        result = self._publish(call.record, call.caps, post)
        call.finish()
        return result

    def _publish(self, record: AccountRecord, caps: Capabilities, post: OutgoingPost) -> PublishedPost:
        # A keyless account ignores the key, as a network without idempotency keys would.
        key = (post.idempotency_key or None) if caps.idempotency == IdempotencyMethod.KEY else None
        if key is not None:
            existing = store.post_by_key(record.id, key)
            if existing is not None:
                return self._published(record, existing)  # a repeat: the first answer, again
        check_post(post, caps)
        extra = check_features(post, caps)
        reply_to = self._thread_parent(record, caps, post.reply_to_external_id, comment=post.comment)
        now = clock.now()
        self._check_rate(record, caps, now)
        if extra.get("poll"):
            extra["poll"]["expires_at"] = (now + timedelta(seconds=post.poll.expires_in_seconds)).isoformat() \
                if post.poll else None
        media = [{"kind": m.kind.value, "content_type": m.content_type, "size_bytes": m.size_bytes,
                  "duration_seconds": m.duration_seconds, "width": m.width, "height": m.height,
                  "alt_text": m.alt_text} for m in post.media]
        stored, _ = store.insert_post(record.id, text=post.text, media=media, idempotency_key=key,
                                      language=post.language, reply_to_seq=reply_to, published_at=now,
                                      extra=extra or None)
        return self._published(record, stored)

    def _thread_parent(self, record: AccountRecord, caps: Capabilities, external_id: str | None, *,
                       comment: bool = False) -> int | None:
        if not external_id:
            return None
        if comment and not caps.comments:
            raise PermanentNetworkError("Comments are not supported on this network.", status_code=400)
        if not comment and not caps.threads:
            raise PermanentNetworkError("Replying to your own posts is not supported on this network.",
                                        status_code=400)
        ref = ids.parse(ids.account_key(record.handle), external_id)
        parent = store.post_by_seq(record.id, ref.number) if ref and ref.kind == "post" else None
        if parent is None or parent.deleted_at is not None:
            raise _not_found("The post to reply to")
        return parent.seq

    def _check_rate(self, record: AccountRecord, caps: Capabilities, now: datetime) -> None:
        limit = caps.rate_limit
        if limit is None:
            return
        recent = store.posts_since(record.id, from_epoch(now.timestamp() - limit.per_seconds))
        if len(recent) >= limit.posts:
            wait = recent[-limit.posts].timestamp() + limit.per_seconds - now.timestamp()
            raise RateLimited(f"Rate limit exceeded: {limit.posts} posts per {limit.per_seconds} seconds.",
                              status_code=429, retry_after=max(1.0, round(wait)))

    def _published(self, record: AccountRecord, post: PostRecord) -> PublishedPost:
        key = ids.account_key(record.handle)
        return PublishedPost(ids.post_id(key, post.seq), post_url(record.handle, post.seq), post.published_at)

    def find_published(self, post: OutgoingPost, since: datetime) -> PublishedPost | None:
        call = self._open("find_published", posts=True)
        found: PostRecord | None = None
        if post.idempotency_key:
            found = next((p for p in call.posts if p.idempotency_key == post.idempotency_key), None)
        if found is None:
            text = post.text.strip()
            same = [p for p in call.posts if p.text.strip() == text and p.published_at >= since]
            found = max(same, key=lambda p: p.seq) if same else None
        call.finish()
        return self._published(call.record, found) if found else None

    def delete(self, external_id: str) -> None:
        call = self._open("delete", posts=True)
        ref = ids.parse(ids.account_key(call.record.handle), external_id)
        post = next((p for p in call.posts if ref and ref.kind == "post" and p.seq == ref.number), None)
        if post is None:
            raise _not_found("The post")
        if post.deleted_at is None:  # deleting twice is not an error: the post is gone either way
            store.mark_deleted(call.record.id, post.seq, clock.now())
        call.finish()

    # The inbox -----------------------------------------------------------------------------------

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        call = self._open("fetch_inbox", posts=True, replies=True, hidden=True)
        now = clock.now().timestamp()
        after = _decode_cursor(cursor) if cursor else None
        sources, hidden = call.sources(), call.hidden
        # Items at the cursor's own instant are re-read and then dropped by (time, id) order.
        candidates = sources.between(None if after is None else after[0] - 1.0, now)
        blocked = self._blocked_members(call)
        fresh = [item for item in candidates
                 if (after is None or item.order > (after[0], str(after[1]))) and item.external_id not in hidden
                 and item.time < blocked.get(item.member, float("inf"))]
        page = fresh[:PAGE_SIZE]
        # A full page leaves a bookmark after its last item; otherwise everything up to now was read
        # (nothing new can appear in the past: reactions always come after what caused them).
        position = page[-1].order if len(fresh) > PAGE_SIZE else (now, _AFTER_EVERYTHING)
        if after is not None and position < (after[0], str(after[1])):
            position = (after[0], str(after[1]))
        result = InboxPage([self._incoming(call.record, sources, item) for item in page], _encode_cursor(position))
        call.finish()
        return result

    def _incoming(self, record: AccountRecord, sources: Sources, item: Item) -> IncomingItem:
        author = chatter.member(audience.population(sources.params), item.member)
        key = ids.account_key(record.handle)
        return IncomingItem(
            external_id=item.external_id, kind=item.kind, text=item.text, created_at=from_epoch(item.time),
            author_external_id=author.external_id, author_handle=author.handle, author_name=author.name,
            post_external_id=None if item.post_seq is None else ids.post_id(key, item.post_seq),
            parent_external_id=item.parent_external_id,
            language=item.language if record.profile in REPORTS_LANGUAGE else None,
            url=None if item.post_seq is None else f"{post_url(record.handle, item.post_seq)}#{item.external_id}",
        )

    def reply(self, item_external_id: str, text: str) -> str:
        call = self._open("reply", posts=True, replies=True)
        record, caps = call.record, call.caps
        if not caps.reply:
            raise PermanentNetworkError("Replying is not supported on this network.", status_code=403)
        if not text.strip():
            raise PermanentNetworkError("The reply is empty.", status_code=400)
        check_text(text, caps, has_media=False, what="reply")
        if call.sources().find(item_external_id, clock.now().timestamp()) is None:
            raise _not_found("The comment or message to reply to")
        seq = store.insert_reply(record.id, item_external_id, text, clock.now())
        call.finish()
        return ids.reply_id(ids.account_key(record.handle), seq)

    def hide(self, item_external_id: str) -> None:
        call = self._open("hide", posts=True, replies=True)
        if not call.caps.hide_comments:
            raise PermanentNetworkError("Hiding comments is not supported on this network.", status_code=403)
        item = call.sources().find(item_external_id, clock.now().timestamp())
        if item is None:
            raise _not_found("The comment")
        if item.kind != IncomingKind.COMMENT:
            raise PermanentNetworkError("Only comments can be hidden.", status_code=400)
        store.insert_hidden(call.record.id, item_external_id, clock.now())
        call.finish()

    def unhide(self, item_external_id: str) -> None:
        call = self._open("unhide")
        if not call.caps.hide_comments:
            raise PermanentNetworkError("Hiding comments is not supported on this network.", status_code=403)
        if item_external_id in store.marks(call.record.id, "delete"):
            raise PermanentNetworkError("The comment was deleted and cannot be shown again.", status_code=410)
        store.remove_hidden(call.record.id, item_external_id)
        call.finish()

    def like(self, item_external_id: str) -> None:
        self._mark("like", item_external_id, on=True)

    def unlike(self, item_external_id: str) -> None:
        self._mark("like", item_external_id, on=False)

    def delete_comment(self, item_external_id: str) -> None:
        self._mark("delete", item_external_id, on=True)

    def block(self, author_external_id: str) -> None:
        self._mark("block", author_external_id, on=True)

    def unblock(self, author_external_id: str) -> None:
        self._mark("block", author_external_id, on=False)

    _MARK_NEEDS = {"like": "like_comments", "delete": "delete_comments", "block": "block_authors"}

    def _mark(self, action: str, target: str, *, on: bool) -> None:
        """A like, deletion or block (or its undoing), where the imitated network allows it."""
        call = self._open(action, posts=True, replies=True)
        if not getattr(call.caps, self._MARK_NEEDS[action]):
            raise PermanentNetworkError(f"This network does not let apps {action} "
                                        f"{'people' if action == 'block' else 'comments'}.", status_code=403)
        now = clock.now()
        if action == "block":
            ref = ids.parse(ids.account_key(call.record.handle), target)
            if ref is None or ref.kind != "member":
                raise _not_found("The person")
        else:
            item = call.sources().find(target, now.timestamp())
            if item is None:
                raise _not_found("The comment")
            if action == "delete" and item.kind != IncomingKind.COMMENT:
                raise PermanentNetworkError("Only comments can be deleted.", status_code=400)
        store.set_mark(call.record.id, action, target, now, on=on)
        if action == "delete":
            store.insert_hidden(call.record.id, target, now)  # a deleted comment is gone for everyone
        call.finish()

    def _blocked_members(self, call: _Call) -> dict[int, float]:
        """Member index -> when we blocked them: from then on they cannot write to the account."""
        key = ids.account_key(call.record.handle)
        found = {}
        for target, at in store.marks(call.record.id, "block").items():
            ref = ids.parse(key, target)
            if ref is not None and ref.kind == "member":
                found[ref.number] = at.timestamp()
        return found

    # Metrics -------------------------------------------------------------------------------------

    def post_metrics(self, external_ids: Sequence[str]) -> dict[str, PostMetrics]:
        """Totals now for each known post (deleted ones frozen at deletion); unknown ids are left out."""
        call = self._open("post_metrics", posts=True, replies=True, hidden=True)
        caps, collected = call.caps, clock.now()
        now = collected.timestamp()
        sources, hidden = call.sources(), call.hidden
        key = ids.account_key(call.record.handle)
        by_seq = {post.seq: (post, timeline) for post, timeline in sources.timelines}
        replies_under: dict[int, list[ReplyRecord]] = {}
        for reply in sources.replies:
            ref = ids.parse(key, reply.item_external_id)
            if ref is not None and ref.kind == "comment":
                replies_under.setdefault(ref.number, []).append(reply)
        result: dict[str, PostMetrics] = {}
        polls = {seq: data["poll"] for seq, data in store.extras(call.record.id).items() if data.get("poll")}
        for external_id in external_ids:
            ref = ids.parse(key, external_id)
            if ref is None or ref.kind != "post" or ref.number not in by_seq:
                continue
            post, timeline = by_seq[ref.number]
            link_clicks.deliver(call.record, post, timeline.clicks, now)  # the audience follows the post's links
            counts = timeline.counts(now, post.deleted_at)
            counts["comments"] = self._visible_comments(sources, post, timeline, replies_under.get(post.seq, []),
                                                        now, hidden) if caps.comments else 0
            votes = None
            if post.seq in polls:
                closes = poll_closes(polls[post.seq])
                at = now if closes is None else min(now, closes)
                votes = poll_votes(call.record.seed, post.seq, polls[post.seq], timeline.counts(at, post.deleted_at))
            result[external_id] = PostMetrics(collected_at=collected, poll_votes=votes, **{
                name: counts[name] if name in caps.post_metrics else None for name in counts})
        call.finish()
        return result

    @staticmethod
    def _visible_comments(sources: Sources, post: PostInput, timeline: PostTimeline, replies: Sequence[ReplyRecord],
                          now: float, hidden: Mapping[str, Any]) -> int:
        """Members' comments not hidden, plus our replies under them and the answers they got."""
        limit = now if post.deleted_at is None else min(now, post.deleted_at)
        comments = comments_of(sources.params, post, timeline, None, limit)
        visible = sum(1 for c in comments if c.external_id not in hidden)
        key = ids.account_key(sources.params.handle)
        for reply in replies:
            if reply.created_at.timestamp() <= limit:
                visible += 1
                answer = sources.find(ids.answer_id(key, reply.seq), limit)
                visible += answer is not None and answer.external_id not in hidden
        return visible

    def account_metrics(self) -> AccountMetrics:
        call = self._open("account_metrics", posts=True)
        collected = clock.now()
        now = collected.timestamp()
        posts, params = call.posts, call.record.params()
        state = simulation_for(params).follow_state([_as_input(p) for p in posts], now)
        values = {
            "followers": int(state.following(now).sum()),
            "following": params.following,
            "posts": sum(1 for p in posts if p.published_at.timestamp() <= now
                         and (p.deleted_at is None or p.deleted_at.timestamp() > now)),
        }
        result = AccountMetrics(collected_at=collected, **{
            name: value if name in call.caps.account_metrics else None for name, value in values.items()})
        call.finish()
        return result

    def followers(self, cursor: str | None = None, limit: int = 100) -> FollowerPage:
        """Followers now, newest first."""
        call = self._open("followers", posts=True)
        limit = max(1, min(int(limit), MAX_FOLLOWER_PAGE))
        now = clock.now().timestamp()
        sim = simulation_for(call.record.params())
        state = sim.follow_state([_as_input(p) for p in call.posts], now)
        members = np.flatnonzero(state.following(now))
        since = state.follow_at[members]
        order = np.lexsort((-members, -since))  # newest follow first; ties by member, highest first
        members, since = members[order], since[order]
        if cursor:
            at, member = _decode_cursor(cursor)
            later = (since < at) | ((since == at) & (members < int(member)))
            members, since = members[later], since[later]
        page = [Follower(external_id=who.external_id, handle=who.handle, name=who.name, followed_at=from_epoch(at))
                for who, at in ((chatter.member(sim.population, int(m)), float(s))
                                for m, s in zip(members[:limit], since[:limit], strict=True))]
        more = members.size > limit
        next_cursor = _encode_cursor((float(since[limit - 1]), int(members[limit - 1]))) if more else None
        total = int(state.following(now).sum())
        call.finish()
        return FollowerPage(page, next_cursor, total)


def post_url(handle: str, seq: int) -> str:
    return f"sandbox://{quote(handle, safe='')}/posts/{seq}"


def _parse_weights(value: Mapping[str, float] | str | None) -> dict[str, float] | None:
    """{"hr": 0.7, "en": 0.3}, or the same written "hr:0.7, en:0.3" (or "hr, en" for equal parts)."""
    if value is None or value == "":
        return None
    if isinstance(value, Mapping):
        return {str(k): float(v) for k, v in value.items()}
    weights = {}
    for part in str(value).split(","):
        name, _, weight = part.strip().partition(":")
        if name:
            weights[name.strip()] = float(weight) if weight.strip() else 1.0
    return weights or None


def _parse_list(value: Sequence[str] | str | None) -> list[str] | None:
    if value is None or value == "":
        return None
    parts = value.split(",") if isinstance(value, str) else list(value)
    return [p.strip() for p in parts if p.strip()] or None


def connect(handle: str, profile: str = "generic", *, audience_size: int | str | None = None,
            languages: Mapping[str, float] | str | None = None, timezone: str | None = None,
            topics: Sequence[str] | str | None = None, display_name: str | None = None,
            seed: int | None = None, keyless: bool | str = False, **_unused: Any) -> dict[str, Any]:
    """Open (or find again) the sandbox account `handle` and return what a channel stores for it.

    The first call creates the account with its audience; later calls return the same account and
    ignore the audience parameters, but issue a new token if the old one was revoked (reconnecting).
    `seed` defaults to the installation's `SOCIALDESK_SANDBOX_SEED`. A `keyless` account ignores
    idempotency keys, like a network that has none.
    """
    handle = (handle or "").strip()
    if not handle or len(handle) > 100 or any(ch.isspace() for ch in handle):
        raise ValueError("a sandbox handle is 1 to 100 characters without spaces")
    capabilities_for(profile)  # ValueError for an unknown profile
    record = store.find_account(handle)
    if record is None:
        from socialdesk.core.config import get_settings

        world_seed = get_settings().sandbox_seed if seed is None else int(seed)
        size = None if audience_size in (None, "") else int(audience_size)
        settings = audience.default_settings(handle, world_seed, audience_size=size,
                                             languages=_parse_weights(languages), timezone=timezone or None,
                                             topics=_parse_list(topics))
        settings["keyless"] = keyless in (True, "1", "true", "yes", "on")
        record = store.create_account(
            handle=handle, display_name=display_name or handle, profile=profile, seed=world_seed,
            audience_size=settings.pop("audience_size"), settings=settings,
            access_token=secrets.token_urlsafe(24), revoked=False, fault_plan=[], latency_ms=0,
            created_at=clock.now())
    elif record.revoked:
        store.update_account(handle, revoked=False, access_token=secrets.token_urlsafe(24))
        record = store.find_account(handle) or record
    return {
        "external_id": ids.account_key(handle),
        "handle": handle,
        "display_name": record.display_name,
        "credentials": tokens.credentials(record),
        "settings": {"profile": record.profile, "audience_size": record.audience_size,
                     "timezone": record.settings.get("timezone"), "languages": record.settings.get("languages"),
                     "topics": record.settings.get("topics"), "keyless": bool(record.settings.get("keyless"))},
    }
