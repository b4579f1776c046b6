"""The sandbox network through the adapter protocol, as socialdesk uses it."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, select, text

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.networks.base import (
    AuthError,
    ChannelAccount,
    IdempotencyMethod,
    IncomingItem,
    IncomingKind,
    MediaKind,
    OutcomeUnknown,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)
from socialdesk.networks.profiles import NETWORK_PROFILES
from socialdesk.networks.sandbox import adapter as sandbox_adapter
from socialdesk.networks.sandbox import admin, faults
from socialdesk.networks.sandbox.adapter import SandboxAdapter, connect
from socialdesk.networks.sandbox.models import SandboxPost
from socialdesk.networks.sandbox.phrases import PHRASES
from socialdesk.networks.sandbox.server import sandbox_database

JPEG = OutgoingMedia(Path("cup.jpg"), MediaKind.IMAGE, "image/jpeg", 200_000, alt_text="A cup")
MIXED = {"en": 0.25, "hr": 0.2, "sr": 0.1, "de": 0.1, "es": 0.1, "fr": 0.1, "ru": 0.1, "it": 0.03, "pt": 0.02}


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    # The caches are pure, but a test that proves determinism must not be helped by them.
    admin.reset_caches()
    yield


def channel(handle: str, profile: str = "instagram", **options: Any) -> SandboxAdapter:
    info = connect(handle, profile, **options)
    return SandboxAdapter(ChannelAccount("channel-1", info["external_id"], info["handle"], info["credentials"],
                                         info["settings"]))


def post(text: str = "Fresh coffee and cake today! #coffee #food", key: str = "", **kw: Any) -> OutgoingPost:
    return OutgoingPost(text, media=kw.pop("media", [JPEG]), idempotency_key=key, **kw)


def local(adapter: SandboxAdapter, day: int, hour: int, minute: int = 5) -> datetime:
    tz = ZoneInfo(adapter.account.settings["timezone"])
    return datetime(2026, 3, 3, tzinfo=tz) + timedelta(days=day, hours=hour, minutes=minute)


def read_inbox(adapter: SandboxAdapter, cursor: str | None = None) -> tuple[list[IncomingItem], str | None]:
    items: list[IncomingItem] = []
    while True:
        page = adapter.fetch_inbox(cursor)
        items += page.items
        cursor = page.cursor
        if len(page.items) < sandbox_adapter.PAGE_SIZE:
            return items, cursor


# Connecting --------------------------------------------------------------------------------------


def test_connect_returns_what_a_channel_stores_and_is_idempotent(database: Database, clock: ManualClock) -> None:
    first = connect("kavaco.ig", "instagram", audience_size="800", languages="hr:0.7, en:0.3",
                    timezone="Europe/Zagreb", topics="food,events")
    assert set(first) == {"external_id", "handle", "display_name", "credentials", "settings"}
    assert first["settings"]["profile"] == "instagram"
    assert first["settings"]["languages"] == {"hr": 0.7, "en": 0.3}
    assert first["settings"]["timezone"] == "Europe/Zagreb"
    assert first["credentials"]["access_token"]
    again = connect("kavaco.ig", "instagram", audience_size=5000)
    assert again == first, "connecting again returns the same account, token included"
    with pytest.raises(ValueError, match="profile"):
        connect("other", "myspace")
    with pytest.raises(ValueError, match="handle"):
        connect("two words", "x")


def test_capabilities_imitate_the_profile(database: Database, clock: ManualClock) -> None:
    caps = channel("brand_x", "x").capabilities()
    real = NETWORK_PROFILES["x"]
    assert caps.label == "X-like sandbox"
    assert caps.idempotency == IdempotencyMethod.KEY
    # …and takes a first comment, posted by the publisher as a step of its own (publishing/steps.py).
    assert [o.name for o in caps.options] == ["first_comment"] and caps.first_comment_step
    assert dataclasses.replace(caps, label=real.label, idempotency=real.idempotency, options=real.options,
                               first_comment_step=real.first_comment_step) == real
    # Without I/O, from the channel's settings alone (the registry asks before any credentials).
    bare = SandboxAdapter(ChannelAccount("", "", "", {}, {"profile": "mastodon"}))
    assert bare.capabilities().label == "Mastodon-like sandbox"


# Publishing --------------------------------------------------------------------------------------


def test_publish_then_metrics_grow_over_time_and_never_decrease(database: Database, clock: ManualClock) -> None:
    adapter = channel("grow", "x", audience_size=3000, topics=["food"])
    published = adapter.publish(post(media=[]))
    assert published.published_at == clock.now()
    assert published.url and published.url.startswith("sandbox://grow/posts/")
    snapshots = []
    for hours in (0, 1, 3, 24, 72, 24 * 8):
        clock.set(published.published_at + timedelta(hours=hours))
        snapshots.append(adapter.post_metrics([published.external_id])[published.external_id])
    names = ("impressions", "likes", "reposts", "comments", "quotes", "saves")
    for earlier, later in pairwise(snapshots):
        assert all(getattr(later, n) >= getattr(earlier, n) for n in names)
    at_start, at_1h, at_24h = snapshots[0], snapshots[1], snapshots[3]
    assert at_start.impressions == 0
    assert 0 < at_1h.impressions < at_24h.impressions
    assert at_24h.likes > 0


def test_metrics_a_network_does_not_offer_are_none(database: Database, clock: ManualClock) -> None:
    for profile, offered, absent in (
        ("instagram", {"reach", "views", "likes", "comments", "saves", "reposts"}, {"impressions", "clicks", "quotes"}),
        ("mastodon", {"likes", "reposts", "comments", "quotes"}, {"impressions", "reach", "views", "saves"}),
    ):
        adapter = channel(f"metrics_{profile}", profile, audience_size=500)
        published = adapter.publish(post())
        clock.advance(timedelta(hours=6))
        metrics = adapter.post_metrics([published.external_id, "nonsense"])
        assert set(metrics) == {published.external_id}, "unknown ids are left out"
        values = dataclasses.asdict(metrics[published.external_id])
        assert all(isinstance(values[name], int) for name in offered), profile
        assert all(values[name] is None for name in absent), profile
        clock.set(clock.now() - timedelta(hours=6))
    generic = channel("metrics_generic", "generic").account_metrics()
    assert generic.followers is None and generic.posts is None


def test_an_idempotency_key_prevents_a_duplicate(database: Database, clock: ManualClock) -> None:
    adapter = channel("once", "instagram")
    first = adapter.publish(post(key="publication-1"))
    clock.advance(timedelta(minutes=5))
    again = adapter.publish(post(key="publication-1"))
    assert again == first
    other = adapter.publish(post(key="publication-2"))
    assert other.external_id != first.external_id
    with sandbox_database().read_sessions() as session:
        assert len(session.scalars(select(SandboxPost)).all()) == 2


def test_concurrent_repeats_of_a_key_make_one_post(database: Database, clock: ManualClock) -> None:
    adapter = channel("racing", "x")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: adapter.publish(post("Once only", key="pub-race", media=[])), range(16)))
    assert len({r.external_id for r in results}) == 1
    others = list(ThreadPoolExecutor(max_workers=8).map(
        lambda i: adapter.publish(post(f"Post {i}", key=f"pub-{i}", media=[])).external_id, range(16)))
    assert len(set(others)) == 16, "different posts get different numbers, even when they race"
    assert adapter.account_metrics().posts == 17


def test_find_published_by_key_or_by_text(database: Database, clock: ManualClock) -> None:
    adapter = channel("finder", "x")
    since = clock.now()
    clock.advance(timedelta(minutes=1))
    by_key = adapter.publish(post("Keyed post", key="pub-7", media=[]))
    by_text = adapter.publish(post("  Unkeyed post  ", media=[]))
    assert adapter.find_published(post("anything", key="pub-7", media=[]), since) == by_key
    assert adapter.find_published(post("Unkeyed post", media=[]), since) == by_text
    assert adapter.find_published(post("Unkeyed post", media=[]), clock.now() + timedelta(seconds=1)) is None
    assert adapter.find_published(post("Never sent", media=[]), since) is None


def test_the_post_survives_a_rollback_of_the_callers_transaction(database: Database, clock: ManualClock) -> None:
    adapter = channel("survivor", "x")
    with pytest.raises(RuntimeError), database.unit_of_work() as session:
        # The caller's transaction has begun (on SQLite it now holds the write lock) and wrote.
        session.execute(text("CREATE TABLE caller_scratch (n INTEGER)"))
        published = adapter.publish(post("Sent before the crash", key="pub-1", media=[]))
        raise RuntimeError("the caller's transaction fails after the network call")
    assert not inspect(database.engine).has_table("caller_scratch"), "the caller's own work was rolled back"
    # The network kept the post: a retry with the same key finds it instead of posting twice.
    assert adapter.find_published(post("Sent before the crash", key="pub-1", media=[]), clock.now()) == published
    assert adapter.publish(post("Sent before the crash", key="pub-1", media=[])) == published


def test_posts_are_checked_against_the_imitated_network(database: Database, clock: ManualClock) -> None:
    x, instagram = channel("rules_x", "x"), channel("rules_ig", "instagram")
    with pytest.raises(PermanentNetworkError, match="too long: 300 characters, the maximum is 280"):
        x.publish(post("a" * 300, media=[]))
    with pytest.raises(PermanentNetworkError, match="requires an image or a video"):
        instagram.publish(post(media=[]))
    with pytest.raises(PermanentNetworkError, match="Too many attachments"):
        x.publish(post(media=[JPEG] * 5))
    png = dataclasses.replace(JPEG, content_type="image/png")
    with pytest.raises(PermanentNetworkError, match="Unsupported media type image/png") as refused:
        instagram.publish(post(media=[png]))
    assert refused.value.status_code == 415
    with pytest.raises(PermanentNetworkError, match="not supported"):
        channel("rules_ig2", "instagram").publish(post(reply_to_external_id="whatever"))
    thread = x.publish(post("First", media=[]))
    assert x.publish(post("Second", media=[], reply_to_external_id=thread.external_id)).external_id
    with pytest.raises(PermanentNetworkError, match="not found"):
        x.publish(post("Third", media=[], reply_to_external_id=thread.external_id + "9"))


def test_the_profiles_rate_limit_applies(database: Database, clock: ManualClock) -> None:
    adapter = channel("busy", "instagram")  # Instagram: 50 API posts per 24 hours
    posts = adapter.capabilities().rate_limit.posts  # type: ignore[union-attr]
    for i in range(posts):
        adapter.publish(post(f"Post {i}"))
        clock.advance(timedelta(seconds=30))
    with pytest.raises(RateLimited) as limited:
        adapter.publish(post("One too many"))
    assert limited.value.retry_after == pytest.approx(24 * 3600 - posts * 30, abs=2)
    clock.advance(timedelta(seconds=limited.value.retry_after or 0))
    assert adapter.publish(post("Allowed again")).external_id


# Faults ------------------------------------------------------------------------------------------


def test_faults_are_served_in_order_one_per_publish(database: Database, clock: ManualClock) -> None:
    adapter = channel("faulty", "x")
    faults.inject("faulty", ["server_error", {"kind": "rate_limited", "retry_after": 30}, "connection_reset",
                             "invalid", "expired_token"])
    assert [f.kind for f in faults.pending("faulty")] == [
        "server_error", "rate_limited", "connection_reset", "invalid", "expired_token"]
    with pytest.raises(TransientNetworkError, match="503") as error:
        adapter.publish(post(key="k", media=[]))
    assert error.value.status_code == 503 and error.value.transient
    with pytest.raises(RateLimited) as limited:
        adapter.publish(post(key="k", media=[]))
    assert limited.value.retry_after == 30
    with pytest.raises(TransientNetworkError, match="reset"):
        adapter.publish(post(key="k", media=[]))
    with pytest.raises(PermanentNetworkError, match="Invalid request"):
        adapter.publish(post(key="k", media=[]))
    with pytest.raises(AuthError, match="expired"):
        adapter.publish(post(key="k", media=[]))
    assert adapter.find_published(post(key="k", media=[]), clock.now() - timedelta(days=1)) is None, \
        "no failed try stored anything"
    assert adapter.publish(post(key="k", media=[])).external_id
    assert faults.pending("faulty") == []


def test_a_timeout_after_sending_stores_the_post(database: Database, clock: ManualClock) -> None:
    adapter = channel("lost_answer", "x")
    faults.inject("lost_answer", ["timeout_after_send"])
    since = clock.now()
    with pytest.raises(OutcomeUnknown):
        adapter.publish(post("Did it go out?", key="pub-9", media=[]))
    found = adapter.find_published(post("Did it go out?", key="pub-9", media=[]), since)
    assert found is not None
    assert adapter.publish(post("Did it go out?", key="pub-9", media=[])) == found
    assert adapter.account_metrics().posts == 1


def test_faults_for_other_operations_and_latency(database: Database, clock: ManualClock) -> None:
    adapter = channel("slow", "x")
    faults.inject("slow", [{"kind": "server_error", "on": "fetch_inbox", "status": 502}])
    adapter.publish(post(media=[]))  # not taken by publish
    with pytest.raises(TransientNetworkError, match="502"):
        adapter.fetch_inbox(None)
    assert adapter.fetch_inbox(None).cursor
    faults.set_latency("slow", 120)
    started = time.perf_counter()
    adapter.account_metrics()
    assert time.perf_counter() - started >= 0.12
    with pytest.raises(ValueError, match="unknown fault"):
        faults.inject("slow", ["gremlins"])
    with pytest.raises(LookupError):
        faults.inject("nobody", ["invalid"])


def test_a_revoked_token_fails_every_call_until_reconnected(database: Database, clock: ManualClock) -> None:
    adapter = channel("revoked", "instagram")
    published = adapter.publish(post())
    faults.inject("revoked", ["revoked"])
    calls = [lambda: adapter.publish(post()), lambda: adapter.fetch_inbox(None),
             lambda: adapter.post_metrics([published.external_id]), adapter.account_metrics, adapter.followers,
             lambda: adapter.delete(published.external_id), lambda: adapter.find_published(post(), clock.now())]
    for call in calls:
        with pytest.raises(AuthError, match="The access token was revoked"):
            call()
    fresh = channel("revoked", "instagram")  # reconnecting issues a new token
    assert fresh.account.credentials != adapter.account.credentials
    assert fresh.account_metrics().posts == 1
    with pytest.raises(AuthError, match="not valid"):
        adapter.account_metrics()


# The inbox ---------------------------------------------------------------------------------------


def test_the_inbox_cursor_returns_each_item_exactly_once(database: Database, clock: ManualClock,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox_adapter, "PAGE_SIZE", 7)
    adapter = channel("cursor", "instagram", audience_size=3000, languages={"hr": 0.6, "en": 0.4}, topics=["food"])
    start = clock.now()
    seen: list[IncomingItem] = []
    cursor = None
    for step in range(40):
        if step % 3 == 0:
            adapter.publish(post(f"Day {step}: coffee, cake and a question for you? #coffee"))
        clock.advance(timedelta(hours=4, minutes=7))
        items, cursor = read_inbox(adapter, cursor)
        assert all(start < item.created_at <= clock.now() for item in items)
        assert items == sorted(items, key=lambda i: (i.created_at, i.external_id)), "oldest first"
        seen += items
    ids = [item.external_id for item in seen]
    assert len(ids) == len(set(ids)), "no item twice"
    everything, _ = read_inbox(adapter, None)
    assert {i.external_id for i in everything} == set(ids), "and none missed"
    assert len(ids) > 5 * 7, "enough to need several pages"
    with pytest.raises(PermanentNetworkError, match="cursor"):
        adapter.fetch_inbox("not-a-cursor!")


def test_comments_come_in_several_languages_and_kinds(database: Database, clock: ManualClock) -> None:
    adapter = channel("babel", "x", audience_size=4000, languages=MIXED, topics=["food"])  # X reports languages
    for day in range(10):
        clock.set(local(adapter, day, 19))
        adapter.publish(post("New menu: cake, coffee and pizza! What do you think? #food #coffee", media=[]))
    clock.advance(timedelta(days=3))
    items, _ = read_inbox(adapter)
    comments = [i for i in items if i.kind == IncomingKind.COMMENT]
    by_kind = Counter(i.kind for i in items)
    assert by_kind[IncomingKind.DIRECT_MESSAGE] > 0 and by_kind[IncomingKind.MENTION] > 0
    assert all(i.post_external_id for i in comments)
    languages = Counter(i.language for i in comments)
    assert len(languages) >= 6, languages
    russian = [i.text for i in comments if i.language == "ru" and any(ch.isalpha() for ch in i.text)]
    assert all(any("а" <= ch <= "я" for ch in text.lower()) for text in russian)
    texts = " ".join(i.text for i in comments)
    assert "?" in texts, "questions"
    assert any(i.text.startswith(SPAM) for i in items), "spam, in comments or messages"
    assert any(i.parent_external_id for i in comments), "some comments answer others"
    parents = {i.external_id for i in comments}
    assert all(i.parent_external_id in parents for i in comments if i.parent_external_id)
    assert any("#food" in i.text or "#coffee" in i.text or "ood" in i.text for i in comments), "topic mentioned"
    assert all(i.author_handle and i.author_name and i.author_external_id for i in items)


SPAM = tuple({t.split("{")[0][:12] for book in PHRASES.values() for t in book["spam"] + book["dm_spam"]})


def test_reply_hide_and_delete(database: Database, clock: ManualClock) -> None:
    adapter = channel("moderator", "instagram", audience_size=3000, topics=["food"])
    published = [adapter.publish(post(f"Post {i}: coffee or tea? #coffee")) for i in range(3)]
    clock.advance(timedelta(days=2))
    items, cursor = read_inbox(adapter)
    under = Counter(i.post_external_id for i in items if i.kind == IncomingKind.COMMENT)
    target = max(published, key=lambda p: under[p.external_id])
    published.remove(target)
    published.insert(0, target)
    comments = [i for i in items if i.kind == IncomingKind.COMMENT and i.post_external_id == target.external_id]
    assert len(comments) >= 2
    before = adapter.post_metrics([published[0].external_id])[published[0].external_id].comments

    adapter.hide(comments[0].external_id)
    adapter.hide(comments[0].external_id)  # hiding twice is harmless
    after = adapter.post_metrics([published[0].external_id])[published[0].external_id].comments
    assert after == before - 1
    assert comments[0].external_id not in {i.external_id for i in read_inbox(adapter)[0]}
    with pytest.raises(PermanentNetworkError, match="not found"):
        adapter.hide("nonsense")
    dm = next(i for i in items if i.kind == IncomingKind.DIRECT_MESSAGE)
    with pytest.raises(PermanentNetworkError, match="Only comments"):
        adapter.hide(dm.external_id)

    reply_id = adapter.reply(comments[1].external_id, "Thank you! ☕")
    assert adapter.post_metrics([published[0].external_id])[published[0].external_id].comments == after + 1
    with pytest.raises(PermanentNetworkError, match="not found"):
        adapter.reply("nonsense", "Hello")
    with pytest.raises(PermanentNetworkError, match="empty"):
        adapter.reply(comments[1].external_id, "  ")
    assert reply_id not in {i.external_id for i in read_inbox(adapter)[0]}, "our own replies are not inbox items"

    frozen = adapter.post_metrics([published[1].external_id])[published[1].external_id]
    adapter.delete(published[1].external_id)
    adapter.delete(published[1].external_id)  # deleting twice is harmless
    clock.advance(timedelta(days=3))
    later = adapter.post_metrics([published[1].external_id])[published[1].external_id]
    assert dataclasses.replace(later, collected_at=frozen.collected_at) == frozen, "a deleted post stops growing"
    assert adapter.account_metrics().posts == 2
    with pytest.raises(PermanentNetworkError, match="not found"):
        adapter.delete("nonsense")
    assert cursor


def test_members_answer_some_of_our_replies(database: Database, clock: ManualClock) -> None:
    adapter = channel("chatty", "instagram", audience_size=4000, topics=["food"])
    for _ in range(4):
        adapter.publish(post("What is your favourite coffee? #coffee"))
        clock.advance(timedelta(hours=6))
    items, cursor = read_inbox(adapter)
    replies = {adapter.reply(i.external_id, "Thanks for writing!"): i for i in items if "example" not in i.text}
    assert len(replies) >= 10
    clock.advance(timedelta(minutes=30))
    soon, cursor = read_inbox(adapter, cursor)
    assert all(i.created_at <= clock.now() for i in soon), "answers come when they come, not before"
    clock.advance(timedelta(days=1))
    later, _ = read_inbox(adapter, cursor)
    later = soon + later
    answers = [i for i in later if i.parent_external_id in replies]
    assert 0 < len(answers) < len(replies)
    for answer in answers:
        original = replies[answer.parent_external_id or ""]
        assert answer.author_external_id == original.author_external_id
        assert answer.kind == (IncomingKind.DIRECT_MESSAGE if original.kind == IncomingKind.DIRECT_MESSAGE
                               else IncomingKind.COMMENT)
    assert adapter.reply(answers[0].external_id, "You're welcome").endswith(f"_r{len(replies) + 1}")


def test_profiles_without_comments_or_messages_have_none(database: Database, clock: ManualClock) -> None:
    mastodon = channel("no_dms", "mastodon", audience_size=3000, topics=["food"])
    generic = channel("no_comments", "generic", audience_size=3000, topics=["food"])
    for adapter in (mastodon, generic):
        for _ in range(3):
            adapter.publish(post("Coffee time? #coffee"))
            clock.advance(timedelta(hours=8))
    clock.advance(timedelta(days=3))
    kinds = {i.kind for i in read_inbox(generic)[0]}
    assert kinds == set(), "a generic network has no inbox"
    mastodon_kinds = {i.kind for i in read_inbox(mastodon)[0]}
    assert IncomingKind.COMMENT in mastodon_kinds
    assert (IncomingKind.DIRECT_MESSAGE in mastodon_kinds) == mastodon.capabilities().direct_messages
    with pytest.raises(PermanentNetworkError, match="not supported"):
        generic.reply("x", "hello")
    with pytest.raises(PermanentNetworkError, match="not supported"):
        mastodon.hide("x")


# Followers ---------------------------------------------------------------------------------------


def test_followers_change_over_time(database: Database, clock: ManualClock) -> None:
    adapter = channel("growing", "instagram", audience_size=3000, topics=["food"])
    start = adapter.account_metrics().followers
    assert start and 1000 < start < 2500
    counts = [start]
    for day in range(20):
        clock.set(local(adapter, day, 19))
        adapter.publish(post("Cake, coffee and brunch #food #coffee #brunch"))
        clock.advance(timedelta(hours=20))
        counts.append(adapter.account_metrics().followers)
    assert len(set(counts)) > 5, "the number moves"
    page = adapter.followers(limit=400)
    assert any(f.followed_at and f.followed_at > local(adapter, 0, 0) for f in page.followers), "newcomers"
    assert page.total == counts[-1]
    seen = [f.external_id for f in page.followers]
    while page.cursor:
        page = adapter.followers(page.cursor, limit=400)
        seen += [f.external_id for f in page.followers]
    assert len(seen) == len(set(seen)) == counts[-1]


# Determinism -------------------------------------------------------------------------------------


def history(seed: int, clock: ManualClock) -> tuple[list[Any], list[tuple[str, str, str]], int]:
    """Publish the same posts at the same moments on a fresh account; what the audience did."""
    admin.delete_account("twin")
    admin.reset_caches()
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("UTC")))
    adapter = channel("twin", "x", audience_size=1500, seed=seed)
    published = []
    for i in range(5):
        published.append(adapter.publish(post(f"Post {i} about coffee #coffee", media=[])))
        clock.advance(timedelta(hours=7))
    clock.advance(timedelta(days=2))
    metrics = adapter.post_metrics([p.external_id for p in published])
    items, _ = read_inbox(adapter)
    numbers = [dataclasses.replace(metrics[p.external_id]) for p in published]
    return numbers, [(i.external_id, i.author_handle, i.text) for i in items], adapter.account_metrics().followers or 0


def test_the_same_seed_gives_the_same_world_and_another_seed_another(database: Database, clock: ManualClock) -> None:
    first, again, other = history(7, clock), history(7, clock), history(8, clock)
    assert first == again
    assert first[0] != other[0]
    assert first[1] != other[1]


def test_activity_peak_beats_four_in_the_morning(database: Database, clock: ManualClock) -> None:
    adapter = channel("early_bird", "x", audience_size=3000, languages={"hr": 0.8, "en": 0.2},
                      timezone="Europe/Zagreb", topics=["food"])
    peak = admin.audience_activity("early_bird").peak_hours[0]
    sent: dict[str, list[str]] = {"peak": [], "night": []}
    for day in range(6):
        for label, hour in (("peak", peak), ("night", 4)):
            clock.set(local(adapter, day, hour))
            sent[label].append(adapter.publish(post(f"Day {day}: coffee #coffee", media=[])).external_id)
    clock.advance(timedelta(days=7))
    metrics = adapter.post_metrics(sent["peak"] + sent["night"])

    def engagement(label: str) -> float:
        return sum(metrics[i].likes + metrics[i].comments + metrics[i].reposts for i in sent[label]) / 6  # type: ignore[operator]

    assert engagement("peak") > 1.5 * engagement("night")


def test_five_thousand_members_and_a_hundred_posts_answer_fast(database: Database, clock: ManualClock) -> None:
    adapter = channel("big", "instagram", audience_size=5000, languages={"hr": 0.7, "en": 0.3})
    published = []
    for i in range(100):
        published.append(adapter.publish(post(f"Post {i} #coffee")).external_id)
        clock.advance(timedelta(hours=5, minutes=11))
    adapter.post_metrics(published)  # warm-up: the timelines are computed once
    read_inbox(adapter)
    timings = {}
    for name, call in (("metrics", lambda: adapter.post_metrics(published)),
                       ("inbox", lambda: read_inbox(adapter)), ("account", adapter.account_metrics)):
        started = time.perf_counter()
        call()
        timings[name] = time.perf_counter() - started
    assert max(timings.values()) < 0.5, timings
