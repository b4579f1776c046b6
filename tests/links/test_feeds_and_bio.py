"""RSS/Atom feeds into drafts (through the outbound policy, each entry once), the iCal feed (secret,
revocable, only its hash kept) and the public link-in-bio page (clicks counted by the short-link counter)."""

from __future__ import annotations

from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from socialdesk.bulk import calendar_feed, newsfeeds
from socialdesk.content import service as content
from socialdesk.content.models import Post, Publication
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.jobs.runner import Runner
from socialdesk.links import bio
from socialdesk.links.models import CalendarFeed, LinkClickDay, NewsFeedEntry
from tests.helpers import allow_private_targets, make_world, serving
from tests.web_client import signed_in_client

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Kava blog</title>
{items}</channel></rss>"""
ITEM = """<item><guid>{n}</guid><title>Post {n} &amp; more</title><link>https://blog.example.com/{n}</link>
<description>&lt;p&gt;Summary {n}&lt;/p&gt;</description><pubDate>Mon, 0{n} Mar 2026 08:00:00 GMT</pubDate></item>"""


class _Feed(BaseHTTPRequestHandler):
    items = 4

    def do_GET(self) -> None:
        body = RSS.format(items="".join(ITEM.format(n=n) for n in range(1, _Feed.items + 1))).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _texts(database: Database) -> list[str]:
    with database.read_sessions() as session:
        return sorted(session.scalars(select(Post.text)))


def test_a_feed_makes_drafts_once_each_through_the_outbound_policy(database: Database, clock: ManualClock,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world(database, "Feeds", profiles=("x",))
    server = HTTPServer(("127.0.0.1", 0), _Feed)
    url = f"http://127.0.0.1:{server.server_port}/feed.xml"
    with serving(server):
        with database.unit_of_work() as session:
            ctx = world.ctx(session)
            feed_id = newsfeeds.add(ctx, url, [world.channels["x"]], template="{title}: {summary} {link}").id
            assert newsfeeds.poll(ctx, feed_id) == []  # loopback is refused by the policy...
            assert "loopback" in (session.get(newsfeeds.NewsFeed, feed_id).last_error or "")
        allow_private_targets(monkeypatch)  # ...unless the operator allows it
        _Feed.items = 4
        clock.advance(timedelta(hours=1, minutes=5))
        Runner(database).run_pending()  # the periodic job polls the feed, due again after its hour
        assert _texts(database) == [f"Post {n} & more: Summary {n} https://blog.example.com/{n}" for n in (2, 3, 4)]
        _Feed.items = 5
        clock.advance(timedelta(hours=1, minutes=5))
        Runner(database).run_pending()
        with database.unit_of_work() as session:
            newsfeeds.poll(world.ctx(session), feed_id)  # again at once: nothing new
    assert len(_texts(database)) == 4 and "Post 5 & more" in _texts(database)[-1]
    with database.read_sessions() as session:
        assert session.scalar(select(func.count()).select_from(NewsFeedEntry)) == 5
        statuses = set(session.scalars(select(Publication.status)))
        assert statuses == {"draft"}
    with database.unit_of_work() as session, pytest.raises(Exception, match="placeholder"):
        newsfeeds.add(world.ctx(session), url, [world.channels["x"]], template="{titel}")


def test_the_ical_feed_is_secret_and_revocable(database: Database, clock: ManualClock) -> None:
    world = make_world(database, "Cal", profiles=("x",))
    with database.unit_of_work() as session:
        content.compose(world.ctx(session), PostIn(text="Tasting on <Saturday>\nCome early", channel_ids=[
            world.channels["x"]], intent=Intent.SCHEDULE, scheduled_at=clock.now() + timedelta(days=2)))
        feed, secret = calendar_feed.create(world.ctx(session), "Team")
        assert session.scalars(select(CalendarFeed.token_hash)).one() == calendar_feed.digest(secret) != secret
    client, _ = signed_in_client(database, world.users["owner"])
    client.cookies.clear()
    answer = client.get(f"/ical/{secret}.ics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    events = [e for e in Calendar.from_ical(answer.content).walk("VEVENT")]
    assert [str(e["summary"]) for e in events] == ["Tasting on <Saturday>"]
    assert events[0].decoded("dtstart") == clock.now() + timedelta(days=2)
    assert client.get("/ical/wrong-secret").status_code == 404
    with database.unit_of_work() as session:
        calendar_feed.revoke(world.ctx(session), feed.id)
    assert client.get(f"/ical/{secret}").status_code == 404


def test_the_link_in_bio_page_is_public_branded_and_counts_clicks(database: Database, clock: ManualClock) -> None:
    world = make_world(database, "Kava Bar", profiles=("x",))
    with database.unit_of_work() as session:
        content.compose(world.ctx(session), PostIn(text="Fresh <b>beans</b> today", channel_ids=[world.channels["x"]],
                                                   intent=Intent.PUBLISH_NOW))
    Runner(database).run_pending()
    client, _ = signed_in_client(database, world.users["owner"])
    form = {"enabled": "on", "slug": "kava-bar", "title": "Kava Bar", "intro": "Coffee in Zagreb",
            "posts_shown": "6", "links": "Menu | https://kava.example.com/menu\nhttps://kava.example.com/shop"}
    assert client.post(f"/w/{world.workspace_id}/links/bio", data=form).status_code == 303
    with database.unit_of_work() as session, pytest.raises(Exception, match="line 1"):
        bio.parse_links("Menu | javascript:alert(1)")
    client.cookies.clear()  # a visitor without an account
    page = client.get("/bio/kava-bar")
    assert page.status_code == 200
    assert "Coffee in Zagreb" in page.text and "Fresh &lt;b&gt;beans&lt;/b&gt; today" in page.text
    assert "https://kava.example.com/menu" not in page.text, "links must go through the short-link counter"
    with database.read_sessions() as session:
        shown = bio.public(session, "kava-bar")
    assert [link.label for link in shown.links] == ["Menu", "https://kava.example.com/shop"]
    visitor = {"user-agent": "Mozilla/5.0 (iPhone) Safari/604.1"}
    answer = client.get(f"/l/{shown.links[0].code}", headers=visitor)
    assert answer.status_code == 302 and answer.headers["location"] == "https://kava.example.com/menu"
    with database.read_sessions() as session:
        assert session.scalar(select(func.sum(LinkClickDay.clicks))) == 1
    assert client.get("/bio/no-such-page").status_code == 404
