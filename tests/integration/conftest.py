"""Integration tests: scaled-out publishing (PostgreSQL, a broker) and real peers (Mastodon, WordPress,
Ghost, started here once per session). With CI=true a missing service fails the run."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.helpers import PG_URL, allow_private_targets
from tests.integration.peers import ghost as ghost_peer
from tests.integration.peers import wordpress as wordpress_peer
from tests.integration.peers.ghost import GhostPeer
from tests.integration.peers.wordpress import WordPressPeer


def _worker_broker_url(url: str) -> str:
    """Under pytest-xdist each worker has a Redis database of its own (gw0: 15, gw1: 14, …), so one worker's
    flush or Celery queues never reach another's (Celery's broadcasts are per database too)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    head, _, db = url.rpartition("/")
    if not url.startswith("redis") or not worker.removeprefix("gw").isdigit() or not db.isdigit():
        return url
    return f"{head}/{(int(db) - int(worker.removeprefix('gw'))) % 16}"


BROKER_URL = _worker_broker_url(os.environ.get("SOCIALDESK_TEST_BROKER_URL", "redis://127.0.0.1:6379/15"))
IN_CI = os.environ.get("CI") == "true"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _peers_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The peers (WordPress, Ghost, Mastodon, the Bluesky PDS) listen on loopback, which the outbound
    policy refuses unless the operator allows it: these tests allow it, as an operator with a
    self-hosted peer would. Processes a test starts inherit the setting."""
    allow_private_targets(monkeypatch)


@pytest.fixture
def real_now() -> Iterator[ManualClock]:
    """Real servers stamp what they receive with the real time; socialdesk's clock starts there too."""
    previous = clock_module.get_clock()
    manual = ManualClock(datetime.now(UTC))
    clock_module.set_clock(manual)
    yield manual
    clock_module.set_clock(previous)


@pytest.fixture
def broker_url() -> str:
    import redis

    if not BROKER_URL.startswith("redis"):
        return BROKER_URL
    try:
        client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2)
        client.flushdb()
    except redis.RedisError as exc:
        _unavailable(f"Redis at {BROKER_URL} is not reachable: {exc}")
    return BROKER_URL


@pytest.fixture
def postgres(database: Database) -> Database:
    """Scaled out means PostgreSQL: these tests run in the PostgreSQL pass of ./scripts/test."""
    if not PG_URL:
        pytest.skip("scale-out tests run in the PostgreSQL pass (SOCIALDESK_TEST_DATABASE_URL)")
    return database


@pytest.fixture
def cluster_env(postgres: Database, broker_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {**os.environ, "SOCIALDESK_DATABASE_URL": postgres.url, "SOCIALDESK_BROKER_URL": broker_url,
           "SOCIALDESK_HEARTBEAT_SECONDS": "0.5", "SOCIALDESK_HEARTBEAT_STALE_SECONDS": "3",
           "SOCIALDESK_RESEND_AFTER_SECONDS": "3", "SOCIALDESK_RESCUE_AFTER_SECONDS": "15",
           "SOCIALDESK_LOG_LEVEL": "WARNING"}
    yield env
    shutil.rmtree(tmp_path / "logs", ignore_errors=True)


def as_root_or_skip(what: str) -> None:
    if os.geteuid() != 0:
        _unavailable(f"{what} needs root")


@pytest.fixture(scope="session")
def mastodon_peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """mastodon_mock on loopback for the whole session (tests/integration/mastodon_peer.py)."""
    try:
        import mastodon_mock  # noqa: F401
    except ImportError:
        _unavailable("mastodon_mock is not installed (pip install -e '.[test]')")
    from tests.integration.mastodon_peer import running_peer

    with running_peer(tmp_path_factory.mktemp("mastodon_peer")) as peer:
        yield peer


# Blog servers (WordPress, Ghost) ------------------------------------------------------------------


def _blogs_in_this_pass(what: str) -> None:
    """The blog servers do not care which database socialdesk uses: they run once, in the SQLite pass."""
    if PG_URL:
        pytest.skip(f"{what} is tested in the SQLite pass of ./scripts/test")


def _report(config: pytest.Config, line: str) -> None:
    """Install and start times on the terminal, past pytest's output capture: CI logs should show them."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None:
        return
    if capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)
    else:
        reporter.write_line(line)


@pytest.fixture(scope="session")
def wordpress(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPressPeer]:
    _blogs_in_this_pass("WordPress")
    yield from _running_wordpress(request, tmp_path_factory)


@pytest.fixture(scope="session")
def wordpress_in_any_pass(request: pytest.FixtureRequest,
                          tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPressPeer]:
    """WordPress beside the Bluesky network (PostgreSQL pass), for the one test that uses every network."""
    yield from _running_wordpress(request, tmp_path_factory)


def _running_wordpress(request: pytest.FixtureRequest,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPressPeer]:
    reason = wordpress_peer.missing()
    if reason:
        _unavailable(f"WordPress cannot run here: {reason}")
    began = time.monotonic()
    try:
        peer = wordpress_peer.start_wordpress(tmp_path_factory.mktemp("wordpress"))
    except Exception as exc:
        _unavailable(f"WordPress did not start: {exc}")
    _report(request.config, f"\n[peers] WordPress (Debian package) started at {peer.url} in "
                            f"{time.monotonic() - began:.1f} s")
    yield peer
    peer.stop()


@pytest.fixture(scope="session")
def ghost(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GhostPeer]:
    _blogs_in_this_pass("Ghost")
    if shutil.which("npm") is None:
        _unavailable("Ghost cannot be installed here: npm is missing (apt-get install npm)")
    began = time.monotonic()
    try:
        peer = ghost_peer.start_ghost(tmp_path_factory.mktemp("ghost"))
    except Exception as exc:
        _unavailable(f"Ghost could not be installed or started: {exc}")
    installed = f"installed in {peer.install_seconds:.0f} s, " if peer.install_seconds else "cached install, "
    _report(request.config, f"\n[peers] Ghost {ghost_peer.GHOST_VERSION} (npm) {installed}started at {peer.url} in "
                            f"{time.monotonic() - began - peer.install_seconds:.1f} s")
    yield peer
    peer.stop()
