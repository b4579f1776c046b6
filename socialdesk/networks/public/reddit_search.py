"""Reddit search for listening: all of Reddit (`reddit`) or one subreddit (`reddit:r/NAME`), with the
operator's Reddit app, through the outbound policy.

- Token: application-only OAuth, `POST /api/v1/access_token` with `grant_type=client_credentials` and the
  app's client id and secret as HTTP Basic auth
  (https://github.com/reddit-archive/reddit/wiki/OAuth2#application-only-oauth); kept in memory until a
  minute before it expires, asked again once when the API answers 401.
- Search: `GET /search` or `GET /r/{sub}/search?restrict_sr=true` on the OAuth host
  (https://www.reddit.com/dev/api/#GET_search), `sort=new`, `type=link`, `limit=100`, the terms' search
  forms in one `q` joined with ` OR ` (cut at whole alternatives to the documented 512 characters); only
  posts created after the last fetch are kept.
- Every request carries the User-Agent Reddit's API rules require (https://github.com/reddit-archive/reddit/wiki/API:
  `<platform>:<app ID>:<version> (by /u/<username>)`; `SOCIALDESK_REDDIT_USER_AGENT`, else one naming
  socialdesk and its version).
- Rate limits: Reddit answers `X-Ratelimit-Used`, `X-Ratelimit-Remaining` and `X-Ratelimit-Reset` (seconds to
  the end of the window). When nothing remains, or Reddit answers 429, no request is sent for that app until
  the window ends: the wait is kept in the source's state (and in this process for the app), never slept.

Why not praw (the issue's suggestion): praw can be given a requests session that follows the policy
(`requestor_kwargs={"session": outbound.apply_to_session(...)}`), but prawcore's rate limiter *sleeps* inside
the call until the window resets (up to ten minutes of a worker), its token URL is derived from `reddit_url`
rather than being a setting of its own, and it would be a new dependency for two GET requests. Here the
project's own httpx client (`outbound.http_client`) is used, and a rate-limited source is skipped until the
window ends instead of blocking the worker.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

import httpx

from socialdesk import __version__
from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed
from socialdesk.networks import outbound
from socialdesk.networks.base import AuthError, PermanentNetworkError, TransientNetworkError
from socialdesk.networks.public import FoundPost
from socialdesk.networks.public.search_terms import alternatives

PAGE = 100
MAX_QUERY = 512
TIMEOUT_SECONDS = 20.0
SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")
DEFAULT_WAIT = timedelta(seconds=60)  # a 429 without X-Ratelimit-Reset

_lock = threading.Lock()
_tokens: dict[tuple[str, str], tuple[str, datetime]] = {}
_waits: dict[tuple[str, str], datetime] = {}


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str
    user_agent: str


def subreddit_of(target: str) -> str:
    """`r/NAME`, `/r/NAME` or `NAME` as the subreddit's name; a clear error for anything else."""
    name = target.strip().strip("/")
    if name.lower().startswith("r/"):
        name = name[2:]
    if not SUBREDDIT.match(name):
        raise ValidationFailed(f"reddit takes a subreddit as r/NAME (letters, digits, _; 2 to 21 characters), "
                               f"not {target!r}: e.g. reddit:r/croatia, or plain reddit for all of Reddit.")
    return name


def credentials() -> Credentials:
    settings = get_settings()
    if not settings.reddit_client_id or not settings.reddit_client_secret:
        raise ValidationFailed("A reddit source needs the operator's Reddit app: set SOCIALDESK_REDDIT_CLIENT_ID "
                               "and SOCIALDESK_REDDIT_CLIENT_SECRET (an app made at "
                               "https://www.reddit.com/prefs/apps; see docs/listening.md).")
    agent = (settings.reddit_user_agent or "").strip() or \
        f"server:socialdesk:{__version__} (social listening; set SOCIALDESK_REDDIT_USER_AGENT)"
    return Credentials(settings.reddit_client_id, settings.reddit_client_secret, agent)


def query_of(queries: Sequence[str]) -> str:
    """The terms as one search: `a OR b OR "two words"`, cut at whole alternatives."""
    return alternatives(queries, " OR ", MAX_QUERY)


def wait_until(api_url: str, client_id: str) -> datetime | None:
    """When this app may ask Reddit again (None: now)."""
    with _lock:
        until = _waits.get((api_url, client_id))
    return until if until is not None and until > clock.now() else None


def _note_limits(key: tuple[str, str], response: httpx.Response) -> datetime | None:
    """Read X-Ratelimit-*: the time to wait until when nothing remains (or on 429), else None."""
    def number(name: str) -> float | None:
        try:
            return float(response.headers[name])
        except (KeyError, ValueError):
            return None

    remaining, reset = number("x-ratelimit-remaining"), number("x-ratelimit-reset")
    if response.status_code == 429 or (remaining is not None and remaining < 1):
        until = clock.now() + (timedelta(seconds=reset) if reset is not None else DEFAULT_WAIT)
        with _lock:
            _waits[key] = until
        return until
    return None


def _send(call: Callable[[], httpx.Response]) -> httpx.Response:
    try:
        return call()
    except outbound.OutboundRefused:
        raise
    except httpx.HTTPError as error:
        refused = outbound.refusal_in(error)
        if refused is not None:
            raise refused from error
        raise TransientNetworkError(f"No answer from Reddit: {error}") from error


def _token(client: httpx.Client, creds: Credentials, *, fresh: bool = False) -> str:
    settings = get_settings()
    key = (settings.reddit_token_url, creds.client_id)
    with _lock:
        held = _tokens.get(key)
    if held is not None and not fresh and held[1] > clock.now():
        return held[0]
    response = _send(lambda: client.post(settings.reddit_token_url, data={"grant_type": "client_credentials"},
                                         auth=(creds.client_id, creds.client_secret),
                                         headers={"User-Agent": creds.user_agent}))
    if response.status_code == 401:
        raise AuthError("Reddit refused the app's credentials: check SOCIALDESK_REDDIT_CLIENT_ID and "
                        "SOCIALDESK_REDDIT_CLIENT_SECRET against the app at https://www.reddit.com/prefs/apps "
                        "(a \"script\" or \"web app\" app; an \"installed app\" has no secret).")
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientNetworkError(f"Reddit's token endpoint answered {response.status_code}; trying again later.")
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 300 or not isinstance(body, dict) or not body.get("access_token"):
        said = (body or {}).get("error") if isinstance(body, dict) else None
        raise AuthError(f"Reddit gave no token for the app ({response.status_code}"
                        f"{': ' + str(said) if said else ''}): check SOCIALDESK_REDDIT_CLIENT_ID and "
                        "SOCIALDESK_REDDIT_CLIENT_SECRET.")
    try:
        lifetime = max(60, int(body.get("expires_in") or 3600))
    except (TypeError, ValueError):
        lifetime = 3600
    token = str(body["access_token"])
    with _lock:
        _tokens[key] = (token, clock.now() + timedelta(seconds=lifetime - 60))
    return token


def _post(item: object, source: str) -> FoundPost | None:
    if not isinstance(item, dict) or item.get("kind") != "t3" or not isinstance(item.get("data"), dict):
        return None
    data = item["data"]
    name = str(data.get("name") or (f"t3_{data['id']}" if data.get("id") else ""))
    if not name:
        return None
    try:
        posted = datetime.fromtimestamp(float(data.get("created_utc")), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        posted = clock.now()
    permalink = str(data.get("permalink") or "")
    url = f"https://www.reddit.com{permalink}" if permalink.startswith("/") else str(data.get("url") or "")
    title = str(data.get("title") or "")
    body = str(data.get("selftext") or "")
    author = str(data.get("author") or "")
    return FoundPost(source=source, external_id=name, url=url, author=f"u/{author}" if author else "",
                     text="\n".join(p for p in (title, body) if p), posted_at=posted, title=title)


@dataclass
class SearchResult:
    posts: list[FoundPost]
    wait_until: datetime | None = None  # set when Reddit's rate limit ran out: ask again after this


def search(queries: Sequence[str], *, subreddit: str | None = None, since: datetime | None = None,
           source: str = "reddit") -> SearchResult:
    """Posts matching any of the queries, newest first, created after `since` (when given)."""
    creds = credentials()
    settings = get_settings()
    api = settings.reddit_api_url.rstrip("/")
    limit_key = (api, creds.client_id)
    waiting = wait_until(api, creds.client_id)
    if waiting is not None:
        return SearchResult([], waiting)
    q = query_of(queries)
    if not q:
        return SearchResult([])
    path = f"/r/{subreddit_of(subreddit)}/search" if subreddit else "/search"
    params: dict[str, str | int] = {"q": q, "sort": "new", "type": "link", "limit": PAGE, "raw_json": 1}
    if subreddit:
        params["restrict_sr"] = "true"
    with outbound.http_client(timeout=TIMEOUT_SECONDS) as client:
        response: httpx.Response | None = None
        for attempt in range(2):
            token = _token(client, creds, fresh=attempt > 0)
            headers = {"Authorization": f"Bearer {token}", "User-Agent": creds.user_agent}
            response = _send(partial(client.get, api + path, params=params, headers=headers))
            if response.status_code != 401:
                break
        assert response is not None
    limited = _note_limits(limit_key, response)
    if response.status_code == 429:
        return SearchResult([], limited)
    if response.status_code == 401:
        raise AuthError("Reddit refused a fresh token for the app: check SOCIALDESK_REDDIT_CLIENT_ID and "
                        "SOCIALDESK_REDDIT_CLIENT_SECRET.")
    if response.status_code in (403, 404) and subreddit:
        raise PermanentNetworkError(f"Reddit will not search r/{subreddit_of(subreddit)} "
                                    f"({response.status_code}): it is private, banned or does not exist.")
    if response.status_code >= 500:
        raise TransientNetworkError(f"Reddit search answered {response.status_code}; trying again next time.")
    if response.status_code >= 300:
        raise PermanentNetworkError(f"Reddit search refused the request ({response.status_code}): "
                                    f"{response.text[:200]}")
    try:
        listing = response.json()
    except ValueError as error:
        raise TransientNetworkError("Reddit search answered something that is not JSON.") from error
    children = ((listing or {}).get("data") or {}).get("children") or [] if isinstance(listing, dict) else []
    found = [p for p in (_post(child, source) for child in children) if p is not None]
    if since is not None:
        found = [p for p in found if p.posted_at > since]
    return SearchResult(sorted(found, key=lambda p: p.posted_at, reverse=True), limited)


def forget() -> None:
    """Drop the tokens and waits this process holds (tests, and a changed app)."""
    with _lock:
        _tokens.clear()
        _waits.clear()


__all__ = ["SearchResult", "credentials", "forget", "query_of", "search", "subreddit_of"]
