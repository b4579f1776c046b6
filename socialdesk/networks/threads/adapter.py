"""Threads behind the adapter protocol: the Threads API on graph.threads.net (SOCIALDESK_THREADS_API_URL).

Publishing is Meta's container flow (https://developers.facebook.com/docs/threads/posts): create a media
container (`POST /{threads-user-id}/threads`), wait until its status is FINISHED
(`GET /{container-id}?fields=status,error_message`), then publish it (`POST /{threads-user-id}/threads_publish`).
Only the publish call makes something people see, so only a lost answer there is "outcome unknown";
the publisher then looks the post up (`find_published`: the account's posts since the first try, matched
by text) before anything is sent again. Threads has no idempotency key.

Media: Threads fetches every image and video itself from a public address, so each file is offered at a
signed, expiring link under SOCIALDESK_PUBLIC_URL (media/public_links.py) while its container is made.

External ids are Threads media ids; an inbox item's author is the replier's username (the API gives no
user id for other people).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.media.public_links import public_url
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
    PublishOption,
    RateLimited,
    TextCounting,
    TransientNetworkError,
)
from socialdesk.networks.profiles import NETWORK_PROFILES
from socialdesk.networks.threads.client import ThreadsClient
from socialdesk.text.counting import measure

log = logging.getLogger(__name__)

TEXT_LIMIT = 500  # https://developers.facebook.com/docs/threads/posts#limitations
CAROUSEL_MAX = 20  # https://developers.facebook.com/docs/threads/posts#carousel-posts
# Waiting for a container: Meta suggests about 30 s for media and checking once a minute for up to 5
# minutes. socialdesk's publisher takes a call older than 2 minutes for a dead one, so the wait stays far
# below that; a container still in progress then fails the try as transient (nothing was published, and
# an unpublished container expires by itself after 24 hours).
POLL_DELAYS = (0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 10.0, 15.0, 15.0)
sleep: Callable[[float], None] = time.sleep  # tests replace it
# Reading back: how many pages of the account's posts a look-up or an inbox fetch reads.
LOOKUP_PAGES = 4
PAGE_SIZE = 50
# The account's latest posts whose replies each fetch reads, and how old they may be. Threads allows an app
# 4800 calls per day × the account's daily impressions (at least 10): a small account has 48,000 calls a
# day, and a fetch every two minutes costs 2 + one per post with replies.
INBOX_POSTS = 10
INBOX_POST_AGE = timedelta(days=30)
INBOX_OVERLAP = timedelta(minutes=10)  # replies indexed late still come in (the inbox drops repeats)
# `since` on /mentions and /threads may not be earlier than this (the Threads launch, 2023-07-05).
EARLIEST_SINCE = 1688540400
# Long-lived tokens live 60 days and can be refreshed once they are 24 hours old.
TOKEN_LIFETIME = timedelta(days=60)
REFRESHABLE_AFTER = timedelta(hours=24)
RENEW_BEFORE = timedelta(days=7)

REPLY_FIELDS = "id,text,username,timestamp,permalink,replied_to,root_post,is_reply_owned_by_me,hide_status"
MENTION_FIELDS = "id,text,username,timestamp,permalink"
POST_METRICS = "views,likes,replies,reposts,quotes,shares"


REPLY_CONTROLS = ("everyone", "accounts_you_follow", "mentioned_only", "parent_post_author_only", "followers_only")
OPTIONS = (
    PublishOption("reply_control", "Who can reply", kind="select", choices=REPLY_CONTROLS, default="everyone",
                  help="Threads' reply_control: everyone, accounts you follow, accounts mentioned in the post, "
                       "only the author of the post this answers, or your followers"),
)


def capabilities() -> Capabilities:
    # What this adapter does: text, image, video and carousels (2-20 items), replies under a post. Polls,
    # GIFs, topic tags and link attachments are not offered yet; nobody can delete another person's reply
    # on Threads (only hide top-level ones), and the API has no direct messages.
    return dataclasses.replace(NETWORK_PROFILES["threads"], polls=False, options=OPTIONS)


def parse_time(value: Any) -> datetime | None:
    """Threads' times: "2026-04-15T14:30:00+0000"."""
    if not isinstance(value, str) or not value:
        return None
    for pattern in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return datetime.strptime(value, pattern).astimezone(UTC)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _same_text(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def _unix(moment: datetime) -> int:
    return max(EARLIEST_SINCE, int(moment.timestamp()))


class ThreadsAdapter:
    network: ClassVar[str] = "threads"

    def __init__(self, account: ChannelAccount) -> None:
        self.account = account  # no I/O here: registries build adapters just to ask for capabilities
        self.user_id = str(account.settings.get("threads_user_id") or account.external_id)
        self._client: ThreadsClient | None = None

    def capabilities(self) -> Capabilities:
        return capabilities()

    @property
    def client(self) -> ThreadsClient:
        if self._client is None:
            self._client = ThreadsClient(str(self.account.credentials.get("access_token") or ""))
        return self._client

    # Publishing ----------------------------------------------------------------------------------

    def check(self, post: OutgoingPost) -> None:
        """Refuse before sending what Threads would refuse."""
        length = measure(post.text, TextCounting.UTF8_EMOJI)
        if length > TEXT_LIMIT:
            raise PermanentNetworkError(
                f"Threads takes at most {TEXT_LIMIT} characters (an emoji counts as its UTF-8 bytes); "
                f"this text counts {length}.")
        if not post.media and not post.text.strip():
            raise PermanentNetworkError("A Threads post without media needs text.")
        if len(post.media) > CAROUSEL_MAX:
            raise PermanentNetworkError(f"A Threads carousel takes at most {CAROUSEL_MAX} images and videos; "
                                        f"this post has {len(post.media)}.")
        for media in post.media:
            if media.kind not in (MediaKind.IMAGE, MediaKind.VIDEO):
                raise PermanentNetworkError(f"Threads takes images and videos, not {media.kind.value}.")

    def publishing_quota(self, *, reply: bool) -> tuple[int, int] | None:
        """(used, total) over the last 24 hours, from GET /{threads-user-id}/threads_publishing_limit;
        None when Threads does not say."""
        fields = "reply_quota_usage,reply_config" if reply else "quota_usage,config"
        body = self.client.get(f"{self.user_id}/threads_publishing_limit", {"fields": fields})
        rows = body.get("data") if isinstance(body, dict) else None
        if not rows or not isinstance(rows[0], dict):
            return None
        row = rows[0]
        used = row.get("reply_quota_usage" if reply else "quota_usage")
        config = row.get("reply_config" if reply else "config") or {}
        total = config.get("quota_total") if isinstance(config, dict) else None
        if not isinstance(used, int) or not isinstance(total, int):
            return None
        return used, total

    def _refuse_when_exhausted(self, *, reply: bool) -> None:
        quota = self.publishing_quota(reply=reply)
        if quota is not None and quota[0] >= quota[1]:
            what = "replies" if reply else "posts"
            raise RateLimited(
                f"This Threads account has published {quota[0]} of the {quota[1]} {what} Threads allows "
                f"through the API in 24 hours; it waits until older ones leave the 24-hour window.",
                retry_after=3600.0, details={"quota_usage": quota[0], "quota_total": quota[1]})

    def _media_fields(self, media: OutgoingMedia) -> dict[str, Any]:
        try:
            address = public_url(media.path)  # Threads downloads it from there while the container is made
        except ValidationFailed as exc:  # SOCIALDESK_PUBLIC_URL unset, or a file outside the media library
            raise PermanentNetworkError(exc.message) from exc
        fields: dict[str, Any] = {"media_type": "VIDEO" if media.kind == MediaKind.VIDEO else "IMAGE"}
        fields["video_url" if media.kind == MediaKind.VIDEO else "image_url"] = address
        if media.alt_text:
            fields["alt_text"] = media.alt_text
        return fields

    def _create_container(self, fields: dict[str, Any]) -> str:
        # Not "creates": a container is not visible to anyone; an orphan expires after 24 hours.
        made = self.client.post(f"{self.user_id}/threads", fields)
        container = made.get("id") if isinstance(made, dict) else None
        if not container:
            raise TransientNetworkError("Threads made no media container (its answer had no id).")
        return str(container)

    def wait_finished(self, container_id: str) -> None:
        """Until the container is FINISHED; refuse on ERROR or EXPIRED."""
        status = ""
        for delay in POLL_DELAYS:
            if delay:
                sleep(delay)
            body = self.client.get(container_id, {"fields": "status,error_message"})
            status = str(body.get("status") or "") if isinstance(body, dict) else ""
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):
                message = body.get("error_message") or status
                raise PermanentNetworkError(f"Threads could not use the media: {message}",
                                            details={"container_id": container_id, "status": status})
        raise TransientNetworkError(f"Threads is still processing the media (container {container_id} is "
                                    f"{status or 'not ready'}); the post will be tried again.")

    def _container_for(self, post: OutgoingPost) -> str:
        common: dict[str, Any] = {}
        if post.reply_to_external_id:
            common["reply_to_id"] = post.reply_to_external_id
        control = (post.options or {}).get("reply_control")
        if control and control != "everyone":  # everyone is Threads' default
            if control not in REPLY_CONTROLS:
                raise PermanentNetworkError(f"Threads' reply_control is one of {', '.join(REPLY_CONTROLS)}.")
            common["reply_control"] = control
        if not post.media:
            return self._create_container({"media_type": "TEXT", "text": post.text, **common})
        if len(post.media) == 1:
            fields = {**self._media_fields(post.media[0]), **common}
            if post.text:
                fields["text"] = post.text
            return self._create_container(fields)
        children = []
        for media in post.media:
            child = self._create_container({**self._media_fields(media), "is_carousel_item": True})
            children.append(child)
        for child in children:
            self.wait_finished(child)
        fields = {"media_type": "CAROUSEL", "children": children, **common}
        if post.text:
            fields["text"] = post.text
        return self._create_container(fields)

    def publish(self, post: OutgoingPost) -> PublishedPost:
        self.check(post)
        self._refuse_when_exhausted(reply=bool(post.reply_to_external_id))
        container = self._container_for(post)
        self.wait_finished(container)
        return self._publish_container(container)

    def _publish_container(self, container: str) -> PublishedPost:
        made = self.client.post(f"{self.user_id}/threads_publish", {"creation_id": container}, creates=True)
        media_id = made.get("id") if isinstance(made, dict) else None
        if not media_id:
            raise PermanentNetworkError("Threads answered the publish without the post's id.",
                                        details={"container_id": container})
        url, published_at = self._permalink(str(media_id))
        return PublishedPost(external_id=str(media_id), url=url, published_at=published_at or clock.now())

    def _permalink(self, media_id: str) -> tuple[str | None, datetime | None]:
        """Where the new post is; never raises (the post exists whatever this answers)."""
        try:
            body = self.client.get(media_id, {"fields": "id,permalink,timestamp"})
        except NetworkError as error:
            log.info("no permalink for Threads post %s: %s", media_id, error.network_message)
            return None, None
        except Exception:  # the post is out: a failed read-back must not say otherwise
            log.exception("reading back Threads post %s failed", media_id)
            return None, None
        if not isinstance(body, dict):
            return None, None
        return (str(body["permalink"]) if body.get("permalink") else None), parse_time(body.get("timestamp"))

    def _own(self, edge: str, fields: str, since: datetime | None, pages: int = LOOKUP_PAGES,
             limit: int = PAGE_SIZE) -> Iterator[dict]:
        """The account's posts (edge "threads") or replies ("replies"), newest first."""
        params: dict[str, Any] = {"fields": fields, "limit": limit}
        if since is not None:
            params["since"] = _unix(since)
        for _ in range(pages):
            body = self.client.get(f"{self.user_id}/{edge}", params)
            rows = body.get("data") if isinstance(body, dict) else None
            yield from (row for row in rows or () if isinstance(row, dict))
            after = ((body.get("paging") or {}).get("cursors") or {}).get("after") if isinstance(body, dict) else None
            if not rows or not after or not (body.get("paging") or {}).get("next"):
                return
            params = {**params, "after": after}

    def find_published(self, post: OutgoingPost, since: datetime) -> PublishedPost | None:
        """The post an unconfirmed try made: the same text, published since `since` (replies are looked
        for among the account's replies). A post without text is matched by its media type alone, and only
        when a single one was published in that time."""
        edge = "replies" if post.reply_to_external_id else "threads"
        fields = "id,text,timestamp,permalink,media_type" + (",replied_to" if post.reply_to_external_id else "")
        wanted_type = None
        if post.media:
            wanted_type = "CAROUSEL_ALBUM" if len(post.media) > 1 else (
                "VIDEO" if post.media[0].kind == MediaKind.VIDEO else "IMAGE")
        matches = []
        for row in self._own(edge, fields, since):
            created = parse_time(row.get("timestamp"))
            if created is not None and created < since:
                break
            if post.reply_to_external_id and (row.get("replied_to") or {}).get("id") not in (
                    None, post.reply_to_external_id):
                continue
            if wanted_type and row.get("media_type") not in (wanted_type, None):
                continue
            if post.text.strip() and not _same_text(row.get("text"), post.text):
                continue
            if not post.text.strip() and row.get("text"):
                continue
            matches.append(row)
        if not matches or (not post.text.strip() and len(matches) > 1):
            return None
        found = matches[-1]  # the earliest: a later one with the same text was posted by a person
        return PublishedPost(external_id=str(found["id"]),
                             url=str(found["permalink"]) if found.get("permalink") else None,
                             published_at=parse_time(found.get("timestamp")) or clock.now())

    def delete(self, external_id: str) -> None:
        # DELETE /{threads-media-id} (threads_delete; 100 deletions per 24 hours).
        self.client.delete(external_id)

    # Inbox ---------------------------------------------------------------------------------------

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        """Replies under the account's latest posts of the last 30 days (`/{media-id}/conversation`, every
        level) and posts that mention the account (`/{threads-user-id}/mentions`), newer than the cursor (the
        newest time seen), read again a little before it so a reply indexed late is not missed (the inbox
        drops repeats)."""
        seen_until = parse_time(cursor) if cursor else None
        after = seen_until - INBOX_OVERLAP if seen_until else None
        items: list[IncomingItem] = []
        recent = clock.now() - INBOX_POST_AGE
        for post in self._own("threads", "id,timestamp,has_replies", recent, pages=1, limit=INBOX_POSTS):
            if post.get("has_replies") is False:
                continue
            items.extend(self._conversation(str(post["id"]), after))
        items.extend(self._mentions(after))
        newest = max((i.created_at for i in items), default=None)
        if newest is None or (seen_until is not None and newest <= seen_until):
            return InboxPage(items=items, cursor=cursor)
        return InboxPage(items=items, cursor=newest.isoformat())

    def _conversation(self, post_id: str, after: datetime | None) -> list[IncomingItem]:
        """Newest first (the endpoint's default order), page by page until the replies are older than `after`."""
        found: list[IncomingItem] = []
        params: dict[str, Any] = {"fields": REPLY_FIELDS, "reverse": "true"}
        for _ in range(LOOKUP_PAGES):
            body = self.client.get(f"{post_id}/conversation", params)
            rows = body.get("data") if isinstance(body, dict) else None
            older = False
            for row in rows or ():
                created = parse_time(row.get("timestamp")) if isinstance(row, dict) else None
                if after is not None and created is not None and created <= after:
                    older = True
                    continue
                item = self._reply_item(row, post_id)
                if item is not None:
                    found.append(item)
            paging = (body.get("paging") or {}) if isinstance(body, dict) else {}
            next_after = (paging.get("cursors") or {}).get("after")
            if older or not rows or not next_after or not paging.get("next"):
                break
            params = {**params, "after": next_after}
        return found

    def _reply_item(self, row: Any, post_id: str) -> IncomingItem | None:
        if not isinstance(row, dict) or row.get("is_reply_owned_by_me") or not row.get("id"):
            return None
        created = parse_time(row.get("timestamp"))
        if created is None:
            return None
        root = str((row.get("root_post") or {}).get("id") or post_id)
        parent = (row.get("replied_to") or {}).get("id")
        username = str(row.get("username") or "")
        return IncomingItem(
            external_id=str(row["id"]), kind=IncomingKind.COMMENT, text=str(row.get("text") or ""),
            created_at=created, author_external_id=username, author_handle=username, post_external_id=root,
            parent_external_id=str(parent) if parent and str(parent) != root else None,
            url=str(row["permalink"]) if row.get("permalink") else None)

    def _mentions(self, after: datetime | None) -> list[IncomingItem]:
        params: dict[str, Any] = {"fields": MENTION_FIELDS}
        if after is not None:
            params["since"] = _unix(after)
        try:
            body = self.client.get(f"{self.user_id}/mentions", params)
        except AuthError:
            raise
        except PermanentNetworkError as error:
            # threads_manage_mentions not granted: replies still come in; mentions are skipped.
            log.info("Threads mentions not readable for %s: %s", self.user_id, error.network_message)
            return []
        found = []
        for row in (body.get("data") if isinstance(body, dict) else None) or ():
            created = parse_time(row.get("timestamp")) if isinstance(row, dict) else None
            if created is None or not row.get("id") or (after is not None and created <= after):
                continue
            username = str(row.get("username") or "")
            found.append(IncomingItem(
                external_id=str(row["id"]), kind=IncomingKind.MENTION, text=str(row.get("text") or ""),
                created_at=created, author_external_id=username, author_handle=username,
                url=str(row["permalink"]) if row.get("permalink") else None))
        return found

    def reply(self, item_external_id: str, text: str) -> str:
        """A reply is a TEXT container with reply_to_id, published like a post. When the publish's answer is
        lost, the account's replies are looked at before anyone is told to try again: a person retrying would
        otherwise answer twice."""
        reply = OutgoingPost(text=text, reply_to_external_id=item_external_id)
        self.check(reply)
        self._refuse_when_exhausted(reply=True)
        started = clock.now() - timedelta(minutes=5)
        container = self._create_container({"media_type": "TEXT", "text": text, "reply_to_id": item_external_id})
        self.wait_finished(container)
        try:
            made = self.client.post(f"{self.user_id}/threads_publish", {"creation_id": container}, creates=True)
        except OutcomeUnknown:
            found = self.find_published(reply, started)
            if found is None:
                raise
            return found.external_id
        if not isinstance(made, dict) or not made.get("id"):
            raise PermanentNetworkError("Threads answered the reply without its id.")
        return str(made["id"])

    def _manage_reply(self, item_external_id: str, hide: bool) -> None:
        self.client.post(f"{item_external_id}/manage_reply", {"hide": hide})

    def hide(self, item_external_id: str) -> None:
        self._manage_reply(item_external_id, True)

    def unhide(self, item_external_id: str) -> None:
        self._manage_reply(item_external_id, False)

    def _unsupported(self, what: str) -> PermanentNetworkError:
        return PermanentNetworkError(f"The Threads API does not let an app {what}.")

    def like(self, item_external_id: str) -> None:
        raise self._unsupported("like replies")

    def unlike(self, item_external_id: str) -> None:
        raise self._unsupported("unlike replies")

    def delete_comment(self, item_external_id: str) -> None:
        raise self._unsupported("delete other people's replies (hide them instead)")

    def block(self, author_external_id: str) -> None:
        raise self._unsupported("block people")

    def unblock(self, author_external_id: str) -> None:
        raise self._unsupported("unblock people")

    # Metrics -------------------------------------------------------------------------------------

    def post_metrics(self, external_ids: Sequence[str]) -> dict[str, PostMetrics]:
        """GET /{threads-media-id}/insights per post. Threads' replies are our comments; "shares" has no
        place among socialdesk's metrics and is not stored. What Threads leaves out stays None."""
        found: dict[str, PostMetrics] = {}
        for external_id in external_ids:
            body = self.client.get(f"{external_id}/insights", {"metric": POST_METRICS})
            values = _insight_values(body)
            found[external_id] = PostMetrics(
                collected_at=clock.now(), views=values.get("views"), likes=values.get("likes"),
                comments=values.get("replies"), reposts=values.get("reposts"), quotes=values.get("quotes"))
        return found

    def account_metrics(self) -> AccountMetrics:
        """GET /{threads-user-id}/threads_insights?metric=followers_count (the current total)."""
        body = self.client.get(f"{self.user_id}/threads_insights", {"metric": "followers_count"})
        return AccountMetrics(collected_at=clock.now(), followers=_insight_values(body).get("followers_count"))

    def followers(self, cursor: str | None = None, limit: int = 100) -> FollowerPage:
        return FollowerPage(followers=[], cursor=None, total=None)  # the API lists no followers

    # Credentials ---------------------------------------------------------------------------------

    def credentials_expire_at(self) -> datetime | None:
        """When to renew the token: a week before its 60 days end, and never before it is 24 hours old
        (Threads refuses younger ones). Reported as the expiry, because the per-channel machinery renews
        only minutes ahead of what this says; an idle channel's token would otherwise lapse."""
        credentials = self.account.credentials
        expires = parse_time(credentials.get("expires_at"))
        issued = parse_time(credentials.get("issued_at"))
        if expires is None and issued is None:
            return None
        if credentials.get("expiry_known") is False and issued is not None:
            return issued + REFRESHABLE_AFTER  # a pasted token of unknown age: renewing tells its expiry
        if expires is None:
            assert issued is not None
            expires = issued + TOKEN_LIFETIME
        renew = expires - RENEW_BEFORE
        if issued is not None:
            renew = max(renew, issued + REFRESHABLE_AFTER)
        return min(renew, expires)

    def refresh_credentials(self) -> dict[str, Any]:
        """GET /refresh_access_token?grant_type=th_refresh_token: another 60 days."""
        body = self.client.get("refresh_access_token", {"grant_type": "th_refresh_token"}, versioned=False)
        return token_credentials(body)


def token_credentials(body: Any) -> dict[str, Any]:
    """What a channel stores from a long-lived token answer ({access_token, token_type, expires_in})."""
    if not isinstance(body, dict) or not body.get("access_token"):
        raise AuthError("Threads gave no access token.")
    now = clock.now()
    try:
        lifetime = timedelta(seconds=int(body.get("expires_in")))
    except (TypeError, ValueError):
        lifetime = TOKEN_LIFETIME
    return {"access_token": str(body["access_token"]), "issued_at": now.isoformat(),
            "expires_at": (now + lifetime).isoformat(), "expiry_known": True}


def _insight_values(body: Any) -> dict[str, int | None]:
    """Metric name → number, from either shape Threads uses: `values: [{value}]` (lifetime and daily
    series: the last value) or `total_value: {value}`."""
    found: dict[str, int | None] = {}
    for row in (body.get("data") if isinstance(body, dict) else None) or ():
        if not isinstance(row, dict) or not row.get("name"):
            continue
        value: Any = None
        if isinstance(row.get("total_value"), dict):
            value = row["total_value"].get("value")
        elif isinstance(row.get("values"), list) and row["values"]:
            last = row["values"][-1]
            value = last.get("value") if isinstance(last, dict) else None
        found[str(row["name"])] = value if isinstance(value, int) and not isinstance(value, bool) else None
    return found


# Connecting ------------------------------------------------------------------------------------


def account_for_token(access_token: str, *, threads_user_id: str | None = None,
                      credentials: dict[str, Any] | None = None) -> dict[str, Any]:
    """Who the token belongs to (GET /me?fields=id,username,name), as a channel stores it."""
    client = ThreadsClient(access_token)
    try:
        me = client.get("me", {"fields": "id,username,name"})
    finally:
        client.close()
    if not isinstance(me, dict) or not me.get("id"):
        raise PermanentNetworkError("Threads did not say whose token this is.")
    user_id = str(me["id"])
    if threads_user_id and threads_user_id.strip() != user_id:
        raise PermanentNetworkError(f"This token belongs to Threads user {user_id} (@{me.get('username')}), "
                                    f"not {threads_user_id.strip()}.")
    username = str(me.get("username") or user_id)
    return {"external_id": user_id, "handle": username, "display_name": str(me.get("name") or username),
            "credentials": credentials or {"access_token": access_token},
            "settings": {"threads_user_id": user_id, "profile_url": f"https://www.threads.com/@{username}"}}


def connect(threads_user_id: str | None = None, access_token: str | None = None, **_: Any) -> dict[str, Any]:
    """Connect with a long-lived token issued elsewhere (Meta's token generator, another tool).

    Its age is unknown, so socialdesk counts it as issued now: it renews it after 24 hours, which also
    learns its real expiry."""
    if not access_token or not access_token.strip():
        raise ValueError("an access token is needed here; the web page can sign you in on Threads instead")
    token = access_token.strip()
    now = clock.now()
    credentials = {"access_token": token, "issued_at": now.isoformat(),
                   "expires_at": (now + TOKEN_LIFETIME).isoformat(), "expiry_known": False}
    try:
        return account_for_token(token, threads_user_id=threads_user_id, credentials=credentials)
    except AuthError as exc:
        raise AuthError(f"Threads did not accept this token: {exc.network_message}",
                        status_code=exc.status_code) from exc
