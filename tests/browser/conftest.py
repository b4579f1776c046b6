"""A real server (uvicorn in a thread) and Debian's chromium driven by Playwright.

Playwright never downloads a browser here: it is pointed at /usr/bin/chromium. Without chromium the
browser tests are skipped, except in CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from socialdesk.core.db import Database
from socialdesk.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(database: Database) -> Iterator[str]:
    """The whole app on a free port, against the test's database; its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # a machine at a load of 15 took over 15 s to start it
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
    """One chromium per test process: launching it for each test cost about a second of the suite each."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium (apt-get install chromium).")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); the browser tests need it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def chromium(_browser: Any) -> Iterator[Any]:
    """The shared browser; each test's contexts (cookies, storage) are closed after it, so none leaks over."""
    yield _browser
    for context in list(_browser.contexts):
        context.close()


@pytest.fixture
def page(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page; when the test fails, a full-page screenshot goes to test-results/."""
    context = chromium.new_context(viewport={"width": 1360, "height": 1000}, locale="en-GB",
                                   timezone_id="Europe/Zagreb")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect

    page = context.new_page()
    # Generous: on a machine busy with other work (a load of 15 on 2 cores) Swagger UI took over 5 s to draw.
    page.set_default_timeout(30_000)
    expect.set_options(timeout=20_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        try:
            page.screenshot(path=str(RESULTS / f"{request.node.name}.png"), full_page=True)
        except PlaywrightError as error:  # the failure itself is the report; a missing picture is not another
            print(f"no screenshot of the failed page: {error}")
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test item, so the `page` fixture knows whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
