"""Fitting an image in a real browser: a PNG that Instagram refuses is attached in the composer, one click
fits it, and the Instagram check turns green; the fit page shows each network's crop. With
SOCIALDESK_SCREENSHOTS=<folder>, the pages are also saved there at 1280 px."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from PIL import Image

from socialdesk.core.db import Database
from socialdesk.media import service as media
from tests.browser.layout import layout_problems
from tests.helpers import PASSWORD, make_world

SHOTS = os.environ.get("SOCIALDESK_SCREENSHOTS")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _png() -> bytes:
    image = Image.new("RGB", (600, 1200), (240, 200, 120))
    for y in range(300, 500):  # a darker band: the subject, high in the picture
        for x in range(150, 450, 4):
            image.putpixel((x, y), (90, 40, 20))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_an_instagram_image_is_fitted_by_a_click(database: Database, live_server: str, page: Any,
                                                  chromium: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("instagram", "x"))
    with database.unit_of_work() as session:
        asset = media.upload(world.ctx(session, "editor"), "winter-menu.png", _png(), "Winter menu board")
        asset_id = asset.id
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["editor"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    w = f"{live_server}/w/{world.workspace_id}"

    page.goto(f"{w}/compose")
    page.fill("#text", "Our winter menu is here")
    page.check(f"input[name=channel_ids][value='{world.channels['instagram']}']")
    page.check(f"input[name=media_ids][value='{asset_id}']")
    instagram = page.locator(f"[data-check='{world.channels['instagram']}']")
    expect(instagram.locator("[data-code=content_type_not_supported]")).to_be_visible()
    _shot(page, "studio-compose-before")
    instagram.get_by_role("button", name="Fit “winter-menu.png” for Instagram").click()
    expect(page.locator(f"[data-check='{world.channels['instagram']}'] .ok-line")).to_be_visible()
    _shot(page, "studio-compose-after")

    page.goto(f"{w}/media/{asset_id}/fit")
    instagram_card = page.locator("[data-fit=instagram]")
    expect(instagram_card.get_by_text("fitted copy")).to_be_visible()
    expect(instagram_card.locator(".fit-box").first).to_be_visible()
    expect(page.locator("[data-fit=x]")).to_be_visible()
    _shot(page, "studio-fit-page")
    assert not layout_problems(page)
    # A choice the user makes: pad with a colour to a square, from the form below.
    page.select_option("select[name=network]", "instagram")
    page.select_option("select[name=mode]", "pad")
    page.fill("input[name=aspect]", "1:1")
    page.click("text=Make the copy")
    expect(page.locator(".alert.note").first).to_contain_text("padded to 1:1")
    page.fill("input[name=aspect]", "tall")
    page.click("text=Make the copy")
    expect(page.get_by_role("alert").first).to_contain_text("width:height")
    # The focal point: a click on the subject (near the top) is saved, and the crops follow it.
    picker = page.locator("[data-focal-picker] img")
    box = picker.bounding_box()
    picker.click(position={"x": box["width"] / 2, "y": box["height"] * 0.1})
    expect(page.locator(".alert.note").first).to_contain_text("Focal point set to 50% across, 10% down")
    grid_box = page.locator("[data-fit=instagram] .fit-box").first
    assert grid_box.get_attribute("style").startswith("left: 0.0%; top: 0.0%")
    _shot(page, "studio-fit-focal")
    page.goto(f"{w}/media")
    expect(page.locator(f"#media-{asset_id} [data-fitted-for]")).to_contain_text("Fitted for Instagram")
    _shot(page, "studio-media-page")
