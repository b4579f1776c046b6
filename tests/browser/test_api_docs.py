"""In a real browser with no way out: the API page (/docs) comes entirely from this server and lists the
operations."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from socialdesk.core.db import Database

pytestmark = pytest.mark.browser


def _offline(page: Any, live_server: str) -> list[str]:
    """Refuse every request that leaves the test server; return the list of what was tried."""
    local = urlsplit(live_server).netloc
    outside: list[str] = []

    def route(handler: Any, request: Any) -> None:
        if urlsplit(request.url).netloc == local or request.url.startswith("data:"):
            handler.continue_()
        else:
            outside.append(request.url)
            handler.abort()

    page.route("**/*", route)
    return outside


def test_swagger_ui_works_offline(database: Database, live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    outside = _offline(page, live_server)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(f"{live_server}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("socialdesk")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() > 20
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/workspaces/{workspace_id}/posts").first
           ).to_be_visible()
    assert outside == [] and failed == []



def test_redoc_is_not_offered_half_online(database: Database, live_server: str, page: Any) -> None:
    """FastAPI's /redoc would load ReDoc from a CDN; it is not served at all rather than blank offline."""
    assert page.request.get(f"{live_server}/redoc").status == 404
