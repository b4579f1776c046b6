"""Conversions from an orders/leads CSV and a GA4 export, with short-link clicks, joined to a campaign by
UTM and the last-click window; CPA, ROAS, ROI and conversion rate against hand-computed values, and never
a ratio over zero."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from socialdesk.campaigns import conversions, service
from socialdesk.campaigns.models import MICROS, Ad, AdResult, Conversion
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.links.models import LinkClickDay, ShortLink
from tests.helpers import World, make_world

ORDERS = b"""order_id,created_at,click_time,total,currency,utm_source,utm_medium,utm_campaign,type
A-1,2026-11-05 10:00:00,,50.00,EUR,facebook,paid_social,winter-espresso,order
B-2,2026-11-18 09:30:00,2026-11-13 20:00:00,30.00,EUR,facebook,paid_social,winter-espresso,order
C-3,2026-11-25 12:00:00,2026-11-14 08:00:00,20.00,EUR,facebook,paid_social,winter-espresso,order
D-4,2026-11-06 12:00:00,,99.00,EUR,newsletter,email,black-friday,order
E-5,2026-11-06 15:00:00,,,,instagram,paid_social,winter-espresso,lead
"""

# A GA4 "Traffic acquisition" report downloaded as CSV (comment lines, then the report's own column names).
GA4 = b"""# ----------------------------------------
# Traffic acquisition: Session campaign
# Account: Roastery
# Property: Roastery web
# ----------------------------------------
#
# Start date: 20261101
# End date: 20261130
Date,Session campaign,Session source / medium,Sessions,Key events,Total revenue
20261103,winter-espresso,facebook / paid_social,120,2,45.5
20261104,winter-espresso,instagram / paid_social,80,1,0
20261104,(direct),(direct) / (none),300,4,120
"""


def _campaign(db: Database, w: World, *, spend_days: int = 14, daily: float = 10.0) -> str:
    with db.unit_of_work() as session:
        ctx = w.ctx(session)
        campaign = service.create(ctx, name="Winter espresso", starts_on=date(2026, 11, 1),
                                  ends_on=date(2026, 11, 14), budget=200.0, utm={"utm_campaign": "winter-espresso"})
        ad = Ad(workspace_id=w.workspace_id, campaign_id=campaign.id, platform="meta", external_id="1", name="Ad")
        session.add(ad)
        session.flush()
        for n in range(spend_days):
            day = date(2026, 11, 1) + timedelta(days=n)
            session.add(AdResult(workspace_id=w.workspace_id, ad_id=ad.id, starts_on=day, ends_on=day, currency="EUR",
                                 spend_micros=round(daily * MICROS), impressions=1000, clicks=20, link_clicks=15,
                                 source="import"))
        return campaign.id


def _import(db: Database, w: World, data: bytes, name: str, **options: str) -> tuple[int, int]:
    with db.unit_of_work() as session:
        ctx = w.ctx(session)
        parsed = conversions.read(data, name, zone="Europe/Zagreb", **options)
        return conversions.save(ctx, parsed, label=name)


def test_orders_are_attributed_by_utm_and_the_last_click_window(database: Database) -> None:
    w = make_world(database, profiles=())
    campaign_id = _campaign(database, w)
    assert _import(database, w, ORDERS, "orders.csv") == (5, 0)
    with database.read_sessions() as session:
        found = conversions.attribute(w.ctx(session), campaign_id)
    # A (no click data: its own visit, in the dates), B (clicked 4.5 days before) and lead E count;
    # C's click was 11 days before, outside 7; D is another campaign's.
    assert (found.orders, found.leads, found.conversions, found.outside_window) == (2, 1, 3.0, 1)
    assert found.revenue == pytest.approx(80.0) and found.spend == pytest.approx(140.0)
    m = found.metrics
    assert m["roas"].value == pytest.approx(80 / 140)
    assert m["cpa"].value == pytest.approx(140 / 3)
    assert m["roi"].value == pytest.approx((80 - 140) / 140 * 100)
    assert m["conversion_rate"].value is None and "no short links" in m["conversion_rate"].missing
    assert "Last click within 7 days" in found.rule and "utm_campaign=winter-espresso" in found.rule
    # The user chooses a longer window: C counts too.
    with database.unit_of_work() as session:
        conversions.set_window(w.ctx(session), campaign_id, 14)
        with pytest.raises(ValidationFailed, match="1 to 90 days"):
            conversions.set_window(w.ctx(session), campaign_id, 0)
    with database.read_sessions() as session:
        longer = conversions.attribute(w.ctx(session), campaign_id)
    assert (longer.orders, longer.revenue, longer.outside_window) == (3, pytest.approx(100.0), 0)
    # Importing the same file again replaces, never doubles.
    assert _import(database, w, ORDERS, "orders.csv") == (0, 5)
    with database.read_sessions() as session:
        assert session.query(Conversion).count() == 5


def test_short_link_clicks_give_the_click_and_the_conversion_rate(database: Database) -> None:
    w = make_world(database, profiles=())
    campaign_id = _campaign(database, w)
    with database.unit_of_work() as session:
        link = ShortLink(workspace_id=w.workspace_id, code="wnt1", original_url="https://shop.example/espresso",
                         destination_url="https://shop.example/espresso?utm_source=facebook&utm_campaign=winter-espresso")
        session.add(link)
        session.flush()
        for day, clicks in ((date(2026, 11, 2), 40), (date(2026, 11, 10), 60)):
            session.add(LinkClickDay(link_id=link.id, day=day, workspace_id=w.workspace_id, clicks=clicks,
                                     bot_clicks=7))
    # An order on 20 Nov without a click time: its last click is the short link's on 10 Nov (10 days before).
    late = b"order_id,created_at,total,currency,utm_campaign\nF-6,2026-11-20 10:00,25.00,EUR,winter-espresso\n" \
           b"G-7,2026-11-12 10:00,15.00,EUR,winter-espresso\n"
    _import(database, w, late, "late.csv")
    with database.read_sessions() as session:
        found = conversions.attribute(w.ctx(session), campaign_id)
    assert found.short_link_clicks == 100  # people only; the 14 bot requests are not clicks
    assert (found.orders, found.outside_window) == (1, 1)  # G counts (2 days after its click), F does not
    assert found.metrics["conversion_rate"].value == pytest.approx(1 / 100 * 100)


def test_a_ga4_export_is_read_with_its_own_column_names(database: Database) -> None:
    w = make_world(database, profiles=())
    campaign_id = _campaign(database, w)
    with pytest.raises(ValidationFailed, match="no currency"):
        _import(database, w, GA4, "ga4.csv")
    assert _import(database, w, GA4, "ga4.csv", currency="EUR") == (2, 0)  # (direct) is nobody's campaign
    with database.read_sessions() as session:
        found = conversions.attribute(w.ctx(session), campaign_id)
    assert found.conversions == 3.0 and found.revenue == pytest.approx(45.5)
    assert found.metrics["roas"].value == pytest.approx(45.5 / 140)


def test_a_bad_file_saves_nothing_and_names_each_row(database: Database) -> None:
    w = make_world(database, profiles=())
    bad = (b"order_id,created_at,total,currency,utm_campaign\nX-1,yesterday,10,EUR,a\nX-2,2026-11-02,-5,EUR,a\n"
           b"X-2,2026-11-02,5,EUR,a\nX-4,2026-11-02,5,,a\n")
    with database.unit_of_work() as session:
        parsed = conversions.read(bad, "bad.csv")
        assert [e.split(":")[0] for e in parsed.errors] == ["row 2", "row 3", "row 4", "row 5"]
        assert "not a date" in parsed.errors[0] and "negative" in parsed.errors[1]
        assert "appears twice" in parsed.errors[2] and "no currency" in parsed.errors[3]
        with pytest.raises(ValidationFailed, match="nothing was imported"):
            conversions.save(w.ctx(session), parsed, label="bad.csv")
    with database.read_sessions() as session:
        assert session.query(Conversion).count() == 0
    with pytest.raises(ValidationFailed, match="utm_campaign"):
        conversions.read(b"order_id,created_at,total\n1,2026-11-02,5\n", "x.csv")


def test_no_spend_and_no_orders_give_no_ratio(database: Database) -> None:
    w = make_world(database, profiles=())
    campaign_id = _campaign(database, w, spend_days=0)
    with database.read_sessions() as session:
        found = conversions.attribute(w.ctx(session), campaign_id)
    assert all(m.value is None for m in found.metrics.values())
    assert found.metrics["cpa"].text.startswith("not available")
    _import(database, w, ORDERS, "orders.csv")
    with database.read_sessions() as session:
        found = conversions.attribute(w.ctx(session), campaign_id)
    assert found.metrics["roas"].value is None and "no spend" in found.metrics["roas"].missing


def test_the_cli_imports_orders_and_the_summary_carries_them(database: Database) -> None:
    import json
    from pathlib import Path

    from typer.testing import CliRunner

    from socialdesk.cli import app

    fixtures = Path(__file__).parent.parent / "fixtures" / "ads"
    w = make_world(database, "Roastery", profiles=())
    _campaign(database, w, spend_days=7)
    runner = CliRunner()
    out = runner.invoke(app, ["ads", "conversions-import", "-w", "Roastery", "--file",
                              str(fixtures / "orders_shop.csv")])
    assert out.exit_code == 0, out.output
    assert "4 rows" in out.stdout and "4 new, 0 replaced" in out.stdout
    ga4 = runner.invoke(app, ["ads", "conversions-import", "-w", "Roastery", "--file",
                              str(fixtures / "ga4_traffic_acquisition.csv"), "--currency", "EUR"])
    assert ga4.exit_code == 0 and "2 new" in ga4.stdout, ga4.output
    summary = runner.invoke(app, ["ads", "summary", "-w", "Roastery", "-c", "Winter espresso", "--json"])
    orders = json.loads(summary.stdout)["orders"]
    # Orders 1001–1003 (1002's UTM from its landing page) = 116.00, GA4 rows 58 + 29 = 87; 1004 is another
    # campaign's. Spend: 7 days × 10.00 = 70.00.
    assert (orders["orders"], orders["revenue"], orders["spend"]) == (5, 203.0, 70.0)
    assert orders["metrics"]["roas"]["value"] == pytest.approx(203 / 70, rel=1e-6)
    changed = runner.invoke(app, ["ads", "attribution", "-w", "Roastery", "-c", "Winter espresso", "--days", "1"])
    assert "Last click within 1 day:" in changed.stdout
