"""Key dates through the product: gap warnings when nothing is planned for a coming key date, the iCal feed
carrying them as all-day events, analytics listing them in the period with their posts' results; and the
persona form refusing bad input with a message that says what to fix."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from socialdesk.bulk import calendar_feed
from socialdesk.content import service as content
from socialdesk.content.models import Publication
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.strategy import key_dates, service
from tests.helpers import make_world
from tests.strategy.test_audience_platforms import _published
from tests.web_client import signed_in_client


def test_a_coming_key_date_with_nothing_planned_is_a_gap(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("facebook", "x"), roles=())
    today = clock.now().astimezone().date()
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        product = service.add_pillar(ctx, "Product", target_share=0.5)
        key_dates.add(ctx, "Black Friday", today + timedelta(days=5), kind="campaign")
        key_dates.add(ctx, "Launch", today + timedelta(days=3), network="x", pillar="Product")
        key_dates.add(ctx, "Far away", today + timedelta(days=40))
        # Something is scheduled on Facebook before Black Friday, and a post on X but in no pillar.
        for network in ("facebook", "x"):
            content.compose(ctx, PostIn(text=f"Deals {network}", channel_ids=[world.channels[network]],
                                        intent=Intent.SCHEDULE, scheduled_at=clock.now() + timedelta(days=2)))
        warnings = key_dates.gap_warnings(ctx)
        assert "Black Friday in 5 days, nothing planned on Facebook." not in warnings
        assert "Launch in 3 days, no Product post planned on X." in warnings
        assert not any("Far away" in w for w in warnings) and not any("Black Friday" in w for w in warnings)
        assert "Launch in 3 days, no Product post planned on X." in service.mix(ctx).warnings
        # Nothing planned on Facebook any more: Black Friday is a gap there.
        for pub in s.scalars(select(Publication).where(Publication.channel_id == world.channels["facebook"])):
            pub.status = "cancelled"
        s.flush()
        assert "Black Friday in 5 days, nothing planned on Facebook." in key_dates.gap_warnings(ctx)
        x_post = next(iter(s.scalars(select(Publication.post_id).where(
            Publication.channel_id == world.channels["x"]))))
        service.tag_post(ctx, x_post, product.id)
        assert not any(w.startswith("Launch") for w in key_dates.gap_warnings(ctx))
    client, _ = signed_in_client(database, world.users["owner"])
    page = client.get(f"/w/{world.workspace_id}/strategy").text
    assert "Black Friday in 5 days, nothing planned on Facebook." in page
    calendar = client.get(f"/w/{world.workspace_id}/calendar").text
    assert "Black Friday in 5 days, nothing planned on Facebook." in calendar


def test_the_ical_feed_carries_key_dates(database: Database, clock: ManualClock) -> None:
    world = make_world(database, "Cal", profiles=("x",))
    today = clock.now().date()
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        key_dates.add(ctx, "Christmas", today + timedelta(days=10), ends_on=today + timedelta(days=11),
                      kind="holiday", network="x", note="Family offers")
        _feed, secret = calendar_feed.create(ctx, "Team")
    client, _ = signed_in_client(database, world.users["owner"])
    client.cookies.clear()
    events = list(Calendar.from_ical(client.get(f"/ical/{secret}.ics").content).walk("VEVENT"))
    marks = [e for e in events if str(e["uid"]).startswith("key-date-")]
    assert len(marks) == 1
    mark = marks[0]
    assert str(mark["summary"]) == "Key date: Christmas (holiday)"
    assert mark.decoded("dtstart") == today + timedelta(days=10)
    assert mark.decoded("dtend") == today + timedelta(days=12)  # exclusive: the day after the last
    assert "Family offers" in str(mark["description"]) and str(mark["transp"]) == "TRANSPARENT"


def test_analytics_lists_key_dates_in_the_period_with_their_results(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("instagram",), roles=())
    for i in range(6):
        _published(database, world, clock, f"Normal {i}", ["instagram"], 10 + i, {"instagram": 10})
    for i in range(5):
        _published(database, world, clock, f"Sale {i}", ["instagram"], 3 + i * 0.1, {"instagram": 40})
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        # The sale posts went out 3.0-3.4 days ago; the others 10-15 days ago (Zagreb days either way).
        first, last = (clock.now() - timedelta(days=4)).date(), (clock.now() - timedelta(days=2)).date()
        key_dates.add(ctx, "Sale week", first, ends_on=last, kind="campaign")
        key_dates.add(ctx, "Long ago", first - timedelta(days=200))
    client, _ = signed_in_client(database, world.users["owner"])
    api = f"/api/v1/workspaces/{world.workspace_id}/analytics/key-dates?days=28"
    body = client.get(api).json()
    assert [k["name"] for k in body["key_dates"]] == ["Sale week"]
    sale = body["key_dates"][0]
    assert sale["posts"] == 5 and sale["other_posts"] == 6
    assert sale["engagements_per_post"]["value"] == 40 and sale["engagements_per_post_otherwise"]["value"] == 10
    assert sale["difference"]["value"] == 30 and sale["verdict"] == "higher"
    page = client.get(f"/w/{world.workspace_id}/analytics?days=28").text
    assert "Key dates in this period" in page and "Sale week" in page
    assert client.get(api.replace("days=28", "period=nonsense")).status_code == 422


def test_the_persona_form_says_what_to_fix_and_keeps_what_was_saved(database: Database) -> None:
    world = make_world(database, profiles=("instagram",), roles=())
    client, csrf = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    good = {"csrf_token": csrf, "name": "Busy parent", "description": "Quick tips", "languages": "hr, en",
            "countries": "HR", "timezone": "Europe/Zagreb", "age_min": "25", "age_max": "40", "genders": "female",
            "interests": "coffee, home brewing"}
    saved = client.post(f"{w}/strategy/personas", data=good, follow_redirects=True)
    assert saved.status_code == 200 and "Persona Busy parent added." in saved.text
    assert "25–40" in saved.text and "home brewing" in saved.text
    for bad, message in [({"age_min": "forty"}, "The youngest age is a whole number of years, not &#39;forty&#39;."),
                         ({"languages": "Croatian"}, "is not a language code"),
                         ({"timezone": "Zagreb"}, "Time zone: Unknown time zone"),
                         ({"age_min": "50", "age_max": "20"}, "must not be above the oldest"),
                         ({"name": "Busy Parent"}, "already has a persona named")]:
        answer = client.post(f"{w}/strategy/personas", data={**good, "name": "Other", **bad}, follow_redirects=True)
        assert answer.status_code == 200 and message in answer.text, bad
    api = f"/api/v1/workspaces/{world.workspace_id}"
    refused = client.post(f"{api}/strategy/personas", json={"name": "X", "countries": ["Croatia"]})
    assert refused.status_code == 422 and "two-letter ISO 3166 codes" in refused.text
    personas = client.get(f"{api}/strategy").json()["personas"]
    assert [p["name"] for p in personas] == ["Busy parent"] and personas[0]["age_min"] == 25
    assert client.delete(f"{api}/strategy/personas", params={"persona": "Nobody"}).status_code == 404
    assert client.delete(f"{api}/strategy/personas", params={"persona": personas[0]["id"]}).status_code == 204
    assert client.get(f"{api}/strategy").json()["personas"] == []
    client.post(f"{w}/strategy/personas", data={"csrf_token": csrf, "name": "Student"})
    gone = client.post(f"{w}/strategy/personas/delete", data={"csrf_token": csrf, "persona": "Student"},
                       follow_redirects=True)
    assert "Persona Student removed." in gone.text and client.get(f"{api}/strategy").json()["personas"] == []


def test_the_cli_adds_and_lists_personas(database: Database) -> None:
    import json

    from typer.testing import CliRunner

    from socialdesk.cli import app
    from socialdesk.core.db import set_database

    world = make_world(database, profiles=(), roles=())
    set_database(database)
    runner = CliRunner()
    ws = world.workspace_id
    added = runner.invoke(app, ["strategy", "persona-add", "-w", ws, "--name", "Student", "--languages", "hr",
                                "--age-min", "18", "--age-max", "24", "--interests", "coffee, exams", "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.output)["interests"] == ["coffee", "exams"]
    bad = runner.invoke(app, ["strategy", "persona-add", "-w", ws, "--name", "X", "--countries", "Croatia"])
    assert bad.exit_code != 0 and "two-letter ISO 3166 codes" in str(bad.exception)
    listed = json.loads(runner.invoke(app, ["strategy", "personas", "-w", ws, "--json"]).output)
    assert [(p["name"], p["age_min"], p["age_max"]) for p in listed] == [("Student", 18, 24)]
