"""Ghost behind the adapter protocol, and `connect`.

A publication becomes a Ghost post: title, HTML body (sent with `?source=html`, which Ghost converts
to its own editor format), the first image as the feature image (uploaded to Ghost's image store first),
tags by name (Ghost creates missing ones), and a status: `published`, `draft`, or `scheduled` with
`published_at` when Ghost should publish it later.

Ghost has no idempotency key, and its HTML conversion drops HTML comments, so the publication's id goes
into the post's footer code injection (`codeinjection_foot`, an HTML comment there: invisible on the
page). `find_published` filters posts by it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

from socialdesk.core import clock
from socialdesk.networks.base import (
    Capabilities,
    ChannelAccount,
    IdempotencyMethod,
    MediaKind,
    MediaRules,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    PublishedPost,
    TextRules,
)
from socialdesk.networks.blog.content import body_html, marker, marker_comment
from socialdesk.networks.blog.http import UPLOAD_TIMEOUT
from socialdesk.networks.blog.unsupported import BlogWithoutInbox
from socialdesk.networks.ghost.api import GhostSite

CAPABILITIES = Capabilities(
    label="Ghost",
    text=TextRules(limit=100_000, required=True),
    media=MediaRules(kinds=frozenset({MediaKind.IMAGE}), max_count=1,  # the feature image
                     image_types=frozenset({"image/jpeg", "image/png", "image/webp", "image/gif",
                                            "image/svg+xml"})),
    comments=False,
    reply=False,
    native_scheduling=True,  # status "scheduled" with published_at
    idempotency=IdempotencyMethod.LOOKUP,
    blog=True,
    title_limit=255,  # posts.title is a varchar(255): Ghost refuses longer titles
)


def _parse(value: str | None) -> datetime:
    if not value:
        return clock.now()
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _nql_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


class GhostAdapter(BlogWithoutInbox):
    network: ClassVar[str] = "ghost"

    def __init__(self, account: ChannelAccount) -> None:
        self.account = account  # no I/O here

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"Ghost at {self.account.settings.get('admin_url', '')}"

    def capabilities(self) -> Capabilities:
        return CAPABILITIES

    def _site(self) -> GhostSite:
        creds = self.account.credentials
        return GhostSite(creds["admin_url"], creds["admin_api_key"])

    def publish(self, post: OutgoingPost) -> PublishedPost:
        if not post.title.strip():
            raise PermanentNetworkError("A Ghost post needs a title.")
        site = self._site()
        try:
            # Ghost's title is plain text (it escapes it on the page): sent as the user wrote it.
            body: dict[str, Any] = {"title": post.title.strip(), "html": body_html(post.text),
                                    "status": "draft" if post.as_draft else "published"}
            if post.idempotency_key:
                body["codeinjection_foot"] = marker_comment(post.idempotency_key)
            if not post.as_draft and post.publish_at is not None and post.publish_at > clock.now():
                body["status"] = "scheduled"
                body["published_at"] = post.publish_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
            images = [m for m in post.media if m.kind == MediaKind.IMAGE]
            if images:
                body["feature_image"] = self._upload(site, images[0])
                if images[0].alt_text:
                    body["feature_image_alt"] = images[0].alt_text[:191]  # Ghost's column width
            # Ghost has no categories; its first tag is the post's primary tag, which themes show as one.
            names = [name.strip() for name in dict.fromkeys([*post.categories, *post.tags]) if name.strip()]
            if names:
                body["tags"] = [{"name": name} for name in self._existing_names(site, names)]
            created = site.call("POST", "posts/", params={"source": "html"}, json={"posts": [body]}, creates=True)
        finally:
            site.close()
        return self._published(created["posts"][0])

    def _published(self, item: dict[str, Any]) -> PublishedPost:
        return PublishedPost(external_id=str(item["id"]), url=item.get("url"),
                             published_at=_parse(item.get("published_at") or item.get("created_at")))

    def _existing_names(self, site: GhostSite, names: list[str]) -> list[str]:
        """The names as the blog already spells them: Ghost matches tag names case-sensitively, and would
        make "JESEN" a second tag beside "jesen"."""
        found = site.call("GET", "tags/", params={"limit": "all", "fields": "name"}) or {}
        known = {str(t.get("name", "")).casefold(): str(t["name"]) for t in found.get("tags", []) if t.get("name")}
        return list(dict.fromkeys(known.get(name.casefold(), name) for name in names))

    def _upload(self, site: GhostSite, media: OutgoingMedia) -> str:
        filename = f"socialdesk-{media.path.stem[:40]}{media.path.suffix}"
        uploaded = site.call("POST", "images/upload/", timeout=UPLOAD_TIMEOUT,
                             files={"file": (filename, media.path.read_bytes(), media.content_type)},
                             data={"purpose": "image", "ref": filename})
        return str(uploaded["images"][0]["url"])

    def find_published(self, post: OutgoingPost, since: datetime) -> PublishedPost | None:
        if not post.idempotency_key.isalnum():
            return None  # our keys are ULIDs; anything else could not be put inside an NQL string
        site = self._site()
        try:
            # The id is ULID characters only, so it needs no quoting inside the NQL string.
            found = site.call("GET", "posts/", params={
                "filter": f"codeinjection_foot:~'{marker(post.idempotency_key)}'"
                          f"+created_at:>'{_nql_time(since - timedelta(minutes=1))}'",
                "limit": 5, "fields": "id,url,status,published_at,created_at,codeinjection_foot"})
        finally:
            site.close()
        for item in (found or {}).get("posts", []):
            if marker(post.idempotency_key) in (item.get("codeinjection_foot") or ""):
                return self._published(item)
        return None

    def delete(self, external_id: str) -> None:
        site = self._site()
        try:
            site.call("DELETE", f"posts/{external_id}/")
        finally:
            site.close()


def connect(admin_url: str, admin_api_key: str, **_unused: Any) -> dict[str, Any]:
    """Check the key against the site and return what the channel stores."""
    site = GhostSite(admin_url, admin_api_key)
    try:
        info = (site.call("GET", "site/") or {}).get("site") or {}
        # /site/ answers anyone; a post listing proves the key works.
        site.call("GET", "posts/", params={"limit": 1, "fields": "id"})
    finally:
        site.close()
    home = str(info.get("url") or site.admin_url).rstrip("/")
    host = urlsplit(home).netloc or home
    key_id = admin_api_key.strip().partition(":")[0]
    return {
        "external_id": f"{home}#integration-{key_id}",
        "handle": host,
        "display_name": str(info.get("title") or host),
        "credentials": {"admin_url": site.admin_url, "admin_api_key": admin_api_key.strip()},
        "settings": {"admin_url": site.admin_url, "home_url": home, "version": info.get("version")},
    }
