"""A Threads contract server per test, with socialdesk's Threads API base pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.networks.threads import adapter as threads_adapter
from tests.contract.threads import ThreadsContract


def fetchable(url: str) -> bool:
    """What Threads' download of a media URL would find: a live signed link of ours to an existing file."""
    from socialdesk.core.errors import NotFound
    from socialdesk.media.public_links import resolve

    prefix = "https://social.example.com/public-media/"
    if not url.startswith(prefix):
        return False
    try:
        resolve(url.removeprefix(prefix).split("/", 1)[0])
    except NotFound:
        return False
    return True


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> Iterator[ThreadsContract]:
    contract = ThreadsContract()
    with contract.server.running() as base:
        monkeypatch.setenv("SOCIALDESK_THREADS_API_URL", base)
        monkeypatch.setenv("SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS", "127.0.0.1/32")
        monkeypatch.setenv("SOCIALDESK_THREADS_APP_ID", contract.app_id)
        monkeypatch.setenv("SOCIALDESK_THREADS_APP_SECRET", contract.app_secret)
        monkeypatch.setenv("SOCIALDESK_PUBLIC_URL", "https://social.example.com")
        monkeypatch.setattr(threads_adapter, "sleep", lambda seconds: None)  # containers finish at once
        reset_settings_cache()
        contract.can_fetch = fetchable
        yield contract
        assert contract.server.unexpected == [], "requests to paths the contract server does not serve"
    reset_settings_cache()
