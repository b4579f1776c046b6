"""X recent search for listening, paid by the operator: `GET /2/tweets/search/recent`
(https://docs.x.com/x-api/posts/search/quickstart/recent-search; the last 7 days, 10 to 100 posts a page,
a query of at most 512 characters: https://docs.x.com/x-api/posts/search/introduction).

- The query: the monitor's terms and their search forms as one `(a OR b OR "two words")` group
  (search_terms.alternatives, cut at whole alternatives), then `-is:retweet` (a repost is not a new
  mention) and `lang:xx` when the monitor has one language.
- Paging: the first search reaches back `since` (a start_time); afterwards `since_id` = the newest post
  id seen, so a post is read (and billed) once. More than a page of new posts is followed with
  `next_token` for at most SOCIALDESK_LISTENING_X_MAX_PAGES pages; what is left is said, not hidden.
- Cost: every post returned is billed (x_costs); `SearchResult.reads` says how many.
- Rate limits: through x_reads (a 429 or a spent window → RateLimited until x-rate-limit-reset).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.networks.base import RateLimited
from socialdesk.networks.public import FoundPost, x_reads
from socialdesk.networks.public.search_terms import alternatives
from socialdesk.networks.public.x_costs import Reads

MAX_QUERY = 512
ENDPOINT = "GET /2/tweets/search/recent"


def query_of(queries: Sequence[str], languages: Sequence[str] = ()) -> str:
    suffix = " -is:retweet" + (f" lang:{languages[0]}" if len(languages) == 1 else "")
    body = alternatives(queries, " OR ", MAX_QUERY - len(suffix) - 2)
    return f"({body}){suffix}" if body else ""


def estimate() -> Reads:
    """The most one run can be billed for."""
    settings = get_settings()
    return Reads(posts=settings.listening_x_max_results * settings.listening_x_max_pages)


@dataclass
class SearchResult:
    posts: list[FoundPost]
    newest_id: str | None
    reads: Reads
    more_left: bool = False  # the page budget ran out before X's results did
    wait_seconds: float | None = None  # a later page met X's rate limit: what was read is kept, the rest waits


def _time(value: Any) -> datetime:
    try:
        return clock.utc(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except ValueError:
        return clock.now()


def search(queries: Sequence[str], token: str, *, since_id: str | None = None, since: datetime | None = None,
           languages: Sequence[str] = ()) -> SearchResult:
    settings = get_settings()
    q = query_of(queries, languages)
    if not q:
        return SearchResult([], since_id, Reads())
    params: dict[str, Any] = {"query": q, "max_results": settings.listening_x_max_results,
                              "tweet.fields": "created_at,lang,author_id", "expansions": "author_id",
                              "user.fields": "username"}
    if since_id:
        params["since_id"] = since_id
    elif since is not None:
        params["start_time"] = clock.utc(since).strftime("%Y-%m-%dT%H:%M:%SZ")
    found: list[FoundPost] = []
    newest: str | None = None
    reads = Reads()
    more = False
    for page in range(settings.listening_x_max_pages):
        try:
            body = x_reads.get(token, "/2/tweets/search/recent", ENDPOINT, params) or {}
        except RateLimited as error:
            if page == 0:
                raise
            # The first pages were read (and billed): keep them; the rest waits for x-rate-limit-reset.
            return SearchResult(found, newest or since_id, reads, True, error.retry_after or 60.0)
        data = [t for t in body.get("data") or [] if isinstance(t, dict) and t.get("id")]
        reads = reads + Reads(posts=len(data))
        meta = body.get("meta") or {}
        if page == 0:
            newest = str(meta.get("newest_id") or "") or None
        users = {str(u.get("id")): str(u.get("username") or "") for u in (body.get("includes") or {}).get("users") or []
                 if isinstance(u, dict)}
        for tweet in data:
            author = users.get(str(tweet.get("author_id")), "")
            found.append(FoundPost(
                source="x", external_id=str(tweet["id"]),
                url=f"https://x.com/{author or 'i/web'}/status/{tweet['id']}",
                author=f"@{author}" if author else str(tweet.get("author_id") or ""),
                text=str(tweet.get("text") or ""), posted_at=_time(tweet.get("created_at")),
                language=str(tweet.get("lang")) if tweet.get("lang") and tweet.get("lang") != "und" else None))
        token_next = meta.get("next_token")
        if not token_next:
            break
        params = {**params, "next_token": token_next}
        more = page == settings.listening_x_max_pages - 1
    return SearchResult(found, newest or since_id, reads, more)
