"""The X inbox: mentions, replies to our recent posts, and direct messages, behind one cursor.

- Mentions: `GET /2/users/{id}/mentions` with `since_id`
  https://docs.x.com/x-api/posts/user-mention-timeline-by-user-id
- Replies under our posts: `GET /2/tweets/search/recent` with `conversation_id:` for each of our posts of
  the last 7 days (recent search covers about 7 days), several per query, `since_id`
  https://docs.x.com/x-api/posts/search/quickstart/recent-search; our posts come from `GET /2/users/{id}/tweets`
  https://docs.x.com/x-api/posts/timelines
- DMs: `GET /2/dm_events` (newest first, no since_id: read until the newest one seen last time)
  https://docs.x.com/x-api/direct-messages/lookup/integrate

The cursor is one JSON object: the newest mention, reply and DM ids seen, and, per part, when X's rate
limit allows reading it again (DM reads are 15 per 15 minutes: a part whose window is spent is skipped
until `x-rate-limit-reset`, instead of failing the whole fetch).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from socialdesk.core import clock
from socialdesk.networks.base import InboxPage, IncomingItem, IncomingKind, RateLimited
from socialdesk.networks.x.api import XApi

TWEET_FIELDS = "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,lang"
USER_FIELDS = "username,name"
RECENT = timedelta(days=7)  # what recent search covers
CONVERSATIONS_PER_QUERY = 10  # a query is at most 512 characters
MAX_PAGES = 5
DM_PAGE = 20  # each DM event read costs about $0.01
DM_PREFIX = "dm:"


def parse_time(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return clock.now()


def newer(a: str | None, b: str | None) -> str | None:
    """The larger of two post ids (X ids grow with time); ids are compared as numbers."""
    if not a or not b:
        return a or b
    return a if int(a) >= int(b) else b


def _users(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(u["id"]): u for u in (body.get("includes") or {}).get("users") or [] if u.get("id")}


def _parent(tweet: dict[str, Any]) -> str | None:
    for ref in tweet.get("referenced_tweets") or []:
        if ref.get("type") == "replied_to":
            return str(ref["id"])
    return None


def _item(tweet: dict[str, Any], users: dict[str, dict[str, Any]], kind: IncomingKind,
          post_id: str | None) -> IncomingItem:
    author = users.get(str(tweet.get("author_id")), {})
    handle = str(author.get("username") or tweet.get("author_id") or "")
    return IncomingItem(
        external_id=str(tweet["id"]), kind=kind, text=str(tweet.get("text") or ""),
        created_at=parse_time(tweet.get("created_at")), author_external_id=str(tweet.get("author_id") or ""),
        author_handle=handle, author_name=str(author.get("name") or ""), post_external_id=post_id,
        parent_external_id=_parent(tweet), language=tweet.get("lang") or None,
        url=f"https://x.com/{handle}/status/{tweet['id']}" if handle else None)


class InboxReader:
    def __init__(self, api: XApi, user_id: str) -> None:
        self.api = api
        self.user_id = user_id

    def fetch(self, cursor: str | None) -> InboxPage:
        state: dict[str, Any] = json.loads(cursor) if cursor else {}
        waits: dict[str, float] = dict(state.get("wait") or {})
        now = clock.now().timestamp()
        items: dict[str, IncomingItem] = {}

        def part(name: str, read: Any) -> None:
            if waits.get(name, 0) > now:
                return  # this part's rate-limit window is spent; the others still come in
            try:
                read()
                waits.pop(name, None)
            except RateLimited as limited:
                waits[name] = now + (limited.retry_after or 900)
                if len(waits) == 3:
                    raise

        part("replies", lambda: self._replies(state, items))
        part("mentions", lambda: self._mentions(state, items))
        part("dms", lambda: self._dms(state, items))
        state["wait"] = waits
        ordered = sorted(items.values(), key=lambda i: i.created_at)
        return InboxPage(items=ordered, cursor=json.dumps(state, sort_keys=True))

    # -- the parts ---------------------------------------------------------------------------------

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Page after page, asked for only as the caller reads on (X bills each post read)."""
        token = None
        for _ in range(MAX_PAGES):
            body = self.api.call("GET", path, params={**params, **({"pagination_token": token} if token else {})})
            yield body or {}
            token = ((body or {}).get("meta") or {}).get("next_token")
            if not token:
                return

    def _mentions(self, state: dict[str, Any], items: dict[str, IncomingItem]) -> None:
        params: dict[str, Any] = {"tweet.fields": TWEET_FIELDS, "expansions": "author_id",
                                  "user.fields": USER_FIELDS, "max_results": 100}
        if state.get("mention_since"):
            params["since_id"] = state["mention_since"]
        else:
            params["start_time"] = _iso(clock.now() - RECENT)
        newest = state.get("mention_since")
        for body in self._pages(f"/2/users/{self.user_id}/mentions", params):
            users = _users(body)
            for tweet in body.get("data") or []:
                newest = newer(newest, str(tweet["id"]))
                if str(tweet.get("author_id")) == self.user_id or str(tweet["id"]) in items:
                    continue
                items[str(tweet["id"])] = _item(tweet, users, IncomingKind.MENTION, tweet.get("conversation_id"))
        state["mention_since"] = newest

    def _our_recent_posts(self, state: dict[str, Any]) -> list[str]:
        """Our posts of the last 7 days. Kept in the cursor and topped up with `since_id`, so each fetch
        reads only posts made since the last one (every post read is billed)."""
        known: list[list[str]] = list(state.get("ours") or [])
        params: dict[str, Any] = {"max_results": 100, "tweet.fields": "created_at",
                                  "exclude": "replies,retweets"}  # a thread's replies share its root's conversation
        if state.get("ours_since"):
            params["since_id"] = state["ours_since"]
        else:
            params["start_time"] = _iso(clock.now() - RECENT)
        newest = state.get("ours_since")
        for body in self._pages(f"/2/users/{self.user_id}/tweets", params):
            for tweet in body.get("data") or []:
                newest = newer(newest, str(tweet["id"]))
                known.append([str(tweet["id"]), str(tweet.get("created_at") or _iso(clock.now()))])
        cutoff = clock.now() - RECENT
        known = [k for k in known if parse_time(k[1]) >= cutoff]
        state["ours"], state["ours_since"] = known, newest
        return [k[0] for k in known]

    def _replies(self, state: dict[str, Any], items: dict[str, IncomingItem]) -> None:
        ours = self._our_recent_posts(state)
        newest = state.get("reply_since")
        for start in range(0, len(ours), CONVERSATIONS_PER_QUERY):
            batch = ours[start:start + CONVERSATIONS_PER_QUERY]
            query = " OR ".join(f"conversation_id:{i}" for i in batch)
            params: dict[str, Any] = {"query": f"({query})" if len(batch) > 1 else query,
                                      "tweet.fields": TWEET_FIELDS, "expansions": "author_id",
                                      "user.fields": USER_FIELDS, "max_results": 100}
            if state.get("reply_since"):
                params["since_id"] = state["reply_since"]
            for body in self._pages("/2/tweets/search/recent", params):
                users = _users(body)
                for tweet in body.get("data") or []:
                    newest = newer(newest, str(tweet["id"]))
                    if str(tweet.get("author_id")) == self.user_id:
                        continue
                    items[str(tweet["id"])] = _item(tweet, users, IncomingKind.COMMENT,
                                                    str(tweet.get("conversation_id") or "") or None)
        state["reply_since"] = newest

    def _dms(self, state: dict[str, Any], items: dict[str, IncomingItem]) -> None:
        seen = state.get("dm_since")
        params = {"dm_event.fields": "id,text,created_at,sender_id,dm_conversation_id,event_type",
                  "event_types": "MessageCreate", "expansions": "sender_id", "user.fields": USER_FIELDS,
                  # Newest first and no since_id: a small first page, more only while all of it is new.
                  "max_results": DM_PAGE}
        newest = seen
        for body in self._pages("/2/dm_events", params):
            users = _users(body)
            reached = False
            for event in body.get("data") or []:
                event_id = str(event["id"])
                if seen and int(event_id) <= int(seen):
                    reached = True
                    break
                newest = newer(newest, event_id)
                sender = str(event.get("sender_id") or "")
                if sender == self.user_id or event.get("event_type", "MessageCreate") != "MessageCreate":
                    continue
                author = users.get(sender, {})
                conversation = str(event.get("dm_conversation_id") or "")
                items[DM_PREFIX + event_id] = IncomingItem(
                    external_id=f"{DM_PREFIX}{conversation}:{event_id}", kind=IncomingKind.DIRECT_MESSAGE,
                    text=str(event.get("text") or ""), created_at=parse_time(event.get("created_at")),
                    author_external_id=sender, author_handle=str(author.get("username") or sender),
                    author_name=str(author.get("name") or ""), post_external_id=None,
                    parent_external_id=None, url=None)
            if reached:
                break
        state["dm_since"] = newest


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dm_parts(item_external_id: str) -> tuple[str, str] | None:
    """(conversation id, event id) for a DM item's id, None for a post."""
    if not item_external_id.startswith(DM_PREFIX):
        return None
    conversation, _, event = item_external_id[len(DM_PREFIX):].rpartition(":")
    return conversation, event
