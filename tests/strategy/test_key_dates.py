"""Key dates of the strategy: added with a day or a range, a pillar and a network, refused plainly when wrong,
listed and removed through the service, the JSON API (a viewer reads, only an editor writes), the CLI and the
strategy page, and marked on every day they cover in the calendar's month and week views."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from socialdesk.cli import app
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database, set_database
from socialdesk.core.errors import Forbidden, NotFound, ValidationFailed
from socialdesk.strategy import key_dates, service
from tests.helpers import make_world
from tests.web_client import signed_in_client


def test_key_dates_are_added_listed_and_spread_over_their_days(database: Database) -> None:
    world = make_world(database, profiles=(), roles=("viewer",))
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        service.add_pillar(ctx, "Product", target_share=0.5)
        launch = key_dates.add(ctx, "  Spring   launch ", "2027-03-01", ends_on="2027-03-03", kind="Launch",
                               pillar="product", network="Instagram", note="New beans")
        key_dates.add(ctx, "Christmas", date(2026, 12, 25), kind="holiday")
        assert (launch.name, launch.kind, launch.network) == ("Spring launch", "launch", "instagram")
        assert key_dates.as_dict(ctx, launch)["pillar"] == "Product"
        assert [k.name for k in key_dates.listing(ctx)] == ["Christmas", "Spring launch"]
        assert [k.name for k in key_dates.listing(ctx, date(2027, 1, 1), date(2027, 12, 31))] == ["Spring launch"]
        days = key_dates.by_day(ctx, date(2027, 3, 2), date(2027, 3, 9))
        assert sorted(days) == [date(2027, 3, 2), date(2027, 3, 3)]
        for bad, words in [({"name": " "}, "name"), ({"starts_on": "2027-13-01"}, "not a date"),
                           ({"ends_on": "2027-02-01"}, "before it starts"), ({"kind": "party"}, "holiday"),
                           ({"ends_on": "2029-01-01"}, "at most a year"), ({"network": "my space!"}, "network")]:
            spec = {"name": "X", "starts_on": "2027-03-01", **bad}
            with pytest.raises(ValidationFailed, match=words):
                key_dates.add(ctx, spec.pop("name"), spec.pop("starts_on"), **spec)  # type: ignore[arg-type]
        with pytest.raises(NotFound):
            key_dates.add(ctx, "X", "2027-03-01", pillar="Nope")
        key_dates.remove(ctx, "christmas")
        with pytest.raises(NotFound, match="No key date"):
            key_dates.remove(ctx, "Christmas")
    with database.unit_of_work() as s, pytest.raises(Forbidden):
        key_dates.add(world.ctx(s, "viewer"), "Easter", "2027-03-28")


def test_the_api_reads_for_viewers_and_writes_for_editors(database: Database) -> None:
    world = make_world(database, profiles=(), roles=("viewer",))
    client, _ = signed_in_client(database, world.users["owner"])
    api = f"/api/v1/workspaces/{world.workspace_id}/strategy/key-dates"
    made = client.post(api, json={"name": "Black Friday", "starts_on": "2026-11-27", "ends_on": "2026-11-30",
                                  "kind": "campaign", "network": "facebook", "note": "20 % off"})
    assert made.status_code == 201, made.text
    assert made.json()["ends_on"] == "2026-11-30" and made.json()["kind"] == "campaign"
    assert client.post(api, json={"name": "Bad", "starts_on": "tomorrow"}).status_code == 422
    assert client.post(api, json={"name": "Bad", "starts_on": "2026-11-27", "kind": "rave"}).status_code == 422
    viewer, _ = signed_in_client(database, world.users["viewer"])
    assert [k["name"] for k in viewer.get(api).json()] == ["Black Friday"]
    assert viewer.get(api, params={"from": "2026-12-01"}).json() == []
    assert viewer.get(api, params={"from": "soon"}).status_code == 422
    assert viewer.post(api, json={"name": "Nope", "starts_on": "2026-12-01"}).status_code == 403
    assert viewer.delete(f"{api}/{made.json()['id']}").status_code == 403
    assert client.delete(f"{api}/{made.json()['id']}").status_code == 204
    assert client.delete(f"{api}/{made.json()['id']}").status_code == 404


def test_the_cli_adds_lists_and_removes(database: Database) -> None:
    world = make_world(database, profiles=(), roles=())
    set_database(database)
    runner = CliRunner()
    ws = world.workspace_id
    added = runner.invoke(app, ["strategy", "key-date", "add", "-w", ws, "--name", "Dan državnosti",
                                "--date", "2027-05-30", "--kind", "holiday", "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.output)["name"] == "Dan državnosti"
    ranged = runner.invoke(app, ["strategy", "key-date", "add", "-w", ws, "--name", "Summer sale",
                                 "--date", "2027-07-01", "--until", "2027-07-14", "--kind", "campaign"])
    assert ranged.exit_code == 0 and "2027-07-01 – 2027-07-14" in ranged.output, ranged.output
    bad = runner.invoke(app, ["strategy", "key-date", "add", "-w", ws, "--name", "X", "--date", "2027-07-01",
                              "--until", "2027-06-01"])
    assert bad.exit_code != 0 and "before it starts" in str(bad.exception)
    listed = json.loads(runner.invoke(app, ["strategy", "key-date", "list", "-w", ws, "--json"]).output)
    assert [(k["name"], k["starts_on"], k["ends_on"]) for k in listed] == [
        ("Dan državnosti", "2027-05-30", "2027-05-30"), ("Summer sale", "2027-07-01", "2027-07-14")]
    removed = runner.invoke(app, ["strategy", "key-date", "remove", "-w", ws, "--name", "Summer sale"])
    assert removed.exit_code == 0, removed.output
    assert len(json.loads(runner.invoke(app, ["strategy", "key-date", "list", "-w", ws, "--json"]).output)) == 1


def test_the_strategy_page_and_the_calendar_show_them(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("instagram",), roles=("viewer",))
    today = clock.now().date()
    client, csrf = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    start, end = today + timedelta(days=1), today + timedelta(days=2)
    added = client.post(f"{w}/strategy/key-dates", data={
        "csrf_token": csrf, "name": "Coffee <b>day</b>", "starts_on": start.isoformat(),
        "ends_on": end.isoformat(), "kind": "campaign", "network": "instagram", "note": "Free refills"})
    assert added.status_code == 303
    refused = client.post(f"{w}/strategy/key-dates", data={"csrf_token": csrf, "name": "X", "starts_on": "soon"},
                          follow_redirects=True)
    assert "not a date" in refused.text
    page = client.get(f"{w}/strategy")
    assert 'id="key-dates"' in page.text and "Coffee &lt;b&gt;day&lt;/b&gt;" in page.text
    assert "Free refills" in page.text and "Instagram" in page.text
    month = client.get(f"{w}/calendar", params={"view": "month", "date": start.isoformat()})
    assert month.text.count('class="cal-key-date kd-campaign"') == 2  # both days of the range
    week = client.get(f"{w}/calendar", params={"view": "week", "date": start.isoformat()})
    marks = week.text.count('class="cal-key-date kd-campaign"')
    assert marks == (2 if start.weekday() < 6 else 1)  # a range across Sunday continues next week
    viewer, _ = signed_in_client(database, world.users["viewer"])
    seen = viewer.get(f"{w}/strategy")
    assert "Coffee &lt;b&gt;day&lt;/b&gt;" in seen.text and "Add key date" not in seen.text
    with database.unit_of_work() as s:
        found = key_dates.listing(world.ctx(s))[0].id
    assert client.post(f"{w}/strategy/key-dates/{found}/delete", data={"csrf_token": csrf}).status_code == 303
    assert 'class="cal-key-date' not in client.get(f"{w}/calendar").text
