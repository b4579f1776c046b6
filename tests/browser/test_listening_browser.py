"""The listening page in a real browser: a monitor on the sandbox's public conversation after a scheduled
burst shows its alert, the mentions behind it, and turns one into a draft; a bad source is told plainly.
With SOCIALDESK_SCREENSHOTS=<folder>, the page is also saved there at 1280 px."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.listening import service
from socialdesk.listening.models import ListeningAlert
from socialdesk.networks.public import sandbox_conversation as conversation
from tests.helpers import PASSWORD, make_world

SHOTS = os.environ.get("SOCIALDESK_SCREENSHOTS")
SEED = 3


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_alert_mentions_and_a_post_idea(database: Database, clock: ManualClock, live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    week = datetime(2026, 9, 28, tzinfo=UTC)
    burst = conversation.scheduled_bursts(SEED, ["kava"], week, week + timedelta(weeks=1))[0]
    clock.set(burst.end + timedelta(hours=2))
    world = make_world(database, profiles=("x",), roles=())
    with database.unit_of_work() as s:
        monitor = service.add_monitor(world.ctx(s), name="Kava", terms=["kava", "#kava"], languages=["hr"],
                                      sources=[f"sandbox:{SEED}", "rss:https://news.example.invalid/feed.xml"])
        service.run_monitor(s, monitor)
        assert s.scalars(select(ListeningAlert).where(ListeningAlert.kind == "burst")).first() is not None

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/w/{world.workspace_id}/listening")
    expect(page.locator(".listening-alerts")).to_contain_text("burst")
    expect(page.locator(".listening-monitors")).to_contain_text("sandbox:3")
    expect(page.locator(".listening-error")).to_be_visible()  # the feed that cannot be reached says so
    _shot(page, "listening")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.locator(".listening-alerts a", has_text="mention").first.click()
    expect(page.locator("#mentions h2")).to_have_text("Mentions behind the alert")
    first = page.locator(".listening-mention").first
    expect(first).to_contain_text("kav")
    page.locator(".listening-mention button", has_text="Turn into a post idea").first.click()
    expect(page).to_have_url(re.compile(r"/posts/\w+/edit"))
    expect(page.locator("textarea").first).to_contain_text("Idea from listening")

    page.goto(f"{live_server}/w/{world.workspace_id}/listening")
    page.locator("details.listening-add summary").click()
    page.fill("input[name=name]", "Reddit too")
    page.fill("textarea[name=terms]", "kava")
    page.fill("textarea[name=sources]", "reddit")
    page.click("details.listening-add button.primary")
    expect(page.locator(".alert.error, .flash.error, [role=alert]").first).to_contain_text("Reddit")


def test_reply_from_here_is_offered_where_the_network_allows_it(
        database: Database, clock: ManualClock, live_server: str, page: Any) -> None:
    """A Mastodon mention has "Reply from here" with the workspace's Mastodon channel; the sandbox's mentions
    say why not instead. The channel's server does not exist, so sending shows the refusal in the page."""
    from playwright.sync_api import expect

    from socialdesk.channels.models import Channel
    from socialdesk.core.crypto import encrypt_json
    from socialdesk.listening.models import Mention, Monitor

    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        monitor = service.add_monitor(world.ctx(s), name="Kava", terms=["kava"], sources=[f"sandbox:{SEED}"])
        service.run_monitor(s, monitor)
        s.add(Channel(workspace_id=world.workspace_id, network="mastodon", name="Brand on Mastodon",
                      handle="brand", external_id="1@mastodon.example.invalid",
                      credentials_encrypted=encrypt_json({"access_token": "t"}),
                      settings={"instance": "https://mastodon.example.invalid", "account_id": "1"}))
        s.add(Mention(workspace_id=world.workspace_id, monitor_id=s.scalars(select(Monitor)).one().id,
                      dedupe_key="m1", text_key="m1", source="mastodon:mastodon.example.invalid",
                      url="https://mastodon.example.invalid/@ana/110",
                      external_id="https://mastodon.example.invalid/users/ana/statuses/110",
                      author="ana@mastodon.example.invalid", text="Gdje ima dobre kave u Zagrebu?",
                      posted_at=clock.now() + timedelta(minutes=5), language="hr", sentiment="neutral",
                      matched_term="kava"))

    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/w/{world.workspace_id}/listening#mentions")
    mastodon = page.locator(".listening-mention", has_text="Gdje ima dobre kave")
    expect(mastodon.locator("summary", has_text="Reply from here")).to_be_visible()
    sandbox = page.locator(".listening-mention").nth(1)
    expect(sandbox).to_contain_text("simulated")
    expect(sandbox.locator("summary", has_text="Reply from here")).to_have_count(0)
    mastodon.locator("summary", has_text="Reply from here").click()
    for width in (1280, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        _shot(page, f"listening-reply-{width}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    mastodon.locator("textarea[name=text]").fill("Svrati k nama!")
    mastodon.locator("button", has_text="Send the reply").click()
    expect(page.locator(".alert.error, .flash.error, [role=alert]").first).to_contain_text(
        "Brand on Mastodon refused to find the post")
