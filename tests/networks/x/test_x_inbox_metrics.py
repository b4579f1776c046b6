"""The X inbox (mentions, replies found by conversation search, DMs, behind one cursor), its actions, rate
limits, and metrics, against the contract server."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from socialdesk.channels import service as channels
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import service as inbox
from socialdesk.networks.base import IncomingKind, OutgoingPost, PermanentNetworkError
from socialdesk.networks.x.adapter import XAdapter
from tests.networks.x.conftest import XWorld, connect_channel


def _adapter(db: Database, x: XWorld, **kwargs: bool) -> XAdapter:
    _, channel_id = connect_channel(db, x, **kwargs)
    adapter = channels.fresh_adapter(db, channel_id)
    assert isinstance(adapter, XAdapter)
    return adapter


def test_mentions_replies_and_dms_come_in_behind_one_cursor(database: Database, x: XWorld,
                                                            clock: ManualClock) -> None:
    adapter = _adapter(database, x)
    ours = adapter.publish(OutgoingPost("Our launch"))
    clock.advance(timedelta(minutes=1))
    reply = x.server.post_as(x.fan, "Congrats!", reply_to=ours.external_id)
    mention = x.server.post_as(x.fan, "Hey @brand, do you ship to Split?")
    dm = x.server.send_dm(x.fan, x.brand, "Where is my order?")
    x.server.post_as(x.fan, "Unrelated post")

    page = adapter.fetch_inbox(None)
    kinds = {i.external_id: i.kind for i in page.items}
    assert kinds == {reply.id: IncomingKind.COMMENT, mention.id: IncomingKind.MENTION,
                     f"dm:{dm['dm_conversation_id']}:{dm['id']}": IncomingKind.DIRECT_MESSAGE}
    comment = next(i for i in page.items if i.kind == IncomingKind.COMMENT)
    assert (comment.post_external_id, comment.parent_external_id) == (ours.external_id, ours.external_id)
    assert comment.author_handle == "fan" and comment.url == f"https://x.com/fan/status/{reply.id}"
    (search,) = x.server.calls_to("GET", "/2/tweets/search/recent")
    assert search.query["query"] == f"conversation_id:{ours.external_id}"
    assert json.loads(page.cursor or "{}")["mention_since"] == mention.id

    # Only what is new comes next time.
    clock.advance(timedelta(minutes=2))
    later = x.server.post_as(x.fan, "@brand one more", reply_to=reply.id)
    again = adapter.fetch_inbox(page.cursor)
    assert [i.external_id for i in again.items] == [later.id]
    assert again.items[0].kind == IncomingKind.COMMENT  # a reply in our conversation, though it mentions us
    assert x.server.calls_to("GET", f"/2/users/{x.brand.id}/mentions")[-1].query["since_id"] == mention.id
    # Only what is new is read (each post read is billed): our posts and the replies by since_id.
    ours_reads = x.server.calls_to("GET", f"/2/users/{x.brand.id}/tweets")
    assert "start_time" in ours_reads[0].query and ours_reads[-1].query["since_id"] == ours.external_id
    assert x.server.calls_to("GET", "/2/tweets/search/recent")[-1].query["since_id"] == reply.id
    assert x.server.calls_to("GET", "/2/dm_events")[-1].query["max_results"] == "20"


def test_a_spent_dm_window_skips_dms_until_xs_reset_and_the_rest_still_comes(
        database: Database, x: XWorld, clock: ManualClock) -> None:
    adapter = _adapter(database, x)
    cursor = None
    for _ in range(15):  # GET /2/dm_events: 15 per 15 minutes
        cursor = adapter.fetch_inbox(cursor).cursor
    mention = x.server.post_as(x.fan, "@brand still there?")
    page = adapter.fetch_inbox(cursor)  # the 16th DM read is refused with 429
    assert [i.external_id for i in page.items] == [mention.id]
    wait = json.loads(page.cursor or "{}")["wait"]
    assert set(wait) == {"dms"} and wait["dms"] > clock.now().timestamp()
    refused = len(x.server.calls_to("GET", "/2/dm_events"))
    adapter.fetch_inbox(page.cursor)
    assert len(x.server.calls_to("GET", "/2/dm_events")) == refused  # not asked again before the reset
    clock.advance(timedelta(minutes=16))
    x.server.send_dm(x.fan, x.brand, "hello?")
    assert [i.kind for i in adapter.fetch_inbox(page.cursor).items] == [IncomingKind.DIRECT_MESSAGE]


def test_inbox_items_are_stored_through_the_normal_ingestion(database: Database, x: XWorld) -> None:
    _world, channel_id = connect_channel(database, x)
    x.server.post_as(x.fan, "@brand love it")
    assert inbox.fetch_channel(database, channel_id) == 1
    assert inbox.fetch_channel(database, channel_id) == 0


def test_reply_like_hide_and_their_limits(database: Database, x: XWorld) -> None:
    adapter = _adapter(database, x)
    ours = adapter.publish(OutgoingPost("Our post"))
    reply = x.server.post_as(x.fan, "Nice", reply_to=ours.external_id)
    answer_id = adapter.reply(reply.id, "Thank you!")
    assert x.server.tweets[answer_id].reply_to == reply.id
    adapter.like(reply.id)
    assert x.brand.id in x.server.tweets[reply.id].likes
    adapter.unlike(reply.id)
    assert not x.server.tweets[reply.id].likes
    adapter.hide(reply.id)
    assert x.server.tweets[reply.id].hidden
    adapter.unhide(reply.id)
    assert not x.server.tweets[reply.id].hidden
    # Not our conversation: X refuses, and its words reach the user.
    theirs = x.server.post_as(x.fan, "My own thread")
    under = x.server.post_as(x.fan, "@brand what do you think?", reply_to=theirs.id)
    with pytest.raises(PermanentNetworkError, match="conversations you did not start"):
        adapter.hide(under.id)
    with pytest.raises(PermanentNetworkError, match="only its own posts"):
        adapter.delete_comment(under.id)
    adapter.delete(answer_id)
    assert answer_id not in x.server.tweets


def test_a_dm_is_answered_in_its_conversation(database: Database, x: XWorld) -> None:
    adapter = _adapter(database, x)
    dm = x.server.send_dm(x.fan, x.brand, "Hi")
    (item,) = adapter.fetch_inbox(None).items
    adapter.reply(item.external_id, "Hello, how can we help?")
    (sent,) = x.server.calls_to("POST", f"/2/dm_conversations/{dm['dm_conversation_id']}/messages")
    assert sent.json() == {"text": "Hello, how can we help?"}


def test_blocking_is_enterprise_only(database: Database, x: XWorld) -> None:
    adapter = _adapter(database, x)
    assert not adapter.capabilities().block_authors
    with pytest.raises(PermanentNetworkError, match="Enterprise"):
        adapter.block(x.fan.id)
    assert not x.server.calls_to("POST", f"/2/users/{x.brand.id}/blocking")
    x.brand.enterprise = True
    enterprise = XAdapter(adapter.account.__class__(**{**adapter.account.__dict__,
                                                       "settings": {**adapter.account.settings, "enterprise": True}}))
    enterprise.block(x.fan.id)
    assert (x.brand.id, x.fan.id) in x.server.blocks
    enterprise.unblock(x.fan.id)
    assert not x.server.blocks


def test_metrics_public_for_all_private_for_our_recent_posts_and_none_when_missing(
        database: Database, x: XWorld, clock: ManualClock) -> None:
    _, channel_id = connect_channel(database, x)
    old = channels.fresh_adapter(database, channel_id).publish(OutgoingPost("Old post"))
    clock.advance(timedelta(days=31))
    adapter = channels.fresh_adapter(database, channel_id)  # the 2-hour token is long gone: refreshed
    new = adapter.publish(OutgoingPost("New post"))
    x.server.tweets[new.external_id].impressions = 900
    x.server.tweets[new.external_id].link_clicks = 12
    x.server.tweets[old.external_id].impressions = 50
    x.server.post_as(x.fan, "reply", reply_to=new.external_id)
    metrics = adapter.post_metrics([new.external_id, old.external_id])
    assert (metrics[new.external_id].impressions, metrics[new.external_id].clicks) == (900, 12)
    assert metrics[new.external_id].comments == 1 and metrics[new.external_id].likes == 0
    assert metrics[old.external_id].impressions == 50
    assert metrics[old.external_id].clicks is None and metrics[old.external_id].reach is None
    private = x.server.calls_to("GET", "/2/tweets")[-1]
    assert private.query["ids"] == new.external_id and "non_public_metrics" in private.query["tweet.fields"]
    account = adapter.account_metrics()
    assert (account.followers, account.following, account.posts) == (1200, 80, 2)


def test_a_window_x_says_is_spent_is_not_asked_again_before_its_reset(database: Database, x: XWorld) -> None:
    from socialdesk.networks.base import RateLimited
    from tests.contract.x import LIMITS

    adapter = _adapter(database, x)
    LIMITS["GET /2/users/me"] = 2  # connect's check took the first
    try:
        adapter.account_metrics()  # the last one in the window: remaining 0
        with pytest.raises(RateLimited) as limited:
            adapter.account_metrics()
        assert limited.value.retry_after and limited.value.retry_after > 0
        assert len(x.server.calls_to("GET", "/2/users/me")) == 2  # connect's check and the first one only
    finally:
        del LIMITS["GET /2/users/me"]


def test_followers_page_by_page(database: Database, x: XWorld) -> None:
    adapter = _adapter(database, x)
    others = [x.server.add_user(f"reader{n}") for n in range(3)]
    for person in [x.fan, *others]:
        x.server.follows.add((person.id, x.brand.id))
    first = adapter.followers(limit=2)
    assert [f.handle for f in first.followers] == ["fan", "reader0"] and first.cursor
    second = adapter.followers(first.cursor, limit=2)
    assert [f.handle for f in second.followers] == ["reader1", "reader2"] and second.cursor is None
