"""A Facebook Page behind the adapter protocol, and `connect` by a pasted token.

Publishing (https://developers.facebook.com/docs/pages-api/posts, /docs/graph-api/reference/page/feed/):
- text, with the first link in it as the post's link card: `POST /{page-id}/feed` (`message`, `link`);
- one photo: `POST /{page-id}/photos` (the file as `source`, the text as `message`); the answer's `post_id`
  is the post;
- several photos: each `POST /{page-id}/photos` with `published=false`, then one `POST /{page-id}/feed` with
  `attached_media[i]={"media_fbid": …}`;
- a video: the Resumable Upload API (`POST /{app-id}/uploads`, `POST /upload:{session}` with the bytes)
  gives a handle, then `POST /{page-id}/videos` with `fbuploader_video_file_chunk` (on graph-video.facebook.com
  when the Graph base is Meta's own);
- `first_comment` (a publish option): `POST /{post-id}/comments` once the post exists. It never fails the
  publication: the post is out, and a failed first comment is logged, not retried (a retry of the
  publication would post twice).

Scheduling is socialdesk's own (the publisher sends at the time), not Meta's `scheduled_publish_time`.

Duplicates: the Graph has no idempotency key. `find_published` reads `GET /{page-id}/published_posts`
(the Page's own posts; `/feed` also holds visitors' posts) since the first try and takes the post whose
`message` is the same text. A post without text cannot be recognised and is left to a person.

Uploading an unpublished photo or a video's bytes creates nothing anyone sees, so a lost answer there is a
plain transient error (the try is repeated); only the call that makes the post visible is "outcome
unknown".
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.networks.base import (
    AccountMetrics,
    AuthError,
    Capabilities,
    ChannelAccount,
    FollowerPage,
    InboxPage,
    IncomingItem,
    MediaKind,
    NetworkError,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    PostMetrics,
    PublishedPost,
    PublishOption,
)
from socialdesk.networks.facebook.items import comment_item, graph_time, is_message_id, message_item
from socialdesk.networks.meta.graph import UPLOAD_TIMEOUT, GraphClient
from socialdesk.networks.profiles import NETWORK_PROFILES
from socialdesk.networks.registry import ConnectedAccount

log = logging.getLogger(__name__)

URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
# Messenger's standard messaging window: a Page may answer within 24 hours of the person's last message
# (https://developers.facebook.com/docs/messenger-platform/policy/policy-overview).
MESSAGING_WINDOW = timedelta(hours=24)
# How many of the Page's latest posts the inbox polls for comments (older posts: the webhook brings them).
POLLED_POSTS = 25
POLLED_CONVERSATIONS = 25
COMMENT_FIELDS = "id,message,from{id,name},created_time,parent{id},permalink_url"
MESSAGE_FIELDS = "id,message,from{id,name},created_time"
PAGE_FIELDS = "id,name,username,link,category,followers_count,fan_count"
# Post insights that exist after Meta's 2025 deprecations (post_impressions* went on 2025-06-15 and
# 2025-11-15; https://developers.facebook.com/docs/platforminsights/page/deprecated-metrics).
# The Page's followers by country and city (metric -> the audience profile's breakdown); see account_details.
AUDIENCE_INSIGHTS = {"page_follows_country": "country", "page_follows_city": "city"}
POST_INSIGHTS = ("post_media_view", "post_total_media_view_unique", "post_clicks", "post_reactions_by_type_total")


def _first_link(text: str) -> str | None:
    found = URL_RE.search(text or "")
    return found.group(0).rstrip(".,;:!?)") if found else None


def _norm(text: str) -> str:
    return " ".join((text or "").split())


def _options(post: OutgoingPost) -> dict[str, Any]:
    return dict(post.options or {})


def video_base() -> str:
    """Where `/{page-id}/videos` goes: graph-video.facebook.com for Meta's own Graph (the video guide),
    the configured base otherwise (a contract server or an operator's proxy)."""
    base = get_settings().meta_graph_url.rstrip("/")
    parts = urlsplit(base)
    if parts.hostname == "graph.facebook.com":
        return urlunsplit(parts._replace(netloc=parts.netloc.replace("graph.facebook.com",
                                                                     "graph-video.facebook.com")))
    return base


class FacebookAdapter:
    network: ClassVar[str] = "facebook"

    def __init__(self, account: ChannelAccount) -> None:
        self.account = account  # no I/O here

    # -- who ------------------------------------------------------------------------------------------

    @property
    def page_id(self) -> str:
        return str(self.account.settings.get("page_id") or self.account.external_id)

    def _graph(self, **kwargs: Any) -> GraphClient:
        # A token made by another app (the Graph API Explorer's) takes no proof made with our app's secret.
        use_proof = self.account.settings.get("appsecret_proof", True) is not False
        return GraphClient(self.account.credentials.get("access_token"), use_app_secret=use_proof, **kwargs)

    def capabilities(self) -> Capabilities:
        # Scheduling stays socialdesk's (the publisher sends at the time), so Meta's is not offered.
        return replace(NETWORK_PROFILES["facebook"], label="Facebook Page", native_scheduling=False,
                       options=PUBLISH_OPTIONS, messaging_window_hours=int(MESSAGING_WINDOW.total_seconds() // 3600))

    def credentials_expire_at(self) -> datetime | None:
        # A Page token from a long-lived user token does not expire (it can be revoked: error 190).
        expires = self.account.credentials.get("expires_at")
        return graph_time(expires) if expires else None

    def refresh_credentials(self) -> dict[str, Any]:
        raise AuthError("A Facebook Page token cannot be refreshed; connect the Page again.")

    # -- publishing -----------------------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishedPost:
        images = [m for m in post.media if m.kind in (MediaKind.IMAGE, MediaKind.GIF)]
        videos = [m for m in post.media if m.kind == MediaKind.VIDEO]
        if videos and (images or len(videos) > 1):
            raise PermanentNetworkError("A Facebook Page post carries one video alone, or photos.")
        options = _options(post)
        with self._graph() as graph:
            if videos:
                published = self._publish_video(graph, post, videos[0])
            elif len(images) == 1:
                published = self._publish_photo(graph, post, images[0])
            elif images:
                published = self._publish_photos(graph, post, images)
            else:
                data: dict[str, Any] = {"message": post.text}
                link = str(options.get("link") or "").strip() or _first_link(post.text)
                if link:
                    data["link"] = link
                created = graph.post(f"{self.page_id}/feed", data)
                published = self._published(str(created["id"]))
            comment = str(options.get("first_comment") or "").strip()
            if comment:
                self._first_comment(graph, published.external_id, comment)
        return published

    def _published(self, post_id: str, url: str | None = None) -> PublishedPost:
        return PublishedPost(external_id=post_id, url=url or f"https://www.facebook.com/{post_id}",
                             published_at=clock.now())

    def _photo_file(self, media: OutgoingMedia) -> dict[str, Any]:
        return {"source": (media.path.name, media.path.read_bytes(), media.content_type)}

    def _publish_photo(self, graph: GraphClient, post: OutgoingPost, media: OutgoingMedia) -> PublishedPost:
        data: dict[str, Any] = {"message": post.text, "published": True}
        if media.alt_text:
            data["alt_text_custom"] = media.alt_text
        created = graph.post(f"{self.page_id}/photos", data, files=self._photo_file(media), timeout=UPLOAD_TIMEOUT)
        return self._published(str(created.get("post_id") or created["id"]))

    def _publish_photos(self, graph: GraphClient, post: OutgoingPost, images: Sequence[OutgoingMedia]) -> PublishedPost:
        ids = []
        for media in images:
            data: dict[str, Any] = {"published": False}
            if media.alt_text:
                data["alt_text_custom"] = media.alt_text
            # Unpublished: nobody sees it, so a lost answer is only a transient error.
            uploaded = graph.post(f"{self.page_id}/photos", data, files=self._photo_file(media), creates=False,
                                  timeout=UPLOAD_TIMEOUT)
            ids.append(str(uploaded["id"]))
        data = {"message": post.text}
        for index, media_id in enumerate(ids):
            data[f"attached_media[{index}]"] = json.dumps({"media_fbid": media_id})
        created = graph.post(f"{self.page_id}/feed", data)
        return self._published(str(created["id"]))

    def _publish_video(self, graph: GraphClient, post: OutgoingPost, media: OutgoingMedia) -> PublishedPost:
        app_id = get_settings().meta_app_id
        if not app_id:
            raise PermanentNetworkError("Publishing a video needs the Meta app's id (SOCIALDESK_META_APP_ID): "
                                        "Facebook's Resumable Upload API starts its sessions on the app.")
        # The upload session belongs to a user of the app; a Page connected by signing in keeps that user's
        # token, a pasted Page token is tried as it is.
        upload_token = self.account.credentials.get("user_access_token") or graph.access_token
        content = media.path.read_bytes()
        try:
            session = graph.post(f"{app_id}/uploads", {"file_name": media.path.name, "file_length": len(content),
                                                       "file_type": media.content_type}, creates=False,
                                 token=upload_token)
            uploaded = graph.request("POST", str(session["id"]), content=content, authenticate=False,
                                     headers={"Authorization": f"OAuth {upload_token}", "file_offset": "0"},
                                     timeout=UPLOAD_TIMEOUT)
        except AuthError as error:
            if upload_token == graph.access_token:
                raise
            # The sign-in kept for uploads expired (about 60 days); the Page's own token still posts the rest.
            raise PermanentNetworkError(
                "Facebook refused the sign-in socialdesk keeps for video uploads (it lasts about 60 days): "
                f"{error.network_message} Connect the Page again by signing in to post videos.",
                status_code=error.status_code, details=error.details) from error
        handle = uploaded["h"]
        data: dict[str, Any] = {"description": post.text, "fbuploader_video_file_chunk": handle}
        title = _options(post).get("video_title") or post.title
        if title:
            data["title"] = str(title)
        created = graph.post(f"{graph_version_base(video_base())}/{self.page_id}/videos", data,
                             timeout=UPLOAD_TIMEOUT)
        video_id = str(created["id"])
        return self._published(video_id, f"https://www.facebook.com/{self.page_id}/videos/{video_id}")

    def _first_comment(self, graph: GraphClient, post_id: str, text: str) -> None:
        try:
            graph.post(f"{post_id}/comments", {"message": text})
        except NetworkError as error:
            # The post is out: failing the publication now would make the publisher try it again.
            log.warning("first comment on Facebook post %s failed: %s", post_id, error.network_message)

    def find_published(self, post: OutgoingPost, since: datetime) -> PublishedPost | None:
        wanted = _norm(post.text)
        if not wanted:
            return None  # nothing to recognise it by: a person decides
        earliest = since - timedelta(minutes=1)
        with self._graph() as graph:
            for item in graph.pages(f"{self.page_id}/published_posts",
                                    {"fields": "id,message,created_time,permalink_url",
                                     "since": int(earliest.timestamp()), "limit": 25}, max_pages=4):
                if _norm(item.get("message") or "") == wanted and graph_time(item.get("created_time")) >= earliest:
                    return PublishedPost(external_id=str(item["id"]), url=item.get("permalink_url"),
                                         published_at=graph_time(item.get("created_time")))
        return None

    def delete(self, external_id: str) -> None:
        with self._graph() as graph:
            graph.delete(external_id)

    # -- inbox ----------------------------------------------------------------------------------------

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        """Comments on the Page's latest posts and Messenger messages newer than `cursor`.

        The cursor keeps, for comments and for messages, the newest time seen (Unix seconds) and the ids
        seen at that second, so an item written in the same second as the last poll is neither lost nor
        given twice. Comments are read newest first (`order=reverse_chronological`, `filter=stream` for
        replies too) until one older than the cursor."""
        seen = json.loads(cursor) if cursor else {}
        comments = _Mark(int(seen.get("c") or 0), set(seen.get("ci") or ()))
        messages = _Mark(int(seen.get("m") or 0), set(seen.get("mi") or ()))
        items: dict[str, IncomingItem] = {}
        with self._graph() as graph:
            posts = graph.get(f"{self.page_id}/published_posts",
                              {"fields": "id,created_time", "limit": POLLED_POSTS}).get("data") or []
            published = {str(p["id"]) for p in posts}
            dark = [p for p in self._ads_posts(graph) if str(p["id"]) not in published]
            for post, ad in [(p, False) for p in posts] + [(p, True) for p in dark]:
                params = {"fields": COMMENT_FIELDS, "filter": "stream", "order": "reverse_chronological",
                          "limit": 100}
                for comment in graph.pages(f"{post['id']}/comments", params, max_pages=5):
                    item = comment_item(comment, str(post["id"]), ad=ad)
                    if comments.older(item):
                        break
                    if comments.new(item) and item.author_external_id != self.page_id:
                        items[item.external_id] = item
            for message in self._recent_messages(graph, messages.time):
                item = message_item(message)
                if messages.new(item) and item.author_external_id != self.page_id:
                    items[item.external_id] = item
        cursor_out = json.dumps({"c": comments.next_time, "ci": sorted(comments.next_ids),
                                 "m": messages.next_time, "mi": sorted(messages.next_ids)})
        return InboxPage(items=sorted(items.values(), key=lambda i: i.created_at), cursor=cursor_out)

    def _ads_posts(self, graph: GraphClient) -> list[dict[str, Any]]:
        """The Page's ads posts (dark posts made for ads included), whose comments are ad comments
        (https://developers.facebook.com/docs/graph-api/reference/page/ads_posts/). Without
        pages_manage_ads the edge is refused: organic comments still come in, and the log says why."""
        try:
            return graph.get(f"{self.page_id}/ads_posts", {"fields": "id,created_time",
                                                          "limit": POLLED_POSTS}).get("data") or []
        except AuthError:
            raise
        except PermanentNetworkError as error:
            log.info("Facebook Page %s: ads posts not readable (ad comments need pages_manage_ads): %s",
                     self.page_id, error.network_message)
            return []

    def _recent_messages(self, graph: GraphClient, since: int) -> list[dict[str, Any]]:
        try:
            talks = graph.get(f"{self.page_id}/conversations", {"fields": "id,updated_time",
                                                                 "platform": "messenger",
                                                                 "limit": POLLED_CONVERSATIONS}).get("data") or []
        except AuthError:
            raise
        except PermanentNetworkError as error:
            # No pages_messaging permission (or Messenger off for the Page): comments still come in.
            log.info("Facebook Page %s: conversations not readable: %s", self.page_id, error.network_message)
            return []
        found = []
        for talk in talks:
            if int(graph_time(talk.get("updated_time")).timestamp()) < since:
                continue
            answer = graph.get(f"{talk['id']}/messages", {"fields": MESSAGE_FIELDS, "limit": 25})
            found.extend(answer.get("data") or [])
        return found

    def reply(self, item_external_id: str, text: str) -> str:
        with self._graph() as graph:
            if is_message_id(item_external_id):
                return self._reply_message(graph, item_external_id, text)
            created = graph.post(f"{item_external_id}/comments", {"message": text})
            return str(created["id"])

    def _reply_message(self, graph: GraphClient, message_id: str, text: str) -> str:
        """Answer in Messenger, within the standard messaging window only."""
        message = graph.get(message_id, {"fields": "id,from,created_time"})
        person = str((message.get("from") or {}).get("id") or "")
        if not person or person == self.page_id:
            raise PermanentNetworkError("This message was not sent by a person to the Page; there is no one to answer.")
        latest = graph_time(message.get("created_time"))
        talks = graph.get(f"{self.page_id}/conversations", {"fields": "id,updated_time", "platform": "messenger",
                                                            "user_id": person}).get("data") or []
        for talk in talks[:1]:
            for later in graph.get(f"{talk['id']}/messages", {"fields": MESSAGE_FIELDS, "limit": 25}).get("data") or []:
                if str((later.get("from") or {}).get("id") or "") == person:
                    latest = max(latest, graph_time(later.get("created_time")))
        if clock.now() - latest > MESSAGING_WINDOW:
            raise PermanentNetworkError(
                "Facebook lets a Page answer a Messenger message only within 24 hours of the person's last "
                f"message (the standard messaging window); their last message came {latest:%Y-%m-%d %H:%M} UTC. "
                "Answer when they write again, or from the Page's own inbox.")
        sent = graph.post(f"{self.page_id}/messages", {"recipient": {"id": person}, "messaging_type": "RESPONSE",
                                                        "message": {"text": text}})
        return str(sent.get("message_id") or "")

    def _comment_only(self, item_external_id: str, action: str) -> None:
        if is_message_id(item_external_id):
            raise PermanentNetworkError(f"Messenger messages cannot be {action}; only comments can.")

    def hide(self, item_external_id: str) -> None:
        self._comment_only(item_external_id, "hidden")
        with self._graph() as graph:
            graph.post(item_external_id, {"is_hidden": True}, creates=False)

    def unhide(self, item_external_id: str) -> None:
        self._comment_only(item_external_id, "unhidden")
        with self._graph() as graph:
            graph.post(item_external_id, {"is_hidden": False}, creates=False)

    def like(self, item_external_id: str) -> None:
        self._comment_only(item_external_id, "liked")
        with self._graph() as graph:
            graph.post(f"{item_external_id}/likes", {}, creates=False)

    def unlike(self, item_external_id: str) -> None:
        self._comment_only(item_external_id, "unliked")
        with self._graph() as graph:
            graph.delete(f"{item_external_id}/likes")

    def delete_comment(self, item_external_id: str) -> None:
        self._comment_only(item_external_id, "deleted")
        with self._graph() as graph:
            graph.delete(item_external_id)

    def block(self, author_external_id: str) -> None:
        with self._graph() as graph:
            graph.post(f"{self.page_id}/blocked", {"user": author_external_id}, creates=False)

    def unblock(self, author_external_id: str) -> None:
        with self._graph() as graph:
            graph.delete(f"{self.page_id}/blocked", {"user": author_external_id})

    # -- metrics --------------------------------------------------------------------------------------

    def post_metrics(self, external_ids: Sequence[str]) -> dict[str, PostMetrics]:
        out: dict[str, PostMetrics] = {}
        with self._graph() as graph:
            for post_id in external_ids:
                out[post_id] = self._post_metrics(graph, post_id)
        return out

    def _post_metrics(self, graph: GraphClient, post_id: str) -> PostMetrics:
        now = clock.now()
        try:
            node = graph.get(post_id, {"fields": "shares,comments.limit(0).summary(true),"
                                                 "reactions.limit(0).summary(true)"})
        except AuthError:
            raise
        except PermanentNetworkError:
            # A video is published as a video object (its id is what /videos answers): its numbers are read
            # from the video; anything else that cannot be read was deleted on Facebook.
            return self._video_metrics(graph, post_id, now) or PostMetrics(collected_at=now)
        shares = (node.get("shares") or {}).get("count") if "shares" in node else 0
        comments = ((node.get("comments") or {}).get("summary") or {}).get("total_count")
        reactions = ((node.get("reactions") or {}).get("summary") or {}).get("total_count")
        insights: dict[str, Any] = {}
        try:
            body = graph.get(f"{post_id}/insights", {"metric": ",".join(POST_INSIGHTS)})
            for entry in body.get("data") or []:
                values = entry.get("values") or []
                if values:
                    insights[str(entry.get("name"))] = values[-1].get("value")
        except AuthError:
            raise
        except PermanentNetworkError as error:
            # Insights need read_insights and a Page with enough followers; the counts above still stand.
            log.info("Facebook insights for %s not available: %s", post_id, error.network_message)

        def number(value: Any) -> int | None:
            return int(value) if isinstance(value, (int, float)) else None

        by_type = insights.get("post_reactions_by_type_total")
        if reactions is None and isinstance(by_type, dict):
            reactions = sum(int(v) for v in by_type.values() if isinstance(v, (int, float)))
        return PostMetrics(collected_at=now, views=number(insights.get("post_media_view")),
                           reach=number(insights.get("post_total_media_view_unique")),
                           clicks=number(insights.get("post_clicks")), likes=number(reactions),
                           comments=number(comments), reposts=number(shares))

    def _video_metrics(self, graph: GraphClient, video_id: str, now: datetime) -> PostMetrics | None:
        """A video's views (`total_video_views` from /video_insights), reactions and comments."""
        try:
            node = graph.get(video_id, {"fields": "comments.limit(0).summary(true),reactions.limit(0).summary(true)"})
        except AuthError:
            raise
        except PermanentNetworkError:
            return None
        views = None
        try:
            body = graph.get(f"{video_id}/video_insights", {"metric": "total_video_views"})
            for entry in body.get("data") or []:
                values = entry.get("values") or []
                if entry.get("name") == "total_video_views" and values and isinstance(values[-1].get("value"), int):
                    views = int(values[-1]["value"])
        except AuthError:
            raise
        except PermanentNetworkError as error:
            log.info("Facebook video insights for %s not available: %s", video_id, error.network_message)
        comments = ((node.get("comments") or {}).get("summary") or {}).get("total_count")
        reactions = ((node.get("reactions") or {}).get("summary") or {}).get("total_count")
        return PostMetrics(collected_at=now, views=views,
                           likes=int(reactions) if isinstance(reactions, int) else None,
                           comments=int(comments) if isinstance(comments, int) else None)

    def reactions_by_type(self, post_id: str) -> dict[str, int] | None:
        """Reactions per kind (like, love, wow, haha, sorry, anger) from `post_reactions_by_type_total`."""
        with self._graph() as graph:
            try:
                body = graph.get(f"{post_id}/insights", {"metric": "post_reactions_by_type_total"})
            except PermanentNetworkError:
                return None
        for entry in body.get("data") or []:
            values = entry.get("values") or []
            if values and isinstance(values[-1].get("value"), dict):
                return {str(k): int(v) for k, v in values[-1]["value"].items()}
        return None

    def account_metrics(self) -> AccountMetrics:
        with self._graph() as graph:
            page = graph.get(self.page_id, {"fields": "followers_count"})
        followers = page.get("followers_count")
        return AccountMetrics(collected_at=clock.now(),
                              followers=int(followers) if isinstance(followers, int) else None)

    def account_details(self) -> dict[str, Any] | None:
        """The Page's followers by country and by city, kept in the channel's settings under
        "account_details" by the metrics collection (analytics/service.py) for the audience profile. Read
        from `GET /{page-id}/insights?metric=page_follows_country,page_follows_city&period=day`: the
        alternatives Meta names for page_fans_country/city, deprecated on 2025-11-15
        (https://developers.facebook.com/docs/platforminsights/page/deprecated-metrics); age and gender
        (page_fans_gender_age, page_follows_gender_age) went on 2024-03-14 with no alternative. A Page
        below 100 followers, or a token without read_insights, gets an error: then None (not available)."""
        try:
            with self._graph() as graph:
                body = graph.get(f"{self.page_id}/insights", {"metric": ",".join(AUDIENCE_INSIGHTS), "period": "day"})
        except AuthError:
            raise
        except PermanentNetworkError as error:
            log.info("Facebook Page audience insights not available: %s", error.network_message)
            return None
        audience: dict[str, dict[str, int]] = {}
        for entry in body.get("data") or []:
            breakdown = AUDIENCE_INSIGHTS.get(str(entry.get("name")))
            values = entry.get("values") or []
            latest = values[-1].get("value") if values else None  # the newest day's totals
            if breakdown and isinstance(latest, dict):
                audience[breakdown] = {str(k): int(v) for k, v in latest.items() if isinstance(v, int)}
        return {"source": "page insights", "collected_at": clock.now().isoformat(), "audience": audience}

    def followers(self, cursor: str | None = None, limit: int = 100) -> FollowerPage:
        # The Graph gives a Page's follower count, never the people.
        return FollowerPage(followers=[], cursor=None, total=self.account_metrics().followers)


class _Mark:
    """How far an inbox poll has read: the newest second seen and the ids seen in that second."""

    def __init__(self, time: int, ids: set[str]) -> None:
        self.time, self.ids = time, ids
        self.next_time, self.next_ids = time, set(ids)

    def older(self, item: IncomingItem) -> bool:
        return int(item.created_at.timestamp()) < self.time

    def new(self, item: IncomingItem) -> bool:
        stamp = int(item.created_at.timestamp())
        if stamp < self.time or (stamp == self.time and item.external_id in self.ids):
            return False
        if stamp > self.next_time:
            self.next_time, self.next_ids = stamp, set()
        if stamp == self.next_time:
            self.next_ids.add(item.external_id)
        return True


def graph_version_base(base: str) -> str:
    return f"{base.rstrip('/')}/{get_settings().meta_graph_version}"


PUBLISH_OPTIONS = (
    PublishOption("first_comment", "First comment", kind="textarea", max_length=8000,
                  help="Posted as the Page right after the post (keeps links or hashtags out of the text)"),
    PublishOption("link", "Link card", kind="text",
                  help="The address shown as the post's link preview; by default the first link in the text"),
)


# -- connecting -----------------------------------------------------------------------------------------

def account_for_page(page: dict[str, Any], page_token: str, *, user_token: str | None = None,
                     user_token_expires_at: str | None = None, connected_by: str = "token") -> ConnectedAccount:
    credentials: dict[str, Any] = {"access_token": page_token}
    if user_token:
        credentials["user_access_token"] = user_token
        if user_token_expires_at:
            credentials["user_access_token_expires_at"] = user_token_expires_at
    name = str(page.get("name") or page["id"])
    return ConnectedAccount(
        external_id=str(page["id"]), handle=str(page.get("username") or name), display_name=name,
        credentials=credentials,
        settings={"page_id": str(page["id"]), "page_name": name, "username": page.get("username"),
                  "link": page.get("link"), "category": page.get("category"), "connected_by": connected_by})


WEBHOOK_FIELDS = "feed,messages"


def subscribe_webhooks(page_id: str, page_token: str) -> str:
    """Subscribe the operator's app to the Page's `feed` and `messages` webhooks
    (https://developers.facebook.com/docs/graph-api/reference/page/subscribed_apps/), when webhooks are set up
    (SOCIALDESK_PUBLIC_URL and SOCIALDESK_META_WEBHOOK_VERIFY_TOKEN). Returns what happened, for the channel's
    settings; a refusal (no pages_manage_metadata) leaves the channel on polling, which works without it."""
    settings = get_settings()
    if not settings.public_url or not settings.meta_webhook_verify_token:
        return "off: polling (webhooks need SOCIALDESK_PUBLIC_URL and SOCIALDESK_META_WEBHOOK_VERIFY_TOKEN)"
    try:
        with GraphClient(page_token) as graph:
            graph.post(f"{page_id}/subscribed_apps", {"subscribed_fields": WEBHOOK_FIELDS}, creates=False)
    except AuthError:
        raise
    except NetworkError as error:
        return f"not subscribed: {error.network_message}"
    return f"subscribed: {WEBHOOK_FIELDS}"


def connect(page_id: str, access_token: str, **_unused: Any) -> ConnectedAccount:
    """Connect a Page with a token issued elsewhere (Graph API Explorer, a system user, Business settings).

    A Page token for `page_id` is used as it is; a user token of someone who manages the Page is traded for
    the Page's token through `/me/accounts`. Either way the Page is read once to check both.
    """
    page_id = str(page_id or "").strip()
    token = str(access_token or "").strip()
    if not page_id.isdigit():
        raise ValueError("page_id must be the Page's numeric id (Page → About → Page transparency, or Meta "
                         "Business Suite → Settings)")
    if not token:
        raise ValueError("an access token is needed")
    use_proof = bool(get_settings().meta_app_secret)
    try:
        try:
            page, token = _read_page(page_id, token, use_proof)
        except PermanentNetworkError as exc:
            if not use_proof or "appsecret_proof" not in str(exc.details.get("meta_message") or ""):
                raise
            # A token another app made (the Graph API Explorer's): our app's proof does not fit it.
            use_proof = False
            page, token = _read_page(page_id, token, use_proof)
    except AuthError as exc:
        raise AuthError(f"Facebook did not accept this token: {exc.network_message}",
                        status_code=exc.status_code, details=exc.details) from exc
    account = account_for_page(page, token)
    if not use_proof:
        account.settings["appsecret_proof"] = False
    account.settings["webhooks"] = subscribe_webhooks(str(page["id"]), token) if use_proof or not \
        get_settings().meta_app_secret else "off: polling (the token belongs to another Meta app)"
    return account


def _read_page(page_id: str, token: str, use_proof: bool) -> tuple[dict[str, Any], str]:
    """The Page, read with its own token (traded for through /me/accounts when `token` is a user's)."""
    with GraphClient(token, use_app_secret=use_proof) as graph:
        me = graph.get("me", {"fields": "id,name"})
        if str(me.get("id")) != page_id:
            token = _page_token_from_user(graph, page_id)
    with GraphClient(token, use_app_secret=use_proof) as graph:
        return graph.get(page_id, {"fields": PAGE_FIELDS}), token


def _page_token_from_user(graph: GraphClient, page_id: str) -> str:
    for page in graph.pages("me/accounts", {"fields": "id,name,access_token,tasks"}):
        if str(page.get("id")) == page_id and page.get("access_token"):
            return str(page["access_token"])
    raise PermanentNetworkError(f"This token is neither Page {page_id}'s token nor a token of someone who "
                                "manages that Page (it is not among the token's /me/accounts).")
