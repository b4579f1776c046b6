"""In a real browser: a campaign page shows spend vs budget with its pacing, ROAS with its interval and
targets; an ad report uploaded on the campaigns page is imported, and a bad one saves nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from socialdesk.campaigns import ad_import, service
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.helpers import PASSWORD, T0, World, make_world

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).parent.parent / "fixtures" / "ads"
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _sign_in(page: Any, live_server: str, world: World) -> str:
    from playwright.sync_api import expect

    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Dashboard")
    return f"{live_server}/w/{world.workspace_id}"


def test_campaign_page_shows_pacing_roas_interval_and_targets(database: Database, clock: ManualClock,
                                                              live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    clock.set(T0.replace(year=2026, month=11, day=5))
    world = make_world(database, "Roastery", profiles=())
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        campaign = service.create(ctx, name="Winter Espresso Launch", goal="sales", starts_on=date(2026, 11, 2),
                                  ends_on=date(2026, 11, 15), budget=150.0, currency="EUR",
                                  targets={"roas": 5.0, "cpc": 0.5}, utm={"utm_source": "facebook"})
        parsed = ad_import.read_file(FIXTURES / "meta_en.csv")
        service.import_export(ctx, parsed, label="meta_en.csv", campaign_id=campaign.id)
        campaign_id = campaign.id
    w = _sign_in(page, live_server, world)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{w}/campaigns")
    expect(page.locator("table.campaigns-table")).to_contain_text("Winter Espresso Launch")
    page.click("table.campaigns-table a")
    expect(page.locator(".pacing-card")).to_contain_text("66.00")
    # 66 spent in 4 days of 14, 22 a day lately: projected 66 + 22 × 11 = 308 of 150 → over.
    expect(page.locator(".pacing-card")).to_contain_text("over budget pace")
    roas = page.locator("[data-metric=roas]")
    expect(roas).to_contain_text("3.95×")
    expect(roas).to_contain_text("95 % interval")
    expect(page.locator("[data-metric=frequency]")).to_contain_text("×")
    expect(page.locator(".targets")).to_contain_text("below target")  # ROAS 3.95 against a target of 5
    expect(page.locator(".alert").first).to_contain_text("over budget pace")  # the pacing notification
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "campaign-1280.png"), full_page=True)
    page.goto(f"{w}/campaigns/{campaign_id}?a=nope&b=nope")
    expect(page.locator("section[aria-label='A/B comparison']")).to_contain_text("No ad")


def test_uploading_reports_on_the_campaigns_page(database: Database, clock: ManualClock, live_server: str,
                                                 page: Any) -> None:
    from playwright.sync_api import expect

    clock.set(T0 + timedelta(days=1))
    world = make_world(database, "Roastery", profiles=())
    w = _sign_in(page, live_server, world)
    page.goto(f"{w}/campaigns")
    page.set_input_files("input[name=file]", str(FIXTURES / "meta_bad.csv"))
    page.click("text=Check and import")
    expect(page.locator(".alert.error, .flash .error, [role=alert]").first).to_contain_text("nothing was imported")
    expect(page.locator("table.campaigns-table")).to_have_count(0)
    page.set_input_files("input[name=file]", str(FIXTURES / "google_de.csv"))
    page.click("text=Check and import")
    expect(page.locator("body")).to_contain_text("Imported 2 rows")
    expect(page.locator("table.campaigns-table")).to_contain_text("Suche - Espresso")
    page.set_viewport_size({"width": 1280, "height": 900})
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "campaigns-1280.png"), full_page=True)


def test_a_sandbox_ad_from_the_campaign_page(database: Database, clock: ManualClock, live_server: str,
                                             page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, "Roastery", profiles=("instagram",), audience=3000)
    with database.unit_of_work() as session:
        campaign_id = service.create(world.ctx(session), name="Practice", budget=100.0).id
    w = _sign_in(page, live_server, world)
    page.goto(f"{w}/campaigns/{campaign_id}")
    form = page.locator("form.campaign-sandbox")
    form.locator("textarea[name=text]").fill("Fresh coffee beans roasted on Monday #coffee")
    form.locator("input[name=starts_on]").fill(str((T0 - timedelta(days=10)).date()))
    form.locator("input[name=interests]").fill("knitting")
    form.locator("button").click()
    expect(page.locator("[role=alert]").first).to_contain_text("unknown interests")
    form = page.locator("form.campaign-sandbox")
    form.locator("textarea[name=text]").fill("Fresh coffee beans roasted on Monday #coffee")
    form.locator("input[name=starts_on]").fill(str((T0 - timedelta(days=10)).date()))
    form.locator("button").click()
    expect(page.locator("body")).to_contain_text("estimated audience")
    expect(page.locator("section[aria-label=Ads]")).to_contain_text("sandbox")
    expect(page.locator("[data-metric=cpm]")).to_contain_text("95 % interval")  # 7 finished days
