"""Competitors on the real local Bluesky servers: a competitor added on the local AppView gets a follower
and engagement snapshot (app.bsky.actor.getProfile + app.bsky.feed.getAuthorFeed) and appears in the
benchmark with intervals. PostgreSQL pass, like the other tests here (the AppView needs PostgreSQL)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from socialdesk.competitors import service
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.networks.public import profiles
from tests.helpers import make_world
from tests.integration.bluesky.pds import INSTALL_TIMEOUT, Network

WITHIN_SECONDS = 60


@pytest.mark.slow
@pytest.mark.timeout(INSTALL_TIMEOUT + 300)
def test_a_bluesky_competitor_gets_snapshots_and_a_benchmark(database: Database, bluesky: Network,
                                                              real_now: ManualClock) -> None:
    if not bluesky.appview:
        pytest.skip("the AppView did not start")
    rival = bluesky.create_account("rivalcafe")
    fan = bluesky.create_account("kavafan")
    rival_client, fan_client = bluesky.signed_in(rival), bluesky.signed_in(fan)
    fan_client.follow(rival.did)
    posts = [rival_client.send_post(text=f"Kava dana broj {i} #kava", langs=["hr"]) for i in range(6)]
    fan_client.like(posts[0].uri, posts[0].cid)
    fan_client.like(posts[1].uri, posts[1].cid)
    fan_client.repost(posts[0].uri, posts[0].cid)
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        competitor = service.add(world.ctx(s), network="bluesky", handle=rival.handle, service=bluesky.appview)
        competitor_id = competitor.id
    deadline = time.monotonic() + WITHIN_SECONDS
    while True:  # the AppView indexes what the PDS sends it within seconds; read (not stored) until it has
        profile = profiles.bluesky_profile(bluesky.appview, rival.handle)
        engagement = sum(p.likes + p.reposts for p in profile.posts)
        if ((len(profile.posts) == 6 and engagement == 3 and profile.followers == 1 and profile.posts_count == 6)
                or time.monotonic() > deadline):
            break
        time.sleep(1)
    # One stored snapshot of the indexed account (an earlier one, taken before the follow was indexed, would
    # give the posts 0 followers at their time and no engagement per follower).
    real_now.set(datetime.now(UTC))
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        result = service.snapshot(ctx, service.find(ctx, competitor_id))
    assert result.error == "" and result.snapshot is not None, result.error
    assert result.snapshot.followers == 1 and result.snapshot.posts_count == 6
    first = next(p for p in result.snapshot.posts if p["text"] == "Kava dana broj 0 #kava")
    assert (first["likes"], first["reposts"], first["replies"]) == (1, 1, 0)
    assert first["hashtags"] == ["kava"] and first["format"] == "text"
    assert first["url"].startswith(f"https://bsky.app/profile/{rival.handle}/post/")
    with database.unit_of_work() as s:
        bench = service.benchmark(world.ctx(s), days=7)
    them = bench["accounts"][1]
    assert them["name"] == rival.handle and them["posts"] == 6 and them["followers"]["end"] == 1
    per_post = them["engagement_per_post"]
    assert per_post["n"] == 6 and per_post["enough"] and per_post["low"] <= 0.5 <= per_post["high"]
    assert them["engagement_per_follower_percent"]["value"] == 50.0  # 3 engagements ÷ (6 posts × 1 follower)
