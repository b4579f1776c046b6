"""RSS and Atom news feeds (feedparser parses what the outbound policy fetched: feedparser's own fetching
would bypass the policy)."""

from __future__ import annotations

import calendar
import html
from datetime import UTC, datetime

import feedparser
import httpx
import regex

from socialdesk.core import clock
from socialdesk.networks import outbound
from socialdesk.networks.base import PermanentNetworkError, TransientNetworkError
from socialdesk.networks.public import FoundPost

TIMEOUT_SECONDS = 20.0
MAX_FEED_BYTES = 5 * 1024 * 1024
_TAG = regex.compile(r"<[^>]+>")


def _plain(markup: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", markup or "")).split())


def _when(entry: feedparser.FeedParserDict) -> datetime:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    return clock.now()


def parse(url: str, body: bytes) -> list[FoundPost]:
    """The entries of a feed document; a document that is no feed at all is refused with what it is."""
    parsed = feedparser.parse(body)
    if parsed.bozo and not parsed.entries:
        raise PermanentNetworkError(f"{url} is not an RSS or Atom feed ({parsed.get('bozo_exception')}).")
    found = []
    for entry in parsed.entries:
        link = str(entry.get("link") or "")
        title = _plain(str(entry.get("title") or ""))
        summary = _plain(str(entry.get("summary") or entry.get("description") or ""))
        ident = str(entry.get("id") or link or title)
        if not ident:
            continue
        found.append(FoundPost(source=f"rss:{url}", external_id=ident, url=link, title=title,
                               author=_plain(str(entry.get("author") or parsed.feed.get("title") or "")),
                               text=" ".join(p for p in (title, summary) if p), posted_at=_when(entry),
                               language=(str(parsed.feed.get("language") or "")[:2] or None)))
    return found


def fetch(url: str) -> list[FoundPost]:
    """Fetch and parse one feed."""
    try:
        outbound.check_url(url)
    except OSError as exc:  # socket.gaierror: the name does not resolve
        raise TransientNetworkError(f"{url} could not be reached: its name does not resolve ({exc}).") from exc
    try:
        with outbound.http_client(timeout=TIMEOUT_SECONDS, follow_redirects=True,
                                  transport=outbound.PolicyTransport(max_bytes=MAX_FEED_BYTES)) as client:
            response = client.get(url, headers={"Accept": "application/rss+xml, application/atom+xml, "
                                                          "application/xml;q=0.9, */*;q=0.5"})
    except outbound.OutboundRefused:
        raise
    except (httpx.HTTPError, OSError) as exc:
        raise TransientNetworkError(f"{url} could not be read: {exc}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientNetworkError(f"{url} answered {response.status_code}; trying again later.")
    if response.status_code >= 400:
        raise PermanentNetworkError(f"{url} answered {response.status_code}: check the feed's address.")
    return parse(url, response.content)
