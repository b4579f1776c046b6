"""Counting clicks on short links: people per link, channel and day, bots and link-preview fetchers apart.

Privacy: no address is kept. A visitor is counted once a day per link by a hash of (the day's salt,
address, browser); the salt is random, made for each UTC day and deleted the next, so the hashes of
past days cannot be tied back to an address. `follow` is the one way a click is counted: the redirect
route calls it for browsers, and the sandbox network's audience calls it for the clicks it simulates.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialdesk.core import clock
from socialdesk.links.models import LinkClickDay, LinkSalt, LinkVisitor, ShortLink

# Crawlers, link-preview fetchers of networks and chat apps, and command-line/HTTP libraries.
BOT_RE = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|facebookcatalog|meta-externalagent|twitterbot|"
    r"slackbot|slack-imgproxy|telegrambot|discordbot|whatsapp|linkedinbot|pinterest|redditbot|embedly|"
    r"skypeuripreview|vkshare|mastodon|bluesky|cardyb|iframely|google-inspectiontool|headlesschrome|"
    r"lighthouse|curl/|wget/|python-requests|python-httpx|python-urllib|aiohttp|go-http-client|okhttp|"
    r"java/|libwww|httpclient|scrapy|feedfetcher|applebot|bingpreview|yandex|petalbot|semrush|ahrefs",
    re.IGNORECASE)


def is_bot(user_agent: str | None) -> bool:
    """A request without a browser's user agent, or from a known crawler or link-preview fetcher."""
    agent = (user_agent or "").strip()
    return not agent or bool(BOT_RE.search(agent))


def find(session: Session, code: str) -> ShortLink | None:
    """A short link that is served (links only tagged with UTM are not)."""
    if not code or len(code) > 32:
        return None
    return session.scalars(select(ShortLink).where(ShortLink.code == code, ShortLink.shortened.is_(True))).first()


def _salt(session: Session, day: date) -> str:
    found = session.get(LinkSalt, day)
    if found is not None:
        return found.salt
    try:
        with session.begin_nested():
            session.add(LinkSalt(day=day, salt=secrets.token_hex(32)))
    except IntegrityError:  # another request made it first
        pass
    found = session.get(LinkSalt, day)
    assert found is not None
    # Yesterday's and older salts go: their hashes can no longer be recomputed from an address. A click
    # arriving with an older time (the sandbox catching up) gets a fresh salt for its day, deleted next time.
    session.execute(delete(LinkSalt).where(LinkSalt.day < clock.now().date(), LinkSalt.day != day))
    return found.salt


def _day_row(session: Session, link: ShortLink, day: date) -> LinkClickDay:
    row = session.get(LinkClickDay, (link.id, day))
    if row is None:
        try:
            with session.begin_nested():
                session.add(LinkClickDay(link_id=link.id, day=day, workspace_id=link.workspace_id,
                                         channel_id=link.channel_id, clicks=0, bot_clicks=0, unique_visitors=0))
        except IntegrityError:
            pass
        row = session.get(LinkClickDay, (link.id, day), populate_existing=True)
        assert row is not None
    return row


def follow(session: Session, code: str, *, user_agent: str | None, client_address: str | None,
           at: datetime | None = None) -> str | None:
    """Count one request for a short link and return where to send it (None: no such link)."""
    link = find(session, code)
    if link is None:
        return None
    when = clock.utc(at) if at is not None else clock.now()
    day = when.date()
    row = _day_row(session, link, day)
    if is_bot(user_agent):
        row.bot_clicks = LinkClickDay.bot_clicks + 1
        session.flush()
        return link.destination_url
    row.clicks = LinkClickDay.clicks + 1
    visitor = hashlib.sha256(f"{_salt(session, day)}|{client_address or ''}|{user_agent or ''}".encode()).hexdigest()
    try:
        with session.begin_nested():
            session.add(LinkVisitor(link_id=link.id, day=day, visitor_hash=visitor))
        row.unique_visitors = LinkClickDay.unique_visitors + 1
    except IntegrityError:
        pass  # seen today already
    session.flush()
    return link.destination_url


def human_clicks_by_publication(session: Session, publication_ids: Sequence[str]) -> dict[str, int]:
    """Clicks by people on each publication's short links (publications without short links are left out)."""
    if not publication_ids:
        return {}
    rows = session.execute(
        select(ShortLink.publication_id, func.coalesce(func.sum(LinkClickDay.clicks), 0))
        .outerjoin(LinkClickDay, LinkClickDay.link_id == ShortLink.id)
        .where(ShortLink.publication_id.in_(list(publication_ids)), ShortLink.shortened.is_(True))
        .group_by(ShortLink.publication_id))
    return {pid: int(total) for pid, total in rows if pid}


@dataclass(frozen=True)
class LinkTotals:
    clicks: int
    bot_clicks: int
    unique_visitors: int  # the sum of each day's unique visitors


def totals_by_link(session: Session, link_ids: Sequence[str]) -> dict[str, LinkTotals]:
    if not link_ids:
        return {}
    rows = session.execute(
        select(LinkClickDay.link_id, func.sum(LinkClickDay.clicks), func.sum(LinkClickDay.bot_clicks),
               func.sum(LinkClickDay.unique_visitors))
        .where(LinkClickDay.link_id.in_(list(link_ids))).group_by(LinkClickDay.link_id))
    return {i: LinkTotals(int(c or 0), int(b or 0), int(u or 0)) for i, c, b, u in rows}


def days_of(session: Session, workspace_id: str, since: date) -> list[LinkClickDay]:
    return list(session.scalars(select(LinkClickDay).where(LinkClickDay.workspace_id == workspace_id,
                                                           LinkClickDay.day >= since)
                                .order_by(LinkClickDay.day)))
