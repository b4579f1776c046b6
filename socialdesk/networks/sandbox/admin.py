"""Operations on the sandbox that no real network offers: for the demo, tests and the curious.

    from socialdesk.networks.sandbox import admin
    admin.audience_activity("brand_ig")          # the truth a best-time analysis should find
    admin.backfill("brand_ig", [(when, OutgoingPost("..."))])   # history without moving the clock
    admin.delete_account("brand_ig")             # gone, with its posts, replies and hidden items
    admin.reset_caches()                         # recomputed identically on the next call
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from socialdesk.core import clock
from socialdesk.networks.base import OutgoingPost, PublishedPost
from socialdesk.networks.sandbox import audience, ids, items, store
from socialdesk.networks.sandbox.adapter import post_url
from socialdesk.networks.sandbox.imitation import capabilities_for
from socialdesk.networks.sandbox.limits import check_post
from socialdesk.networks.sandbox.simulation import clear_caches


def _account(handle: str) -> store.AccountRecord:
    record = store.find_account(handle)
    if record is None:
        raise LookupError(f"no sandbox account {handle!r}")
    return record


def audience_activity(handle: str, week_of: datetime | None = None) -> audience.AudienceActivity:
    """The account's true audience activity by hour of week in its time zone, and its peak hours."""
    return audience.audience_activity(_account(handle).params(), week_of)


def backfill(handle: str, posts: Sequence[tuple[datetime, OutgoingPost]]) -> list[PublishedPost]:
    """Publish posts at past moments (no faults, no rate limit; the profile's rules still apply).

    Do it before the account's inbox is first read: an inbox cursor marks everything up to its
    moment as read, so comments that a backfilled post would have received earlier are not
    offered again.
    """
    record = _account(handle)
    caps = capabilities_for(record.profile)
    now = clock.now()
    published = []
    for when, post in sorted(posts, key=lambda pair: pair[0]):
        if when > now:
            raise ValueError(f"{when.isoformat()} is in the future; schedule it instead")
        check_post(post, caps)
        media = [{"kind": m.kind.value, "content_type": m.content_type, "size_bytes": m.size_bytes,
                  "duration_seconds": m.duration_seconds} for m in post.media]
        stored, _ = store.insert_post(record.id, text=post.text, media=media,
                                      idempotency_key=post.idempotency_key or None, language=post.language,
                                      reply_to_seq=None, published_at=when)
        published.append(PublishedPost(ids.post_id(ids.account_key(handle), stored.seq),
                                       post_url(handle, stored.seq), stored.published_at))
    return published


def delete_account(handle: str) -> bool:
    """Remove the account and everything stored for it; False when there was none."""
    return store.delete_account(handle)


def reset_caches() -> None:
    """Forget every cached population, timeline and day of messages."""
    clear_caches()
    items.day_messages.cache_clear()
