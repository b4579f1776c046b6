"""An `x` listening source: X recent search on the X contract server, paid by the operator. The monitor's terms
and their Croatian forms go as one query; a post with an inflected form is caught, triaged and stored once;
the next run asks only for newer posts (since_id); the cost is shown before (monitor add) and after
(monitor run); a 429 holds the source until x-rate-limit-reset; a refused token is said in X's words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from typer.testing import CliRunner

from socialdesk.cli import app
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database, set_database
from socialdesk.core.errors import ValidationFailed
from socialdesk.listening import service as listening
from socialdesk.listening.sources import parse
from socialdesk.listening.x_source import spent_text
from socialdesk.networks.public import x_reads
from socialdesk.networks.public.x_search import query_of
from tests.contract.x import XContract, point_socialdesk_at
from tests.contract.x_public import issue_app_token
from tests.helpers import make_world
from tests.web_client import signed_in_client


@pytest.fixture
def xs(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> Iterator[XContract]:
    server = XContract()
    x_reads.forget()
    with server.running() as url:
        point_socialdesk_at(url, monkeypatch)
        monkeypatch.setenv("SOCIALDESK_X_BEARER_TOKEN", issue_app_token(server))
        reset_settings_cache()
        yield server
    x_reads.forget()
    reset_settings_cache()
    assert not server.unexpected, server.unexpected


def test_the_source_is_parsed_and_needs_xs_access(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse("x").spec == "x" and parse(" X ").spec == "x"
    with pytest.raises(ValidationFailed, match="x takes nothing after it"):
        parse("x:brand")
    monkeypatch.delenv("SOCIALDESK_X_BEARER_TOKEN", raising=False)
    reset_settings_cache()
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s, pytest.raises(ValidationFailed, match="connect an X channel"):
        listening.add_monitor(world.ctx(s), name="Kava", terms=["kava"], sources=["x"], languages=["hr"])
    assert query_of(["kava", "kave", "dobra kava"], ["hr"]) == '(kava OR kave OR "dobra kava") -is:retweet lang:hr'
    long = query_of([f"term{i:03d}" for i in range(200)], [])
    assert len(long) <= 512 and long.endswith(") -is:retweet")


def test_an_x_monitor_catches_an_inflected_word_once_and_pages_by_since_id(
        database: Database, clock: ManualClock, xs: XContract) -> None:
    fan, other = xs.add_user("fan", "A Fan"), xs.add_user("other", "Other")
    # In time order, as X's ids are (since_id relies on it).
    xs.post_as(other, "Kava je stara vijest", at=clock.now() - timedelta(days=3), lang="hr")  # before the look back
    caught = xs.post_as(fan, "Najbolju kavu u gradu kuhaju na Trešnjevci, preporuka!",
                        at=clock.now() - timedelta(hours=2), lang="hr")
    xs.post_as(other, "Chess openings for beginners", at=clock.now() - timedelta(hours=1), lang="hr")
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        monitor = listening.add_monitor(world.ctx(s), name="Kava", terms=["kava"], sources=["x"], languages=["hr"])
        first = listening.run_monitor(s, monitor)
        assert first.errors == {} and first.new == 1, first.as_dict()
        state = s.merge(monitor).state["sources"]["x"]
        assert state["since_id"] == caught.id and state["last_reads"] == 1
    search = xs.calls_to("GET", "/2/tweets/search/recent")
    assert len(search) == 1
    q = search[0].query
    assert q["query"].startswith("(kava OR kave OR kavi") and q["query"].endswith(") -is:retweet lang:hr")
    assert q["max_results"] == "100" and "start_time" in q and "since_id" not in q
    with database.unit_of_work() as s:
        found = listening.mentions(world.ctx(s), monitor="Kava")
        assert [(m.source, m.matched_term, m.author) for m in found] == [("x", "kava", "@fan")]
        assert found[0].url == f"https://x.com/fan/status/{caught.id}"
        assert found[0].sentiment and found[0].language == "hr"  # triaged like the other sources
        # Too soon: each search is billed, so the source waits SOCIALDESK_LISTENING_X_MINUTES.
        assert listening.run_monitor(s, s.merge(monitor)).fetched == 0
    assert len(xs.calls_to("GET", "/2/tweets/search/recent")) == 1
    clock.advance(timedelta(minutes=16))
    newer = xs.post_as(other, "Kavom počinjem dan", lang="hr")
    with database.unit_of_work() as s:
        current = s.merge(monitor)
        again = listening.run_monitor(s, current)
        assert again.new == 1 and again.fetched == 1  # only the newer post was read (and billed)
        assert len(listening.mentions(world.ctx(s), monitor="Kava")) == 2
        total = current.state["sources"]["x"]
        assert total["total_reads"] == 2 and total["since_id"] == newer.id
    later = xs.calls_to("GET", "/2/tweets/search/recent")[-1].query
    assert later["since_id"] == caught.id and "start_time" not in later
    clock.advance(timedelta(minutes=16))
    with database.unit_of_work() as s:  # nothing new: no post read, nothing stored twice
        third = listening.run_monitor(s, listening.find_monitor(world.ctx(s), "Kava"))
        assert third.new == 0 and third.errors == {}
        assert len(listening.mentions(world.ctx(s), monitor="Kava")) == 2


def test_a_429_holds_the_source_until_the_reset(database: Database, clock: ManualClock, xs: XContract) -> None:
    reset = int(clock.now().timestamp()) + 900
    xs.fail("GET", "/2/tweets/search/recent", status=429,
            json={"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
            headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        monitor = listening.add_monitor(world.ctx(s), name="Kava", terms=["kava"], sources=["x"])
        result = listening.run_monitor(s, monitor)
        assert result.errors == {} and result.new == 0
        kept = s.merge(monitor).state["sources"]["x"]
        assert abs(datetime.fromisoformat(kept["wait_until"]).timestamp() - reset) < 2  # x-rate-limit-reset
        assert kept["rate_limited"] == "Too Many Requests"
        clock.advance(timedelta(minutes=10))
        listening.run_monitor(s, s.merge(monitor))  # before the reset: not asked
    assert len(xs.calls_to("GET", "/2/tweets/search/recent")) == 1
    xs._faults.clear()
    clock.advance(timedelta(minutes=6))
    xs.post_as(xs.add_user("fan", "Fan"), "kava", lang="en")
    with database.unit_of_work() as s:
        after = listening.run_monitor(s, s.merge(monitor))
    assert after.new == 1 and len(xs.calls_to("GET", "/2/tweets/search/recent")) == 2


def test_a_refused_token_is_said_in_xs_words(database: Database, clock: ManualClock, xs: XContract,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALDESK_X_BEARER_TOKEN", "revoked")
    reset_settings_cache()
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        monitor = listening.add_monitor(world.ctx(s), name="Kava", terms=["kava"], sources=["x"])
        result = listening.run_monitor(s, monitor)
    assert result.errors["x"].startswith("X refused the token (Unauthorized): reconnect the X channel")


def test_the_search_contract_refuses_what_x_refuses(xs: XContract) -> None:
    app_token = issue_app_token(xs)
    auth = {"Authorization": f"Bearer {app_token}"}
    url = f"{xs.base_url}/2/tweets/search/recent"
    for query in ("", "(kava OR kave", "lang:hr", "-kava", "kava OR", "x" * 513):
        answer = httpx.get(url, params={"query": query}, headers=auth)
        assert answer.status_code == 400 and answer.json()["title"] == "Invalid Request", (query, answer.text)
    assert httpx.get(url, params={"query": "kava", "max_results": 5}, headers=auth).status_code == 400
    assert httpx.get(url, params={"query": "kava"}).status_code == 401
    ok = httpx.get(url, params={"query": "(kava OR čaj) -is:retweet lang:hr"}, headers=auth)
    assert ok.status_code == 200 and "x-rate-limit-remaining" in ok.headers
    me = httpx.get(f"{xs.base_url}/2/users/me", headers=auth)
    assert me.status_code == 403 and me.json()["title"] == "Unsupported Authentication"
    bad = httpx.get(f"{xs.base_url}/2/users/by/username/not-valid!", headers=auth)
    assert bad.status_code == 400 and "does not match" in bad.json()["errors"][0]["message"]
    missing = httpx.get(f"{xs.base_url}/2/users/by/username/nobody", headers=auth).json()
    assert "data" not in missing and missing["errors"][0]["title"] == "Not Found Error"


def test_the_cli_shows_the_cost_before_and_after(database: Database, clock: ManualClock, xs: XContract) -> None:
    xs.post_as(xs.add_user("fan", "Fan"), "Gdje je najbolja kava?", at=clock.now() - timedelta(hours=1), lang="hr")
    world = make_world(database, profiles=(), roles=())
    set_database(database)
    runner = CliRunner()
    ws = world.workspace_id
    added = runner.invoke(app, ["monitor", "add", "-w", ws, "--name", "Kava", "--query", "kava", "--language", "hr",
                                "--source", "x"])
    assert added.exit_code == 0, added.output
    flat = " ".join(added.output.split())
    assert "up to 200 reads ≈ $1.00 a run, every 15 min: up to 19200 reads ≈ $96.00 a day" in flat
    ran = runner.invoke(app, ["monitor", "run", "-w", ws, "--name", "Kava"])
    assert ran.exit_code == 0, ran.output
    assert "x: last run 1 read ≈ $0.01, all runs 1 read ≈ $0.01" in " ".join(ran.output.split())
    clock.advance(timedelta(minutes=20))
    as_json = json.loads(runner.invoke(app, ["monitor", "run", "-w", ws, "--name", "Kava", "--json"]).output)
    assert as_json[0]["x_reads"] == 0 and as_json[0]["new"] == 0
    mentions = json.loads(runner.invoke(app, ["mentions", "list", "-w", ws, "--monitor", "Kava", "--json"]).output)
    assert [(m["source"], m["matched_term"], m["language"]) for m in mentions] == [("x", "kava", "hr")]
    client, _ = signed_in_client(database, world.users["owner"])
    page = " ".join(client.get(f"/w/{ws}/listening").text.split())
    assert "up to 200 reads ≈ $1.00 a run" in page  # before
    assert "last run 0 reads ≈ $0.00, all runs 1 read ≈ $0.01" in page  # after


def test_the_page_budget_and_a_429_on_a_later_page_keep_what_was_read(
        database: Database, clock: ManualClock, xs: XContract, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.contract import x as x_contract

    monkeypatch.setenv("SOCIALDESK_LISTENING_X_MAX_RESULTS", "10")
    monkeypatch.setenv("SOCIALDESK_LISTENING_X_MAX_PAGES", "2")
    reset_settings_cache()
    fan = xs.add_user("fan", "Fan")
    for i in range(25):
        xs.post_as(fan, f"kava broj {i}", at=clock.now() - timedelta(minutes=60 - i))
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        monitor = listening.add_monitor(world.ctx(s), name="Kava", terms=["kava"], sources=["x"])
        first = listening.run_monitor(s, monitor)
        state = monitor.state["sources"]["x"]
    assert first.new == 20 and state["last_reads"] == 20 and state["more_left"]  # 2 pages of 10, no more
    assert "more posts were left unread" in spent_text(state)
    monkeypatch.setitem(x_contract.LIMITS, "GET /2/tweets/search/recent", 1)  # one request per window
    xs.windows.clear()
    clock.advance(timedelta(minutes=16))
    for i in range(15):
        xs.post_as(fan, f"nova kava {i}")
    with database.unit_of_work() as s:
        current = listening.find_monitor(world.ctx(s), "Kava")
        second = listening.run_monitor(s, current)
        kept = current.state["sources"]["x"]
    # The first page was read and stored; the second met the limit: kept for after x-rate-limit-reset.
    assert second.new == 10 and second.errors == {} and kept["wait_until"] and kept["last_reads"] == 10
