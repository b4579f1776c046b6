"""Competitors on a Mastodon server process (mastodon_mock): account lookup and its statuses give a
snapshot with followers and per-post engagement, which appears in the benchmark with intervals.
(The Bluesky one is tests/integration/bluesky/test_competitors_bluesky.py.)"""

from __future__ import annotations

from datetime import UTC, datetime

from socialdesk.competitors import service
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.helpers import make_world


def test_a_mastodon_competitor_gets_snapshots_and_a_benchmark(database: Database, mastodon_peer: object,
                                                               real_now: ManualClock) -> None:
    peer = mastodon_peer
    rival, rival_token = peer.new_account("rival")  # type: ignore[attr-defined]
    _, fan_token = peer.new_account("fan")  # type: ignore[attr-defined]
    api, fan = peer.api(rival_token), peer.api(fan_token)  # type: ignore[attr-defined]
    account_id = api.get("/api/v1/accounts/verify_credentials")["id"]
    fan.post(f"/api/v1/accounts/{account_id}/follow")
    statuses = [api.post("/api/v1/statuses", status=f"Jutarnja kava broj {i} #kava", language="hr")
                for i in range(6)]
    for status in statuses[:3]:
        fan.post(f"/api/v1/statuses/{status['id']}/favourite")
    fan.post(f"/api/v1/statuses/{statuses[0]['id']}/reblog")
    real_now.set(datetime.now(UTC))
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        competitor = service.add(ctx, network="mastodon", handle=rival, service=peer.url)  # type: ignore[attr-defined]
        result = service.snapshot(ctx, competitor)
        assert result.error == "", result.error
        assert result.snapshot is not None and result.snapshot.followers == 1 and result.snapshot.posts_count == 6
        by_text = {p["text"]: p for p in result.snapshot.posts}
        first = by_text["Jutarnja kava broj 0 #kava"]
        assert (first["likes"], first["reposts"], first["replies"]) == (1, 1, 0)
        assert first["hashtags"] == ["kava"] and first["format"] == "text"
        bench = service.benchmark(ctx, days=7)
    them = bench["accounts"][1]
    assert them["name"] == rival and them["posts"] == 6
    per_post = them["engagement_per_post"]
    assert per_post["n"] == 6 and per_post["enough"] and per_post["low"] <= per_post["value"] <= per_post["high"]
    assert abs(per_post["value"] - 4 / 6) < 0.01
    assert them["followers"]["end"] == 1 and them["top_hashtags"][0]["tag"] == "kava"
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        missing = service.add(ctx, network="mastodon", handle="nobody_here", service=peer.url)  # type: ignore[attr-defined]
        failed = service.snapshot(ctx, missing)
    assert failed.snapshot is None and failed.error  # told, not a traceback
