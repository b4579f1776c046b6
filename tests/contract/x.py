"""The X API v2 as its documentation describes it, for the endpoints socialdesk uses.

Every endpoint cites its page on docs.x.com. What the docs say X refuses is refused here with X's problem
shape (RFC 7807: title, detail, type, status; `errors` for invalid requests): no bearer token or an
expired one (401), text over 280 weighted characters, more than 4 images or a GIF/video with anything
else, a poll with fewer than 2 or more than 4 options, media ids this user did not upload (or whose
processing has not finished), hiding a reply outside our own conversations, blocking without Enterprise
access. Every answer carries the `x-rate-limit-*` headers, and a spent window answers 429.

Text is weighed with socialdesk's own twitter-text counter (text/counting.py, tested against the
twitter-text conformance cases on its own): the server and the adapter agree by construction there.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.networks.base import TextCounting
from socialdesk.text.counting import measure
from tests.contract.server import ContractServer
from tests.contract.x_public import (
    APP_USER_ID,
    install_public_reads,
    matches,
    parse,
    search_query_problem,
    unsupported_auth,
)

DOCS = "https://docs.x.com"
ACCESS_LIFETIME = timedelta(hours=2)
WINDOW = timedelta(minutes=15)
# Per-user limits per 15 minutes (https://docs.x.com/x-api/fundamentals/rate-limits); others: 300.
LIMITS = {"POST /2/tweets": 100, "GET /2/dm_events": 15, "PUT /hidden": 50, "POST /likes": 50,
          "DELETE /2/tweets": 50, "POST /2/media/upload": 500}


def _problem(status: int, title: str, detail: str, type_: str = "about:blank", **extra: Any) -> JSONResponse:
    return JSONResponse({"title": title, "detail": detail, "type": type_, "status": status, **extra},
                        status_code=status, media_type="application/problem+json")


def _invalid(message: str) -> JSONResponse:
    """The documented shape of an invalid request (400)."""
    return JSONResponse({"errors": [{"message": message}], "title": "Invalid Request",
                         "detail": "One or more parameters to your request was invalid.",
                         "type": "https://api.twitter.com/2/problems/invalid-request"}, status_code=400)


UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class User:
    id: str
    username: str
    name: str
    followers: int = 0
    following: int = 0
    enterprise: bool = False


@dataclass
class Tweet:
    id: str
    author_id: str
    text: str
    created_at: datetime
    conversation_id: str
    reply_to: str | None = None
    quote: str | None = None
    media_ids: list[str] = field(default_factory=list)
    poll: dict[str, Any] | None = None
    reply_settings: str | None = None
    hidden: bool = False
    likes: set[str] = field(default_factory=set)
    impressions: int = 0
    link_clicks: int = 0
    lang: str = "en"


@dataclass
class Media:
    id: str
    owner: str
    category: str
    media_type: str
    total_bytes: int
    received: dict[int, int] = field(default_factory=dict)  # segment -> bytes
    finalized: bool = False
    polls_left: int = 0  # STATUS answers "in_progress" this many more times
    alt_text: str | None = None

    @property
    def ready(self) -> bool:
        return self.finalized and self.polls_left <= 0


@dataclass
class Token:
    user_id: str
    expires_at: datetime


@dataclass
class Grant:
    user_id: str
    client_id: str
    redirect_uri: str
    challenge: str
    scope: str


class XContract(ContractServer):
    def __init__(self, *, client_id: str = "sd-client", client_secret: str = "sd-secret") -> None:
        super().__init__("x")
        self.client_id, self.client_secret = client_id, client_secret
        self.users: dict[str, User] = {}
        self.tweets: dict[str, Tweet] = {}
        self.media: dict[str, Media] = {}
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> user id (single use)
        self.used_refresh_tokens: set[str] = set()
        self.grants: dict[str, Grant] = {}
        self.dms: list[dict[str, Any]] = []
        self.blocks: set[tuple[str, str]] = set()
        self.follows: set[tuple[str, str]] = set()  # (follower, followed)
        self.windows: dict[tuple[str, str], tuple[int, datetime]] = {}
        self.consent_user: str | None = None  # who signs in on the authorize page
        self.processing_polls = 1
        self._ids = itertools.count(1_860_000_000_000_000_001)
        self.app_tokens: set[str] = set()  # app-only bearer tokens (x_public.issue_app_token)
        self._routes()
        install_public_reads(self)  # user lookup by username (tests/contract/x_public.py)

    # -- the world ------------------------------------------------------------------------------------

    def next_id(self) -> str:
        return str(next(self._ids))

    def add_user(self, username: str, name: str = "", *, followers: int = 0, following: int = 0,
                 enterprise: bool = False) -> User:
        user = User(self.next_id(), username, name or username.title(), followers, following, enterprise)
        self.users[user.id] = user
        return user

    def issue(self, user: User, *, lifetime: timedelta = ACCESS_LIFETIME, refresh: bool = True) -> dict[str, Any]:
        access = "at-" + secrets.token_urlsafe(16)
        self.tokens[access] = Token(user.id, clock.now() + lifetime)
        body: dict[str, Any] = {"token_type": "bearer", "expires_in": int(lifetime.total_seconds()),
                                "access_token": access, "scope": "tweet.read tweet.write users.read offline.access"}
        if refresh:
            token = "rt-" + secrets.token_urlsafe(16)
            self.refresh_tokens[token] = user.id
            body["refresh_token"] = token
        return body

    def post_as(self, user: User, text: str, *, reply_to: str | None = None, at: datetime | None = None,
                lang: str = "en") -> Tweet:
        """Someone else's post (a mention, a reply under ours)."""
        parent = self.tweets.get(reply_to) if reply_to else None
        tweet_id = self.next_id()
        tweet = Tweet(tweet_id, user.id, text, at or clock.now(), parent.conversation_id if parent else tweet_id,
                      reply_to=reply_to, lang=lang)
        self.tweets[tweet_id] = tweet
        return tweet

    def send_dm(self, sender: User, to: User, text: str) -> dict[str, Any]:
        ids = sorted([sender.id, to.id], key=int)
        event = {"id": self.next_id(), "event_type": "MessageCreate", "text": text, "sender_id": sender.id,
                 "dm_conversation_id": f"{ids[0]}-{ids[1]}", "created_at": _iso(clock.now()),
                 "participants": {sender.id, to.id}}
        self.dms.append(event)
        return event

    def posts_by(self, user: User) -> list[Tweet]:
        return [t for t in self.tweets.values() if t.author_id == user.id]

    # -- helpers --------------------------------------------------------------------------------------

    def _user(self, request: Request) -> User | JSONResponse:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        if header[len("Bearer "):] in self.app_tokens:
            return User(APP_USER_ID, "", "app")
        token = self.tokens.get(header[len("Bearer "):])
        if token is None or token.expires_at <= clock.now():
            return JSONResponse(UNAUTHORIZED, status_code=401)
        return self.users[token.user_id]

    def _limited(self, user: User, key: str) -> tuple[dict[str, str], JSONResponse | None]:
        limit = LIMITS.get(key, 300)
        now = clock.now()
        used, reset = self.windows.get((user.id, key), (0, now + WINDOW))
        if reset <= now:
            used, reset = 0, now + WINDOW
        headers = {"x-rate-limit-limit": str(limit), "x-rate-limit-reset": str(int(reset.timestamp()))}
        if used >= limit:
            headers["x-rate-limit-remaining"] = "0"
            refusal = _problem(429, "Too Many Requests", "Too Many Requests")
            refusal.headers.update(headers)
            return headers, refusal
        self.windows[(user.id, key)] = (used + 1, reset)
        headers["x-rate-limit-remaining"] = str(limit - used - 1)
        return headers, None

    def _guard(self, request: Request, key: str) -> tuple[User | None, dict[str, str], JSONResponse | None]:
        found = self._user(request)
        if isinstance(found, JSONResponse):
            return None, {}, found
        headers, refusal = self._limited(found, key)
        return found, headers, refusal

    @staticmethod
    def _ok(body: Any, headers: dict[str, str], status: int = 200) -> JSONResponse:
        return JSONResponse(body, status_code=status, headers=headers)

    def _tweet_json(self, tweet: Tweet, fields: set[str], viewer: User) -> dict[str, Any]:
        data: dict[str, Any] = {"id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": [tweet.id]}
        if tweet.media_ids:
            data["text"] = f"{tweet.text} https://t.co/{tweet.id[-6:]}".strip()  # X appends the media link
        # Links come back shortened to t.co, and &, <, > escaped.
        data["text"] = re.sub(r"https?://(?!t\.co/)\S+", "https://t.co/abc123", data["text"])
        data["text"] = data["text"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if "created_at" in fields:
            data["created_at"] = _iso(tweet.created_at)
        if "author_id" in fields:
            data["author_id"] = tweet.author_id
        if "conversation_id" in fields:
            data["conversation_id"] = tweet.conversation_id
        if "referenced_tweets" in fields:
            refs = ([{"type": "replied_to", "id": tweet.reply_to}] if tweet.reply_to else []) + \
                   ([{"type": "quoted", "id": tweet.quote}] if tweet.quote else [])
            if refs:
                data["referenced_tweets"] = refs
        if "in_reply_to_user_id" in fields and tweet.reply_to and tweet.reply_to in self.tweets:
            data["in_reply_to_user_id"] = self.tweets[tweet.reply_to].author_id
        if "attachments" in fields and tweet.media_ids:
            data["attachments"] = {"media_keys": [f"3_{m}" for m in tweet.media_ids]}
        if "lang" in fields:
            data["lang"] = tweet.lang
        if "entities" in fields:  # what X parses out of the text (the post's entities object)
            tags = [{"start": m.start(), "end": m.end(), "tag": m.group(1)}
                    for m in re.finditer(r"(?<![\w#])#(\w+)", tweet.text)]
            urls = [{"start": m.start(), "end": m.end(), "url": m.group(0)}
                    for m in re.finditer(r"https?://\S+", tweet.text)]
            entities = {k: v for k, v in (("hashtags", tags), ("urls", urls)) if v}
            if entities:
                data["entities"] = entities
        if "public_metrics" in fields:
            data["public_metrics"] = {
                "retweet_count": 0, "reply_count": sum(1 for t in self.tweets.values() if t.reply_to == tweet.id),
                "like_count": len(tweet.likes), "quote_count": sum(1 for t in self.tweets.values()
                                                                   if t.quote == tweet.id),
                "bookmark_count": 0, "impression_count": tweet.impressions}
        if "non_public_metrics" in fields:
            data["non_public_metrics"] = {"impression_count": tweet.impressions,
                                          "url_link_clicks": tweet.link_clicks, "user_profile_clicks": 0}
        if "organic_metrics" in fields:
            data["organic_metrics"] = {"impression_count": tweet.impressions, "like_count": len(tweet.likes),
                                       "reply_count": 0, "retweet_count": 0}
        return data

    def _timeline(self, request: Request, tweets: list[Tweet], viewer: User,
                  headers: dict[str, str], least: int = 5) -> JSONResponse:
        query = request.query_params
        fields = set((query.get("tweet.fields") or "").split(","))
        if query.get("since_id"):
            tweets = [t for t in tweets if int(t.id) > int(query["since_id"])]
        if query.get("start_time"):
            start = _parse(query["start_time"])
            tweets = [t for t in tweets if t.created_at >= start]
        if query.get("end_time"):
            end = _parse(query["end_time"])
            tweets = [t for t in tweets if t.created_at <= end]
        try:
            size = int(query.get("max_results") or 10)
        except ValueError:
            return _invalid("The `max_results` query parameter value is not valid")
        if not least <= size <= 100:
            return _invalid(f"The `max_results` query parameter value [{size}] is not between {least} and 100")
        tweets = sorted(tweets, key=lambda t: int(t.id), reverse=True)
        offset = int(query.get("pagination_token") or query.get("next_token") or 0)
        page = tweets[offset:offset + size]
        body: dict[str, Any] = {"meta": {"result_count": len(page)}}
        if page:
            body["data"] = [self._tweet_json(t, fields, viewer) for t in page]
            body["meta"].update(newest_id=page[0].id, oldest_id=page[-1].id)
            if "author_id" in (query.get("expansions") or ""):
                authors = {t.author_id for t in page}
                body["includes"] = {"users": [{"id": u, "username": self.users[u].username,
                                               "name": self.users[u].name} for u in authors]}
            if "attachments.media_keys" in (query.get("expansions") or ""):
                media = [self.media[m] for t in page for m in t.media_ids if m in self.media]
                if media:
                    body.setdefault("includes", {})["media"] = [
                        {"media_key": f"3_{m.id}", "type": "video" if m.media_type.startswith("video")
                         else "animated_gif" if m.media_type == "image/gif" else "photo"} for m in media]
        if offset + size < len(tweets):
            body["meta"]["next_token"] = str(offset + size)
        return self._ok(body, headers)

    # -- the endpoints --------------------------------------------------------------------------------

    def _routes(self) -> None:  # one place lists every endpoint with its page
        server = self

        @server.endpoint("GET", "/2/users/me", doc=f"{DOCS}/x-api/users/user-lookup-me")
        async def me(request: Request) -> Response:
            user, headers, refusal = server._guard(request, "GET /2/users/me")
            if refusal is not None:
                return refusal
            assert user is not None
            if user.id == APP_USER_ID:
                return unsupported_auth()
            data: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
            if "public_metrics" in (request.query_params.get("user.fields") or ""):
                data["public_metrics"] = {"followers_count": user.followers, "following_count": user.following,
                                          "tweet_count": len(server.posts_by(user)), "listed_count": 0}
            return server._ok({"data": data}, headers)

        @server.endpoint("POST", "/2/tweets", doc=f"{DOCS}/x-api/posts/create-post")
        async def create(request: Request) -> Response:
            user, headers, refusal = server._guard(request, "POST /2/tweets")
            if refusal is not None:
                return refusal
            assert user is not None
            try:
                body = await request.json()
            except ValueError:
                return _invalid("The request body is not valid JSON")
            if not isinstance(body, dict):
                return _invalid("The request body must be a JSON object")
            known = {"text", "media", "poll", "reply", "quote_tweet_id", "reply_settings", "card_uri",
                     "community_id", "direct_message_deep_link", "for_super_followers_only", "geo", "nullcast",
                     "share_with_followers", "edit_options", "made_with_ai", "paid_partnership"}
            unknown = set(body) - known
            if unknown:
                return _invalid(f"The request body contains unknown fields: {', '.join(sorted(unknown))}")
            text = body.get("text") or ""
            media_ids = [str(m) for m in (body.get("media") or {}).get("media_ids") or []]
            if not text and not media_ids:
                return _invalid("One of text or media is required")
            if measure(text, TextCounting.X_WEIGHTED) > 280:
                return _problem(403, "Forbidden", "Your Tweet text is too long. For more information on how "
                                                  "Twitter determines text length see "
                                                  "https://github.com/twitter/twitter-text.")
            found = [server.media.get(m) for m in media_ids]
            if any(m is None or m.owner != user.id for m in found):
                return _invalid("Your media IDs are invalid.")
            if any(m is not None and not m.ready for m in found):
                return _invalid("Your media IDs are invalid: the media is still being processed.")
            categories = [m.category for m in found if m is not None]
            if len(media_ids) > 4 or (len(media_ids) > 1 and any(c != "tweet_image" for c in categories)):
                return _invalid("Your media IDs are invalid: a post takes up to 4 photos, 1 GIF or 1 video.")
            poll = body.get("poll")
            if poll is not None:
                options = poll.get("options") or []
                if not 2 <= len(options) <= 4 or any(not 1 <= len(str(o)) <= 25 for o in options):
                    return _invalid("poll.options must have 2 to 4 options of 1 to 25 characters")
                minutes = poll.get("duration_minutes")
                if not isinstance(minutes, int) or not 5 <= minutes <= 10080:
                    return _invalid("poll.duration_minutes must be between 5 and 10080")
                if media_ids or body.get("quote_tweet_id"):
                    return _invalid("poll is mutually exclusive with media and quote_tweet_id")
            setting = body.get("reply_settings")
            if setting is not None and setting not in ("following", "mentionedUsers", "subscribers", "verified"):
                return _invalid(f"reply_settings [{setting}] is not one of following, mentionedUsers, "
                                "subscribers, verified")
            reply_to = str((body.get("reply") or {}).get("in_reply_to_tweet_id") or "") or None
            if reply_to and reply_to not in server.tweets:
                return _invalid(f"The post {reply_to} you are replying to was not found or is not visible.")
            quote = str(body.get("quote_tweet_id") or "") or None
            if quote and quote not in server.tweets:
                return _invalid(f"The quoted post {quote} was not found.")
            since = clock.now() - timedelta(hours=24)
            if text and any(t.author_id == user.id and t.text == text and t.created_at >= since and
                            t.reply_to == reply_to for t in server.tweets.values()):
                return _problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
            tweet_id = server.next_id()
            parent = server.tweets.get(reply_to) if reply_to else None
            server.tweets[tweet_id] = Tweet(tweet_id, user.id, text, clock.now(),
                                            parent.conversation_id if parent else tweet_id, reply_to=reply_to,
                                            quote=quote, media_ids=media_ids, poll=poll, reply_settings=setting)
            return server._ok({"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}},
                              headers, status=201)

        @server.endpoint("DELETE", "/2/tweets/{tweet_id}", doc=f"{DOCS}/x-api/posts/delete-post")
        async def delete(request: Request, tweet_id: str) -> Response:
            user, headers, refusal = server._guard(request, "DELETE /2/tweets")
            if refusal is not None:
                return refusal
            assert user is not None
            tweet = server.tweets.get(tweet_id)
            if tweet is None:
                return server._ok({"data": {"deleted": False}}, headers)
            if tweet.author_id != user.id:
                return _problem(403, "Forbidden", "You are not allowed to delete a Tweet that is not yours.")
            del server.tweets[tweet_id]
            return server._ok({"data": {"deleted": True}}, headers)

        @server.endpoint("GET", "/2/tweets", doc="https://developer.x.com/en/docs/x-api/tweets/lookup/quick-start")
        async def lookup(request: Request) -> Response:
            user, headers, refusal = server._guard(request, "GET /2/tweets")
            if refusal is not None:
                return refusal
            assert user is not None
            ids = [i for i in (request.query_params.get("ids") or "").split(",") if i]
            if not 1 <= len(ids) <= 100:
                return _invalid("The `ids` query parameter must name 1 to 100 posts")
            fields = set((request.query_params.get("tweet.fields") or "").split(","))
            data, errors = [], []
            for tweet_id in ids:
                tweet = server.tweets.get(tweet_id)
                if tweet is None:
                    errors.append({"value": tweet_id, "detail": f"Could not find tweet with ids: [{tweet_id}].",
                                   "title": "Not Found Error", "resource_type": "tweet",
                                   "type": "https://api.twitter.com/2/problems/resource-not-found"})
                    continue
                private = fields & {"non_public_metrics", "organic_metrics"}
                if private and (tweet.author_id != user.id or clock.now() - tweet.created_at > timedelta(days=30)):
                    # The docs: non-public and organic metrics only for one's own posts of the last 30 days.
                    errors.append({"value": tweet_id, "detail": "Sorry, you are not authorized to access "
                                   "non_public_metrics on this Tweet.", "title": "Authorization Error",
                                   "type": "https://api.twitter.com/2/problems/not-authorized-for-field"})
                    continue
                data.append(server._tweet_json(tweet, fields, user))
            body: dict[str, Any] = {}
            if data:
                body["data"] = data
            if errors:
                body["errors"] = errors
            return server._ok(body, headers)

        @server.endpoint("GET", "/2/users/{user_id}/tweets", doc=f"{DOCS}/x-api/posts/timelines")
        async def user_tweets(request: Request, user_id: str) -> Response:
            user, headers, refusal = server._guard(request, "GET /2/users/tweets")
            if refusal is not None:
                return refusal
            assert user is not None
            tweets = [t for t in server.tweets.values() if t.author_id == user_id]
            if "replies" in (request.query_params.get("exclude") or ""):
                tweets = [t for t in tweets if t.reply_to is None]
            return server._timeline(request, tweets, user, headers)

        @server.endpoint("GET", "/2/users/{user_id}/followers", doc=f"{DOCS}/x-api/users/follows/quickstart")
        async def followers(request: Request, user_id: str) -> Response:
            user, headers, refusal = server._guard(request, "GET /2/users/followers")
            if refusal is not None:
                return refusal
            assert user is not None
            size = int(request.query_params.get("max_results") or 100)
            if not 1 <= size <= 1000:
                return _invalid("max_results must be between 1 and 1000")
            fans = [u for u in server.users.values() if u.id != user_id and (u.id, user_id) in server.follows]
            offset = int(request.query_params.get("pagination_token") or 0)
            page = fans[offset:offset + size]
            body: dict[str, Any] = {"meta": {"result_count": len(page)}}
            if page:
                body["data"] = [{"id": u.id, "username": u.username, "name": u.name} for u in page]
            if offset + size < len(fans):
                body["meta"]["next_token"] = str(offset + size)
            return server._ok(body, headers)

        @server.endpoint("GET", "/2/users/{user_id}/mentions",
                         doc=f"{DOCS}/x-api/posts/user-mention-timeline-by-user-id")
        async def mentions(request: Request, user_id: str) -> Response:
            user, headers, refusal = server._guard(request, "GET /2/users/mentions")
            if refusal is not None:
                return refusal
            assert user is not None
            target = server.users.get(user_id)
            if target is None:
                return _invalid(f"The `id` query parameter value [{user_id}] is not valid")
            tweets = [t for t in server.tweets.values() if f"@{target.username}".lower() in t.text.lower()]
            return server._timeline(request, tweets, user, headers)

        @server.endpoint("GET", "/2/tweets/search/recent", doc=f"{DOCS}/x-api/posts/search/quickstart/recent-search")
        async def search(request: Request) -> Response:
            user, headers, refusal = server._guard(request, "GET /2/tweets/search/recent")
            if refusal is not None:
                return refusal
            assert user is not None
            query = request.query_params.get("query") or ""
            problem = search_query_problem(query)
            if problem is not None:
                return _invalid(problem)
            week = clock.now() - timedelta(days=7)
            conversations = set(re.findall(r"conversation_id:(\d+)", query))
            if conversations:  # the inbox's replies under our posts (the root itself is not a reply)
                tweets = [t for t in server.tweets.values() if t.conversation_id in conversations
                          and t.id != t.conversation_id and t.created_at >= week]
            else:  # the query language (tests/contract/x_public.py)
                tree = parse(query)
                tweets = [t for t in server.tweets.values() if t.created_at >= week and matches(tree, t)]
            return server._timeline(request, tweets, user, headers, least=10)

        @server.endpoint("GET", "/2/dm_events", doc=f"{DOCS}/x-api/direct-messages/lookup/integrate")
        async def dm_events(request: Request) -> Response:
            user, headers, refusal = server._guard(request, "GET /2/dm_events")
            if refusal is not None:
                return refusal
            assert user is not None
            mine = [e for e in server.dms if user.id in e["participants"]]
            mine.sort(key=lambda e: int(e["id"]), reverse=True)
            size = int(request.query_params.get("max_results") or 100)
            if not 1 <= size <= 100:
                return _invalid("max_results must be between 1 and 100")
            offset = int(request.query_params.get("pagination_token") or 0)
            page = mine[offset:offset + size]
            body: dict[str, Any] = {"meta": {"result_count": len(page)}}
            if page:
                body["data"] = [{k: v for k, v in e.items() if k != "participants"} for e in page]
                senders = {e["sender_id"] for e in page}
                body["includes"] = {"users": [{"id": s, "username": server.users[s].username,
                                               "name": server.users[s].name} for s in senders]}
            if offset + size < len(mine):
                body["meta"]["next_token"] = str(offset + size)
            return server._ok(body, headers)

        @server.endpoint("POST", "/2/dm_conversations/{conversation_id}/messages",
                         doc=f"{DOCS}/x-api/direct-messages/manage/introduction")
        async def send_dm(request: Request, conversation_id: str) -> Response:
            user, headers, refusal = server._guard(request, "POST /2/dm_conversations")
            if refusal is not None:
                return refusal
            assert user is not None
            body = await request.json()
            if not (body.get("text") or body.get("attachments")):
                return _invalid("One of text or attachments is required")
            participants = set(conversation_id.split("-"))
            if user.id not in participants:
                return _problem(403, "Forbidden", "You are not a participant of this conversation.")
            event_id = server.next_id()
            server.dms.append({"id": event_id, "event_type": "MessageCreate", "text": body["text"],
                               "sender_id": user.id, "dm_conversation_id": conversation_id,
                               "created_at": _iso(clock.now()), "participants": participants})
            return server._ok({"data": {"dm_conversation_id": conversation_id, "dm_event_id": event_id}},
                              headers, status=201)

        @server.endpoint("POST", "/2/users/{user_id}/likes", doc="https://developer.x.com/en/docs/x-api/tweets/likes/api-reference/post-users-id-likes")
        async def like(request: Request, user_id: str) -> Response:
            user, headers, refusal = server._guard(request, "POST /likes")
            if refusal is not None:
                return refusal
            assert user is not None
            if user_id != user.id:
                return _problem(403, "Forbidden", "You are not permitted to perform this action.")
            tweet = server.tweets.get(str((await request.json()).get("tweet_id")))
            if tweet is None:
                return _invalid("tweet_id is not a post that exists")
            tweet.likes.add(user.id)
            return server._ok({"data": {"liked": True}}, headers)

        @server.endpoint("DELETE", "/2/users/{user_id}/likes/{tweet_id}",
                         doc=f"{DOCS}/x-api/posts/causes-the-user-in-the-path-to-unlike-the-specified-post")
        async def unlike(request: Request, user_id: str, tweet_id: str) -> Response:
            user, headers, refusal = server._guard(request, "DELETE /likes")
            if refusal is not None:
                return refusal
            assert user is not None
            if tweet_id in server.tweets:
                server.tweets[tweet_id].likes.discard(user.id)
            return server._ok({"data": {"liked": False}}, headers)

        @server.endpoint("PUT", "/2/tweets/{tweet_id}/hidden", doc=f"{DOCS}/x-api/posts/hide-reply")
        async def hidden(request: Request, tweet_id: str) -> Response:
            user, headers, refusal = server._guard(request, "PUT /hidden")
            if refusal is not None:
                return refusal
            assert user is not None
            tweet = server.tweets.get(tweet_id)
            if tweet is None or tweet.reply_to is None:
                return _invalid(f"The id {tweet_id} is not a reply")
            root = server.tweets.get(tweet.conversation_id)
            if root is None or root.author_id != user.id:
                return _problem(403, "Forbidden", "You cannot hide or unhide replies to conversations you did "
                                                  "not start.")
            value = (await request.json()).get("hidden")
            if not isinstance(value, bool):
                return _invalid("hidden must be true or false")
            tweet.hidden = value
            return server._ok({"data": {"hidden": value}}, headers)

        @server.endpoint("POST", "/2/users/{user_id}/blocking", doc=f"{DOCS}/x-api/users/blocks/introduction")
        async def block(request: Request, user_id: str) -> Response:
            user, headers, refusal = server._guard(request, "POST /blocking")
            if refusal is not None:
                return refusal
            assert user is not None
            if not user.enterprise:
                return _problem(403, "Client Forbidden", "When authenticating requests to the Twitter API v2 "
                                "endpoints, you must use keys and tokens from a Twitter developer App that is "
                                "attached to a Project with the required access.",
                                "https://api.twitter.com/2/problems/client-forbidden", reason="client-not-enrolled")
            server.blocks.add((user.id, str((await request.json()).get("target_user_id"))))
            return server._ok({"data": {"blocking": True}}, headers)

        @server.endpoint("DELETE", "/2/users/{user_id}/blocking/{target}",
                         doc=f"{DOCS}/x-api/users/blocks/introduction")
        async def unblock(request: Request, user_id: str, target: str) -> Response:
            user, headers, refusal = server._guard(request, "DELETE /blocking")
            if refusal is not None:
                return refusal
            assert user is not None
            server.blocks.discard((user.id, target))
            return server._ok({"data": {"blocking": False}}, headers)

        # -- media ------------------------------------------------------------------------------------

        @server.endpoint("POST", "/2/media/upload", doc=f"{DOCS}/x-api/media/upload-media")
        async def upload(request: Request) -> Response:
            user, headers, refusal = server._guard(request, "POST /2/media/upload")
            if refusal is not None:
                return refusal
            assert user is not None
            if not request.headers.get("content-type", "").startswith("multipart/form-data"):
                return _invalid("The simple upload is a multipart/form-data request")
            form = await request.form()
            media = form.get("media")
            category = form.get("media_category")
            if media is None or isinstance(media, str):
                return _invalid("media is required")
            if category not in ("tweet_image", "dm_image", "subtitles"):
                return _invalid(f"media_category [{category}] is not valid for a simple upload; GIFs and videos "
                                "use the chunked upload")
            media_type = str(form.get("media_type") or "")
            allowed = ("image/jpeg", "image/bmp", "image/png", "image/webp", "image/pjpeg", "image/tiff")
            if media_type and media_type not in allowed:
                return _invalid(f"media_type [{media_type}] is not one of {', '.join(allowed)}")
            content = await media.read()
            if len(content) > 5 * 1024 * 1024:
                return _invalid("Images must be at most 5 MB")
            item = Media(server.next_id(), user.id, str(category), media_type, len(content), {0: len(content)},
                         finalized=True)
            server.media[item.id] = item
            return server._ok({"data": {"id": item.id, "media_key": f"3_{item.id}", "size": len(content),
                                        "expires_after_secs": 86400}}, headers)

        @server.endpoint("POST", "/2/media/upload/initialize", doc=f"{DOCS}/x-api/media/initialize-media-upload")
        async def initialize(request: Request) -> Response:
            user, headers, refusal = server._guard(request, "POST /2/media/upload/initialize")
            if refusal is not None:
                return refusal
            assert user is not None
            body = await request.json()
            category, media_type = body.get("media_category"), body.get("media_type")
            total = body.get("total_bytes")
            if category not in ("amplify_video", "tweet_gif", "tweet_image", "tweet_video", "dm_gif", "dm_image",
                                "dm_video", "subtitles"):
                return _invalid(f"media_category [{category}] is not valid")
            if not isinstance(total, int) or total <= 0 or not media_type:
                return _invalid("media_type and total_bytes are required")
            limit = {"tweet_gif": 15, "tweet_video": 512, "tweet_image": 5}.get(str(category), 512)
            if total > limit * 1024 * 1024:
                return _invalid(f"total_bytes is over {limit} MB for {category}")
            item = Media(server.next_id(), user.id, str(category), str(media_type), total)
            server.media[item.id] = item
            return server._ok({"data": {"id": item.id, "media_key": f"7_{item.id}",
                                        "expires_after_secs": 86400}}, headers)

        @server.endpoint("POST", "/2/media/upload/{media_id}/append", doc=f"{DOCS}/x-api/media/append-media-upload")
        async def append(request: Request, media_id: str) -> Response:
            user, headers, refusal = server._guard(request, "POST /2/media/upload/append")
            if refusal is not None:
                return refusal
            assert user is not None
            item = server.media.get(media_id)
            if item is None or item.owner != user.id or item.finalized:
                return _invalid(f"media_id [{media_id}] is not an upload in progress")
            form = await request.form()
            media = form.get("media")
            try:
                index = int(str(form.get("segment_index")))
            except ValueError:
                return _invalid("segment_index is required")
            if media is None or isinstance(media, str) or not 0 <= index <= 999:
                return _invalid("media and a segment_index from 0 to 999 are required")
            chunk = await media.read()
            if len(chunk) > 5 * 1024 * 1024:
                return _invalid("A segment is at most 5 MB")
            item.received[index] = len(chunk)
            return server._ok({"data": {"expires_at": int((clock.now() + timedelta(days=1)).timestamp())}},
                              headers)

        @server.endpoint("POST", "/2/media/upload/{media_id}/finalize",
                         doc=f"{DOCS}/x-api/media/media-upload-finalize")
        async def finalize(request: Request, media_id: str) -> Response:
            user, headers, refusal = server._guard(request, "POST /2/media/upload/finalize")
            if refusal is not None:
                return refusal
            assert user is not None
            item = server.media.get(media_id)
            if item is None or item.owner != user.id:
                return _invalid(f"media_id [{media_id}] is not valid")
            if sum(item.received.values()) != item.total_bytes or sorted(item.received) != list(
                    range(len(item.received))):
                return _invalid("The uploaded segments do not add up to total_bytes")
            item.finalized = True
            data: dict[str, Any] = {"id": item.id, "media_key": f"7_{item.id}", "size": item.total_bytes,
                                    "expires_after_secs": 86400}
            if item.category in ("tweet_video", "tweet_gif", "amplify_video"):
                item.polls_left = server.processing_polls
                data["processing_info"] = {"state": "pending", "check_after_secs": 1}
            return server._ok({"data": data}, headers)

        @server.endpoint("GET", "/2/media/upload", doc=f"{DOCS}/x-api/media/get-media-upload-status")
        async def status(request: Request) -> Response:
            user, headers, refusal = server._guard(request, "GET /2/media/upload")
            if refusal is not None:
                return refusal
            assert user is not None
            if request.query_params.get("command") not in (None, "STATUS"):
                return _invalid("command must be STATUS")
            item = server.media.get(request.query_params.get("media_id") or "")
            if item is None or item.owner != user.id:
                return _invalid("media_id is not valid")
            item.polls_left -= 1
            state = "succeeded" if item.ready else "in_progress"
            info: dict[str, Any] = {"state": state, "progress_percent": 100 if item.ready else 50}
            if not item.ready:
                info["check_after_secs"] = 1
            return server._ok({"data": {"id": item.id, "media_key": f"7_{item.id}", "processing_info": info}},
                              headers)

        @server.endpoint("POST", "/2/media/metadata", doc=f"{DOCS}/x-api/media/create-media-metadata")
        async def metadata(request: Request) -> Response:
            user, headers, refusal = server._guard(request, "POST /2/media/metadata")
            if refusal is not None:
                return refusal
            assert user is not None
            body = await request.json()
            item = server.media.get(str(body.get("id")))
            if item is None or item.owner != user.id:
                return _invalid("id is not media you uploaded")
            text = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
            if not isinstance(text, str) or not 1 <= len(text) <= 1000:
                return _invalid("metadata.alt_text.text must be 1 to 1000 characters")
            item.alt_text = text
            return server._ok({"data": {"id": item.id, "associated_metadata": {"alt_text": {"text": text}}}},
                              headers)

        # -- OAuth 2.0 --------------------------------------------------------------------------------

        @server.endpoint("GET", "/i/oauth2/authorize",
                         doc=f"{DOCS}/fundamentals/authentication/oauth-2-0/user-access-token")
        async def authorize(request: Request) -> Response:
            """X's consent page; here the user in `consent_user` allows at once and is sent back."""
            query = request.query_params
            missing = [k for k in ("response_type", "client_id", "redirect_uri", "scope", "state",
                                   "code_challenge", "code_challenge_method") if not query.get(k)]
            if missing or query["response_type"] != "code" or query["client_id"] != server.client_id:
                return JSONResponse({"error": "invalid_request", "missing": missing}, status_code=400)
            if query["code_challenge_method"] not in ("S256", "plain"):
                return JSONResponse({"error": "invalid_request"}, status_code=400)
            user = next((u for u in server.users.values() if u.username == server.consent_user), None)
            if user is None:
                return JSONResponse({"error": "no one signed in"}, status_code=400)
            code = "code-" + secrets.token_urlsafe(12)
            server.grants[code] = Grant(user.id, query["client_id"], query["redirect_uri"],
                                        query["code_challenge"] if query["code_challenge_method"] == "S256"
                                        else _s256(query["code_challenge"]), query["scope"])
            return RedirectResponse(f"{query['redirect_uri']}?{urlencode({'state': query['state'], 'code': code})}",
                                    status_code=302)

        @server.endpoint("POST", "/2/oauth2/token",
                         doc=f"{DOCS}/fundamentals/authentication/oauth-2-0/authorization-code")
        async def token(request: Request) -> Response:
            form = await request.form()
            given = request.headers.get("authorization", "")
            expected = "Basic " + base64.b64encode(f"{server.client_id}:{server.client_secret}".encode()).decode()
            if given != expected or form.get("client_id") != server.client_id:
                return JSONResponse({"error": "unauthorized_client",
                                     "error_description": "Missing valid authorization header"}, status_code=401)
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                grant = server.grants.pop(str(form.get("code")), None)
                if grant is None or grant.redirect_uri != form.get("redirect_uri"):
                    return JSONResponse({"error": "invalid_request",
                                         "error_description": "Value passed for the authorization code was "
                                                              "invalid."}, status_code=400)
                if _s256(str(form.get("code_verifier") or "")) != grant.challenge:
                    return JSONResponse({"error": "invalid_request",
                                         "error_description": "Value passed for the code verifier did not match "
                                                              "the code challenge."}, status_code=400)
                return JSONResponse(server.issue(server.users[grant.user_id],
                                                 refresh="offline.access" in grant.scope.split()))
            if grant_type == "refresh_token":
                old = str(form.get("refresh_token") or "")
                user_id = server.refresh_tokens.pop(old, None)
                if user_id is None:
                    return JSONResponse({"error": "invalid_request",
                                         "error_description": "Value passed for the token was invalid."},
                                        status_code=400)
                server.used_refresh_tokens.add(old)
                return JSONResponse(server.issue(server.users[user_id]))
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).decode().rstrip("=")


def point_socialdesk_at(base_url: str, monkeypatch: Any) -> None:
    """SOCIALDESK_X_API_URL (and the sign-in page) at this server, loopback allowed, the operator's app set."""
    from socialdesk.core.config import reset_settings_cache

    monkeypatch.setenv("SOCIALDESK_X_API_URL", base_url)
    monkeypatch.setenv("SOCIALDESK_X_AUTHORIZE_URL", f"{base_url}/i/oauth2/authorize")
    monkeypatch.setenv("SOCIALDESK_X_CLIENT_ID", "sd-client")
    monkeypatch.setenv("SOCIALDESK_X_CLIENT_SECRET", "sd-secret")
    monkeypatch.setenv("SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS", "127.0.0.1/32")
    reset_settings_cache()
    assert get_settings().x_api_url == base_url
