"""VK public walls as competitors, against the VK contract server: a community by its short address and a
person by id, read with the app's service token (or a connected VK channel's user token); members and
followers, wall posts with likes, reposts, comments and views; reposts of others left out; closed, private,
deleted and unknown walls told in a sentence; the contract server's documented refusals; and the whole path
through the command line (add, snapshot, benchmark, export)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from socialdesk.channels.models import Channel
from socialdesk.cli import app
from socialdesk.competitors import service
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.crypto import encrypt_json
from socialdesk.core.db import Database, set_database
from tests.contract.vk import VkContract
from tests.helpers import make_world

DAY = 86_400


def _rival(vk: VkContract, clock: ManualClock) -> int:
    state = vk.state
    group_id = state.add_public_community("Rival Cafe", "rivalcafe", members=2500)
    now = int(clock.now().timestamp())
    for i in range(6):
        state.add_wall_post(-group_id, f"Kava dana {i} #kava", date=now - DAY * i - 3600, likes=20 + i, reposts=2,
                            comments=3, views=900 + i,
                            attachments=[{"type": "photo", "photo": {"id": i}}] if i % 2 else
                            [{"type": "video", "video": {"id": i, "type": "short_video"}}])
    state.add_wall_post(-group_id, "A repost", date=now - 7200, likes=500, copy_of=-1)
    return group_id


def _service_token(vk: VkContract, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALDESK_VK_SERVICE_TOKEN", vk.state.service_token)
    reset_settings_cache()


def test_a_community_wall_gets_a_snapshot_with_the_service_token(vk: VkContract, database: Database,
                                                                 clock: ManualClock,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    clock.set(clock.now().replace(microsecond=0))
    _rival(vk, clock)
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        competitor = service.add(world.ctx(s), network="vk", handle="https://vk.com/RivalCafe")
        no_token = service.snapshot(world.ctx(s), competitor)
        assert no_token.snapshot is None and "SOCIALDESK_VK_SERVICE_TOKEN" in no_token.error
    _service_token(vk, monkeypatch)
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        competitor = s.merge(competitor)
        result = service.snapshot(ctx, competitor)
        assert result.error == "", result.error
        snap = result.snapshot
        assert snap is not None and snap.followers == 2500 and snap.posts_count == 7 and len(snap.posts) == 6
        by_text = {p["text"]: p for p in snap.posts}
        zero, one = by_text["Kava dana 0 #kava"], by_text["Kava dana 1 #kava"]
        assert (zero["likes"], zero["reposts"], zero["replies"], zero["views"]) == (20, 2, 3, 900)
        assert zero["format"] == "short" and one["format"] == "image" and zero["hashtags"] == ["kava"]
        assert zero["url"].startswith("https://vk.com/wall-")
        assert competitor.display_name == "Rival Cafe"
        bench = service.benchmark(ctx, days=30)
    methods = [name for name, _ in vk.state.reads]
    assert methods == ["utils.resolveScreenName", "groups.getById", "wall.get"]
    wall_params = vk.state.reads[-1][1]
    assert wall_params["filter"] == "owner" and wall_params["count"] == "100" and wall_params["v"] == "5.199"
    them = bench["accounts"][1]
    assert them["network"] == "vk" and them["posts"] == 6 and them["followers"]["end"] == 2500
    assert abs(them["engagement_per_post"]["value"] - (sum(20 + i for i in range(6)) / 6 + 5)) < 0.01
    assert them["views_per_post"]["enough"] and them["formats"]["short"]["posts"] == 3


def test_closed_private_deleted_and_unknown_walls_are_told(vk: VkContract, database: Database, clock: ManualClock,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    state = vk.state
    closed = state.add_public_community("Members Only", "membersonly", is_closed=1)
    state.add_public_community("Gone Cafe", "gonecafe", deactivated="banned")
    private = state.add_public_person("Ivan", "Petrov", "ivanp", is_closed=True)
    deleted = state.add_public_person("Old", "Page", "oldpage", deactivated="deleted")
    open_person = state.add_public_person("Olga", "Sidorova", "olga_s", followers=4321)
    state.add_wall_post(open_person, "Hello #coffee", likes=4)
    _service_token(vk, monkeypatch)
    world = make_world(database, profiles=(), roles=())
    expected = {f"club{closed}": "closed wall", "gonecafe": "is banned", f"id{private}": "private profile",
                f"id{deleted}": "is deleted", "nobody_at_all": "no page vk.com/nobody_at_all",
                "club99999": "no community", f"id{open_person}": ""}
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        for handle, said in expected.items():
            result = service.snapshot(ctx, service.add(ctx, network="vk", handle=handle))
            if said:
                assert result.snapshot is None and said in result.error, (handle, result.error)
            else:
                assert result.error == "" and result.snapshot is not None
                assert result.snapshot.followers == 4321 and result.snapshot.posts[0]["likes"] == 4
        described = {c.handle: service.as_dict(ctx, c) for c in service.competitors(ctx)}
    assert "closed wall" in described[f"club{closed}"]["last_error"]


def test_a_connected_vk_channels_user_token_reads_when_there_is_no_service_token(
        vk: VkContract, database: Database, clock: ManualClock) -> None:
    _rival(vk, clock)
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        s.add(Channel(workspace_id=ctx.workspace_id, network="vk", name="Our VK", handle="brandcafe",
                      external_id=str(vk.state.group_id),
                      credentials_encrypted=encrypt_json({"access_token": vk.state.user_token}),
                      settings={"group_id": vk.state.group_id, "screen_name": "brandcafe"}))
        s.flush()
        result = service.snapshot(ctx, service.add(ctx, network="vk", handle="rivalcafe"))
    assert result.error == "" and result.snapshot is not None and result.snapshot.followers == 2500


def test_the_contract_server_refuses_what_vk_documents(vk: VkContract) -> None:
    state = vk.state
    group_id = state.add_public_community("Rival Cafe", "rivalcafe")

    def call(method: str, **params: str | int) -> dict:
        return httpx.post(f"{vk.server.base_url}/method/{method}", data={"v": "5.199", **params}).json()

    token = state.service_token
    assert call("wall.get", owner_id=-group_id)["error"]["error_code"] == 5  # no token
    assert call("wall.get", owner_id=-group_id, access_token=token, count=101)["error"]["error_code"] == 100
    assert call("wall.get", owner_id=-group_id, access_token=token, filter="mine")["error"]["error_code"] == 100
    assert call("wall.get", owner_id="x", access_token=token)["error"]["error_code"] == 100
    assert call("wall.post", owner_id=-group_id, access_token=token, message="hi")["error"]["error_code"] == 28
    assert call("users.get", user_ids="999999", access_token=token)["error"]["error_code"] == 113
    assert call("utils.resolveScreenName", access_token=token)["error"]["error_code"] == 100
    assert call("utils.resolveScreenName", screen_name="nobody", access_token=token)["response"] == []
    no_version = httpx.post(f"{vk.server.base_url}/method/wall.get",
                            data={"owner_id": -group_id, "access_token": token}).json()
    assert no_version["error"]["error_code"] == 8
    found = call("groups.getById", group_id="rivalcafe", fields="members_count", access_token=token)["response"]
    assert found["groups"][0]["members_count"] == 800 and found["profiles"] == []


def test_the_command_line_adds_snapshots_benchmarks_and_exports_a_vk_wall(
        vk: VkContract, database: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    clock.set(clock.now().replace(microsecond=0))
    _rival(vk, clock)
    _service_token(vk, monkeypatch)
    world = make_world(database, profiles=(), roles=())
    set_database(database)
    runner = CliRunner()
    ws = world.workspace_id

    def ok(*args: str) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, result.output + repr(result.exception)
        return result.stdout

    added = json.loads(ok("competitor", "add", "-w", ws, "--network", "vk", "--handle", "vk.com/rivalcafe", "--json"))
    assert (added["handle"], added["service"]) == ("rivalcafe", "https://vk.com")
    refused = runner.invoke(app, ["competitor", "add", "-w", ws, "--network", "vk", "--handle", "vk.com/rival",
                                  "--service", "https://mastodon.social"])
    assert refused.exit_code != 0 and "one server" in str(refused.exception)
    snapped = json.loads(ok("competitor", "snapshot", "-w", ws, "--json"))
    assert snapped == [{"handle": "rivalcafe", "network": "vk", "error": "", "followers": 2500, "recent_posts": 6}]
    assert "2500" in ok("competitor", "list", "-w", ws) and "rivalcafe" in ok("competitor", "benchmark", "-w", ws)
    bench = json.loads(ok("competitor", "benchmark", "-w", ws, "--json"))
    assert [a["name"] for a in bench["accounts"]] == ["Your channels", "rivalcafe"]
    out = tmp_path / "competitors.csv"
    ok("competitor", "export", "-w", ws, "--format", "csv", "--output", str(out))
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["account"] for r in table] == ["Your channels", "rivalcafe"]
    rival = table[1]
    assert rival["network"] == "vk" and rival["followers"] == "2500" and rival["engagement_per_post_n"] == "6"
    assert float(rival["engagement_per_post_low"]) <= float(rival["engagement_per_post"]) <= \
        float(rival["engagement_per_post_high"])
    assert table[0]["engagement_per_post_note"] == "not enough data"  # the workspace has published nothing
    printed = ok("competitor", "export", "-w", ws)
    assert printed.splitlines()[0].startswith("account,network,own,posts")
    wrong = runner.invoke(app, ["competitor", "export", "-w", ws, "--format", "pdf"])
    assert wrong.exit_code != 0 and "csv" in str(wrong.exception)
