"""Integration tests: scaled-out runs (PostgreSQL, a broker) and real peers. With CI=true a missing service
fails the run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from socialdesk.core.db import Database
from tests.helpers import PG_URL

BROKER_URL = os.environ.get("SOCIALDESK_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI") == "true"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
    pytest.skip(reason)


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
           "SOCIALDESK_RESEND_AFTER_SECONDS": "3", "SOCIALDESK_LOG_LEVEL": "WARNING"}
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
