"""Competitors on Instagram (Business Discovery through the workspace's connected Instagram account, on the
Meta Graph contract server) and on X (paid reads with the operator's bearer token or the workspace's X
channel, on the X contract server): add → snapshot → benchmark; Meta's and X's own words when they refuse;
a workspace without the account is told what to connect; X's cost shown before and after; a 429 waits for
x-rate-limit-reset without sleeping (the job comes back later)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from socialdesk.channels.models import Channel
from socialdesk.cli import app
from socialdesk.competitors import discovery, service, tasks
from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.crypto import encrypt_json
from socialdesk.core.db import Database, set_database
from socialdesk.core.errors import ValidationFailed
from socialdesk.jobs.registry import RetryLater
from socialdesk.networks.public import x_reads
from tests.contract.meta import MetaGraph, MetaWorld, meta_server, point_settings_at
from tests.contract.meta_business_discovery import add_public_account, add_public_media
from tests.contract.meta_instagram import install_instagram
from tests.contract.x import XContract, point_socialdesk_at
from tests.contract.x_public import issue_app_token
from tests.helpers import World, make_world
from tests.web_client import signed_in_client

# -- Instagram --------------------------------------------------------------------------------------------

@pytest.fixture
def meta(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> Iterator[tuple[MetaGraph, dict[str, Any]]]:
    world = MetaWorld(now=lambda: clock_module.now().timestamp())
    user = world.add_user("Ana")
    page = world.add_page("Brand", admins=[user["id"]])
    ours = world.add_instagram_account(page["id"], "brand", followers_count=1200)
    graph = meta_server(world)
    install_instagram(graph)
    with graph.server.running() as base_url:
        point_settings_at(monkeypatch, base_url, world)
        yield graph, {"ours": ours, "token": world.page_token(page["id"])}
    assert not graph.server.unexpected, graph.server.unexpected


def _connect_instagram(db: Database, world: World, ours: dict[str, Any], token: str) -> None:
    with db.unit_of_work() as s:
        s.add(Channel(workspace_id=world.workspace_id, network="instagram", name="Brand on Instagram",
                      handle="brand", external_id=ours["id"], settings={"ig_user_id": ours["id"]},
                      credentials_encrypted=encrypt_json({"access_token": token})))


def test_an_instagram_competitor_is_read_through_business_discovery(
        database: Database, clock: ManualClock, meta: tuple[MetaGraph, dict[str, Any]]) -> None:
    graph, known = meta
    mw = graph.world
    rival = add_public_account(mw, "rival.cafe", followers_count=900, name="Rival Café")
    for i in range(6):
        add_public_media(mw, rival, f"Jutarnja kava {i} #kava", likes=10 + i, comments=i,
                         media_type="VIDEO" if i == 0 else "IMAGE", when=mw.now() - (i + 1) * 3600)
    add_public_media(mw, rival, "Skriveni lajkovi", likes=99, hide_likes=True, when=mw.now() - 600)
    add_public_account(mw, "someone", account_type="PERSONAL")
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s, pytest.raises(ValidationFailed, match="connect one on the Channels page"):
        service.add(world.ctx(s), network="instagram", handle="rival.cafe")
    _connect_instagram(database, world, known["ours"], known["token"])
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        competitor = service.add(ctx, network="instagram", handle="https://www.instagram.com/Rival.Cafe/")
        assert competitor.handle == "rival.cafe"
        result = service.snapshot(ctx, competitor)
        assert result.error == "", result.error
        snap = result.snapshot
        assert snap is not None and snap.followers == 900 and snap.posts_count == 7 and len(snap.posts) == 7
        by_text = {p["text"]: p for p in snap.posts}
        assert by_text["Jutarnja kava 0 #kava"]["format"] == "video"
        assert (by_text["Jutarnja kava 3 #kava"]["likes"], by_text["Jutarnja kava 3 #kava"]["replies"]) == (13, 3)
        assert by_text["Jutarnja kava 3 #kava"]["hashtags"] == ["kava"]
        assert by_text["Skriveni lajkovi"]["likes"] == 0  # the owner hides likes: Meta leaves like_count out
        assert competitor.display_name == "Rival Café"
        bench = service.benchmark(ctx, days=7)
        personal = service.add(ctx, network="instagram", handle="someone")
        failed = service.snapshot(ctx, personal)
    them = next(a for a in bench["accounts"] if a["name"] == "rival.cafe")
    assert them["network"] == "instagram" and them["posts"] == 7 and them["engagement_per_post"]["enough"]
    assert them["top_hashtags"][0]["tag"] == "kava" and them["followers"]["end"] == 900
    asked = graph.server.calls_to("GET", rf"/v\d+\.\d+/{known['ours']['id']}")
    assert asked[0].query["fields"].startswith("business_discovery.username(rival.cafe){followers_count,media_count")
    assert "media{timestamp,like_count,comments_count,media_type,media_product_type,caption,permalink}" \
        in asked[0].query["fields"]
    # Meta's own words for a personal account, kept on the competitor; nothing saved before is lost.
    assert failed.snapshot is None
    assert failed.error == "Cannot find User: The user with username: someone cannot be found."


def test_an_instagram_channel_without_the_permission_gets_metas_words(
        database: Database, clock: ManualClock, meta: tuple[MetaGraph, dict[str, Any]]) -> None:
    graph, known = meta
    add_public_account(graph.world, "rival", followers_count=5)
    narrow = graph.world.issue("user", graph.world.of_kind("user")[0]["id"], scopes=("instagram_basic",)).value
    world = make_world(database, profiles=(), roles=())
    _connect_instagram(database, world, known["ours"], narrow)
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        result = service.snapshot(ctx, service.add(ctx, network="instagram", handle="rival"))
    assert "Application does not have permission" in result.error


def test_the_business_discovery_contract_refuses_what_meta_refuses(
        meta: tuple[MetaGraph, dict[str, Any]]) -> None:
    import httpx

    graph, known = meta
    mw = graph.world
    rival = add_public_account(mw, "rival", followers_count=5)
    for i in range(30):
        add_public_media(mw, rival, f"p{i}", when=mw.now() - i)
    add_public_account(mw, "gated", age_gated=True)
    base = f"{graph.server.base_url}/{mw.version}/{known['ours']['id']}"

    def ask(fields: str, token: str | None = None) -> httpx.Response:
        return httpx.get(base, params={"fields": fields, "access_token": token or known["token"]})

    ok = ask("business_discovery.username(rival){followers_count,media{caption}}").json()["business_discovery"]
    assert ok["followers_count"] == 5 and len(ok["media"]["data"]) == 25 and ok["media"]["paging"]["next"]
    after = ok["media"]["paging"]["cursors"]["after"]
    more = ask(f"business_discovery.username(rival){{media.after({after}){{caption}}}}").json()
    assert len(more["business_discovery"]["media"]["data"]) == 5
    for fields, code in (("business_discovery.username(rival){follows_count,insights}", 100),
                         ("business_discovery.username(rival){media{caption,ig_id}}", 100),
                         ("business_discovery.username(gated){followers_count}", 110),
                         ("business_discovery.username(nobody){followers_count}", 110),
                         ("business_discovery.username(){followers_count}", 100)):
        answer = ask(fields)
        assert answer.status_code == 400 and answer.json()["error"]["code"] == code, (fields, answer.text)
    assert ask("business_discovery.username(rival){id}", "EAAnot-a-token").json()["error"]["code"] == 190
    someone_else = mw.issue("user", mw.add_user("Stranger")["id"]).value
    assert ask("business_discovery.username(rival){id}", someone_else).json()["error"]["code"] == 10


# -- X ----------------------------------------------------------------------------------------------------

@pytest.fixture
def xs(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> Iterator[XContract]:
    server = XContract()
    x_reads.forget()
    with server.running() as url:
        point_socialdesk_at(url, monkeypatch)
        yield server
    x_reads.forget()
    reset_settings_cache()
    assert not server.unexpected, server.unexpected


def _bearer(monkeypatch: pytest.MonkeyPatch, server: XContract) -> str:
    token = issue_app_token(server)
    monkeypatch.setenv("SOCIALDESK_X_BEARER_TOKEN", token)
    reset_settings_cache()
    return token


def test_an_x_competitor_gets_snapshots_a_benchmark_and_its_cost(
        database: Database, clock: ManualClock, xs: XContract, monkeypatch: pytest.MonkeyPatch) -> None:
    rival = xs.add_user("rival_hr", "Rival", followers=3400)
    for i in range(6):
        tweet = xs.post_as(rival, f"Kava dana {i} #kava #Zagreb", at=clock.now() - timedelta(hours=i + 1))
        tweet.likes = {f"u{j}" for j in range(i + 2)}
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s, pytest.raises(ValidationFailed, match="SOCIALDESK_X_BEARER_TOKEN"):
        service.add(world.ctx(s), network="x", handle="rival_hr")
    _bearer(monkeypatch, xs)
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        with pytest.raises(ValidationFailed, match="not an X username"):
            service.add(ctx, network="x", handle="rival-hr!")
        competitor = service.add(ctx, network="x", handle="@rival_hr")
        assert discovery.estimate(competitor).startswith("up to 21 reads ≈ $0.11 a snapshot")
        result = service.snapshot(ctx, competitor)
        assert result.error == "", result.error
        snap = result.snapshot
        assert snap is not None and snap.followers == 3400 and snap.posts_count == 6 and len(snap.posts) == 6
        newest = max(snap.posts, key=lambda p: p["posted_at"])
        assert newest["likes"] == 2 and newest["hashtags"] == ["kava", "zagreb"]
        assert newest["url"].startswith("https://x.com/rival_hr/status/")
        spent = discovery.spent(competitor, snap)
        assert spent is not None and spent.text() == "7 reads ≈ $0.04"  # 1 user × $0.010 + 6 posts × $0.005
        bench = service.benchmark(ctx, days=7)
    them = next(a for a in bench["accounts"] if a["name"] == "rival_hr")
    assert them["network"] == "x" and them["posts"] == 6 and them["engagement_per_post"]["n"] == 6
    lookup = xs.calls_to("GET", "/2/users/by/username/rival_hr")[0]
    assert lookup.query["user.fields"] == "public_metrics,name"
    timeline = xs.calls_to("GET", rf"/2/users/{rival.id}/tweets")[0]
    assert timeline.query["exclude"] == "retweets,replies" and "entities" in timeline.query["tweet.fields"]
    assert timeline.headers["authorization"].startswith("Bearer app-")
    client, _ = signed_in_client(database, world.users["owner"])
    page = " ".join(client.get(f"/w/{world.workspace_id}/competitors").text.split())
    assert "up to 21 reads ≈ $0.11 a snapshot" in page and "last: 7 reads ≈ $0.04" in page
    assert '<option value="instagram">' in page and '<option value="x">' in page
    with database.unit_of_work() as s:  # an unknown account: X's own words
        ctx = world.ctx(s)
        failed = service.snapshot(ctx, service.add(ctx, network="x", handle="nobody_here"))
    assert failed.error == "Could not find user with username: [nobody_here]."


def test_the_workspaces_x_channel_token_is_used_and_a_refusal_is_said(
        database: Database, clock: ManualClock, xs: XContract) -> None:
    from socialdesk.channels import service as channels

    brand = xs.add_user("brand", "Brand")
    xs.add_user("rival", "Rival", followers=10)
    world = make_world(database, profiles=(), roles=())
    issued = xs.issue(brand)
    with database.unit_of_work() as s:
        channels.connect(world.ctx(s), "x", "Brand on X", access_token=issued["access_token"],
                         refresh_token=issued["refresh_token"])
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        competitor = service.add(ctx, network="x", handle="rival")
        assert service.snapshot(ctx, competitor).error == ""
        xs.tokens.clear()  # X no longer knows the token
        refused = service.snapshot(ctx, competitor)
    assert refused.error.startswith("X refused the token (Unauthorized): reconnect the X channel")
    sent = xs.calls_to("GET", "/2/users/by/username/rival")[0]
    assert sent.headers["authorization"] == f"Bearer {issued['access_token']}"


def test_a_429_waits_for_the_reset_and_the_job_comes_back_later(
        database: Database, clock: ManualClock, xs: XContract, monkeypatch: pytest.MonkeyPatch) -> None:
    xs.add_user("rival", "Rival", followers=10)
    _bearer(monkeypatch, xs)
    reset = int(clock.now().timestamp()) + 600
    xs.fail("GET", "/2/users/by/username/rival", status=429,
            json={"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
            headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        competitor_id = service.add(world.ctx(s), network="x", handle="rival").id
    set_database(database)
    with pytest.raises(RetryLater) as later:
        tasks.snapshot(competitor_id)
    assert abs(later.value.at.timestamp() - reset) < 2 and "Too Many Requests" in later.value.reason
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        competitor = service.find(ctx, "rival")
        assert "Too Many Requests" in competitor.last_error  # told, saved
        again = service.snapshot(ctx, competitor)  # before the reset: nothing is sent to X
    assert "resets in" in again.error
    assert len(xs.calls_to("GET", "/2/users/by/username/rival")) == 1


def test_the_cli_shows_xs_cost_before_and_after(
        database: Database, clock: ManualClock, xs: XContract, monkeypatch: pytest.MonkeyPatch) -> None:
    rival = xs.add_user("rival", "Rival", followers=10)
    for i in range(3):
        xs.post_as(rival, f"post {i}", at=clock.now() - timedelta(hours=i + 1))
    _bearer(monkeypatch, xs)
    monkeypatch.setenv("SOCIALDESK_X_POST_READ_USD", "0.01")
    reset_settings_cache()
    world = make_world(database, profiles=(), roles=())
    set_database(database)
    runner = CliRunner()
    added = runner.invoke(app, ["competitor", "add", "-w", world.workspace_id, "--network", "x", "--handle", "rival"])
    assert added.exit_code == 0, added.output
    assert "Each snapshot of it is billed by X: up to 21 reads ≈ $0.21" in " ".join(added.output.split())
    snap = runner.invoke(app, ["competitor", "snapshot", "-w", world.workspace_id])
    flat = " ".join(snap.output.split())
    assert snap.exit_code == 0, snap.output
    assert "rival (X): up to 21 reads ≈ $0.21" in flat
    assert "rival: 10 followers, 3 recent posts; 4 reads ≈ $0.04" in flat
    as_json = json.loads(runner.invoke(app, ["competitor", "snapshot", "-w", world.workspace_id, "--json"]).output)
    assert as_json[0]["cost"]["reads"] == 4 and as_json[0]["cost"]["usd"] == 0.04
