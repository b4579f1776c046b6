"""Security headers on every answer, no inline script in any template, and hostile names that cannot end or
re-open the analytics page's JSON script."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.analytics.history import post_history
from tests.helpers import make_world
from tests.web_client import signed_in_client, web_app

TEMPLATES = Path(__file__).resolve().parents[2] / "socialdesk" / "web" / "templates"
HOSTILE_NAME = 'Brand </script><!--<script> & \'quote\' "double"'


def test_every_answer_carries_the_security_headers(database: Database) -> None:
    client = TestClient(web_app(), follow_redirects=False)
    for path in ("/login", "/api/v1/me", "/static/app.js", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0], "no inline script allowed"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in headers, "HSTS only over HTTPS"
    secure = TestClient(web_app(), base_url="https://testserver", follow_redirects=False)
    assert secure.get("/login").headers["strict-transport-security"].startswith("max-age=31536000")


def test_no_template_has_inline_script_or_event_handlers() -> None:
    """CSP (script-src 'self') would block them: behaviour lives in /static/*.js, data in JSON scripts."""
    offenders = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        source = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", source):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{template.name}: {tag}")
        offenders += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", source)]
        offenders += [f"{template.name}: {m}" for m in re.findall(r"javascript:|hx-on", source)]
    assert offenders == []


def test_a_hostile_channel_name_cannot_break_the_analytics_page(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    post_history(database, clock, [world.channels["x"]], days=2, per_day=1)  # a followers series to chart
    from socialdesk.channels.models import Channel

    with database.unit_of_work() as session:
        channel = session.get(Channel, world.channels["x"])
        assert channel is not None
        channel.name = HOSTILE_NAME
    client, _ = signed_in_client(database, world.users["owner"])
    page = client.get(f"/w/{world.workspace_id}/analytics?days=28").text
    found = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page, re.S)
    assert found is not None
    raw = found.group(1)
    assert "<" not in raw and ">" not in raw, "a name must not open or close any tag inside the JSON script"
    data = json.loads(raw)
    assert HOSTILE_NAME in data["followers"]["series"]
    # The rest of the page is still there after the script (a `<!--<script>` would swallow it).
    assert page.index("chart-data") < page.index('class="chart-row"')
