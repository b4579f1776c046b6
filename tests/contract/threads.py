"""A Threads API contract server (graph.threads.net), built from Meta's public Threads documentation.

Every endpoint cites the page it follows. It refuses what those pages say is wrong — no or an unknown
access token, a media_type outside TEXT/IMAGE/VIDEO/CAROUSEL, text over 500 characters (an emoji counting
as its UTF-8 bytes), IMAGE without image_url, a carousel of fewer than 2 or more than 20 items, publishing
a container that is not FINISHED or publishing one twice, a refresh of a token younger than 24 hours, an
OAuth code used twice — with the Graph API's error shape:
`{"error": {"message", "type": "OAuthException", "code", "error_subcode"?, "fbtrace_id"}}`.

What the documentation leaves open and this server assumes (marked "(U)" in docs/networks/threads.md):
the exact error codes and messages for a container that is not ready (we answer code 100 like the Graph
API's invalid-parameter errors), for an exhausted 24-hour quota (code 4, "Application request limit
reached"), and that a media container with an image or video is IN_PROGRESS on its first status check.

    threads = ThreadsContract()                 # one account: threads.user_id, threads.token
    with threads.server.running() as base: ...
    threads.add_reply(post_id, "someone", "Love it")   # people replying, for the inbox
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import JSONResponse

from socialdesk.core import clock
from socialdesk.networks.base import TextCounting
from socialdesk.text.counting import measure
from tests.contract.server import ContractServer

VERSION = "v1.0"
DOCS = "https://developers.facebook.com/docs/threads"
DOC_POSTS = f"{DOCS}/posts"
DOC_PUBLISHING_REF = f"{DOCS}/reference/publishing"
DOC_TROUBLESHOOTING = f"{DOCS}/troubleshooting"
DOC_OVERVIEW = f"{DOCS}/overview"
DOC_PROFILES = f"{DOCS}/threads-profiles"
DOC_RETRIEVE = f"{DOCS}/retrieve-and-discover-posts/retrieve-posts"
DOC_USER_REF = f"{DOCS}/reference/user"
DOC_MEDIA_REF = f"{DOCS}/reference/media-retrieval"
DOC_REPLIES_REF = f"{DOCS}/reference/reply-management"
DOC_REPLY_MANAGEMENT = f"{DOCS}/reply-management"
DOC_MENTIONS = f"{DOCS}/threads-mentions"
DOC_INSIGHTS = f"{DOCS}/insights"
DOC_LONG_LIVED = f"{DOCS}/get-started/long-lived-tokens"
DOC_TOKENS = f"{DOCS}/get-started/get-access-tokens-and-permissions"
DOC_DELETE = f"{DOCS}/posts/delete-posts"

TEXT_LIMIT = 500
CAROUSEL_MIN, CAROUSEL_MAX = 2, 20
MEDIA_TYPES = ("TEXT", "IMAGE", "VIDEO", "CAROUSEL")
REPLY_CONTROLS = ("everyone", "accounts_you_follow", "mentioned_only", "parent_post_author_only", "followers_only")
POST_METRICS = ("views", "likes", "replies", "reposts", "quotes", "shares")
USER_METRICS = ("views", "likes", "replies", "reposts", "quotes", "clicks", "followers_count",
                "follower_demographics")
EARLIEST_SINCE = 1688540400


def graph_error(message: str, code: int, *, status: int = 400, subcode: int | None = None,
                kind: str = "OAuthException") -> JSONResponse:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code,
                             "fbtrace_id": secrets.token_urlsafe(8)}
    if subcode is not None:
        error["error_subcode"] = subcode
    return JSONResponse({"error": error}, status_code=status)


class Refused(Exception):
    def __init__(self, response: JSONResponse) -> None:
        self.response = response


def bad_parameter(message: str) -> Refused:
    return Refused(graph_error(f"(#100) {message}", 100))


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


@dataclass
class Token:
    user_id: str
    issued_at: datetime
    long_lived: bool
    expires_at: datetime


@dataclass
class Container:
    id: str
    user_id: str
    fields: dict[str, str]
    status: str = "IN_PROGRESS"
    checks: int = 0
    published_id: str | None = None


@dataclass
class Media:
    id: str
    user_id: str
    username: str
    text: str
    media_type: str
    created_at: datetime
    reply_to: str | None = None
    root: str | None = None
    hidden: bool = False
    insights: dict[str, int] = field(default_factory=dict)
    alt_text: str | None = None

    def row(self, fields: str, owner: str) -> dict[str, Any]:
        every = {
            "id": self.id, "text": self.text, "username": self.username, "timestamp": stamp(self.created_at),
            "media_type": {"TEXT": "TEXT_POST", "CAROUSEL": "CAROUSEL_ALBUM"}.get(self.media_type, self.media_type),
            "media_product_type": "THREADS",
            "permalink": f"https://www.threads.com/@{self.username}/post/{self.id}",
            "is_reply": self.reply_to is not None, "has_replies": False,
            "is_reply_owned_by_me": self.user_id == owner,
            "hide_status": "HIDDEN" if self.hidden else "NOT_HUSHED",
            "replied_to": {"id": self.reply_to} if self.reply_to else None,
            "root_post": {"id": self.root} if self.root else None, "alt_text": self.alt_text,
            "owner": {"id": self.user_id},
        }
        wanted = [f for f in (fields or "id").split(",") if f]
        return {f: every[f] for f in wanted if every.get(f) is not None}


class ThreadsContract:
    """The server and its state: one account owns `token`; others (`add_reply`) reply and mention."""

    def __init__(self, *, now: Callable[[], datetime] = clock.now, username: str = "brand") -> None:
        self.now = now
        self.ids = itertools.count(17_900_000_000_000_001)
        self.user_id = self.new_id()
        self.username = username
        self.users: dict[str, dict[str, str]] = {self.user_id: {"username": username, "name": "Brand"}}
        self.tokens: dict[str, Token] = {}
        self.token = self.issue_token(self.user_id, long_lived=True)
        self.containers: dict[str, Container] = {}
        self.media: dict[str, Media] = {}
        self.mentions: list[Media] = []
        self.followers = 1234
        self.quota_total, self.reply_quota_total = 250, 1000
        # The operator's Threads app, for OAuth (settings.threads_app_id / threads_app_secret).
        self.app_id, self.app_secret = "990602627938098", "threads-app-secret"
        self.codes: dict[str, tuple[str, str]] = {}  # code -> (user id, redirect_uri), single use
        # Threads fetches media from a public address: this decides whether an address can be fetched.
        self.can_fetch: Callable[[str], bool] = lambda url: urlsplit(url).scheme in ("http", "https") and bool(
            urlsplit(url).hostname)
        self.server = ContractServer("threads")
        self._routes()

    # State helpers for tests ------------------------------------------------------------------------

    def new_id(self) -> str:
        return str(next(self.ids))

    def issue_token(self, user_id: str, *, long_lived: bool, age: timedelta = timedelta(0)) -> str:
        token = ("THAA" if long_lived else "THQ") + secrets.token_urlsafe(24)
        issued = self.now() - age
        self.tokens[token] = Token(user_id, issued, long_lived,
                                   issued + (timedelta(days=60) if long_lived else timedelta(hours=1)))
        return token

    def add_reply(self, to_id: str, username: str, text: str, *, at: datetime | None = None) -> Media:
        parent = self.media[to_id]
        user = next((u for u, v in self.users.items() if v["username"] == username), None)
        if user is None:
            user = self.new_id()
            self.users[user] = {"username": username, "name": username.title()}
        reply = Media(self.new_id(), user, username, text, "TEXT", at or self.now(), reply_to=to_id,
                      root=parent.root or parent.id)
        self.media[reply.id] = reply
        return reply

    def add_mention(self, username: str, text: str, *, at: datetime | None = None) -> Media:
        user = self.new_id()
        self.users[user] = {"username": username, "name": username.title()}
        post = Media(self.new_id(), user, username, text, "TEXT", at or self.now())
        self.media[post.id] = post
        self.mentions.append(post)
        return post

    def posts(self, user_id: str | None = None, *, replies: bool = False) -> list[Media]:
        """The account's posts (or its replies), newest first."""
        owner = user_id or self.user_id
        found = [m for m in self.media.values() if m.user_id == owner and (m.reply_to is not None) == replies]
        return sorted(found, key=lambda m: (m.created_at, int(m.id)), reverse=True)

    def published_last_day(self, *, replies: bool) -> int:
        since = self.now() - timedelta(hours=24)
        return sum(1 for m in self.posts(replies=replies) if m.created_at >= since)

    # Request helpers --------------------------------------------------------------------------------

    async def _params(self, request: Request) -> dict[str, str]:
        params = dict(request.query_params)
        if request.method == "POST":
            form = await request.form()
            params.update({k: str(v) for k, v in form.items()})
        return params

    def _token(self, params: dict[str, str]) -> Token:
        token = params.get("access_token")
        if not token:
            raise Refused(graph_error("An active access token must be used to query information about the "
                                      "current user.", 2500))
        found = self.tokens.get(token)
        if found is None:
            raise Refused(graph_error("Invalid OAuth access token - Cannot parse access token", 190))
        if found.expires_at <= self.now():
            raise Refused(graph_error("Error validating access token: Session has expired.", 190, subcode=463))
        return found

    def _user(self, token: Token, user_id: str) -> str:
        if user_id not in ("me", token.user_id):
            raise bad_parameter(f"Object with ID '{user_id}' does not exist, cannot be loaded due to missing "
                                f"permissions, or does not support this operation")
        return token.user_id

    @staticmethod
    def _version(version: str) -> None:
        if version != VERSION:
            raise Refused(graph_error(f"Unknown API version {version}", 2635))

    def _media(self, media_id: str) -> Media:
        found = self.media.get(media_id)
        if found is None:
            raise bad_parameter(f"Object with ID '{media_id}' does not exist")
        return found

    @staticmethod
    def _page(rows: list[dict[str, Any]], params: dict[str, str], base: str) -> dict[str, Any]:
        limit = min(int(params.get("limit") or 25), 100)
        start = int(params.get("after") or 0)
        page = rows[start:start + limit]
        body: dict[str, Any] = {"data": page}
        if page:
            body["paging"] = {"cursors": {"before": str(start), "after": str(start + len(page))}}
            if start + len(page) < len(rows):
                body["paging"]["next"] = f"{base}?after={start + len(page)}"
        return body

    def _since_until(self, params: dict[str, str]) -> tuple[datetime | None, datetime | None]:
        def read(name: str) -> datetime | None:
            value = params.get(name)
            if not value:
                return None
            try:
                number = int(value)
            except ValueError:
                raise bad_parameter(f"{name} must be a Unix timestamp") from None
            if number < EARLIEST_SINCE:
                raise bad_parameter(f"{name} must be greater than or equal to {EARLIEST_SINCE}")
            return datetime.fromtimestamp(number, UTC)

        since, until = read("since"), read("until")
        if since and until and since >= until:
            raise bad_parameter("since must be less than until")
        return since, until

    # The API ----------------------------------------------------------------------------------------

    def _routes(self) -> None:
        s = self.server

        # -- tokens (unversioned, as the documentation's examples call them) --------------------------

        @s.endpoint("POST", "/oauth/access_token", doc=DOC_TOKENS)
        async def exchange_code(request: Request) -> Any:
            try:
                p = await self._params(request)
                for name in ("client_id", "client_secret", "grant_type", "redirect_uri", "code"):
                    if not p.get(name):
                        raise bad_parameter(f"Missing parameter {name}")
                if p["client_id"] != self.app_id or p["client_secret"] != self.app_secret:
                    raise Refused(graph_error("Error validating client secret.", 1, kind="OAuthException"))
                if p["grant_type"] != "authorization_code":
                    raise bad_parameter("Unsupported grant_type")
                given = self.codes.pop(p["code"], None)
                if given is None:
                    raise bad_parameter("This authorization code has been used.")  # or never issued
                user_id, redirect_uri = given
                if redirect_uri != p["redirect_uri"]:
                    raise bad_parameter("Error validating verification code. Please make sure your redirect_uri "
                                        "is identical to the one you used in the OAuth dialog request")
                return {"access_token": self.issue_token(user_id, long_lived=False), "user_id": int(user_id)}
            except Refused as refused:
                return refused.response

        @s.endpoint("GET", "/access_token", doc=DOC_LONG_LIVED)
        async def long_lived(request: Request) -> Any:
            try:
                p = dict(request.query_params)
                if p.get("grant_type") != "th_exchange_token":
                    raise bad_parameter("grant_type must be th_exchange_token")
                if p.get("client_secret") != self.app_secret:
                    raise Refused(graph_error("Error validating client secret.", 1))
                token = self._token(p)
                if token.long_lived:
                    raise bad_parameter("The access token is already long-lived")
                fresh = self.issue_token(token.user_id, long_lived=True)
                return {"access_token": fresh, "token_type": "bearer",
                        "expires_in": int((self.tokens[fresh].expires_at - self.now()).total_seconds())}
            except Refused as refused:
                return refused.response

        @s.endpoint("GET", "/refresh_access_token", doc=DOC_LONG_LIVED)
        async def refresh(request: Request) -> Any:
            try:
                p = dict(request.query_params)
                if p.get("grant_type") != "th_refresh_token":
                    raise bad_parameter("grant_type must be th_refresh_token")
                token = self._token(p)
                if not token.long_lived:
                    raise bad_parameter("Only long-lived access tokens can be refreshed")
                if self.now() - token.issued_at < timedelta(hours=24):
                    raise bad_parameter("The access token must be at least 24 hours old to be refreshed")
                del self.tokens[p["access_token"]]
                fresh = self.issue_token(token.user_id, long_lived=True)
                return {"access_token": fresh, "token_type": "bearer",
                        "expires_in": int((self.tokens[fresh].expires_at - self.now()).total_seconds())}
            except Refused as refused:
                return refused.response

        # -- publishing --------------------------------------------------------------------------------

        @s.endpoint("POST", "/{version}/{user_id}/threads", doc=DOC_POSTS)
        async def create_container(request: Request, version: str, user_id: str) -> Any:
            try:
                self._version(version)
                p = await self._params(request)
                owner = self._user(self._token(p), user_id)
                media_type = p.get("media_type", "")
                carousel_item = p.get("is_carousel_item", "false") == "true"
                if media_type not in MEDIA_TYPES:
                    raise bad_parameter(f"Param media_type must be one of {{{', '.join(MEDIA_TYPES)}}}")
                text = p.get("text", "")
                if media_type == "TEXT" and not text.strip():
                    raise bad_parameter("Param text is required for media_type TEXT")
                if measure(text, TextCounting.UTF8_EMOJI) > TEXT_LIMIT:
                    raise bad_parameter(f"Param text must be at most {TEXT_LIMIT} characters long")
                if media_type == "IMAGE" and not p.get("image_url"):
                    raise bad_parameter("Param image_url is required for media_type IMAGE")
                if media_type == "VIDEO" and not p.get("video_url"):
                    raise bad_parameter("Param video_url is required for media_type VIDEO")
                address = p.get("image_url") or p.get("video_url")
                if address and not self.can_fetch(address):
                    raise bad_parameter(f"Media download has failed. The media URI doesn't meet our requirements: "
                                        f"{address}")
                if carousel_item and media_type not in ("IMAGE", "VIDEO"):
                    raise bad_parameter("Only IMAGE and VIDEO can be carousel items")
                if media_type == "CAROUSEL":
                    children = [c for c in p.get("children", "").split(",") if c]
                    if not CAROUSEL_MIN <= len(children) <= CAROUSEL_MAX:
                        raise bad_parameter(f"A carousel has {CAROUSEL_MIN} to {CAROUSEL_MAX} children; got "
                                            f"{len(children)}")
                    for child in children:
                        found = self.containers.get(child)
                        if found is None or found.user_id != owner or found.fields.get("is_carousel_item") != "true":
                            raise bad_parameter(f"Child {child} is not a carousel item container of this user")
                        if found.status != "FINISHED":
                            raise bad_parameter(f"Child {child} is not ready ({found.status})")
                if p.get("reply_to_id") and p["reply_to_id"] not in self.media:
                    raise bad_parameter(f"reply_to_id {p['reply_to_id']} does not exist")
                if p.get("reply_control") and p["reply_control"] not in REPLY_CONTROLS:
                    raise bad_parameter(f"reply_control must be one of {', '.join(REPLY_CONTROLS)}")
                container = Container(self.new_id(), owner, {k: v for k, v in p.items() if k != "access_token"})
                if media_type in ("TEXT", "CAROUSEL"):
                    container.status = "FINISHED"
                self.containers[container.id] = container
                return {"id": container.id}
            except Refused as refused:
                return refused.response

        @s.endpoint("POST", "/{version}/{user_id}/threads_publish", doc=DOC_PUBLISHING_REF)
        async def publish(request: Request, version: str, user_id: str) -> Any:
            try:
                self._version(version)
                p = await self._params(request)
                owner = self._user(self._token(p), user_id)
                container = self.containers.get(p.get("creation_id", ""))
                if container is None or container.user_id != owner:
                    raise bad_parameter("Param creation_id is not a media container of this user")
                if container.fields.get("is_carousel_item") == "true":
                    raise bad_parameter("A carousel item is published through its carousel")
                if container.status == "PUBLISHED":
                    raise bad_parameter("The media container has already been published")
                if container.status != "FINISHED":
                    raise bad_parameter(f"The media is not ready for publishing (status {container.status}); "
                                        f"check GET /{{container-id}}?fields=status")
                replying = bool(container.fields.get("reply_to_id"))
                total = self.reply_quota_total if replying else self.quota_total
                if self.published_last_day(replies=replying) >= total:
                    raise Refused(graph_error("(#4) Application request limit reached", 4))
                f = container.fields
                reply_to = f.get("reply_to_id")
                root = None
                if reply_to:
                    parent = self.media[reply_to]
                    root = parent.root or parent.id
                made = Media(self.new_id(), owner, self.users[owner]["username"], f.get("text", ""),
                             f["media_type"], self.now(), reply_to=reply_to, root=root,
                             alt_text=f.get("alt_text"))
                self.media[made.id] = made
                container.status, container.published_id = "PUBLISHED", made.id
                return {"id": made.id}
            except Refused as refused:
                return refused.response

        @s.endpoint("GET", "/{version}/{user_id}/threads_publishing_limit", doc=DOC_OVERVIEW)
        async def publishing_limit(request: Request, version: str, user_id: str) -> Any:
            try:
                self._version(version)
                p = dict(request.query_params)
                self._user(self._token(p), user_id)
                every = {
                    "quota_usage": self.published_last_day(replies=False),
                    "config": {"quota_total": self.quota_total, "quota_duration": 86400},
                    "reply_quota_usage": self.published_last_day(replies=True),
                    "reply_config": {"quota_total": self.reply_quota_total, "quota_duration": 86400},
                }
                wanted = [f for f in p.get("fields", "quota_usage").split(",") if f]
                unknown = [f for f in wanted if f not in every]
                if unknown:
                    raise bad_parameter(f"Tried accessing nonexisting field ({unknown[0]})")
                return {"data": [{f: every[f] for f in wanted}]}
            except Refused as refused:
                return refused.response

        # -- reading the account's posts and replies ---------------------------------------------------

        async def own(request: Request, version: str, user_id: str, *, replies: bool) -> Any:
            try:
                self._version(version)
                p = dict(request.query_params)
                owner = self._user(self._token(p), user_id)
                since, until = self._since_until(p)
                rows = [m.row(p.get("fields", "id"), owner) for m in self.posts(owner, replies=replies)
                        if (since is None or m.created_at >= since) and (until is None or m.created_at <= until)]
                if not replies:
                    for row in rows:
                        if "has_replies" in p.get("fields", ""):
                            row["has_replies"] = any(m.reply_to == row["id"] for m in self.media.values())
                return self._page(rows, p, str(request.url.path))
            except Refused as refused:
                return refused.response

        @s.endpoint("GET", "/{version}/{user_id}/threads", doc=DOC_USER_REF)
        async def user_threads(request: Request, version: str, user_id: str) -> Any:
            return await own(request, version, user_id, replies=False)

        @s.endpoint("GET", "/{version}/{user_id}/replies", doc=DOC_REPLIES_REF)
        async def user_or_media_replies(request: Request, version: str, user_id: str) -> Any:
            # One path, two documented edges: a user's own replies, or a media object's top-level replies.
            if user_id in self.media:
                return await conversation_of(request, version, user_id, top_level=True)
            return await own(request, version, user_id, replies=True)

        async def conversation_of(request: Request, version: str, media_id: str, *, top_level: bool) -> Any:
            try:
                self._version(version)
                p = dict(request.query_params)
                token = self._token(p)
                post = self._media(media_id)
                if (post.root and self.media[post.root].user_id != token.user_id) or (
                        not post.root and post.user_id != token.user_id):
                    raise Refused(graph_error("(#10) Application does not have permission for this action", 10))
                found = [m for m in self.media.values() if m.root == (post.root or post.id) and m.id != post.id]
                if top_level:
                    found = [m for m in found if m.reply_to == post.id]
                else:
                    under = {post.id}
                    for m in sorted(found, key=lambda m: m.created_at):
                        if m.reply_to in under:
                            under.add(m.id)
                    found = [m for m in found if m.id in under]
                reverse = p.get("reverse", "true") != "false"
                found.sort(key=lambda m: (m.created_at, int(m.id)), reverse=reverse)
                return self._page([m.row(p.get("fields", "id"), token.user_id) for m in found], p,
                                  str(request.url.path))
            except Refused as refused:
                return refused.response

        @s.endpoint("GET", "/{version}/{media_id}/conversation", doc=DOC_REPLIES_REF)
        async def conversation(request: Request, version: str, media_id: str) -> Any:
            return await conversation_of(request, version, media_id, top_level=False)

        @s.endpoint("GET", "/{version}/{user_id}/mentions", doc=DOC_MENTIONS)
        async def mentions(request: Request, version: str, user_id: str) -> Any:
            try:
                self._version(version)
                p = dict(request.query_params)
                owner = self._user(self._token(p), user_id)
                since, until = self._since_until(p)
                rows = [m.row(p.get("fields", "id"), owner) for m in sorted(
                    self.mentions, key=lambda m: m.created_at, reverse=True)
                    if (since is None or m.created_at >= since) and (until is None or m.created_at <= until)]
                return self._page(rows, p, str(request.url.path))
            except Refused as refused:
                return refused.response

        @s.endpoint("POST", "/{version}/{reply_id}/manage_reply", doc=DOC_REPLY_MANAGEMENT)
        async def manage_reply(request: Request, version: str, reply_id: str) -> Any:
            try:
                self._version(version)
                p = await self._params(request)
                token = self._token(p)
                reply = self._media(reply_id)
                if p.get("hide") not in ("true", "false"):
                    raise bad_parameter("Param hide must be a boolean")
                if reply.reply_to is None or reply.reply_to != reply.root:
                    raise bad_parameter("Only top-level replies can be hidden or unhidden")
                if self.media[reply.root].user_id != token.user_id:
                    raise Refused(graph_error("(#10) Application does not have permission for this action", 10))
                reply.hidden = p["hide"] == "true"
                return {"success": True}
            except Refused as refused:
                return refused.response

        # -- insights ----------------------------------------------------------------------------------

        @s.endpoint("GET", "/{version}/{media_id}/insights", doc=DOC_INSIGHTS)
        async def media_insights(request: Request, version: str, media_id: str) -> Any:
            try:
                self._version(version)
                p = dict(request.query_params)
                token = self._token(p)
                post = self._media(media_id)
                if post.user_id != token.user_id:
                    raise Refused(graph_error("(#10) Application does not have permission for this action", 10))
                metrics = [m for m in p.get("metric", "").split(",") if m]
                if not metrics:
                    raise bad_parameter("The parameter metric is required")
                for name in metrics:
                    if name not in POST_METRICS:
                        raise bad_parameter(f"metric[{metrics.index(name)}] must be one of the following values: "
                                            f"{', '.join(POST_METRICS)}")
                return {"data": [
                    {"name": name, "period": "lifetime", "values": [{"value": post.insights[name]}],
                     "title": name.title(), "description": "", "id": f"{media_id}/insights/{name}/lifetime"}
                    for name in metrics if name in post.insights]}
            except Refused as refused:
                return refused.response

        @s.endpoint("GET", "/{version}/{user_id}/threads_insights", doc=DOC_INSIGHTS)
        async def user_insights(request: Request, version: str, user_id: str) -> Any:
            try:
                self._version(version)
                p = dict(request.query_params)
                owner = self._user(self._token(p), user_id)
                self._since_until(p)
                metrics = [m for m in p.get("metric", "").split(",") if m]
                if not metrics:
                    raise bad_parameter("The parameter metric is required")
                data = []
                for name in metrics:
                    if name not in USER_METRICS:
                        raise bad_parameter(f"metric must be one of {', '.join(USER_METRICS)}")
                    if name == "followers_count":
                        data.append({"name": name, "period": "day", "total_value": {"value": self.followers},
                                     "title": "followers_count", "id": f"{owner}/insights/{name}/day"})
                return {"data": data}
            except Refused as refused:
                return refused.response

        # -- objects by id (registered last: the two-segment paths above take precedence) --------------

        @s.endpoint("GET", "/{version}/{object_id}", doc=DOC_MEDIA_REF)
        async def by_id(request: Request, version: str, object_id: str) -> Any:
            # "me" and the user's id: the profile (threads-profiles); a container: its status
            # (troubleshooting, publishing reference); a media object: its fields (media retrieval).
            try:
                self._version(version)
                p = dict(request.query_params)
                token = self._token(p)
                fields = [f for f in p.get("fields", "id").split(",") if f]
                if object_id in ("me", token.user_id):
                    user = self.users[token.user_id]
                    every = {"id": token.user_id, "username": user["username"], "name": user["name"],
                             "threads_biography": "", "is_verified": False}
                    return {f: every[f] for f in fields if f in every}
                container = self.containers.get(object_id)
                if container is not None:
                    if container.user_id != token.user_id:
                        raise bad_parameter(f"Object with ID '{object_id}' does not exist")
                    container.checks += 1
                    if container.status == "IN_PROGRESS" and container.checks > 1:
                        container.status = "FINISHED"
                    every = {"id": container.id, "status": container.status}
                    return {f: every[f] for f in fields if f in every}
                return self._media(object_id).row(",".join(fields), token.user_id)
            except Refused as refused:
                return refused.response

        @s.endpoint("DELETE", "/{version}/{media_id}", doc=DOC_DELETE)
        async def delete(request: Request, version: str, media_id: str) -> Any:
            try:
                self._version(version)
                token = self._token(dict(request.query_params))
                post = self._media(media_id)
                if post.user_id != token.user_id:
                    raise Refused(graph_error("(#10) Application does not have permission for this action", 10))
                del self.media[media_id]
                return {"success": True, "deleted_id": media_id}
            except Refused as refused:
                return refused.response


    # OAuth: what the user's browser does on threads.com --------------------------------------------

    def authorize(self, authorize_url: str, *, user_id: str | None = None) -> str:
        """The user allows the app: the code Threads would append to the redirect_uri."""
        from urllib.parse import parse_qs

        query = {k: v[-1] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        assert query.get("client_id") == self.app_id, query
        assert query.get("response_type") == "code", query
        scopes = set((query.get("scope") or "").split(","))
        assert "threads_basic" in scopes, query
        code = secrets.token_urlsafe(16)
        self.codes[code] = (user_id or self.user_id, query["redirect_uri"])
        return code
