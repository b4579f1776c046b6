"""A YouTube competitor (stand-in reader) in the client report's competitor section and sheet, the API's
and the page's CSV export, and the competitors page: the network choices, a hidden subscriber count and
views per post."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from socialdesk.analytics.periods import parse_period
from socialdesk.competitors import service
from socialdesk.competitors.export import COLUMNS
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.networks.public.profiles import PublicPost, PublicProfile
from socialdesk.reports import exports, render
from socialdesk.reports import service as reports
from tests.helpers import make_world
from tests.web_client import signed_in_client

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _channel(followers: int | None) -> PublicProfile:
    posts = [PublicPost(f"vid{i}", f"https://www.youtube.com/watch?v=vid{i}", NOW - timedelta(days=i + 1),
                        likes=30 + i, reposts=0, replies=4, format="short" if i % 3 == 0 else "video",
                        hashtags=["kava"], text=f"Video {i}", views=1500 + 100 * i) for i in range(7)]
    return PublicProfile("@rivalcoffee", "Rival Coffee", followers, 7, posts, followers_hidden=followers is None)


def _world_with_rival(database: Database, clock: ManualClock, followers: int | None = 48_100) -> object:
    world = make_world(database, profiles=(), roles=("viewer",))
    clock.set(NOW)
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        rival = service.add(ctx, network="youtube", handle="@RivalCoffee")
        assert service.snapshot(ctx, rival, reader=lambda *_: _channel(followers)).error == ""
    return world


def test_the_client_report_has_a_competitor_section_and_sheet(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        empty = reports.build(ctx, parse_period("2026-11", ctx.workspace.timezone))
        assert empty.competitors is None
        assert "No competitors are followed" in render.render_html(empty, with_charts=False)
        assert list(exports.rows(empty, "competitors")) == [list(COLUMNS)]
    clock.set(NOW)
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        rival = service.add(ctx, network="youtube", handle="@RivalCoffee")
        service.snapshot(ctx, rival, reader=lambda *_: _channel(48_100))
        report = reports.build(ctx, parse_period("2026-11", ctx.workspace.timezone))
    assert report.competitors is not None and report.competitors["period"]["days"] == 30
    html = render.render_html(report, with_charts=False)
    section = html[html.index("<h2>Competitors</h2>"):html.index("<h2>Definitions</h2>")]
    assert "@rivalcoffee" in section and "48100" in section and "short" in section
    table = list(csv.reader(io.StringIO(exports.to_csv(report, "competitors").decode())))
    assert [r[0] for r in table] == ["account", "Your channels", "@rivalcoffee"]
    assert table[2][table[0].index("views_per_post")] == "1800.0"


def test_the_api_and_the_page_export_csv_and_the_page_shows_youtube(database: Database,
                                                                   clock: ManualClock) -> None:
    world = _world_with_rival(database, clock, followers=None)
    client, _ = signed_in_client(database, world.users["owner"])  # type: ignore[attr-defined]
    ws = world.workspace_id  # type: ignore[attr-defined]
    api = client.get(f"/api/v1/workspaces/{ws}/competitors/export.csv?days=14")
    assert api.status_code == 200 and api.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(api.text)))
    assert rows[1]["account"] == "@rivalcoffee" and rows[1]["followers"] == "" and rows[1]["period_days"] == "14"
    assert "hiddenSubscriberCount" in rows[1]["notes"]
    assert client.get(f"/api/v1/workspaces/{ws}/competitors/export.csv?days=0").status_code == 422
    listed = client.get(f"/api/v1/workspaces/{ws}/competitors").json()
    assert listed[0]["followers"] is None and "hiddenSubscriberCount" in listed[0]["followers_note"]
    made = client.post(f"/api/v1/workspaces/{ws}/competitors", json={"network": "vk", "handle": "not a wall"})
    assert made.status_code == 422 and "club123" in made.text
    page = client.get(f"/w/{ws}/competitors")
    assert page.status_code == 200
    for expected in ('<option value="youtube">YouTube</option>', '<option value="vk">VK</option>', "views/post",
                     "hidden", "Export CSV"):
        assert expected in page.text, expected
    download = client.get(f"/w/{ws}/competitors/export.csv?days=nonsense")
    assert download.status_code == 200 and "@rivalcoffee" in download.text and ",30," in download.text
    viewer, _ = signed_in_client(database, world.users["viewer"])  # type: ignore[attr-defined]
    assert viewer.get(f"/w/{ws}/competitors/export.csv").status_code == 200  # analytics:read is enough
