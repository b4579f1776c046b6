"""A monitor's sources as the user writes them (`sandbox`, `rss:URL`, `bluesky[:SERVICE_URL]`,
`mastodon:INSTANCE`, `youtube`, `reddit[:r/NAME]`, `x`), and fetching each through socialdesk/networks/public."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session

from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed
from socialdesk.listening.matching import search_forms
from socialdesk.networks.public import FoundPost

KINDS = ("sandbox", "rss", "bluesky", "mastodon", "youtube", "reddit")
KINDS = (*KINDS, "x")  # X recent search, paid by the operator: listening/x_source.py
NOT_YET: dict[str, str] = {}
REDDIT_BACKFILL = timedelta(days=1)
YOUTUBE_BACKFILL = timedelta(days=1)
# How far back a first fetch reaches where the source can look back (the sandbox's world, Bluesky search).
SANDBOX_BACKFILL = timedelta(days=8)
BLUESKY_BACKFILL = timedelta(days=1)


@dataclass(frozen=True)
class Source:
    kind: str
    target: str  # the URL, service or instance; "" for the sandbox and the configured Bluesky service

    @property
    def spec(self) -> str:
        return f"{self.kind}:{self.target}" if self.target else self.kind

    @property
    def key(self) -> str:
        """Where this source's state is kept in the monitor's state."""
        return self.spec if len(self.spec) < 200 else hashlib.sha256(self.spec.encode()).hexdigest()


def parse(spec: str) -> Source:
    text = (spec or "").strip()
    kind, _, target = text.partition(":")
    kind = kind.strip().lower()
    target = target.strip()
    if kind in NOT_YET:
        raise ValidationFailed(f"{NOT_YET[kind]} is not available as a listening source yet; use "
                               "sandbox, rss:URL, bluesky[:SERVICE_URL], mastodon:INSTANCE, youtube or "
                               "reddit[:r/NAME].")
    if kind not in KINDS:
        raise ValidationFailed(f"Unknown source {text!r}: write sandbox, rss:URL, bluesky[:SERVICE_URL], "
                               "mastodon:INSTANCE, youtube, reddit[:r/NAME] or x (e.g. "
                               "rss:https://example.com/feed.xml, mastodon:mastodon.social, reddit:r/croatia).")
    if kind == "x" and target:
        raise ValidationFailed("x takes nothing after it: it is X's recent search of all public posts (write: x).")
    if kind == "youtube":
        if target:
            raise ValidationFailed("youtube takes nothing after it: it searches all of YouTube (write: youtube).")
    elif kind == "reddit":
        if target:
            from socialdesk.networks.public.reddit_search import subreddit_of

            return Source(kind, f"r/{subreddit_of(target)}")
    elif kind == "sandbox":
        if target and not target.isdigit():
            raise ValidationFailed(f"sandbox takes an optional number (the world's seed), not {target!r}.")
    elif kind in ("rss", "bluesky") and target:
        try:
            url = httpx.URL(target)
        except httpx.InvalidURL:
            raise ValidationFailed(f"{target!r} is not a web address.") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise ValidationFailed(f"{kind}: give an http(s) address, e.g. {kind}:https://example.com/… "
                                   f"(not {target!r}).")
    elif kind == "rss":
        raise ValidationFailed("rss needs the feed's address: rss:https://example.com/feed.xml")
    elif kind == "mastodon":
        host = target.split("://", 1)[-1].strip("/")
        if not host or "/" in host or " " in host:
            raise ValidationFailed("mastodon needs an instance name: mastodon:mastodon.social")
    return Source(kind, target.rstrip("/") if kind != "rss" else target)


def parse_all(specs: Sequence[str]) -> list[Source]:
    found: list[Source] = []
    for spec in specs:
        source = parse(spec)
        if source.spec not in (s.spec for s in found):
            found.append(source)
    if any(s.kind == "youtube" for s in found) and not get_settings().listening_youtube_api_key:
        raise ValidationFailed("A youtube source needs the operator's YouTube Data API key: set "
                               "SOCIALDESK_LISTENING_YOUTUBE_API_KEY (each search costs 100 of the "
                               "project's 10,000 daily units; see docs/listening.md).")
    if any(s.kind == "reddit" for s in found):
        from socialdesk.networks.public.reddit_search import credentials

        credentials()  # refuses, saying which settings, when the operator has no Reddit app
    if not found:
        raise ValidationFailed("Name at least one source (sandbox, rss:URL, bluesky, mastodon:INSTANCE).")
    return found


def fetch(source: Source, *, terms: Sequence[str], languages: Sequence[str], state: dict[str, Any],
          now: datetime, session: Session | None = None,
          workspace_id: str | None = None) -> tuple[list[FoundPost], dict[str, Any]]:
    """New posts from one source since its state; returns them and the state to keep. `session` and
    `workspace_id`: for sources read with the workspace's own access (x)."""
    if source.kind == "x":
        from socialdesk.listening import x_source

        return x_source.fetch(terms=terms, languages=languages, state=state, now=now, session=session,
                              workspace_id=workspace_id)
    if source.kind == "sandbox":
        from socialdesk.networks.public.sandbox_conversation import public_posts

        seed = int(source.target) if source.target else get_settings().sandbox_seed
        since = datetime.fromisoformat(state["until"]) if state.get("until") else now - SANDBOX_BACKFILL
        posts = public_posts(seed, terms, since, now) if since < now else []
        return posts, {"until": now.isoformat()}
    if source.kind == "rss":
        from socialdesk.networks.public import feeds

        return feeds.fetch(source.target), {"until": now.isoformat()}
    if source.kind == "bluesky":
        from socialdesk.networks.public import bluesky_search

        service = source.target or get_settings().listening_bluesky_service
        since = datetime.fromisoformat(state["until"]) - timedelta(minutes=10) if state.get("until") \
            else now - BLUESKY_BACKFILL
        queries = [form for term in terms for form in search_forms(term, languages)]
        return bluesky_search.search(service, queries, since=since, languages=languages), {"until": now.isoformat()}
    if source.kind == "youtube":
        from socialdesk.networks.public import youtube_search

        every = timedelta(minutes=get_settings().listening_youtube_minutes)
        last = datetime.fromisoformat(state["until"]) if state.get("until") else None
        if last is not None and now - last < every:
            return [], state  # each search costs 100 quota units: not yet
        since = last - timedelta(minutes=10) if last is not None else now - YOUTUBE_BACKFILL
        queries = [form for term in terms for form in search_forms(term, languages)]
        return youtube_search.search(queries, since=since, languages=languages), {"until": now.isoformat()}
    if source.kind == "reddit":
        from socialdesk.networks.public import reddit_search

        waiting = datetime.fromisoformat(state["wait_until"]) if state.get("wait_until") else None
        if waiting is not None and now < waiting:
            return [], state  # Reddit's rate limit ran out: not before the window ends
        last = datetime.fromisoformat(state["until"]) if state.get("until") else None
        since = last - timedelta(minutes=10) if last is not None else now - REDDIT_BACKFILL
        queries = [form for term in terms for form in search_forms(term, languages)]
        found = reddit_search.search(queries, subreddit=source.target or None, since=since, source=source.spec)
        kept: dict[str, Any] = {"until": now.isoformat()}
        if found.wait_until is not None:
            kept["wait_until"] = found.wait_until.isoformat()
            if not found.posts and last is not None:
                kept["until"] = last.isoformat()  # nothing was read: the next fetch reaches back as far
            elif not found.posts:
                kept.pop("until")
        return found.posts, kept
    from socialdesk.networks.public import mastodon_tags

    posts, newest = mastodon_tags.tag_timeline(source.target, terms, since_ids=state.get("since_ids") or {})
    return posts, {"since_ids": newest}
