"""Short links: made when a post is saved, one per link of each publication (so clicks count per link,
channel and day), and put in place of the author's links in what goes out."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, Publication
from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.links import settings as link_settings
from socialdesk.links import utm
from socialdesk.links.models import LinkClickDay, ShortLink
from socialdesk.text.entities import urls
from socialdesk.workspaces.context import WorkspaceContext

ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I
CODE_LENGTH = 8


def base_url() -> str:
    """Where short links are served: SOCIALDESK_SHORT_URL, else the public address + /l."""
    settings = get_settings()
    if settings.short_url:
        return settings.short_url.rstrip("/")
    return f"{(settings.public_url or 'http://127.0.0.1:8000').rstrip('/')}/l"


def short_url(code: str) -> str:
    return f"{base_url()}/{code}"


def code_from_url(url: str) -> str | None:
    """The code of one of our short links, or None for any other address."""
    prefix = base_url() + "/"
    if not url.startswith(prefix):
        return None
    code = url[len(prefix):].split("?", 1)[0].split("#", 1)[0]
    return code if code and all(c in ALPHABET for c in code) else None


def new_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if session.scalars(select(ShortLink.id).where(ShortLink.code == code)).first() is None:
            return code


def _text_of(post: Post, publication: Publication) -> str:
    return publication.variant_text if publication.variant_text is not None else post.text


def _context(post: Post, publication: Publication, channel: Channel) -> utm.UtmContext:
    when = post.scheduled_at or post.created_at or clock.now()
    try:
        day = clock.utc(when).astimezone(ZoneInfo(post.timezone or "UTC")).date().isoformat()
    except (KeyError, ValueError):
        day = clock.utc(when).date().isoformat()
    return utm.UtmContext(channel=channel.name, network=channel.network, post_id=post.id, date=day)


def _own_links(text: str) -> list[str]:
    """The links of a text that are worth tagging: not already one of ours, each once, in order."""
    seen: list[str] = []
    for span in urls(text):
        value = span.value
        if value.lower().startswith(("http://", "https://")) and code_from_url(value) is None and value not in seen:
            seen.append(value)
    return seen


def prepare(ctx: WorkspaceContext, post: Post) -> None:
    """Make (or update) the short links and UTM tags of every publication of a post, by the rules in force
    now; links no longer in a text are dropped unless they were clicked (their counts are history)."""
    session = ctx.session
    pubs = list(session.scalars(select(Publication).where(Publication.post_id == post.id)))
    for publication in pubs:
        channel = session.get(Channel, publication.channel_id)
        if channel is None:
            continue
        rules = link_settings.channel_rules(session, ctx.workspace_id, channel.id)
        wanted = _own_links(_text_of(post, publication)) if rules.active else []
        existing = {link.original_url: link for link in session.scalars(
            select(ShortLink).where(ShortLink.publication_id == publication.id))}
        context = _context(post, publication, channel)
        for original in wanted:
            destination = utm.tagged(original, rules.utm, context) if rules.utm_enabled else original
            link = existing.pop(original, None)
            if link is None:
                link = ShortLink(workspace_id=ctx.workspace_id, code=new_code(session), publication_id=publication.id,
                                 channel_id=channel.id, source="post", original_url=original)
                session.add(link)
            link.destination_url, link.shortened = destination, rules.shorten
        stale = [link.id for link in existing.values()]
        if stale:
            clicked = set(session.scalars(select(LinkClickDay.link_id).where(LinkClickDay.link_id.in_(stale))))
            unclicked = [i for i in stale if i not in clicked]
            if unclicked:
                session.execute(delete(ShortLink).where(ShortLink.id.in_(unclicked)))
    session.flush()


def links_of(session: Session, publication_id: str) -> list[ShortLink]:
    return list(session.scalars(select(ShortLink).where(ShortLink.publication_id == publication_id)
                                .order_by(ShortLink.created_at, ShortLink.id)))


def outgoing_text(session: Session, publication: Publication, text: str) -> str:
    """The text as it goes out: each link the author wrote replaced by its short link (or its tagged form)."""
    links = {link.original_url: link for link in links_of(session, publication.id)}
    return rewrite(text, links.values())


def rewrite(text: str, links: Iterable[ShortLink]) -> str:
    by_original = {link.original_url: link for link in links}
    if not by_original:
        return text
    out, last = [], 0
    for span in urls(text):
        link = by_original.get(span.value)
        if link is None:
            continue
        out += [text[last:span.start], short_url(link.code) if link.shortened else link.destination_url]
        last = span.end
    return "".join(out) + text[last:]


@dataclass(frozen=True)
class LinkRow:
    link: ShortLink
    channel_name: str
    clicks: int
    bot_clicks: int
    unique_visitors: int

    @property
    def address(self) -> str:
        return short_url(self.link.code) if self.link.shortened else self.link.destination_url


def for_publications(session: Session, publication_ids: Sequence[str]) -> dict[str, list[ShortLink]]:
    found: dict[str, list[ShortLink]] = {}
    if not publication_ids:
        return found
    for link in session.scalars(select(ShortLink).where(ShortLink.publication_id.in_(list(publication_ids)))
                                .order_by(ShortLink.created_at, ShortLink.id)):
        found.setdefault(link.publication_id or "", []).append(link)
    return found


@dataclass(frozen=True)
class LinkPreview:
    original: str
    destination: str  # with the UTM tags
    shortened: bool  # replaced by a short link when the post is saved


def preview(session: Session, workspace_id: str, channel: Channel, text: str, *, post_id: str | None = None,
            day: str | None = None) -> tuple[str, list[LinkPreview]]:
    """The text as the composer shows it before saving: each link with its UTM tags (a short link replaces it
    when the post is saved, where the rules say so), and what happens to each link."""
    rules = link_settings.channel_rules(session, workspace_id, channel.id)
    if not rules.active:
        return text, []
    context = utm.UtmContext(channel=channel.name, network=channel.network, post_id=post_id or "new",
                             date=day or clock.now().date().isoformat())
    found = [LinkPreview(original, utm.tagged(original, rules.utm, context) if rules.utm_enabled else original,
                         rules.shorten) for original in _own_links(text)]
    by_original = {f.original: f for f in found}
    out, last = [], 0
    for span in urls(text):
        item = by_original.get(span.value)
        if item is None:
            continue
        out += [text[last:span.start], item.destination]
        last = span.end
    return "".join(out) + text[last:], found
