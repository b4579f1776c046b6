"""The sandbox audience follows the links in the posts it reads.

A post's timeline (simulation.py) says when members clicked its link. When the links in the post are
socialdesk's own short links, each of those clicks is sent to the short-link counter through the same
service function the redirect route calls for a browser (`socialdesk.links.clicks.follow`), with a
browser's user agent, at the time of the click; and the network's link-preview fetcher asks for each
link once when the post goes out (a bot, counted apart). Links to other sites are clicked too, but
nothing here can count those. Deterministic: which link, which browser and which visitor come from the
click's position in the timeline.
"""

from __future__ import annotations

import numpy as np

from socialdesk.core.db import get_database
from socialdesk.links import clicks, shortlinks
from socialdesk.networks.sandbox import store
from socialdesk.networks.sandbox.simulation import PostInput
from socialdesk.networks.sandbox.store import AccountRecord
from socialdesk.networks.sandbox.timegrid import from_epoch
from socialdesk.text.entities import urls

PREVIEW_AGENT = "SandboxBot/1.0 (link preview; +https://socialdesk.invalid/sandbox)"
BROWSERS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
    "Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
)


def short_codes(text: str) -> list[str]:
    """The codes of socialdesk's short links in a post's text, in order."""
    return [code for code in (shortlinks.code_from_url(span.value) for span in urls(text)) if code]


def deliver(record: AccountRecord, post: PostInput, click_times: np.ndarray, now: float) -> int:
    """Send the clicks of one post up to `now` (not after its deletion) that were not sent yet; returns
    how many were sent."""
    codes = short_codes(post.text)
    if not codes:
        return 0
    limit = now if post.deleted_at is None else min(now, post.deleted_at)
    due = int(np.searchsorted(click_times, limit, side="right"))
    sent = store.link_clicks_delivered(record.id, post.seq)  # None: nothing sent yet, not even the preview
    before = sent or 0
    if sent is not None and due <= before:
        return 0
    if not store.claim_link_clicks(record.id, post.seq, sent, max(due, before)):
        return 0  # another collection is sending them
    with get_database().unit_of_work() as session:
        if sent is None:
            for code in codes:
                clicks.follow(session, code, user_agent=PREVIEW_AGENT, client_address=None,
                              at=from_epoch(post.published_at))
        for index in range(before, due):
            code = codes[(post.seq + index) % len(codes)]
            clicks.follow(session, code, user_agent=BROWSERS[(post.seq * 7 + index) % len(BROWSERS)],
                          client_address=f"sandbox:{record.handle}:{post.seq}:{index}",
                          at=from_epoch(float(click_times[index])))
    return due - before
