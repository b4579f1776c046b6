"""A workspace's public link-in-bio page (/bio/<slug>, no sign-in): its latest published posts and the links
it chose, in the workspace's report branding (logo, colours). The chosen links are short links, so their
clicks are counted like any other (people apart from bots)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, PostMedia, Publication, PublicationStatus
from socialdesk.core.errors import NotFound, ValidationFailed
from socialdesk.links import shortlinks
from socialdesk.links.models import BioPage, ShortLink
from socialdesk.media.models import MediaAsset
from socialdesk.reports import service as reports
from socialdesk.text.entities import urls
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

MAX_LINKS = 20
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
_URL = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)


def settings_of(ctx: WorkspaceContext) -> BioPage:
    """The workspace's page settings (a disabled page with a slug from its name when none were saved)."""
    page = ctx.session.get(BioPage, ctx.workspace_id)
    if page is not None:
        return page
    return BioPage(workspace_id=ctx.workspace_id, slug=slugify(ctx.workspace.name)[:60] or "brand", enabled=False,
                   title=ctx.workspace.name, intro="", posts_shown=6, links=[])


def parse_links(text: str) -> list[tuple[str, str]]:
    """'Label | https://…' per line (or just the address) → [(label, url)], with a clear error for a bad line."""
    found = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        label, _, url = line.rpartition("|") if "|" in line else ("", "", line)
        label, url = label.strip() or url.strip(), url.strip()
        if not _URL.match(url) or len(url) > 2000:
            raise ValidationFailed(f"Links, line {number}: {url!r} is not an http(s) address "
                                   "(write 'Label | https://…').")
        found.append((label[:120], url))
    if len(found) > MAX_LINKS:
        raise ValidationFailed(f"Links: at most {MAX_LINKS}.")
    return found


def save(ctx: WorkspaceContext, *, enabled: bool, slug: str, title: str, intro: str, posts_shown: int,
         links_text: str) -> BioPage:
    ctx.require(Permission.WORKSPACE_ADMIN)
    slug = slug.strip().lower()
    if not _SLUG.match(slug):
        raise ValidationFailed("Address: lower-case letters, digits and '-' (e.g. kava-bar), up to 80.")
    other = ctx.session.scalars(select(BioPage).where(BioPage.slug == slug,
                                                      BioPage.workspace_id != ctx.workspace_id)).first()
    if other is not None:
        raise ValidationFailed(f"The address /bio/{slug} is taken; choose another.")
    if not 0 <= posts_shown <= 24:
        raise ValidationFailed("Posts shown: 0 to 24.")
    chosen = parse_links(links_text)
    page = ctx.session.get(BioPage, ctx.workspace_id)
    if page is None:
        page = BioPage(workspace_id=ctx.workspace_id, slug=slug)
    existing = {link.original_url: link for link in ctx.session.scalars(
        ctx.select(ShortLink).where(ShortLink.source == "bio"))}
    stored = []
    for label, url in chosen:
        link = existing.get(url)
        if link is None:
            link = ShortLink(workspace_id=ctx.workspace_id, code=shortlinks.new_code(ctx.session), source="bio",
                             original_url=url, destination_url=url, shortened=True)
            ctx.session.add(link)
            ctx.session.flush()
            existing[url] = link
        stored.append({"label": label, "url": url, "link_id": link.id})
    page.slug, page.enabled, page.title = slug, enabled, " ".join(title.split())[:200]
    page.intro, page.posts_shown, page.links = intro.strip()[:1000], posts_shown, stored
    ctx.session.add(page)
    ctx.session.flush()
    audit.record(ctx, "bio.save", "workspace", ctx.workspace_id,
                 f"Link-in-bio page /bio/{slug} {'on' if enabled else 'off'}, {len(stored)} link(s)")
    return page


@dataclass(frozen=True)
class BioLink:
    label: str
    address: str  # the short link (counted)
    code: str


@dataclass(frozen=True)
class BioPost:
    text: str
    url: str  # the post on its network; "" where it has no web address (the sandbox)
    channel: str
    published_at: datetime
    image: MediaAsset | None


@dataclass(frozen=True)
class PublicPage:
    page: BioPage
    name: str
    primary: str
    accent: str
    logo: MediaAsset | None
    links: list[BioLink]
    posts: list[BioPost]


def public(session: Session, slug: str) -> PublicPage:
    page = session.scalars(select(BioPage).where(BioPage.slug == (slug or "").lower())).first()
    if page is None or not page.enabled:
        raise NotFound("There is no such page.")
    ctx = workspaces.system_context(session, page.workspace_id, "link-in-bio page")
    branding = reports.branding(ctx)
    codes = dict(session.execute(select(ShortLink.id, ShortLink.code).where(
        ShortLink.workspace_id == page.workspace_id, ShortLink.source == "bio")).all())
    links = [BioLink(str(item.get("label") or item.get("url")), shortlinks.short_url(codes[item["link_id"]]),
                     codes[item["link_id"]]) for item in page.links or [] if item.get("link_id") in codes]
    posts: list[BioPost] = []
    if page.posts_shown:
        rows = session.execute(
            select(Post, Publication, Channel.name).join(Publication, Publication.post_id == Post.id)
            .join(Channel, Channel.id == Publication.channel_id)
            .where(Post.workspace_id == page.workspace_id, Publication.status == PublicationStatus.PUBLISHED)
            .order_by(Publication.published_at.desc()).limit(page.posts_shown * 4))
        seen: set[str] = set()
        for post, pub, channel_name in rows:
            if post.id in seen:
                continue
            seen.add(post.id)
            image = session.scalars(select(MediaAsset).join(PostMedia, PostMedia.media_id == MediaAsset.id).where(
                PostMedia.post_id == post.id, MediaAsset.kind == "image", MediaAsset.thumbnail_key.is_not(None))
                .order_by(PostMedia.position)).first()
            url = pub.external_url or ""
            text = _breakable_links(shortlinks.outgoing_text(
                session, pub, pub.variant_text if pub.variant_text is not None else post.text))  # as it went out
            posts.append(BioPost(text,
                                 url if url.lower().startswith(("https://", "http://")) else "", channel_name,
                                 pub.published_at or post.created_at, image))
            if len(posts) >= page.posts_shown:
                break
    return PublicPage(page, ctx.workspace.name, branding.primary, branding.accent, branding.logo, links, posts)


def _breakable_links(text: str) -> str:
    """Links with a zero-width space after each '/', so a narrow card wraps them between their parts."""
    out, last = [], 0
    for span in urls(text):
        out += [text[last:span.start], span.value.replace("/", "/\u200b")]
        last = span.end
    return "".join(out) + text[last:]


def image_of(session: Session, slug: str, media_id: str) -> MediaAsset:
    """A picture the public page shows (the logo or a post's image), and nothing else of the workspace."""
    shown = public(session, slug)
    allowed = {p.image.id: p.image for p in shown.posts if p.image}
    if shown.logo is not None:
        allowed[shown.logo.id] = shown.logo
    if media_id not in allowed:
        raise NotFound("No such picture on this page.")
    return allowed[media_id]
