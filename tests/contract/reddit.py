"""A contract server for Reddit's application-only OAuth and its search, built from Reddit's public
documentation (each endpoint cites its page).

It refuses what the docs say is wrong: a token request without the app's Basic credentials or with the wrong
ones (401), a grant type other than those documented (400 unsupported_grant_type), any request without a
User-Agent or with a generic library one (Reddit's API rules: "Many default User-Agents (like "Python/urllib"
or "Java") are drastically limited"; 429 here), API calls without a valid bearer token (401), a missing or
over-long `q` (more than 512 characters), a `limit` outside 1-100 and an unknown `sort` (400). Every API answer
carries X-Ratelimit-Used, -Remaining and -Reset (seconds to the end of the window), and past the window's
allowance it answers 429.
"""

from __future__ import annotations

import base64
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from tests.contract.server import ContractServer

OAUTH_DOC = "https://github.com/reddit-archive/reddit/wiki/OAuth2#application-only-oauth"
SEARCH_DOC = "https://www.reddit.com/dev/api/#GET_search"
RULES_DOC = "https://github.com/reddit-archive/reddit/wiki/API"
RATELIMIT_DOC = "https://www.reddit.com/r/redditdev/comments/1yxrp7/formal_ratelimiting_headers/"
SORTS = {"relevance", "hot", "top", "new", "comments"}
GENERIC_AGENTS = ("python-httpx", "python-requests", "python/urllib", "java", "curl")


@dataclass
class RedditState:
    client_id: str = "reddit-app-id"
    client_secret: str = "reddit-app-secret"
    tokens: set[str] = field(default_factory=set)
    posts: list[dict[str, Any]] = field(default_factory=list)
    window_allowance: int = 600  # requests per window (documented for OAuth clients: 600 per 10 minutes)
    window_seconds: int = 600
    used: int = 0
    searches: list[dict[str, str]] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def add_post(self, subreddit: str, title: str, selftext: str = "", *, author: str = "someone",
                 created: datetime) -> dict[str, Any]:
        base36 = format(next(self._ids) + 1_000_000, "x")
        post = {"kind": "t3", "data": {
            "id": base36, "name": f"t3_{base36}", "subreddit": subreddit, "title": title, "selftext": selftext,
            "author": author, "created_utc": created.timestamp(),
            "permalink": f"/r/{subreddit}/comments/{base36}/{title.lower().replace(' ', '_')[:40]}/",
            "url": f"https://www.reddit.com/r/{subreddit}/comments/{base36}/"}}
        self.posts.append(post)
        return post


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    """Reddit's plain error shape, e.g. {"message": "Unauthorized", "error": 401}."""
    return JSONResponse({"message": message, "error": status, **extra}, status_code=status)


def _matches(post: dict[str, Any], q: str) -> bool:
    text = f"{post['data']['title']} {post['data']['selftext']}".lower()
    words = [w.strip('"').lower() for w in q.split(" OR ")]
    return any(w and w in text for w in words)


def make_server() -> tuple[ContractServer, RedditState]:
    server = ContractServer("reddit")
    state = RedditState()

    def agent_refused(request: Request) -> JSONResponse | None:
        agent = request.headers.get("user-agent", "").strip()
        state.agents.append(agent)
        if not agent or agent.lower().startswith(GENERIC_AGENTS):
            return _error(429, "Too Many Requests: use a unique and descriptive User-Agent (" + RULES_DOC + ")")
        return None

    @server.endpoint("POST", "/api/v1/access_token", doc=OAUTH_DOC)
    async def access_token(request: Request) -> JSONResponse:
        refused = agent_refused(request)
        if refused is not None:
            return refused
        header = request.headers.get("authorization", "")
        try:
            pair = base64.b64decode(header[6:]).decode() if header.startswith("Basic ") else ""
        except ValueError:
            pair = ""
        if pair != f"{state.client_id}:{state.client_secret}":
            return _error(401, "Unauthorized")
        form = await request.form()
        if form.get("grant_type") not in ("client_credentials", "https://oauth.reddit.com/grants/installed_client"):
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        token = "-" + secrets.token_urlsafe(16)
        state.tokens.add(token)
        return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"})

    def search(request: Request, subreddit: str | None) -> JSONResponse:
        refused = agent_refused(request)
        if refused is not None:
            return refused
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer ") or header[7:] not in state.tokens:
            return _error(401, "Unauthorized")
        state.used += 1
        remaining = max(0, state.window_allowance - state.used)
        limits = {"X-Ratelimit-Used": str(state.used), "X-Ratelimit-Remaining": f"{remaining:.1f}",
                  "X-Ratelimit-Reset": str(state.window_seconds)}
        if state.used > state.window_allowance:
            answer = _error(429, "Too Many Requests")
            answer.headers.update(limits)
            return answer
        params = dict(request.query_params)
        state.searches.append({**params, "_path": request.url.path})
        q = params.get("q", "")
        problem = None
        if not q.strip():
            problem = "q is required"
        elif len(q) > 512:
            problem = "q: maximum length 512"
        elif params.get("sort", "relevance") not in SORTS:
            problem = f"sort: one of {sorted(SORTS)}"
        else:
            try:
                if not 1 <= int(params.get("limit", "25")) <= 100:
                    problem = "limit: 1 to 100"
            except ValueError:
                problem = "limit: a number"
        if problem:
            answer = _error(400, "Bad Request", reason=problem)
            answer.headers.update(limits)
            return answer
        restrict = params.get("restrict_sr", "").lower() in ("true", "on", "1")
        found = [p for p in state.posts if _matches(p, q)
                 and (subreddit is None or not restrict or p["data"]["subreddit"].lower() == subreddit.lower())]
        if params.get("sort") == "new":
            found.sort(key=lambda p: p["data"]["created_utc"], reverse=True)
        found = found[:int(params.get("limit", "25"))]
        body = {"kind": "Listing", "data": {"after": None, "before": None, "dist": len(found), "children": found}}
        return JSONResponse(body, headers=limits)

    @server.endpoint("GET", "/search", doc=SEARCH_DOC)
    async def search_all(request: Request) -> JSONResponse:
        return search(request, None)

    @server.endpoint("GET", "/r/{subreddit}/search", doc=SEARCH_DOC)
    async def search_sub(request: Request, subreddit: str) -> JSONResponse:
        return search(request, subreddit)

    return server, state
