"""The Instagram adapter: one professional (business or creator) account through the Instagram Graph API
with Facebook Login, on graph.facebook.com (SOCIALDESK_META_GRAPH_URL) with the Meta core's GraphClient.

Publishing is Meta's container flow (Content Publishing guide,
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/content-publishing):
each image or video is offered at a signed, expiring public address (media/public_links.py) that
Instagram fetches itself; `POST /{ig-user-id}/media` makes a container for it (carousel items with
`is_carousel_item`, then a CAROUSEL container naming them as `children`); `GET /{container-id}?fields=
status_code` is polled until FINISHED; `POST /{ig-user-id}/media_publish` publishes it. Only that last
call makes a post, so only its lost answer is an unknown outcome: `find_published` then looks for a post
with the same caption since the first try (`GET /{ig-user-id}/media`; Stories by time on
`/{ig-user-id}/stories`, which carry no caption). A container that was never published expires by itself
after 24 hours, so creating containers again on a retry is harmless.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.media import public_links
from socialdesk.networks.base import (
    AccountMetrics,
    AuthError,
    Capabilities,
    ChannelAccount,
    FollowerPage,
    InboxPage,
    IncomingItem,
    IncomingKind,
    MediaKind,
    NetworkError,
    OutcomeUnknown,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    PostMetrics,
    PublishedPost,
    RateLimited,
    TransientNetworkError,
)
from socialdesk.networks.instagram import rules
from socialdesk.networks.instagram.media import fit_of, prepared_path
from socialdesk.networks.meta.graph import GraphClient

log = logging.getLogger(__name__)

SITE = "Instagram"
# Container processing: Meta suggests polling about once a minute for up to five minutes for videos;
# images are usually FINISHED at once. The publisher tries again later when it is still IN_PROGRESS.
POLL_FIRST = 1.0
POLL_MAX_INTERVAL = 10.0
POLL_IMAGE_FOR = 60.0
POLL_VIDEO_FOR = 300.0
PUBLIC_LINK_LIFETIME = timedelta(hours=2)
# How many of the account's newest media the inbox and the look-up read.
RECENT_MEDIA = 25
INBOX_MEDIA = 10

# Instagram's publishing subcodes (Error Codes reference,
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes)
# that the Meta core sorts as permanent but that are in fact "later": the daily publishing limit, a
# container not ready yet, Instagram-side download timeouts and upload errors that a new container fixes.
PUBLISH_LIMIT_SUBCODE = 2207042
TRANSIENT_SUBCODES = frozenset({2207001, 2207003, 2207020, 2207027, 2207032, 2207053})
PUBLISH_LIMIT_RETRY = 3600.0

MEDIA_FIELDS = "id,caption,timestamp,permalink,media_type,media_product_type"
COMMENT_FIELDS = "id,text,timestamp,username,from{id,username},parent_id,hidden"
REPLY_FIELDS = f"{COMMENT_FIELDS.replace(',parent_id', '')}"
POST_INSIGHTS = "reach,views,likes,comments,saved,shares,total_interactions"
STORY_INSIGHTS = "reach,views,shares,total_interactions,replies"
ACCOUNT_INSIGHTS = "reach,views,accounts_engaged,total_interactions,profile_links_taps"
DEMOGRAPHIC_BREAKDOWNS = ("age", "gender", "city", "country")
MENTION_PREFIX = "m:"  # inbox ids of mentions: "m:<media id>" or "m:<media id>:<comment id>"
DM_PREFIX = "dm:"  # inbox ids of direct messages: "dm:<sender's IGSID>:<message id>"
MESSAGING_WINDOW = timedelta(hours=24)
MESSAGE_FIELDS = "id,created_time,from,to,message"
DM_CONVERSATIONS = 10
DM_TEXT_BYTES = 1000


def parse_time(value: Any) -> datetime | None:
    """Graph timestamps: ISO 8601 with a +0000 offset (2019-04-05T07:56:32+0000)."""
    if not value:
        return None
    text = str(value)
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        found = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def sorted_error(error: NetworkError) -> NetworkError:
    """The Meta core's error, re-sorted where Instagram's publishing subcodes say more."""
    subcode = (error.details or {}).get("error_subcode")
    if isinstance(error, AuthError) or not isinstance(error, PermanentNetworkError):
        return error
    if subcode == PUBLISH_LIMIT_SUBCODE:
        return RateLimited(f"Instagram's publishing limit is used up for the last 24 hours: {error.network_message}",
                           status_code=error.status_code, retry_after=PUBLISH_LIMIT_RETRY, details=error.details)
    if subcode in TRANSIENT_SUBCODES:
        return TransientNetworkError(error.network_message, status_code=error.status_code, details=error.details)
    return error


class InstagramAdapter:
    network: ClassVar[str] = "instagram"

    def __init__(self, account: ChannelAccount) -> None:
        self.account = account  # no I/O here: the registry builds adapters just to ask for capabilities
        self._client: GraphClient | None = None

    # Who and where ----------------------------------------------------------------------------------

    @property
    def ig_user_id(self) -> str:
        return str(self.account.settings.get("ig_user_id") or self.account.external_id)

    @property
    def username(self) -> str:
        return str(self.account.settings.get("username") or self.account.handle)

    @property
    def page_id(self) -> str | None:
        """The Facebook Page the account is linked to: Instagram Direct goes through it (None: no DMs)."""
        found = self.account.settings.get("page_id")
        return str(found) if found else None

    def _graph(self) -> GraphClient:
        if self._client is None:
            token = self.account.credentials.get("access_token")
            if not token:
                raise AuthError("This Instagram channel has no access token. Connect it again.")
            self._client = GraphClient(str(token), site=SITE)
        return self._client

    def _call(self, method: str, path: str, params: Mapping[str, Any] | None = None, *,
              creates: bool = False) -> Any:
        graph = self._graph()
        try:
            if method == "GET":
                return graph.get(path, params)
            if method == "DELETE":
                return graph.delete(path, params)
            return graph.post(path, params, creates=creates)
        except NetworkError as error:
            raise sorted_error(error) from error

    def capabilities(self) -> Capabilities:
        from socialdesk.networks.instagram.capabilities import capabilities

        return capabilities(self.account.settings)

    def credentials_expire_at(self) -> datetime | None:
        expires = self.account.credentials.get("expires_at")
        return parse_time(expires) if expires else None

    def refresh_credentials(self) -> dict[str, Any]:
        raise AuthError("Instagram no longer accepts this channel's token (it expired or was revoked). Connect "
                        "the account again.")

    # Publishing ---------------------------------------------------------------------------------------

    def publishing_limit(self) -> dict[str, Any]:
        """`{"quota_usage": n, "quota_total": m, "quota_duration": s}` from content_publishing_limit
        (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/content_publishing_limit)."""
        body = self._call("GET", f"{self.ig_user_id}/content_publishing_limit",
                          {"fields": "quota_usage,config"}) or {}
        data = (body.get("data") or [{}])[0]
        config = data.get("config") or {}
        return {"quota_usage": data.get("quota_usage"), "quota_total": config.get("quota_total"),
                "quota_duration": config.get("quota_duration")}

    def _check_quota(self) -> None:
        limit = self.publishing_limit()
        used, total = limit.get("quota_usage"), limit.get("quota_total")
        if isinstance(used, int) and isinstance(total, int) and used >= total:
            hours = (limit.get("quota_duration") or 86400) / 3600
            raise RateLimited(f"Instagram's publishing limit is used up: {used} of {total} posts in the last "
                              f"{hours:.0f} hours were published through the API. The post waits until a "
                              "slot frees.", retry_after=PUBLISH_LIMIT_RETRY)

    def publish(self, post: OutgoingPost) -> PublishedPost:
        options = dict(post.options or {})
        kind = rules.check_post(post.text, post.media, options)
        self._check_quota()
        fit = fit_of(options.get("fit") or self.account.settings.get("fit"))
        collaborators = rules.collaborators(options)
        caption = post.text
        if kind == rules.STORY:
            creation = self._container(self._media_params(post.media[0], kind=kind, fit=fit, story=True))
        elif kind == rules.REEL or (len(post.media) == 1 and post.media[0].kind == MediaKind.VIDEO):
            # Every single feed video is published as a Reel (since 2023-07-01).
            params = self._media_params(post.media[0], kind=rules.REEL, fit=fit)
            params.update(caption=caption or None, collaborators=collaborators or None,
                          share_to_feed=_flag(options.get("share_to_feed"), default=True))
            creation = self._container(params)
        elif len(post.media) == 1:
            params = self._media_params(post.media[0], kind=kind, fit=fit)
            params.update(caption=caption or None, collaborators=collaborators or None)
            creation = self._container(params)
        else:
            children = []
            for item in post.media:
                params = self._media_params(item, kind=kind, fit=fit, carousel_item=True)
                children.append(self._container(params))
            creation = self._container({"media_type": "CAROUSEL", "children": ",".join(children),
                                        "caption": caption or None,
                                        "collaborators": collaborators or None})
        body = self._call("POST", f"{self.ig_user_id}/media_publish", {"creation_id": creation}, creates=True)
        media_id = str((body or {}).get("id") or "")
        if not media_id:
            raise OutcomeUnknown("Instagram answered media_publish without the new media's id.")
        published = self._published_media(media_id)
        first_comment = str(options.get("first_comment") or "").strip()
        if first_comment:
            self._first_comment(media_id, first_comment)
        return published

    def _media_params(self, media: OutgoingMedia, *, kind: str, fit: str, story: bool = False,
                      carousel_item: bool = False) -> dict[str, Any]:
        try:
            path = prepared_path(media, kind=kind, fit=fit)
            address = public_links.public_url(path, lifetime=PUBLIC_LINK_LIFETIME)
        except ValidationFailed as error:  # no SOCIALDESK_PUBLIC_URL, or a file outside the library
            raise PermanentNetworkError(error.message) from None
        params: dict[str, Any] = {}
        if media.kind == MediaKind.VIDEO:
            params["video_url"] = address
            params["media_type"] = "STORIES" if story else ("VIDEO" if carousel_item else "REELS")
        else:
            params["image_url"] = address
            if story:
                params["media_type"] = "STORIES"
            elif media.alt_text:
                params["alt_text"] = media.alt_text  # image containers only
        if carousel_item:
            params["is_carousel_item"] = True
        return params

    def _container(self, params: Mapping[str, Any]) -> str:
        """Create a container and wait until Instagram has fetched and processed its media."""
        sent = {k: v for k, v in params.items() if v is not None}
        # creates=False: an unpublished container is invisible and expires by itself, so a lost answer here
        # is safe to retry.
        body = self._call("POST", f"{self.ig_user_id}/media", sent, creates=False) or {}
        container = str(body.get("id") or "")
        if not container:
            raise TransientNetworkError("Instagram did not return a container id for the media.")
        video = "video_url" in sent or sent.get("media_type") == "CAROUSEL"
        self._wait_finished(container, POLL_VIDEO_FOR if video else POLL_IMAGE_FOR)
        return container

    def _wait_finished(self, container: str, patience: float) -> None:
        waited, pause = 0.0, POLL_FIRST
        while True:
            body = self._call("GET", container, {"fields": "status_code,status"}) or {}
            status = str(body.get("status_code") or "")
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status == "ERROR":
                raise PermanentNetworkError(f"Instagram could not process the media: {body.get('status') or 'ERROR'}",
                                            details={"container": container, "status": body.get("status")})
            if status == "EXPIRED":
                raise TransientNetworkError("Instagram's media container expired before it was published; "
                                            "it is made again on the next try.")
            if waited >= patience:
                raise TransientNetworkError(f"Instagram is still processing the media after {waited:.0f} "
                                            "seconds; trying again later.", retry_after=60.0)
            time.sleep(pause)
            waited += pause
            pause = min(pause * 2, POLL_MAX_INTERVAL)

    def _published_media(self, media_id: str) -> PublishedPost:
        try:
            body = self._call("GET", media_id, {"fields": "id,permalink,timestamp"}) or {}
        except NetworkError as error:  # the post exists; its address can wait
            log.warning("instagram media %s published; reading its permalink failed: %s", media_id,
                        error.network_message)
            body = {}
        return PublishedPost(external_id=media_id, url=body.get("permalink") or None,
                             published_at=parse_time(body.get("timestamp")) or clock.now())

    def _first_comment(self, media_id: str, text: str) -> None:
        """The `first_comment` option: a comment by the account right after the post (IG Media Comments,
        https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/comments).
        The post is out whatever happens here, so a failure is logged, not raised."""
        try:
            self._call("POST", f"{media_id}/comments", {"message": text}, creates=True)
        except NetworkError as error:
            log.warning("instagram media %s: the first comment failed: %s", media_id, error.network_message)

    def find_published(self, post: OutgoingPost, since: datetime) -> PublishedPost | None:
        """A post an earlier, unconfirmed try made: the same caption since `since` among the newest media
        (a Story: the first Story since `since`, as Stories have no caption)."""
        options = dict(post.options or {})
        story = rules.publish_kind(options) == rules.STORY
        edge = "stories" if story else "media"
        body = self._call("GET", f"{self.ig_user_id}/{edge}", {"fields": MEDIA_FIELDS, "limit": RECENT_MEDIA}) or {}
        wanted = post.text.strip()
        found = []
        for media in body.get("data") or []:
            when = parse_time(media.get("timestamp"))
            if when is None or when < since:
                continue
            if story or str(media.get("caption") or "").strip() == wanted:
                found.append((when, media))
        if not found:
            return None
        when, media = min(found, key=lambda pair: pair[0])
        media_id = str(media["id"])
        first_comment = str(options.get("first_comment") or "").strip()
        if first_comment and not story and not self._has_own_comment(media_id, first_comment):
            self._first_comment(media_id, first_comment)
        return PublishedPost(external_id=media_id, url=media.get("permalink") or None, published_at=when)

    def _has_own_comment(self, media_id: str, text: str) -> bool:
        try:
            body = self._call("GET", f"{media_id}/comments", {"fields": "id,text,username"}) or {}
        except NetworkError:
            return True  # cannot tell: better no first comment than two
        return any(c.get("username") == self.username and str(c.get("text") or "").strip() == text
                   for c in body.get("data") or [])

    def delete(self, external_id: str) -> None:
        raise PermanentNetworkError("Instagram's API cannot delete a published post; delete it in the Instagram "
                                    "app (socialdesk keeps its record).")

    # The inbox ----------------------------------------------------------------------------------------

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        """Comments and replies on the newest media, and media the account is tagged in (`/tags`), newer
        than the cursor (the newest time seen). The account's own comments (replies, first comments) are
        left out."""
        after = parse_time(json.loads(cursor).get("t")) if cursor else None
        items: list[IncomingItem] = []
        body = self._call("GET", f"{self.ig_user_id}/media",
                          {"fields": "id,timestamp,comments_count", "limit": INBOX_MEDIA}) or {}
        for media in body.get("data") or []:
            if not media.get("comments_count"):
                continue
            comments = self._call("GET", f"{media['id']}/comments",
                                  {"fields": f"{COMMENT_FIELDS},replies{{{REPLY_FIELDS}}}"}) or {}
            for comment in comments.get("data") or []:
                items.extend(self._comment_items(comment, str(media["id"])))
        tagged = self._call("GET", f"{self.ig_user_id}/tags",
                            {"fields": "id,caption,timestamp,username,permalink", "limit": RECENT_MEDIA}) or {}
        for media in tagged.get("data") or []:
            when = parse_time(media.get("timestamp"))
            if when is None:
                continue
            items.append(IncomingItem(
                external_id=f"{MENTION_PREFIX}{media['id']}", kind=IncomingKind.MENTION,
                text=str(media.get("caption") or ""), created_at=when, author_external_id="",
                author_handle=str(media.get("username") or ""), url=media.get("permalink") or None))
        items.extend(self._direct_messages(after))
        if after is not None:
            # The same second as the newest seen may hold one not seen yet: the inbox drops repeats by id.
            items = [item for item in items if item.created_at >= after]
        items.sort(key=lambda item: item.created_at)
        newest = items[-1].created_at if items else after
        return InboxPage(items=items, cursor=json.dumps({"t": newest.isoformat()}) if newest else cursor)

    def _direct_messages(self, after: datetime | None) -> list[IncomingItem]:
        """Instagram Direct messages people sent the account, through the linked Page's conversations
        (`GET /{page-id}/conversations?platform=instagram`, https://developers.facebook.com/docs/messenger-platform/conversations).
        Without a linked Page, or without instagram_manage_messages, there are none (comments still come)."""
        if not self.page_id:
            return []
        try:
            talks = self._call("GET", f"{self.page_id}/conversations",
                               {"platform": "instagram", "fields": "id,updated_time", "limit": DM_CONVERSATIONS}) or {}
        except PermanentNetworkError as error:
            if isinstance(error, AuthError):
                raise
            log.info("instagram %s: direct messages not readable: %s", self.ig_user_id, error.network_message)
            return []
        items = []
        for talk in talks.get("data") or []:
            updated = parse_time(talk.get("updated_time"))
            if after is not None and updated is not None and updated < after:
                continue
            messages = self._call("GET", f"{talk['id']}/messages", {"fields": MESSAGE_FIELDS, "limit": 25}) or {}
            for message in messages.get("data") or []:
                sender = message.get("from") or {}
                sender_id = str(sender.get("id") or "")
                if not sender_id or sender_id == self.ig_user_id:
                    continue  # the account's own messages
                items.append(IncomingItem(
                    external_id=f"{DM_PREFIX}{sender_id}:{message['id']}", kind=IncomingKind.DIRECT_MESSAGE,
                    text=str(message.get("message") or ""),
                    created_at=parse_time(message.get("created_time")) or clock.now(),
                    author_external_id=sender_id, author_handle=str(sender.get("username") or sender_id)))
        return items

    def _reply_direct(self, external_id: str, text: str) -> str:
        """Answer in Instagram Direct, only within 24 hours of the person's last message (the standard
        messaging window): `POST /{page-id}/messages` with the person's Instagram-scoped id."""
        person, _, message_id = external_id[len(DM_PREFIX):].partition(":")
        if not self.page_id:
            raise PermanentNetworkError("This Instagram channel has no linked Page, which Instagram Direct needs.")
        if len(text.encode()) > DM_TEXT_BYTES:
            raise PermanentNetworkError(f"An Instagram Direct message is at most {DM_TEXT_BYTES} bytes.")
        message = self._call("GET", message_id, {"fields": "id,created_time,from"}) or {}
        latest = parse_time(message.get("created_time")) or clock.now()
        talks = self._call("GET", f"{self.page_id}/conversations",
                           {"platform": "instagram", "user_id": person, "fields": "id,updated_time"}) or {}
        for talk in (talks.get("data") or [])[:1]:
            later = self._call("GET", f"{talk['id']}/messages", {"fields": MESSAGE_FIELDS, "limit": 25}) or {}
            for found in later.get("data") or []:
                when = parse_time(found.get("created_time"))
                if str((found.get("from") or {}).get("id") or "") == person and when is not None:
                    latest = max(latest, when)
        if clock.now() - latest > MESSAGING_WINDOW:
            raise PermanentNetworkError(
                "Instagram lets an account answer a direct message only within 24 hours of the person's last "
                f"message; theirs came {latest:%Y-%m-%d %H:%M} UTC. Answer when they write again, or in the app.")
        sent = self._call("POST", f"{self.page_id}/messages",
                          {"recipient": {"id": person}, "messaging_type": "RESPONSE", "message": {"text": text}},
                          creates=True) or {}
        return str(sent.get("message_id") or "")

    def _comment_items(self, comment: Mapping[str, Any], media_id: str) -> Iterable[IncomingItem]:
        own = self._is_own(comment)
        if not own:
            yield _comment_item(comment, media_id, parent=None)
        for reply in (comment.get("replies") or {}).get("data") or []:
            if not self._is_own(reply):
                yield _comment_item(reply, media_id, parent=str(comment["id"]))

    def _is_own(self, comment: Mapping[str, Any]) -> bool:
        author = comment.get("from") or {}
        return str(author.get("id") or "") == self.ig_user_id or comment.get("username") == self.username

    def reply(self, item_external_id: str, text: str) -> str:
        if item_external_id.startswith(DM_PREFIX):
            return self._reply_direct(item_external_id, text)
        if item_external_id.startswith(MENTION_PREFIX):
            # IG User Mentions: a comment on the media (or under the comment) that @mentioned the account
            # https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/mentions
            media_id, _, comment_id = item_external_id[len(MENTION_PREFIX):].partition(":")
            params = {"media_id": media_id, "message": text, "comment_id": comment_id or None}
            body = self._call("POST", f"{self.ig_user_id}/mentions", params, creates=True) or {}
        else:
            # Only top-level comments take replies; a reply to a reply goes under its top-level comment.
            body = self._call("POST", f"{item_external_id}/replies", {"message": text}, creates=True) or {}
        return str(body.get("id") or "")

    def hide(self, item_external_id: str) -> None:
        self._set_hidden(item_external_id, True)

    def unhide(self, item_external_id: str) -> None:
        self._set_hidden(item_external_id, False)

    def _set_hidden(self, comment_id: str, hidden: bool) -> None:
        if comment_id.startswith(DM_PREFIX):
            raise PermanentNetworkError("Direct messages cannot be hidden; only comments can.")
        if comment_id.startswith(MENTION_PREFIX):
            raise PermanentNetworkError("A mention on someone else's post cannot be hidden from here.")
        self._call("POST", comment_id, {"hide": hidden})

    def delete_comment(self, item_external_id: str) -> None:
        if item_external_id.startswith(DM_PREFIX):
            raise PermanentNetworkError("Direct messages cannot be deleted through the API; only comments can.")
        if item_external_id.startswith(MENTION_PREFIX):
            raise PermanentNetworkError("A mention on someone else's post cannot be deleted from here.")
        try:
            self._call("DELETE", item_external_id)
        except PermanentNetworkError as error:
            if isinstance(error, AuthError) or (error.details or {}).get("code") != 100:
                raise
            # Code 100 on a comment that no longer exists: what was asked is done.

    def like(self, item_external_id: str) -> None:
        raise PermanentNetworkError("Instagram's API cannot like comments.")

    def unlike(self, item_external_id: str) -> None:
        raise PermanentNetworkError("Instagram's API cannot like comments.")

    def block(self, author_external_id: str) -> None:
        raise PermanentNetworkError("Instagram's API cannot block accounts; restrict or block them in the app.")

    def unblock(self, author_external_id: str) -> None:
        raise PermanentNetworkError("Instagram's API cannot block accounts; restrict or block them in the app.")

    # Metrics ------------------------------------------------------------------------------------------

    def post_metrics(self, external_ids: Sequence[str]) -> dict[str, PostMetrics]:
        """Media insights that exist now (IG Media Insights,
        https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights):
        reach, views, likes, comments, saved, shares, total_interactions; Stories have reach, views,
        shares, replies. `impressions`, `plays` and `video_views` are deprecated and not asked for.
        A metric Instagram does not return is None."""
        now = clock.now()
        found: dict[str, PostMetrics] = {}
        for media_id in external_ids:
            node = self._call("GET", media_id, {"fields": "id,media_product_type,like_count,comments_count"}) or {}
            story = node.get("media_product_type") == "STORY"
            values: dict[str, int] = {}
            try:
                body = self._call("GET", f"{media_id}/insights",
                                  {"metric": STORY_INSIGHTS if story else POST_INSIGHTS}) or {}
                values = insight_values(body)
            except PermanentNetworkError as error:
                if isinstance(error, AuthError):
                    raise
                # Code 10 "Not enough viewers for the media to show insights", or a media too old.
                log.info("instagram insights for %s unavailable: %s", media_id, error.network_message)
            found[media_id] = PostMetrics(
                collected_at=now, reach=values.get("reach"), views=values.get("views"),
                likes=values.get("likes", _int(node.get("like_count"))),
                comments=values.get("comments", values.get("replies", _int(node.get("comments_count")))),
                saves=values.get("saved"), reposts=values.get("shares"))
        return found

    def account_metrics(self) -> AccountMetrics:
        node = self._call("GET", self.ig_user_id, {"fields": "id,username,followers_count,follows_count,media_count"})
        node = node or {}
        return AccountMetrics(collected_at=clock.now(), followers=_int(node.get("followers_count")),
                              following=_int(node.get("follows_count")), posts=_int(node.get("media_count")))

    def account_details(self) -> dict[str, Any]:
        """What the strategy pages read later, kept in the channel's settings under "account_details" by
        the metrics collection (analytics/service.py): the account's day totals (reach, views,
        accounts_engaged, total_interactions, profile_links_taps), the audience (follower_demographics by
        age, gender, city and country, where the account has enough followers), and the publishing limit.
        Missing numbers are None."""
        result: dict[str, Any] = {"collected_at": clock.now().isoformat()}
        try:
            body = self._call("GET", f"{self.ig_user_id}/insights",
                              {"metric": ACCOUNT_INSIGHTS, "metric_type": "total_value", "period": "day"}) or {}
            values = insight_values(body)
        except PermanentNetworkError as error:
            if isinstance(error, AuthError):
                raise
            values = {}
        result["day"] = {name: values.get(name) for name in ACCOUNT_INSIGHTS.split(",")}
        result["profile_views"] = None  # deprecated for all versions since 2025-01-08 (see docs)
        audience: dict[str, Any] = {}
        for breakdown in DEMOGRAPHIC_BREAKDOWNS:
            try:
                body = self._call("GET", f"{self.ig_user_id}/insights",
                                  {"metric": "follower_demographics", "period": "lifetime",
                                   "metric_type": "total_value", "breakdown": breakdown}) or {}
                audience[breakdown] = demographic_values(body)
            except PermanentNetworkError as error:
                if isinstance(error, AuthError):
                    raise
                audience[breakdown] = None  # fewer than 100 followers, or not offered
        result["audience"] = audience
        try:
            result["publishing_limit"] = self.publishing_limit()
        except PermanentNetworkError as error:
            if isinstance(error, AuthError):
                raise
            result["publishing_limit"] = None
        return result

    def followers(self, cursor: str | None = None, limit: int = 100) -> FollowerPage:
        return FollowerPage(followers=[], cursor=None, total=self.account_metrics().followers)


def _flag(value: Any, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def insight_values(body: Mapping[str, Any]) -> dict[str, int]:
    """`{"data": [{"name", "values": [{"value"}]}]}` or, with metric_type=total_value,
    `{"data": [{"name", "total_value": {"value"}}]}` → name: number (absent names stay absent)."""
    values: dict[str, int] = {}
    for metric in body.get("data") or []:
        name = metric.get("name")
        total = metric.get("total_value")
        if isinstance(total, dict) and isinstance(total.get("value"), int):
            values[name] = total["value"]
            continue
        series = metric.get("values") or []
        if series and isinstance(series[-1].get("value"), int):
            values[name] = series[-1]["value"]
    return values


def demographic_values(body: Mapping[str, Any]) -> dict[str, int] | None:
    """follower_demographics with one breakdown → {"25-34": 120, ...}; None when Instagram gave nothing."""
    for metric in body.get("data") or []:
        total = metric.get("total_value") or {}
        for breakdown in total.get("breakdowns") or []:
            result = {}
            for entry in breakdown.get("results") or []:
                key = ",".join(str(v) for v in entry.get("dimension_values") or [])
                if isinstance(entry.get("value"), int):
                    result[key] = entry["value"]
            return result or None
    return None


def _comment_item(comment: Mapping[str, Any], media_id: str, *, parent: str | None) -> IncomingItem:
    author = comment.get("from") or {}
    return IncomingItem(
        external_id=str(comment["id"]), kind=IncomingKind.COMMENT, text=str(comment.get("text") or ""),
        created_at=parse_time(comment.get("timestamp")) or clock.now(),
        author_external_id=str(author.get("id") or ""),
        author_handle=str(author.get("username") or comment.get("username") or ""),
        post_external_id=media_id, parent_external_id=parent)
