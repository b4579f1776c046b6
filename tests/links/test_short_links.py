"""Short links: made when a post is saved, put in what goes out, counted when followed (people apart from
bots, no address kept), and feeding CTR — with the sandbox audience clicking through the same counter."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from socialdesk.analytics import service as analytics
from socialdesk.analytics.definitions import format_value, metric
from socialdesk.content import service as content
from socialdesk.content.models import Publication
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.jobs.runner import Runner
from socialdesk.links import clicks, shortlinks
from socialdesk.links import settings as link_settings
from socialdesk.links.models import LinkClickDay, LinkSalt, LinkVisitor, ShortLink
from socialdesk.networks.sandbox.models import SandboxPost
from socialdesk.networks.sandbox.server import sandbox_database
from tests.helpers import make_world
from tests.web_client import signed_in_client

LINK = "https://shop.example.com/kava?utm_source=newsletter&ref=bio"
TEXT = f"Nova kava iz Etiopije! ☕ Naručite: {LINK} #kava #coffee"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"


def _rules(database: Database, world, **utm: str) -> None:  # type: ignore[no-untyped-def]
    with database.unit_of_work() as session:
        link_settings.save_workspace(world.ctx(session), shorten=True, utm_enabled=True,
                                     values={"utm_source": "{network}", "utm_medium": "social",
                                             "utm_campaign": "spring-{date}", **utm})


def test_a_short_link_counts_sandbox_clicks_into_ctr(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",), audience=4000)
    _rules(database, world)
    with database.unit_of_work() as session:
        post_id = content.compose(world.ctx(session), PostIn(
            text=TEXT, channel_ids=[world.channels["x"]], intent=Intent.PUBLISH_NOW)).post.id
    runner = Runner(database)
    runner.run_pending()
    with database.read_sessions() as session:
        pub = session.scalars(select(Publication).where(Publication.post_id == post_id)).one()
        assert pub.status == "published"
        link = session.scalars(select(ShortLink).where(ShortLink.publication_id == pub.id)).one()
        # The UTM tags were added, the author's own utm_source kept, the rest of the link untouched.
        query = parse_qs(urlsplit(link.destination_url).query)
        assert query["utm_source"] == ["newsletter"] and query["ref"] == ["bio"]
        assert query["utm_medium"] == ["social"] and query["utm_campaign"][0].startswith("spring-2026-")
    with sandbox_database().read_sessions() as sandbox:
        sent = sandbox.scalars(select(SandboxPost.text)).one()
    assert shortlinks.short_url(link.code) in sent and LINK not in sent, "the network got the long link"

    for _ in range(30):
        clock.advance(timedelta(hours=1))
        runner.run_pending()

    with database.read_sessions() as session:
        people = session.scalar(select(func.sum(LinkClickDay.clicks)).where(LinkClickDay.link_id == link.id))
        bots = session.scalar(select(func.sum(LinkClickDay.bot_clicks)).where(LinkClickDay.link_id == link.id))
        assert people and people > 0, "the sandbox audience clicked nothing"
        assert bots == 1, "the network's link preview is one bot request"
        ctx = world.ctx(session)
        latest = analytics.latest_for_publications(ctx, [pub.id])[pub.id].values
    # The last snapshot's clicks are the short link's count of people; CTR = clicks ÷ impressions × 100.
    assert latest["clicks"] == people
    assert latest["impressions"] and latest["impressions"] > people
    ctr = metric("ctr").compute(latest)
    assert ctr is not None and abs(ctr - people / latest["impressions"] * 100) < 1e-9
    # Collecting again at the same time sends no click twice.
    with database.unit_of_work() as session:
        session.execute(select(1))
    analytics.collect_channel(database, world.channels["x"])
    with database.read_sessions() as session:
        assert session.scalar(select(func.sum(LinkClickDay.clicks)).where(LinkClickDay.link_id == link.id)) == people

    # The links page shows the link with its clicks and CTR.
    client, _ = signed_in_client(database, world.users["owner"])
    page = client.get(f"/w/{world.workspace_id}/links")
    assert page.status_code == 200
    assert link.code in page.text and format_value(ctr, "percent") in page.text


def test_the_redirect_counts_people_and_bots_apart_and_keeps_no_address(database: Database,
                                                                         clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    _rules(database, world)
    with database.unit_of_work() as session:
        content.compose(world.ctx(session), PostIn(text=TEXT, channel_ids=[world.channels["x"]],
                                                   intent=Intent.DRAFT))
    with database.read_sessions() as session:
        link = session.scalars(select(ShortLink)).one()
    client, _ = signed_in_client(database, world.users["owner"])
    client.cookies.clear()  # a stranger on the internet: no sign-in needed
    for agent in (BROWSER, BROWSER, "Mozilla/5.0 (iPhone) Safari/604.1", "facebookexternalhit/1.1",
                  "Twitterbot/1.0", "Slackbot-LinkExpanding 1.0", "TelegramBot (like TwitterBot)",
                  "Mozilla/5.0 (compatible; Discordbot/2.0)", "WhatsApp/2.23", "curl/8.5.0", ""):
        answer = client.get(f"/l/{link.code}", headers={"user-agent": agent})
        assert answer.status_code == 302 and answer.headers["location"] == link.destination_url
        assert answer.headers["cache-control"] == "no-store"
    assert client.get("/l/nosuchcode", headers={"user-agent": BROWSER}).status_code == 404
    with database.read_sessions() as session:
        day = session.scalars(select(LinkClickDay)).one()
        assert (day.clicks, day.unique_visitors, day.bot_clicks) == (3, 2, 8)
        hashes = list(session.scalars(select(LinkVisitor.visitor_hash)))
        assert len(hashes) == 2 and all("testclient" not in h and len(h) == 64 for h in hashes)
        assert session.scalar(select(func.count()).select_from(LinkSalt)) == 1

    # The next day has a new salt, and yesterday's is gone: the same visitor is a new hash.
    clock.advance(timedelta(days=1))
    client.get(f"/l/{link.code}", headers={"user-agent": BROWSER})
    with database.read_sessions() as session:
        salts = list(session.scalars(select(LinkSalt)))
        assert [s.day for s in salts] == [clock.now().date()]
        new_hash = session.scalars(select(LinkVisitor.visitor_hash).where(LinkVisitor.day == clock.now().date())).one()
        assert new_hash not in hashes


def test_ctr_is_not_available_without_impressions_and_untagged_posts_are_left_alone(database: Database) -> None:
    assert format_value(metric("ctr").compute({"clicks": 12, "impressions": None}), "percent") == "not available"
    assert metric("ctr").compute({"clicks": 12, "impressions": 0}) is None
    world = make_world(database, profiles=("x",))
    with database.unit_of_work() as session:  # rules off (the default): links go out as written
        content.compose(world.ctx(session), PostIn(text=TEXT, channel_ids=[world.channels["x"]],
                                                   intent=Intent.DRAFT))
        assert session.scalar(select(func.count()).select_from(ShortLink)) == 0
    assert clicks.is_bot("Mozilla/5.0 (compatible; Googlebot/2.1)") and not clicks.is_bot(BROWSER)


def test_wrong_utm_templates_are_refused_with_what_to_fix(database: Database) -> None:
    world = make_world(database, profiles=("x",))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        from socialdesk.core.errors import ValidationFailed
        try:
            link_settings.save_workspace(ctx, shorten=False, utm_enabled=True, values={"utm_campaign": "{month}"})
        except ValidationFailed as error:
            assert "utm_campaign" in error.message and "{date}" in error.message
        else:
            raise AssertionError("an unknown placeholder was accepted")


def test_the_composer_preview_shows_the_tagged_link(database: Database, clock: ManualClock) -> None:
    world = make_world(database, "Preview", profiles=("x",))
    _rules(database, world, utm_campaign="{channel}")
    client, _ = signed_in_client(database, world.users["owner"])
    page = client.post(f"/w/{world.workspace_id}/compose/check", data={
        "text": "Menu: https://kava.example.com/menu#today", "channel_ids": [world.channels["x"]]}).text
    assert "utm_source=sandbox&amp;utm_medium=social&amp;utm_campaign=preview-x#today" in page
    assert "Short link on save" in page
