"""Competitors through the service and the CLI, with a stand-in reader: bad input told plainly, audited
add/remove, snapshots (a failure keeps what was saved), the benchmark against the workspace's own
channels, and the CLI's JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.audit.models import AuditEntry
from socialdesk.cli import app
from socialdesk.competitors import service
from socialdesk.competitors.models import CompetitorSnapshot
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database, set_database
from socialdesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from socialdesk.networks.base import TransientNetworkError
from socialdesk.networks.public.profiles import PublicPost, PublicProfile
from tests.helpers import make_world

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _profile(followers: int, boost: int = 0) -> PublicProfile:
    posts = [PublicPost(f"at://did:plc:x/app.bsky.feed.post/{i}", f"https://bsky.app/p/{i}",
                        NOW - timedelta(days=i + 1), likes=10 + i + boost, reposts=2, replies=1,
                        format="image" if i % 2 else "text", hashtags=["kava"] if i < 3 else [], text=f"post {i}")
             for i in range(8)]
    return PublicProfile("rival.bsky.social", "Rival <b>Café</b>", followers, 120, posts)


def test_bad_competitors_are_refused_with_what_to_fix(database: Database) -> None:
    world = make_world(database, profiles=(), roles=("viewer",))
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        with pytest.raises(ValidationFailed, match="bluesky, mastodon"):
            service.add(ctx, network="tiktok", handle="rival")
        with pytest.raises(ValidationFailed, match="not a Bluesky handle"):
            service.add(ctx, network="bluesky", handle="not a handle")
        with pytest.raises(ValidationFailed, match="Mastodon instance"):
            service.add(ctx, network="mastodon", handle="rival")
        with pytest.raises(ValidationFailed, match="not a server address"):
            service.add(ctx, network="mastodon", handle="rival", service="ftp://x y")
        service.add(ctx, network="bluesky", handle="@Rival.bsky.social", service="http://127.0.0.1:2584/")
        with pytest.raises(Conflict):
            service.add(ctx, network="bluesky", handle="rival.bsky.social", service="http://127.0.0.1:2584")
        with pytest.raises(NotFound, match="competitor list"):
            service.find(ctx, "nobody")
    with database.unit_of_work() as s, pytest.raises(Forbidden):
        service.add(world.ctx(s, "viewer"), network="bluesky", handle="other.bsky.social")


def test_snapshots_and_benchmark(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=(), roles=())
    clock.set(NOW - timedelta(days=2))
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        rival = service.add(ctx, network="bluesky", handle="rival.bsky.social", service="http://127.0.0.1:2584",
                            notes="our main rival")
        assert service.snapshot(ctx, rival, reader=lambda *_: _profile(1000)).error == ""
    clock.set(NOW)
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        rival = service.find(ctx, "rival.bsky.social")
        service.snapshot(ctx, rival, reader=lambda *_: _profile(1100, boost=5))

        def down(*_: object) -> PublicProfile:
            raise TransientNetworkError("the AppView did not answer")
        failed = service.snapshot(ctx, rival, reader=down)
        assert failed.error == "the AppView did not answer" and failed.snapshot is None
        assert len(list(s.scalars(select(CompetitorSnapshot)))) == 2  # nothing saved before is lost
        listed = service.as_dict(ctx, rival)
        assert listed["followers"] == 1100 and listed["last_error"] == "the AppView did not answer"
        result = service.benchmark(ctx, days=30)
    own, them = result["accounts"]
    assert own["own"] and own["posts"] == 0 and own["engagement_per_post"]["note"] == "not enough data"
    assert them["name"] == "rival.bsky.social" and them["posts"] == 8
    assert them["followers"]["start"] == 1000 and them["followers"]["end"] == 1100
    assert them["followers"]["change"] == 100
    # the newest snapshot's numbers: likes 10+i+5, reposts 2, replies 1 → mean of 18..25
    assert them["engagement_per_post"]["value"] == 21.5 and them["engagement_per_post"]["enough"]
    assert them["engagement_per_post"]["low"] < 21.5 < them["engagement_per_post"]["high"]
    assert them["formats"]["image"]["posts"] == 4 and them["top_hashtags"][0]["tag"] == "kava"
    assert them["versus_you"]["verdict"] == "not enough data"
    assert any("failed" in n for n in them["notes"])
    with database.unit_of_work() as s:
        service.remove(world.ctx(s), "rival.bsky.social")
        actions = [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert "competitor.add" in actions and "competitor.remove" in actions
        assert not list(s.scalars(select(CompetitorSnapshot)))
        with pytest.raises(ValidationFailed, match="1 to 366 days"):
            service.benchmark(world.ctx(s), days=0)


def test_cli_json(database: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world(database, profiles=(), roles=())
    set_database(database)
    clock.set(NOW)
    monkeypatch.setitem(service.READERS, "mastodon", lambda *_: _profile(500))
    runner = CliRunner()
    ws = world.workspace_id
    added = runner.invoke(app, ["competitor", "add", "-w", ws, "--network", "mastodon", "--handle", "rival",
                                "--service", "mastodon.example", "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.output)["service"] == "https://mastodon.example"
    bad = runner.invoke(app, ["competitor", "add", "-w", ws, "--network", "tiktok", "--handle", "x"])
    assert bad.exit_code != 0 and "not one of them" in str(bad.exception)
    snap = runner.invoke(app, ["competitor", "snapshot", "-w", ws, "--json"])
    assert snap.exit_code == 0, snap.output
    assert json.loads(snap.output) == [{"handle": "rival", "network": "mastodon", "error": "", "followers": 500,
                                        "recent_posts": 8}]
    listed = json.loads(runner.invoke(app, ["competitor", "list", "-w", ws, "--json"]).output)
    assert listed[0]["followers"] == 500 and listed[0]["display_name"] == "Rival <b>Café</b>"
    bench = runner.invoke(app, ["competitor", "benchmark", "-w", ws, "--json", "--days", "14"])
    assert bench.exit_code == 0, bench.output
    data = json.loads(bench.output)
    assert data["period"]["days"] == 14 and [a["name"] for a in data["accounts"]] == ["Your channels", "rival"]
    assert data["accounts"][1]["engagement_per_post"]["n"] == 8
    table = runner.invoke(app, ["competitor", "benchmark", "-w", ws])
    assert table.exit_code == 0 and "rival" in table.output


def test_own_channels_side_reads_published_posts_and_follower_snapshots(database: Database,
                                                                          clock: ManualClock) -> None:
    from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
    from socialdesk.content.models import Post, Publication, PublicationStatus

    world = make_world(database, profiles=("x",), roles=())
    clock.set(NOW)
    channel_id = world.channels["x"]
    with database.unit_of_work() as s:
        for days_ago, followers in ((20, 800), (1, 880)):
            s.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=channel_id,
                                        collected_at=NOW - timedelta(days=days_ago), followers=followers))
        for i in range(6):
            when = NOW - timedelta(days=10 - i)
            post = Post(workspace_id=world.workspace_id, text="Nova kava #kava", scheduled_at=when)
            s.add(post)
            s.flush()
            publication = Publication(workspace_id=world.workspace_id, post_id=post.id, channel_id=channel_id,
                                      status=PublicationStatus.PUBLISHED, scheduled_at=when, published_at=when)
            s.add(publication)
            s.flush()
            s.add(PublicationMetricSnapshot(workspace_id=world.workspace_id, publication_id=publication.id,
                                            collected_at=when + timedelta(days=2), likes=4 + i, comments=1,
                                            reposts=1, quotes=None, saves=None))
    with database.unit_of_work() as s:
        own = service.benchmark(world.ctx(s), days=30)["accounts"][0]
    assert own["name"] == "Your channels" and own["posts"] == 6
    assert own["followers"] == {"start": 800, "end": 880, "change": 80, "percent": 10.0, "note": ""}
    per_post = own["engagement_per_post"]
    assert per_post["value"] == 8.5 and per_post["enough"]  # likes 4..9 + 1 comment + 1 repost
    assert own["engagement_per_follower_percent"]["value"] == round(51 / (6 * 800) * 100, 3)
    assert own["top_hashtags"][0] == {"tag": "kava", "posts": 6, "mean_engagement": 8.5}
