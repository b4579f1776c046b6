"""X (API v2) as a socialdesk channel.

Publishing is `POST /2/tweets` (https://docs.x.com/x-api/posts/create-post) with the media uploaded
first (media.py). X has no idempotency key and bills every request, so nothing is ever sent twice on a
guess: a post whose answer was lost (or answered 5xx) is OutcomeUnknown, and the publisher looks for it
among our recent posts (`find_published`, `GET /2/users/{id}/tweets` since the first try, matched by
text and reply target) before anything else is done.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from socialdesk.core import clock
from socialdesk.networks.base import (
    AccountMetrics,
    Capabilities,
    ChannelAccount,
    Follower,
    FollowerPage,
    InboxPage,
    MediaKind,
    OutgoingPost,
    PermanentNetworkError,
    PostMetrics,
    PublishedPost,
    PublishOption,
)
from socialdesk.networks.profiles import NETWORK_PROFILES
from socialdesk.networks.x import media as x_media
from socialdesk.networks.x import oauth
from socialdesk.networks.x.api import XApi
from socialdesk.networks.x.inbox import InboxReader, dm_parts, parse_time
from socialdesk.text.counting import measure

# X's pay-per-use prices for what one publish does (docs.x.com pricing, 2026; networks.md §5).
COST_NOTE = ("X bills the operator per request: a post about $0.015 ($0.20 with a link), each media "
             "upload and read extra. socialdesk never repeats a post blindly.")
REPLY_SETTINGS = ("following", "mentionedUsers", "subscribers", "verified")
POLL_OPTIONS = (2, 4)
POLL_OPTION_LENGTH = 25
POLL_MINUTES = (5, 7 * 24 * 60)
NON_PUBLIC_DAYS = 30  # non_public and organic metrics exist for one's own posts of the last 30 days
TWEET_ID = re.compile(r"(?:status(?:es)?/)?(\d{1,19})/?(?:\?.*)?$")
URL = re.compile(r"https?://\S+")

OPTIONS = (
    PublishOption("reply_settings", "Who can reply", kind="select", choices=REPLY_SETTINGS,
                  help="Leave empty for everyone; or following, mentionedUsers, subscribers, verified"),
    PublishOption("quote", "Quote a post", help="The address or id of the post to quote", max_length=300),
    PublishOption("reply_to", "Reply under", max_length=300,
                  help="The address or id of a post to reply to: the post goes out as a reply (a thread)"),
)


def tweet_id(value: str) -> str:
    """An id from `1234`, `https://x.com/brand/status/1234` or `…/status/1234?s=20`."""
    found = TWEET_ID.search(value.strip())
    if not found:
        raise PermanentNetworkError(f"{value!r} is not an X post address or id.")
    return found.group(1)


def _comparable(text: str) -> str:
    """Text as X returns it (links shortened to t.co, a media link appended, &amp; escaped) and as we
    sent it, reduced to what both share."""
    return " ".join(URL.sub(" ", html.unescape(text)).split())


class XAdapter:
    network: ClassVar[str] = "x"

    def __init__(self, account: ChannelAccount) -> None:
        self.account = account
        self.user_id = str(account.settings.get("user_id") or account.external_id)
        self.username = str(account.settings.get("username") or account.handle)
        self._api: XApi | None = None

    @property
    def api(self) -> XApi:
        if self._api is None:
            self._api = XApi(str(self.account.credentials.get("access_token") or ""))
        return self._api

    def capabilities(self) -> Capabilities:
        base = NETWORK_PROFILES["x"]
        enterprise = bool(self.account.settings.get("enterprise"))
        # Blocking through the API is Enterprise-only in the v2 docs: offered when the channel says it has that.
        return replace(base, options=OPTIONS, cost_note=COST_NOTE, delete_comments=False, block_authors=enterprise)

    # -- publishing ------------------------------------------------------------------------------------

    def _options(self, post: OutgoingPost) -> Mapping[str, Any]:
        return post.options or {}

    def _check(self, post: OutgoingPost, options: Mapping[str, Any]) -> None:
        """What X would refuse, refused before anything is uploaded or billed."""
        rules = self.capabilities().text
        length = measure(post.text, rules.counting, url_length=rules.url_length)
        if length > rules.limit:
            raise PermanentNetworkError(f"The text is {length} characters as X counts them; X allows {rules.limit}.")
        if not post.text.strip() and not post.media:
            raise PermanentNetworkError("An X post needs text or media.")
        kinds = [m.kind for m in post.media]
        if len(kinds) > 4:
            raise PermanentNetworkError("X takes at most 4 images per post.")
        if (MediaKind.VIDEO in kinds or MediaKind.GIF in kinds) and len(kinds) > 1:
            raise PermanentNetworkError("X takes 4 images, or one GIF, or one video per post.")
        if post.poll is not None:
            count = len(post.poll.options)
            if not POLL_OPTIONS[0] <= count <= POLL_OPTIONS[1]:
                raise PermanentNetworkError(f"An X poll has 2 to 4 options, not {count}.")
            if any(len(o) > POLL_OPTION_LENGTH or not o.strip() for o in post.poll.options):
                raise PermanentNetworkError(f"Each X poll option is 1 to {POLL_OPTION_LENGTH} characters.")
            if post.media or options.get("quote"):
                raise PermanentNetworkError("An X poll cannot go with media or a quoted post.")
        setting = options.get("reply_settings")
        if setting and setting not in REPLY_SETTINGS:
            raise PermanentNetworkError(f"Who can reply must be one of {', '.join(REPLY_SETTINGS)}.")

    def _body(self, post: OutgoingPost, options: Mapping[str, Any], media_ids: Sequence[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"text": post.text}
        if media_ids:
            body["media"] = {"media_ids": list(media_ids)}
        if post.poll is not None:
            minutes = round(post.poll.expires_in_seconds / 60)
            body["poll"] = {"options": [o.strip() for o in post.poll.options],
                            "duration_minutes": min(max(minutes, POLL_MINUTES[0]), POLL_MINUTES[1])}
        reply_to = post.reply_to_external_id or options.get("reply_to")
        if reply_to:
            body["reply"] = {"in_reply_to_tweet_id": tweet_id(str(reply_to))}
        if options.get("quote"):
            body["quote_tweet_id"] = tweet_id(str(options["quote"]))
        if options.get("reply_settings"):
            body["reply_settings"] = options["reply_settings"]
        return body

    def publish(self, post: OutgoingPost) -> PublishedPost:
        options = self._options(post)
        self._check(post, options)
        media_ids = [x_media.upload(self.api, m) for m in post.media]
        answer = self.api.call("POST", "/2/tweets", json=self._body(post, options, media_ids), creates=True)
        data = (answer or {}).get("data") or {}
        if not data.get("id"):
            raise PermanentNetworkError("X accepted the post but sent no id back.")
        return self._published(str(data["id"]), clock.now())

    def _published(self, post_id: str, at: datetime) -> PublishedPost:
        return PublishedPost(external_id=post_id, url=f"https://x.com/{self.username}/status/{post_id}",
                             published_at=at)

    def find_published(self, post: OutgoingPost, since: datetime) -> PublishedPost | None:
        """Our posts since `since` (`GET /2/users/{id}/tweets`, https://docs.x.com/x-api/posts/timelines):
        one with the same text (and the same reply target) is the one an unconfirmed try made."""
        options = self._options(post)
        reply_to = post.reply_to_external_id or options.get("reply_to")
        wanted_parent = tweet_id(str(reply_to)) if reply_to else None
        wanted = _comparable(post.text)
        params = {"start_time": since.strftime("%Y-%m-%dT%H:%M:%SZ"), "max_results": 100,
                  "tweet.fields": "created_at,referenced_tweets,attachments"}
        body = self.api.call("GET", f"/2/users/{self.user_id}/tweets", params=params)
        for tweet in (body or {}).get("data") or []:
            if _comparable(str(tweet.get("text") or "")) != wanted:
                continue
            parent = next((str(r["id"]) for r in tweet.get("referenced_tweets") or []
                           if r.get("type") == "replied_to"), None)
            if parent != wanted_parent:
                continue
            if post.media and len((tweet.get("attachments") or {}).get("media_keys") or []) != len(post.media):
                continue
            return self._published(str(tweet["id"]), parse_time(tweet.get("created_at")))
        return None

    def delete(self, external_id: str) -> None:
        """`DELETE /2/tweets/{id}`, our own posts only (https://docs.x.com/x-api/posts/delete-post)."""
        self.api.call("DELETE", f"/2/tweets/{tweet_id(external_id)}")

    # -- inbox -----------------------------------------------------------------------------------------

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        return InboxReader(self.api, self.user_id).fetch(cursor)

    def reply(self, item_external_id: str, text: str) -> str:
        dm = dm_parts(item_external_id)
        if dm is not None:
            # https://docs.x.com/x-api/direct-messages/manage/introduction
            answer = self.api.call("POST", f"/2/dm_conversations/{dm[0]}/messages", json={"text": text},
                                   creates=True)
            return "dm:" + dm[0] + ":" + str(((answer or {}).get("data") or {}).get("dm_event_id") or "")
        self._check(OutgoingPost(text=text), {})
        answer = self.api.call("POST", "/2/tweets", creates=True,
                               json={"text": text, "reply": {"in_reply_to_tweet_id": item_external_id}})
        return str(((answer or {}).get("data") or {}).get("id") or "")

    def _hidden(self, item_external_id: str, hidden: bool) -> None:
        """`PUT /2/tweets/{id}/hidden` (https://docs.x.com/x-api/posts/hide-reply): X allows it only on
        replies in a conversation our account started, and says so when not."""
        if dm_parts(item_external_id):
            raise PermanentNetworkError("A direct message cannot be hidden on X.")
        self.api.call("PUT", f"/2/tweets/{item_external_id}/hidden", json={"hidden": hidden})

    def hide(self, item_external_id: str) -> None:
        self._hidden(item_external_id, True)

    def unhide(self, item_external_id: str) -> None:
        self._hidden(item_external_id, False)

    def like(self, item_external_id: str) -> None:
        """`POST /2/users/{id}/likes` (https://developer.x.com/en/docs/x-api/tweets/likes/api-reference/post-users-id-likes)."""
        if dm_parts(item_external_id):
            raise PermanentNetworkError("A direct message cannot be liked on X.")
        self.api.call("POST", f"/2/users/{self.user_id}/likes", json={"tweet_id": item_external_id})

    def unlike(self, item_external_id: str) -> None:
        """`DELETE /2/users/{id}/likes/{tweet_id}` (https://docs.x.com/x-api/posts/causes-the-user-in-the-path-to-unlike-the-specified-post)."""
        self.api.call("DELETE", f"/2/users/{self.user_id}/likes/{item_external_id}")

    def delete_comment(self, item_external_id: str) -> None:
        raise PermanentNetworkError("X lets an account delete only its own posts, not other people's replies; "
                                    "hide the reply instead.")

    def block(self, author_external_id: str) -> None:
        """`POST /2/users/{id}/blocking`: Enterprise access only
        (https://docs.x.com/x-api/users/blocks/introduction)."""
        if not self.capabilities().block_authors:
            raise PermanentNetworkError("X offers blocking through its API to Enterprise access only; block "
                                        "the account in the X app.")
        self.api.call("POST", f"/2/users/{self.user_id}/blocking", json={"target_user_id": author_external_id})

    def unblock(self, author_external_id: str) -> None:
        if not self.capabilities().block_authors:
            raise PermanentNetworkError("X offers unblocking through its API to Enterprise access only.")
        self.api.call("DELETE", f"/2/users/{self.user_id}/blocking/{author_external_id}")

    # -- metrics ---------------------------------------------------------------------------------------

    def post_metrics(self, external_ids: Sequence[str]) -> dict[str, PostMetrics]:
        """`GET /2/tweets?ids=…` with `public_metrics` for all, and `non_public_metrics,organic_metrics`
        for those under 30 days old (X refuses them on older posts)
        (https://developer.x.com/en/docs/x-api/tweets/lookup/quick-start, fundamentals/metrics)."""
        now = clock.now()
        found: dict[str, dict[str, Any]] = {}
        ids = [tweet_id(i) for i in external_ids]
        for start in range(0, len(ids), 100):
            body = self.api.call("GET", "/2/tweets", params={"ids": ",".join(ids[start:start + 100]),
                                                              "tweet.fields": "public_metrics,created_at"})
            for tweet in (body or {}).get("data") or []:
                found[str(tweet["id"])] = tweet
        recent = [i for i, t in found.items()
                  if now - parse_time(t.get("created_at")) < timedelta(days=NON_PUBLIC_DAYS)]
        private: dict[str, dict[str, Any]] = {}
        for start in range(0, len(recent), 100):
            body = self.api.call("GET", "/2/tweets", params={
                "ids": ",".join(recent[start:start + 100]),
                "tweet.fields": "non_public_metrics,organic_metrics"})
            for tweet in (body or {}).get("data") or []:
                private[str(tweet["id"])] = tweet
        result = {}
        for original in external_ids:
            tweet = found.get(tweet_id(original))
            if tweet is None:
                continue
            public = tweet.get("public_metrics") or {}
            extra = private.get(tweet_id(original), {})
            non_public = extra.get("non_public_metrics") or {}
            organic = extra.get("organic_metrics") or {}
            result[original] = PostMetrics(
                collected_at=now,
                impressions=_number(public, "impression_count", non_public, "impression_count"),
                likes=_number(public, "like_count", organic, "like_count"),
                reposts=_number(public, "retweet_count", organic, "retweet_count"),
                comments=_number(public, "reply_count", organic, "reply_count"),
                quotes=_number(public, "quote_count"),
                saves=_number(public, "bookmark_count"),
                clicks=_number(non_public, "url_link_clicks"),
            )
        return result

    def account_metrics(self) -> AccountMetrics:
        """`GET /2/users/me?user.fields=public_metrics` (https://docs.x.com/x-api/users/user-lookup-me)."""
        body = self.api.call("GET", "/2/users/me", params={"user.fields": "public_metrics"})
        metrics = ((body or {}).get("data") or {}).get("public_metrics") or {}
        return AccountMetrics(collected_at=clock.now(), followers=_number(metrics, "followers_count"),
                              following=_number(metrics, "following_count"), posts=_number(metrics, "tweet_count"))

    def followers(self, cursor: str | None = None, limit: int = 100) -> FollowerPage:
        """`GET /2/users/{id}/followers` (https://docs.x.com/x-api/users/follows/quickstart)."""
        params: dict[str, Any] = {"max_results": max(1, min(limit, 1000)), "user.fields": "username,name"}
        if cursor:
            params["pagination_token"] = cursor
        body = self.api.call("GET", f"/2/users/{self.user_id}/followers", params=params) or {}
        return FollowerPage(
            followers=[Follower(str(u["id"]), str(u.get("username") or u["id"]), str(u.get("name") or ""))
                       for u in body.get("data") or []],
            cursor=(body.get("meta") or {}).get("next_token"))

    # -- credentials -----------------------------------------------------------------------------------

    def credentials_expire_at(self) -> datetime | None:
        """When the access token dies (2 hours after issue); None when nothing can renew it."""
        if not self.account.credentials.get("refresh_token"):
            return None
        return oauth.parse_expiry(self.account.credentials.get("expires_at")) or clock.now()

    def refresh_credentials(self) -> dict[str, Any]:
        return oauth.refresh(self.account.credentials)


def _number(first: Mapping[str, Any], key: str, second: Mapping[str, Any] | None = None,
            second_key: str | None = None) -> int | None:
    for source, name in ((first, key), (second or {}, second_key or key)):
        value = source.get(name)
        if isinstance(value, int):
            return value
    return None
