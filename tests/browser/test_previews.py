"""In a real browser: the approver sees the image they approve, and the calendar and the post list show each
post's thumbnail and each channel's network."""

from __future__ import annotations

from typing import Any

import pytest

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.browser.busy import Busy, make_busy, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def busy(database: Database, clock: ManualClock, live_server: str, monkeypatch: pytest.MonkeyPatch) -> Busy:
    return make_busy(database, live_server, monkeypatch)


def _thumbnails(page: Any, selector: str, busy: Busy) -> list[dict[str, Any]]:
    """The thumbnails under `selector` as the browser loaded them."""
    media_id = busy.world.media[0]
    images = page.locator(f"{selector} img[src*='/media/{media_id}/file?thumbnail=true']")
    images.first.wait_for()
    return [image.evaluate("i => ({w: i.naturalWidth, h: i.naturalHeight, done: i.complete, alt: i.alt, "
                           "shown: i.getBoundingClientRect().width})") for image in images.all()]


def test_the_approver_sees_the_image_and_the_networks(busy: Busy, page: Any) -> None:
    from playwright.sync_api import expect

    sign_in(page, busy, "approver")
    page.goto(f"{busy.w}/approvals")
    card = page.locator(".approval", has_text="Our autumn blend is back")
    expect(card).not_to_contain_text("media file(s)")
    images = _thumbnails(page, ".approval", busy)
    assert len(images) == 2  # one per channel's preview
    for image in images:
        # The library's small thumbnail (at most 320 px), loaded, described, and shown large enough to judge.
        assert image["done"] and 0 < image["w"] <= 320 and 0 < image["h"] <= 320
        assert image["alt"] == "A latte with a heart drawn in the foam" and image["shown"] >= 150
    expect(card.locator(".pv-head .net[aria-label='X-like sandbox']")).to_have_text("X")
    expect(card.locator(".pv-head .net[aria-label='Instagram-like sandbox']")).to_have_text("Ig")

    # Deciding swaps the card for its new state, still with its images and marks.
    card.locator("button", has_text="Approve").click()
    expect(card.locator(".badge")).to_have_text("Scheduled")
    assert len(_thumbnails(page, ".approval", busy)) == 2
    expect(card.locator(".net")).to_have_count(2)


def test_calendar_and_post_list_show_thumbnails_and_networks(busy: Busy, page: Any) -> None:
    from playwright.sync_api import expect

    sign_in(page, busy)
    page.goto(f"{busy.w}/calendar?date=2026-03-03")
    entry = page.locator(".cal-day[data-date='2026-03-03'] .cal-entry")
    expect(entry).to_contain_text("Autumn menu is here")
    images = _thumbnails(page, ".cal-day[data-date='2026-03-03'] .cal-entry", busy)
    assert len(images) == 1 and images[0]["done"] and 0 < images[0]["w"] <= 320
    expect(entry.locator(".mini .net")).to_have_text(["X", "Ig"])

    page.goto(f"{busy.w}/calendar?view=week&date=2026-03-03")
    assert len(_thumbnails(page, ".cal-slot[data-date='2026-03-03'] .cal-entry", busy)) == 1

    page.goto(f"{busy.w}/posts")
    row = page.locator("tr", has_text="Autumn menu is here")
    assert len(_thumbnails(page, "tr:has-text('Autumn menu is here')", busy)) == 1
    expect(row.locator(".chip .net")).to_have_count(2)
    # A post without media has no thumbnail and no placeholder.
    expect(page.locator("tr", has_text="latte art workshop").locator(".thumb")).to_have_count(0)
