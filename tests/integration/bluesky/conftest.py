"""The Bluesky network, once per test session, in the PostgreSQL pass of ./scripts/test (the AppView
needs PostgreSQL; the SQLite pass skips these tests, as it skips the scale-out ones). With CI=true a
network that cannot be installed or started is a failure; elsewhere the tests skip and say why."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.helpers import PG_URL
from tests.integration.bluesky.pds import Network, Unavailable, install, running_network
from tests.integration.conftest import _unavailable


@pytest.fixture(scope="session")
def bluesky() -> Iterator[Network]:
    if not PG_URL:
        pytest.skip("the Bluesky network tests run in the PostgreSQL pass (SOCIALDESK_TEST_DATABASE_URL)")
    try:
        started = time.monotonic()
        cache = install()
        installed = time.monotonic()
        with running_network(cache, PG_URL) as network:
            print(f"\nBluesky network: install check {installed - started:.1f} s, "
                  f"start {time.monotonic() - installed:.1f} s, PDS {network.pds}, AppView {network.appview}")
            yield network
    except Unavailable as exc:
        _unavailable(str(exc))


@pytest.fixture(scope="session")
def bare_pds() -> Iterator[Network]:
    """A PDS with no AppView, as a self-hosted PDS that is not federated would be."""
    if not PG_URL:
        pytest.skip("the Bluesky network tests run in the PostgreSQL pass (SOCIALDESK_TEST_DATABASE_URL)")
    try:
        with running_network(install(), None) as network:
            yield network
    except Unavailable as exc:
        _unavailable(str(exc))
