"""WordPress behind the adapter protocol, and `connect`.

A publication becomes a post: title, HTML body, the first image as its featured image (uploaded to the
media library first), categories and tags by name (missing ones are created), and a status: `publish`,
`draft`, or `future` with a date when the blog itself should publish it later.

WordPress has no idempotency key. Every post carries an invisible HTML comment with the publication's
id, and `find_published` searches for it, so a retry after a lost answer finds the first post instead
of making a second.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from socialdesk.core import clock
from socialdesk.networks.base import (
    AccountMetrics,
    Capabilities,
    ChannelAccount,
    IdempotencyMethod,
    InboxPage,
    MediaKind,
    MediaRules,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    PostMetrics,
    PublishedPost,
    TextRules,
)
from socialdesk.networks.blog.content import body_html, marker, marker_comment
from socialdesk.networks.blog.http import UPLOAD_TIMEOUT
from socialdesk.networks.blog.unsupported import BlogWithoutInbox
from socialdesk.networks.wordpress import comments
from socialdesk.networks.wordpress.api import WordPressSite

T = TypeVar("T")

CAPABILITIES = Capabilities(
    label="WordPress",
    # The body is HTML of any length; the cap only keeps an accidental paste from going out.
    text=TextRules(limit=100_000, required=True),
    # The featured image. Pictures inside the article are the body's own <img> tags.
    media=MediaRules(kinds=frozenset({MediaKind.IMAGE}), max_count=1),
    comments=True,  # comments, held ones included, come into the inbox
    reply=True,
    hide_comments=True,  # back to "held for moderation"
    delete_comments=True,  # to the trash
    native_scheduling=True,  # status "future" with a date
    # Approved comments per post, and the user's published posts. No views: those come from plugins.
    post_metrics=frozenset({"comments"}),
    account_metrics=frozenset({"posts"}),
    idempotency=IdempotencyMethod.LOOKUP,
    blog=True,
)
# Everything but the trash: a retry must find the post whatever state an earlier try left it in.
_ANY_STATUS = "publish,future,draft,pending,private"


def _parse_gmt(value: str | None) -> datetime:
    if not value:
        return clock.now()
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _same_name(a: str, b: str) -> bool:
    # WordPress returns term names HTML-escaped ("Fish &amp; Chips").
    return html.unescape(a).strip().casefold() == html.unescape(b).strip().casefold()


class WordPressAdapter(BlogWithoutInbox):
    network: ClassVar[str] = "wordpress"

    def __init__(self, account: ChannelAccount) -> None:
        self.account = account  # no I/O here

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"WordPress at {self.account.settings.get('site_url', '')}"

    def capabilities(self) -> Capabilities:
        return CAPABILITIES

    def _site(self) -> WordPressSite:
        creds = self.account.credentials
        return WordPressSite(creds["site_url"], creds["username"], creds["app_password"],
                             rest_route=bool(self.account.settings.get("rest_route")))

    # Publishing ------------------------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishedPost:
        if not post.title.strip():
            raise PermanentNetworkError("A WordPress post needs a title.")
        site = self._site()
        try:
            body: dict[str, Any] = {
                # WordPress treats a title as HTML; the user's title is text, so "<" stays a character.
                "title": html.escape(post.title.strip(), quote=False),
                "content": body_html(post.text) + ("\n" + marker_comment(post.idempotency_key)
                                                   if post.idempotency_key else ""),
                "status": "draft" if post.as_draft else "publish",
            }
            if not post.as_draft and post.publish_at is not None and post.publish_at > clock.now():
                body["status"] = "future"
                body["date_gmt"] = post.publish_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
            images = [m for m in post.media if m.kind == MediaKind.IMAGE]
            if images:
                body["featured_media"] = self._upload(site, images[0])
            if post.tags:
                body["tags"] = [self._term(site, "tags", name) for name in post.tags]
            if post.categories:
                body["categories"] = [self._term(site, "categories", name) for name in post.categories]
            created = site.call("POST", "wp/v2/posts", json=body, creates=True)
        finally:
            site.close()
        return self._published(created)

    def _published(self, item: dict[str, Any]) -> PublishedPost:
        return PublishedPost(external_id=str(item["id"]), url=item.get("link"), published_at=_parse_gmt(
            item.get("date_gmt")))

    def _upload(self, site: WordPressSite, media: OutgoingMedia) -> int:
        # The file name is ours (the library's), never a header-breaking user string.
        filename = f"socialdesk-{media.path.stem[:40]}{media.path.suffix}".replace('"', "")
        uploaded = site.call("POST", "wp/v2/media", content=media.path.read_bytes(), timeout=UPLOAD_TIMEOUT,
                             headers={"Content-Type": media.content_type,
                                      "Content-Disposition": f'attachment; filename="{filename}"'})
        if media.alt_text:
            site.call("POST", f"wp/v2/media/{uploaded['id']}", json={"alt_text": media.alt_text})
        return int(uploaded["id"])

    def _term(self, site: WordPressSite, taxonomy: str, name: str) -> int:
        """The id of the tag or category called `name`, created when the blog has none yet."""
        name = name.strip()
        found = site.call("GET", f"wp/v2/{taxonomy}", params={"search": name, "per_page": 100,
                                                               "context": "edit"})
        for term in found or []:
            if _same_name(term.get("name", ""), name):
                return int(term["id"])
        try:
            return int(site.call("POST", f"wp/v2/{taxonomy}", json={"name": name})["id"])
        except PermanentNetworkError as error:
            # Made meanwhile, or the search missed it (WordPress cleans names): it names the existing one.
            body = error.details.get("body") or {}
            existing = (body.get("data") or {}).get("term_id") if isinstance(body, dict) else None
            if body.get("code") == "term_exists" and existing:
                return int(existing)
            raise

    def find_published(self, post: OutgoingPost, since: datetime) -> PublishedPost | None:
        if not post.idempotency_key:
            return None
        site = self._site()
        try:
            found = site.call("GET", "wp/v2/posts", params={
                "search": marker(post.idempotency_key), "status": _ANY_STATUS, "context": "edit",
                "per_page": 10, "orderby": "date", "order": "desc"})
        finally:
            site.close()
        for item in found or []:
            if marker(post.idempotency_key) in ((item.get("content") or {}).get("raw") or ""):
                return self._published(item)
        return None

    # Comments -------------------------------------------------------------------------------------

    def _with_site(self, work: Callable[[WordPressSite], T]) -> T:
        site = self._site()
        try:
            return work(site)
        finally:
            site.close()

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        own = self.account.settings.get("user_id")
        return self._with_site(lambda site: comments.fetch(site, int(own) if own else None, cursor))

    def reply(self, item_external_id: str, text: str) -> str:
        return self._with_site(lambda site: comments.reply(site, item_external_id, text))

    def hide(self, item_external_id: str) -> None:
        self._with_site(lambda site: comments.set_status(site, item_external_id, "hold"))

    def unhide(self, item_external_id: str) -> None:
        self._with_site(lambda site: comments.set_status(site, item_external_id, "approve"))

    def delete_comment(self, item_external_id: str) -> None:
        self._with_site(lambda site: comments.trash(site, item_external_id))

    # Numbers ---------------------------------------------------------------------------------------

    def post_metrics(self, external_ids: Sequence[str]) -> dict[str, PostMetrics]:
        def count(site: WordPressSite) -> dict[str, PostMetrics]:
            now = clock.now()
            return {external_id: PostMetrics(collected_at=now, comments=comments.total(
                site, "wp/v2/comments", {"post": int(external_id)})) for external_id in external_ids}

        return self._with_site(count)

    def account_metrics(self) -> AccountMetrics:
        own = self.account.settings.get("user_id")
        params: dict[str, Any] = {"status": "publish", **({"author": int(own)} if own else {})}
        posts = self._with_site(lambda site: comments.total(site, "wp/v2/posts", params))
        return AccountMetrics(collected_at=clock.now(), posts=posts)

    def delete(self, external_id: str) -> None:
        """Moves the post to the blog's trash, from where an editor can still restore it."""
        site = self._site()
        try:
            site.call("DELETE", f"wp/v2/posts/{int(external_id)}")
        except PermanentNetworkError as error:
            if error.status_code != 410:  # 410: already in the trash, which is what we wanted
                raise
        finally:
            site.close()


def connect(site_url: str, username: str, app_password: str, **_unused: Any) -> dict[str, Any]:
    """Check the application password against the site and return what the channel stores."""
    username = (username or "").strip()
    app_password = (app_password or "").strip()
    if not username or not app_password:
        raise ValueError("a WordPress user name and an application password are needed")
    site = WordPressSite(site_url, username, app_password)
    try:
        index = site.discover()
        me = site.call("GET", "wp/v2/users/me", params={"context": "edit"})
    finally:
        site.close()
    home = str(index.get("home") or index.get("url") or site.site_url).rstrip("/")
    host = urlsplit(home).netloc or home
    return {
        # One channel per user of a site: two authors of one blog are two channels.
        "external_id": f"{home}#user-{me['id']}",
        "handle": f"{me.get('username') or me.get('slug') or username}@{host}",
        "display_name": html.unescape(str(index.get("name") or host)),
        "credentials": {"site_url": site.site_url, "username": username, "app_password": app_password},
        "settings": {"site_url": site.site_url, "home_url": home, "rest_route": site.rest_route,
                     "user_id": me["id"]},
    }
