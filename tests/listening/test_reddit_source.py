"""A `reddit[:r/NAME]` listening source against the Reddit contract server (application-only OAuth, search):
a post with an inflected Croatian form of the monitored word is caught and stored once, the requests say what
Reddit's documentation asks for (Basic credentials, bearer token, a descriptive User-Agent, q/sort/limit), an
exhausted rate limit (X-Ratelimit-Remaining: 0) holds the source back until X-Ratelimit-Reset has passed, and
wrong or missing credentials are said plainly; the CLI's `--source reddit:r/NAME` works end to end."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from socialdesk.cli import app
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database, set_database
from socialdesk.core.errors import ValidationFailed
from socialdesk.listening import service as listening
from socialdesk.listening.sources import parse
from socialdesk.networks.public import reddit_search
from tests.contract.reddit import RedditState, make_server
from tests.contract.server import ContractServer
from tests.helpers import allow_private_targets, make_world


@dataclass
class Reddit:
    server: ContractServer
    state: RedditState
    base_url: str


@pytest.fixture
def reddit(monkeypatch: pytest.MonkeyPatch) -> Iterator[Reddit]:
    server, state = make_server()
    reddit_search.forget()
    with server.running() as base_url:
        monkeypatch.setenv("SOCIALDESK_REDDIT_API_URL", base_url)
        monkeypatch.setenv("SOCIALDESK_REDDIT_TOKEN_URL", f"{base_url}/api/v1/access_token")
        monkeypatch.setenv("SOCIALDESK_REDDIT_CLIENT_ID", state.client_id)
        monkeypatch.setenv("SOCIALDESK_REDDIT_CLIENT_SECRET", state.client_secret)
        monkeypatch.setenv("SOCIALDESK_REDDIT_USER_AGENT", "server:socialdesk-tests:0.1 (by /u/socialdesk)")
        allow_private_targets(monkeypatch)
        reset_settings_cache()
        yield Reddit(server, state, base_url)
        reddit_search.forget()
        assert server.unexpected == [], "requests to endpoints the contract server does not serve"


def test_sources_are_parsed_and_need_the_app(monkeypatch: pytest.MonkeyPatch, database: Database) -> None:
    assert parse("reddit").spec == "reddit"
    assert parse("reddit:r/Croatia").spec == "reddit:r/Croatia" == parse("reddit:/r/Croatia/").spec
    assert parse("reddit:croatia").spec == "reddit:r/croatia"
    for bad in ("reddit:r/", "reddit:r/a b", "reddit:r/" + "x" * 30):
        with pytest.raises(ValidationFailed, match="r/NAME"):
            parse(bad)
    monkeypatch.delenv("SOCIALDESK_REDDIT_CLIENT_ID", raising=False)
    reset_settings_cache()
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s, pytest.raises(ValidationFailed, match="SOCIALDESK_REDDIT_CLIENT_ID"):
        listening.add_monitor(world.ctx(s), name="Kava", terms=["kava"], sources=["reddit"], languages=["hr"])


def test_a_reddit_monitor_catches_an_inflected_word_once(database: Database, clock: ManualClock,
                                                        reddit: Reddit) -> None:
    world = make_world(database, profiles=(), roles=())
    post = reddit.state.add_post("croatia", "Gdje popiti dobru kavu u Zagrebu?", "Preporuke?",
                                 created=clock.now() - timedelta(hours=2))
    reddit.state.add_post("chess", "Best openings", created=clock.now() - timedelta(hours=1))
    reddit.state.add_post("croatia", "Stara kava", created=clock.now() - timedelta(days=3))  # before the look back
    with database.unit_of_work() as s:
        monitor = listening.add_monitor(world.ctx(s), name="Kava", terms=["kava"],
                                        sources=["reddit", "reddit:r/croatia"], languages=["hr"])
        first = listening.run_monitor(s, monitor)
    assert first.errors == {} and first.new == 1, first.as_dict()
    token = reddit.server.calls_to("POST", "/api/v1/access_token")
    assert len(token) == 1 and token[0].form() == {"grant_type": "client_credentials"}
    basic = base64.b64decode(token[0].headers["authorization"][6:]).decode()
    assert basic == f"{reddit.state.client_id}:{reddit.state.client_secret}"
    everywhere, in_sub = reddit.state.searches
    assert everywhere["_path"] == "/search" and in_sub["_path"] == "/r/croatia/search"
    assert in_sub["restrict_sr"] == "true" and "restrict_sr" not in everywhere
    assert everywhere["sort"] == "new" and everywhere["limit"] == "100" and everywhere["type"] == "link"
    assert everywhere["q"].split(" OR ")[:3] == ["kava", "kave", "kavi"]
    assert set(reddit.state.agents) == {"server:socialdesk-tests:0.1 (by /u/socialdesk)"}
    with database.unit_of_work() as s:
        found = listening.mentions(world.ctx(s), monitor="Kava")
        assert [(m.source, m.matched_term) for m in found] == [("reddit", "kava")]
        assert found[0].url == f"https://www.reddit.com{post['data']['permalink']}"
        assert found[0].author == "u/someone"
        # Both searches found the same post (stored once, above); asked again, the token is reused.
        again = listening.run_monitor(s, s.merge(monitor))
        assert again.new == 0 and again.errors == {}
        assert len(listening.mentions(world.ctx(s), monitor="Kava")) == 1
    assert len(reddit.server.calls_to("POST", "/api/v1/access_token")) == 1


def test_an_exhausted_rate_limit_waits_for_the_reset(database: Database, clock: ManualClock,
                                                     reddit: Reddit) -> None:
    world = make_world(database, profiles=(), roles=())
    reddit.state.window_allowance = 1
    reddit.state.window_seconds = 300
    reddit.state.add_post("croatia", "Kavu ili čaj?", created=clock.now() - timedelta(hours=1))
    with database.unit_of_work() as s:
        monitor = listening.add_monitor(world.ctx(s), name="Kava", terms=["kava"], sources=["reddit"],
                                        languages=["hr"])
        first = listening.run_monitor(s, monitor)
        assert first.new == 1 and first.errors == {}  # the last request of the window still answered
        kept = s.merge(monitor).state["sources"]["reddit"]
        assert kept["wait_until"] == (clock.now() + timedelta(seconds=300)).isoformat()
        # X-Ratelimit-Remaining said 0: nothing is asked until X-Ratelimit-Reset has passed.
        clock.advance(timedelta(seconds=120))
        assert listening.run_monitor(s, s.merge(monitor)).errors == {}
    assert len(reddit.state.searches) == 1 and reddit.state.used == 1
    clock.advance(timedelta(seconds=181))
    reddit.state.used = 0  # Reddit's new window
    reddit.state.add_post("croatia", "Kava s mlijekom", created=clock.now() - timedelta(minutes=1))
    with database.unit_of_work() as s:
        later = listening.run_monitor(s, s.merge(monitor))
    assert later.new == 1 and len(reddit.state.searches) == 2


def test_a_429_is_honoured_too(database: Database, clock: ManualClock, reddit: Reddit) -> None:
    world = make_world(database, profiles=(), roles=())
    reddit.server.fail("GET", "/search", status=429, json={"message": "Too Many Requests", "error": 429},
                       headers={"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "90"})
    with database.unit_of_work() as s:
        monitor = listening.add_monitor(world.ctx(s), name="Kava", terms=["kava"], sources=["reddit"])
        result = listening.run_monitor(s, monitor)
        assert result.errors == {} and result.new == 0
        assert "wait_until" in s.merge(monitor).state["sources"]["reddit"]
        listening.run_monitor(s, s.merge(monitor))
    assert len(reddit.server.calls_to("GET", "/search")) == 1


def test_wrong_credentials_are_said_plainly(database: Database, clock: ManualClock, reddit: Reddit,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALDESK_REDDIT_CLIENT_SECRET", "not-the-secret")
    reset_settings_cache()
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        monitor = listening.add_monitor(world.ctx(s), name="Kava", terms=["kava"], sources=["reddit:r/croatia"])
        result = listening.run_monitor(s, monitor)
    assert "Reddit refused the app's credentials" in result.errors["reddit:r/croatia"]
    assert "SOCIALDESK_REDDIT_CLIENT_SECRET" in result.errors["reddit:r/croatia"]
    assert reddit.state.searches == []


def test_the_contract_server_refuses_what_reddit_refuses(reddit: Reddit) -> None:
    import httpx

    with httpx.Client(base_url=reddit.base_url) as client:
        assert client.post("/api/v1/access_token", data={"grant_type": "client_credentials"},
                           headers={"User-Agent": "server:x:1 (by /u/x)"}).status_code == 401
        assert client.post("/api/v1/access_token", data={"grant_type": "client_credentials"},
                           auth=(reddit.state.client_id, reddit.state.client_secret)).status_code == 429
        got = client.post("/api/v1/access_token", data={"grant_type": "client_credentials"},
                          auth=(reddit.state.client_id, reddit.state.client_secret),
                          headers={"User-Agent": "server:x:1 (by /u/x)"}).json()["access_token"]
        ua = {"User-Agent": "server:x:1 (by /u/x)"}
        assert client.get("/search", params={"q": "kava"}, headers=ua).status_code == 401
        auth = {**ua, "Authorization": f"Bearer {got}"}
        assert client.get("/search", params={"q": ""}, headers=auth).status_code == 400
        assert client.get("/search", params={"q": "x" * 513}, headers=auth).status_code == 400
        assert client.get("/search", params={"q": "kava", "limit": 500}, headers=auth).status_code == 400
        assert client.get("/search", params={"q": "kava", "sort": "oldest"}, headers=auth).status_code == 400
        ok = client.get("/search", params={"q": "kava", "sort": "new"}, headers=auth)
        assert ok.status_code == 200 and "X-Ratelimit-Remaining" in ok.headers


def test_the_cli_runs_a_reddit_monitor(database: Database, clock: ManualClock, reddit: Reddit) -> None:
    world = make_world(database, profiles=(), roles=())
    reddit.state.add_post("croatia", "Najbolja kavom natopljena torta", created=clock.now() - timedelta(hours=1))
    set_database(database)
    runner = CliRunner()
    ws = world.workspace_id
    added = runner.invoke(app, ["monitor", "add", "-w", ws, "--name", "Kava", "--query", "kava", "--language", "hr",
                                "--source", "reddit:r/croatia", "--json"])
    assert added.exit_code == 0, added.output
    ran = runner.invoke(app, ["monitor", "run", "-w", ws, "--name", "Kava", "--json"])
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.output)[0]["new"] == 1
    mentions = json.loads(runner.invoke(app, ["mentions", "list", "-w", ws, "--monitor", "Kava", "--json"]).output)
    assert [(m["source"], m["matched_term"]) for m in mentions] == [("reddit:r/croatia", "kava")]
