"""Content pillars, the planned mix against the calendar's per network, and gap warnings; the page and CLI."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.cli import app
from socialdesk.content import service as content
from socialdesk.content.models import Publication
from socialdesk.content.schemas import PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database, set_database
from socialdesk.core.errors import Conflict, NotFound, ValidationFailed
from socialdesk.strategy import service
from tests.helpers import World, make_world
from tests.web_client import signed_in_client


def _post(db: Database, world: World, text: str, profiles: list[str], days_ago: float, clock: ManualClock,
          status: str = "published") -> str:
    with db.unit_of_work() as s:
        ctx = world.ctx(s)
        post = content.compose(ctx, PostIn(text=text, channel_ids=[world.channels[p] for p in profiles])).post
        for pub in s.scalars(select(Publication).where(Publication.post_id == post.id)):
            pub.status = status
            when = clock.now() - timedelta(days=days_ago)
            if status == "published":
                pub.published_at = when
            pub.scheduled_at = when
        return post.id


def test_pillars_are_validated(database: Database) -> None:
    world = make_world(database, profiles=(), roles=("viewer",))
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        service.add_pillar(ctx, "Education", target_share=0.6)
        with pytest.raises(Conflict):
            service.add_pillar(ctx, "education", target_share=0.1)
        with pytest.raises(ValidationFailed, match="100 %"):
            service.add_pillar(ctx, "Product", target_share=0.5)
        with pytest.raises(ValidationFailed):
            service.add_pillar(ctx, "Bad", target_share=float("nan"))
        with pytest.raises(ValidationFailed):
            service.add_pillar(ctx, "  ", target_share=0.1)
        with pytest.raises(NotFound):
            service.find_pillar(ctx, "Nope")
        with pytest.raises(ValidationFailed, match="No channel"):
            service.set_cadence(ctx, "instagram", 3)
    with database.unit_of_work() as s, pytest.raises(Exception, match="may not"):
        service.add_pillar(world.ctx(s, "viewer"), "Viewer's", target_share=0.1)


def test_the_mix_matches_the_posts_and_gaps_are_warned(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x", "instagram"), roles=())
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        service.add_pillar(ctx, "Education", target_share=0.4)
        service.add_pillar(ctx, "Product", target_share=0.4)
        service.add_pillar(ctx, "Community", target_share=0.2)
        service.set_cadence(ctx, "instagram", 3)
    edu_both = _post(database, world, "How to grind coffee", ["x", "instagram"], 12, clock)
    edu_x = _post(database, world, "Water temperature matters", ["x"], 1, clock)
    product = _post(database, world, "New beans in store", ["instagram"], 2, clock)
    product_next = _post(database, world, "Launch on Friday", ["x", "instagram"], -3, clock, status="scheduled")
    _post(database, world, "Untagged thought", ["instagram"], 3, clock)
    _post(database, world, "A draft does not count", ["x"], 1, clock, status="draft")
    _post(database, world, "Too old to count", ["x"], 40, clock)
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        for post_id, pillar in ((edu_both, "Education"), (edu_x, "Education"), (product, "Product"),
                                (product_next, "Product")):
            service.tag_post(ctx, post_id, pillar)
        mix = service.mix(ctx, days=28)
    nets = {n.name: n for n in mix.networks}
    assert set(nets) == {"X", "Instagram"}
    insta = {p.pillar: p for p in nets["Instagram"].pillars}
    assert nets["Instagram"].total == 4 and nets["Instagram"].untagged == 1
    assert (insta["Education"].count, insta["Product"].count, insta["Community"].count) == (1, 2, 0)
    assert insta["Education"].actual == 0.25 and insta["Education"].planned == 0.4
    x = {p.pillar: p for p in nets["X"].pillars}
    assert nets["X"].total == 3 and (x["Education"].count, x["Product"].count) == (2, 1)
    # Instagram: 3 posts a week, Education 40 % -> one about every 6 days; the last was 12 days ago.
    assert any(w.startswith("No Education post on Instagram for 12 days") for w in mix.warnings), mix.warnings
    assert not any("Education post on X" in w for w in mix.warnings)
    assert "No Community post on Instagram yet." in mix.warnings
    # Untagging moves the post out of the pillar.
    with database.unit_of_work() as s:
        service.tag_post(world.ctx(s), edu_x, None)
        again = {n.name: n for n in service.mix(world.ctx(s), days=28).networks}
    assert {p.pillar: p.count for p in again["X"].pillars}["Education"] == 1


def test_the_page_and_the_cli(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("instagram",), roles=())
    post_id = _post(database, world, "How to grind <b>coffee</b>", ["instagram"], 1, clock)
    client, csrf = signed_in_client(database, world.users["owner"])
    base = f"/w/{world.workspace_id}/strategy"
    assert client.get(base).status_code == 200
    assert client.post(f"{base}/pillars", data={"csrf_token": csrf, "name": "Education", "share": "40"}
                       ).status_code == 303
    assert client.post(f"{base}/pillars", data={"csrf_token": csrf, "name": "X", "share": "lots"}).status_code == 303
    assert client.post(f"{base}/cadence", data={"csrf_token": csrf, "network": "instagram", "per_week": "3"}
                       ).status_code == 303
    with database.unit_of_work() as s:
        pillar = service.find_pillar(world.ctx(s), "Education")
    assert client.post(f"{base}/posts/{post_id}/pillar", data={"csrf_token": csrf, "pillar": pillar.id}
                       ).status_code == 303
    page = client.get(base)
    assert "Education" in page.text and "<b>coffee</b>" not in page.text and "Instagram" in page.text
    set_database(database)
    shown = CliRunner().invoke(app, ["strategy", "mix", "-w", world.workspace_id, "--json"])
    assert shown.exit_code == 0, shown.output
    found = json.loads(shown.output)
    assert found["networks"][0]["pillars"][0] == {**found["networks"][0]["pillars"][0], "pillar": "Education",
                                                  "count": 1, "actual": 1.0}
    other = make_world(database, "Brand B", profiles=(), roles=())
    stranger, csrf2 = signed_in_client(database, other.users["owner"])
    assert stranger.post(f"/w/{other.workspace_id}/strategy/posts/{post_id}/pillar",
                         data={"csrf_token": csrf2, "pillar": ""}).status_code == 404
