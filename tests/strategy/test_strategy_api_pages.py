"""The strategy work through the product: the composer suggests a pillar and saves the chosen one with the
time worked, the calendar shows the planned mix and its gaps, the strategy page the platform comparison and
the audience, the JSON API for strategy, listening and competitors, and one top post per post on the
competitors' benchmark."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from socialdesk.analytics.models import PublicationMetricSnapshot
from socialdesk.competitors import service as competitors
from socialdesk.content import service as content
from socialdesk.content.models import Post, Publication
from socialdesk.content.schemas import PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.strategy import platforms, service
from tests.helpers import make_world
from tests.web_client import signed_in_client


def test_the_composer_suggests_a_pillar_and_saves_the_chosen_one(database: Database) -> None:
    world = make_world(database, profiles=("instagram",), roles=("viewer",))
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        education = service.add_pillar(ctx, "Education", target_share=0.5, description="brewing guides, kava").id
        service.add_pillar(ctx, "Product", target_share=0.5, description="beans offers store")
    client, csrf = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    page = client.get(f"{w}/compose")
    assert 'name="pillar"' in page.text and 'data-work-seconds' in page.text
    checked = client.post(f"{w}/compose/check", data={"csrf_token": csrf, "text": "Kako skuhati kavu <b>doma</b>",
                                                      "channel_ids": world.channels["instagram"]})
    assert checked.status_code == 200
    assert 'id="pillar-suggestion" hx-swap-oob="innerHTML"' in checked.text
    assert "Suggested: <strong>Education</strong>" in checked.text and f'data-pick-pillar="{education}"' in checked.text
    saved = client.post(f"{w}/compose", data={"csrf_token": csrf, "text": "Kako skuhati kavu",
                                               "channel_ids": world.channels["instagram"], "intent": "draft",
                                               "pillar": education, "work_seconds": "754"})
    assert saved.status_code == 303, saved.text[:500]
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        post_id = s.scalars(select(Post.id).where(Post.workspace_id == world.workspace_id)).one()
        assert service.pillar_id_of(ctx, post_id) == education
        assert platforms.effort_of(ctx, [post_id]) == {post_id: 754}
    edit = client.get(f"{w}/posts/{post_id}/edit")
    assert f'<option value="{education}" selected>' in edit.text
    # An odd timer value saves the post without counting the time; "" takes the post out of its pillar.
    again = client.post(f"{w}/posts/{post_id}/edit", data={"csrf_token": csrf, "text": "Kako skuhati kavu",
                                                            "channel_ids": world.channels["instagram"],
                                                            "intent": "draft", "pillar": "", "work_seconds": "x"})
    assert again.status_code == 303
    with database.unit_of_work() as s:
        assert service.pillar_id_of(world.ctx(s), post_id) is None
        assert platforms.effort_of(world.ctx(s), [post_id]) == {post_id: 754}


def test_the_calendar_shows_the_mix_and_the_gaps(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("instagram",), roles=())
    client, _ = signed_in_client(database, world.users["owner"])
    assert "Content mix" not in client.get(f"/w/{world.workspace_id}/calendar").text  # no pillars: nothing
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        service.add_pillar(ctx, "Education", target_share=0.6)
        service.add_pillar(ctx, "Product", target_share=0.4)
        post = content.compose(ctx, PostIn(text="Grinding guide", channel_ids=[world.channels["instagram"]])).post
        for pub in s.scalars(select(Publication).where(Publication.post_id == post.id)):
            pub.status, pub.scheduled_at = "scheduled", clock.now() + timedelta(days=1)
        post.scheduled_at = clock.now() + timedelta(days=1)
        service.tag_post(ctx, post.id, "Education")
    page = client.get(f"/w/{world.workspace_id}/calendar").text
    assert "Content mix" in page and "No Product post on Instagram yet." in page
    assert '<span class="cal-pillar">Education</span>' in page
    assert "100 % <span class=\"muted small\">of plan 60 %</span>" in page


def test_the_strategy_page_shows_platforms_and_audience(database: Database) -> None:
    world = make_world(database, profiles=("x", "instagram"), roles=("client_reviewer",))
    client, _ = signed_in_client(database, world.users["owner"])
    page = client.get(f"/w/{world.workspace_id}/strategy").text
    assert "Which network works best" in page and "Not enough data" in page
    assert 'id="audience"' in page and "sandbox network gives no demographics" in page


def test_the_strategy_api(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("instagram",), roles=("viewer",))
    with database.unit_of_work() as s:
        post_id = content.compose(world.ctx(s), PostIn(text="Brewing guide",
                                                       channel_ids=[world.channels["instagram"]])).post.id
    client, _ = signed_in_client(database, world.users["owner"])
    api = f"/api/v1/workspaces/{world.workspace_id}"
    made = client.post(f"{api}/strategy/pillars", json={"name": "Education", "share_percent": 60,
                                                        "description": "brewing guides"})
    assert made.status_code == 201 and made.json()["share_percent"] == 60
    assert client.post(f"{api}/strategy/pillars", json={"name": "education"}).status_code == 409
    assert client.post(f"{api}/strategy/pillars", json={"name": "Big", "share_percent": 50}).status_code == 422
    assert client.put(f"{api}/strategy/frequency", json={"network": "instagram", "posts_per_week": 3}).json() == {
        "network": "instagram", "posts_per_week": 3}
    assert client.put(f"{api}/strategy/frequency", json={"network": "tiktok", "posts_per_week": 3}).status_code == 422
    assert client.post(f"{api}/strategy/personas", json={"name": "Busy parent"}).status_code == 201
    strategy = client.get(f"{api}/strategy").json()
    assert strategy["posts_per_week"] == {"instagram": 3.0} and strategy["personas"][0]["name"] == "Busy parent"
    tagged = client.put(f"{api}/posts/{post_id}/pillar", json={"pillar": "Education"}).json()
    assert tagged["pillar"] == "Education"
    assert client.post(f"{api}/strategy/suggest-pillar", json={"text": "a guide to brewing"}).json()["pillar"] \
        == "Education"
    assert client.post(f"{api}/posts/{post_id}/effort", json={"minutes": 12.5}).json()["total_seconds"] == 750
    assert client.post(f"{api}/posts/{post_id}/effort", json={"minutes": -1}).status_code == 422
    mix = client.get(f"{api}/strategy/mix?days=28").json()
    assert mix["networks"][0]["name"] == "Instagram"
    assert client.get(f"{api}/audience?days=30").json()["channels"][0]["network"] == "instagram"
    assert client.get(f"{api}/audience?days=3").status_code == 422
    compared = client.get(f"{api}/platforms").json()
    assert compared["recommendation"]["confidence"] == "not enough data"
    assert client.delete(f"{api}/strategy/pillars/{made.json()['id']}").status_code == 204
    viewer, _ = signed_in_client(database, world.users["viewer"])
    assert viewer.get(f"{api}/strategy").status_code == 200
    assert viewer.post(f"{api}/strategy/pillars", json={"name": "Nope"}).status_code == 403


def test_the_listening_and_competitors_api(database: Database) -> None:
    world = make_world(database, profiles=("x",), roles=("viewer",))
    client, _ = signed_in_client(database, world.users["owner"])
    api = f"/api/v1/workspaces/{world.workspace_id}"
    made = client.post(f"{api}/monitors", json={"name": "Brand", "terms": ["kava"], "sources": ["sandbox"],
                                                 "languages": ["hr"]})
    assert made.status_code == 201, made.text
    monitor = made.json()
    assert client.post(f"{api}/monitors", json={"name": "Bad", "terms": ["x"], "sources": ["ftp:nope"]}
                       ).status_code == 422
    assert [m["name"] for m in client.get(f"{api}/monitors").json()] == ["Brand"]
    assert len(client.get(f"{api}/monitors/{monitor['id']}").json()["volume_by_day"]) == 14
    ran = client.post(f"{api}/monitors/{monitor['id']}/run")
    assert ran.status_code == 200 and ran.json()["monitor"] == "Brand"
    assert isinstance(client.get(f"{api}/mentions?monitor=Brand&limit=5").json(), list)
    assert client.get(f"{api}/mentions?monitor=Nope").status_code == 404
    assert client.get(f"{api}/mentions?sentiment=angry").status_code == 422
    assert isinstance(client.get(f"{api}/alerts").json(), list)
    assert client.post(f"{api}/mentions/{'0' * 26}/idea").status_code == 404
    viewer, _ = signed_in_client(database, world.users["viewer"])
    assert viewer.post(f"{api}/monitors/{monitor['id']}/run").status_code == 403
    assert client.delete(f"{api}/monitors/{monitor['id']}").status_code == 204
    rival = client.post(f"{api}/competitors", json={"network": "bluesky", "handle": "rival.bsky.social",
                                                    "service": "https://appview.example.com"})
    assert rival.status_code == 201, rival.text
    assert client.post(f"{api}/competitors", json={"network": "myspace", "handle": "x"}).status_code == 422
    assert [c["handle"] for c in client.get(f"{api}/competitors").json()] == ["rival.bsky.social"]
    bench = client.get(f"{api}/competitors/benchmark?days=30").json()
    assert bench["accounts"][0]["own"] and bench["accounts"][1]["name"] == "rival.bsky.social"
    assert client.delete(f"{api}/competitors/{rival.json()['id']}").status_code == 204


def test_a_post_on_two_channels_is_one_top_post(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x", "instagram"), roles=())
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        for text, likes in (("Big news on both", 40), ("Small one", 3)):
            post = content.compose(ctx, PostIn(text=text, channel_ids=list(world.channels.values()))).post
            for pub in s.scalars(select(Publication).where(Publication.post_id == post.id)):
                pub.status, pub.published_at = "published", clock.now() - timedelta(days=2)
                s.add(PublicationMetricSnapshot(workspace_id=world.workspace_id, publication_id=pub.id,
                                                collected_at=clock.now() - timedelta(days=1), likes=likes,
                                                comments=1, reposts=0))
        s.flush()
        own = competitors.benchmark(ctx, days=30)["accounts"][0]
    assert own["posts"] == 4  # the statistics still count each channel's publication
    assert [(p["text"], p["engagement"], p["channels"]) for p in own["top_posts"]] == [
        ("Big news on both", 82, 2), ("Small one", 8, 2)]
    client, _ = signed_in_client(database, world.users["owner"])
    page = client.get(f"/w/{world.workspace_id}/competitors").text
    assert page.count("Big news on both") == 1 and "on 2 channels" in page


def test_the_strategy_page_links_the_goals_and_the_style_guide(database: Database) -> None:
    from datetime import date

    from socialdesk.goals.models import Goal

    world = make_world(database, profiles=("x",), roles=())
    client, _ = signed_in_client(database, world.users["owner"])
    page = f"/w/{world.workspace_id}/strategy"
    empty = client.get(page).text
    assert "No goals yet" in empty and f'href="/w/{world.workspace_id}/writing"' in empty
    with database.unit_of_work() as s:
        s.add(Goal(workspace_id=world.workspace_id, name="10k followers by summer", metric="followers",
                   at_least=True, target=10_000, start_on=date(2026, 3, 1), due_on=date(2026, 6, 30)))
    shown = client.get(page).text
    assert "10k followers by summer" in shown and "at least 10,000" in shown and "30 Jun 2026" in shown
    assert f'href="/w/{world.workspace_id}/goals"' in shown and "No goals yet" not in shown
