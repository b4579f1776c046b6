"""With the Content-Security-Policy on (script-src 'self'): every main page loads without a single CSP
violation, the scripted parts still work (calendar drag, composer checks, inbox, analytics charts), and
hostile names stay text."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from socialdesk.channels.models import Channel
from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.workspaces.models import Workspace
from tests.analytics.history import post_history
from tests.helpers import PASSWORD, make_world

pytestmark = pytest.mark.browser
HOSTILE = "</script><!--<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>"
PAGES = ("", "/calendar", "/calendar?view=week", "/compose", "/posts", "/approvals", "/inbox", "/inbox/setup",
         "/channels", "/media", "/queue", "/analytics", "/analytics/definitions", "/goals", "/reports",
         "/reports/view", "/settings")
# Collects violations from the first moment of every document (Playwright's init scripts are not subject to
# the page's CSP, so this does not need an exception in the policy).
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile
                           + ":" + e.lineNumber);
});
"""


def test_every_page_works_under_the_csp_with_hostile_names(database: Database, clock: ManualClock,
                                                          live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("x",))
    post_history(database, clock, [world.channels["x"]], days=3, per_day=1, texts=(HOSTILE,))
    day = (clock.now() + timedelta(days=2)).date()
    with database.unit_of_work() as session:
        session.get(Channel, world.channels["x"]).name = f"X {HOSTILE}"  # type: ignore[union-attr]
        session.get(Workspace, world.workspace_id).name = f"Brand {HOSTILE}"  # type: ignore[union-attr]
        post = content.compose(world.ctx(session), PostIn(
            text=f"Drag me {HOSTILE}", channel_ids=[world.channels["x"]], intent=Intent.SCHEDULE,
            scheduled_at=datetime.combine(day, datetime.min.time()).replace(hour=10)))
        post_id = post.post.id
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.context.add_init_script(WATCH)

    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    w = f"{live_server}/w/{world.workspace_id}"
    for path in PAGES:
        response = page.goto(w + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        assert "script-src 'self';" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        assert page.evaluate("window.__violations") == [], path
        assert page.evaluate("window.__pwned") is None, path
        assert page.locator("h1").count() >= 1, f"{path}: the page is cut short"

    # Analytics: both charts drawn by the static script, fed by the JSON script with the hostile name in it.
    page.goto(w + "/analytics")
    for chart in ("followers", "engagement"):
        assert page.evaluate(f"!!Chart.getChart(document.querySelector('canvas[data-chart={chart}]'))"), chart
    assert HOSTILE in page.evaluate("JSON.stringify(Object.keys("
                                    "JSON.parse(document.getElementById('chart-data').textContent).followers.series))"
                                    ).replace("\\", "")

    # Calendar: drag the post to the next day; the page reloads with it there.
    page.goto(f"{w}/calendar?date={day.isoformat()}")
    entry = page.locator(f".cal-entry[data-post='{post_id}']")
    target = page.locator(f".cal-day[data-date='{(day + timedelta(days=1)).isoformat()}']")
    with page.expect_navigation():  # app.js reloads the page once the server has moved the post
        entry.drag_to(target)
    expect(page.locator(f".cal-day[data-date='{(day + timedelta(days=1)).isoformat()}'] "
                        f".cal-entry[data-post='{post_id}']")).to_have_count(1)

    # Composer: the live checks (htmx) run and count the text.
    page.goto(w + "/compose")
    page.check("label.pick input")
    page.fill("#text", "Hello")
    expect(page.locator("#checks .check")).to_contain_text("5 / 280")

    assert page.evaluate("window.__violations") == []
    assert not [m for m in console if "Content Security Policy" in m], console
