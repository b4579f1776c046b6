"""Weeks of history on a sandbox channel in seconds: posts put on the network in the past, and the
numbers collected day by day by the real collection code, as the hourly job would have."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

import numpy as np
from sqlalchemy import select

from socialdesk.analytics import service as analytics
from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, Publication, PublicationStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.timezones import zone
from socialdesk.networks.base import OutgoingPost
from socialdesk.networks.sandbox import admin

# Matured: nothing happens to a sandbox post more than a week after it went out.
SETTLE_DAYS = 8


def post_history(db: Database, clock: ManualClock, channel_ids: Sequence[str], *, days: int = 28,
                 per_day: int = 3, seed: int = 11, texts: Sequence[str] = ("News from us",),
                 timezone: str = "Europe/Zagreb") -> list[datetime]:
    """`per_day` posts a day at random local hours on each channel, then SETTLE_DAYS more days of collection.

    The clock ends at the last collection; returns the posting moments (UTC).
    """
    rng = np.random.default_rng(seed)
    tz = zone(timezone)
    first_day = clock.now().astimezone(tz).date()
    with db.unit_of_work() as session:
        found = session.scalars(select(Channel).where(Channel.id.in_(channel_ids)))
        channels = {c.id: (c.workspace_id, c.handle) for c in found}
    moments: list[datetime] = []
    for offset in range(days + SETTLE_DAYS):
        day = first_day + timedelta(days=offset)
        planned: list[datetime] = []
        if offset < days:
            for hour in sorted(rng.choice(24, size=per_day, replace=False)):
                planned.append(datetime.combine(day, time(int(hour), int(rng.integers(60))), tzinfo=tz))
        clock.set(datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz))
        for channel_id in channel_ids:
            workspace_id, handle = channels[channel_id]
            chosen = [(when, texts[int(rng.integers(len(texts)))]) for when in planned]
            published = admin.backfill(handle, [(when, OutgoingPost(text)) for when, text in chosen])
            with db.unit_of_work() as session:
                for (when, text), done in zip(chosen, published, strict=True):
                    post = Post(workspace_id=workspace_id, text=text, scheduled_at=when, timezone=timezone)
                    session.add(post)
                    session.flush()
                    session.add(Publication(workspace_id=workspace_id, post_id=post.id, channel_id=channel_id,
                                            status=PublicationStatus.PUBLISHED, scheduled_at=when,
                                            published_at=done.published_at, external_id=done.external_id,
                                            external_url=done.url))
            analytics.collect_channel(db, channel_id)
        moments += planned
    return moments
