from __future__ import annotations

from collections.abc import Iterator

import pytest

from socialdesk.core.config import reset_settings_cache
from tests.contract.telegram import TelegramContract


@pytest.fixture
def telegram(monkeypatch: pytest.MonkeyPatch) -> Iterator[TelegramContract]:
    """The Bot API contract server, with socialdesk pointed at it."""
    contract = TelegramContract()
    with contract.server.running() as base_url:
        monkeypatch.setenv("SOCIALDESK_TELEGRAM_API_URL", base_url)
        monkeypatch.setenv("SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS", "127.0.0.1/32")
        reset_settings_cache()
        yield contract
        assert not contract.server.unexpected, "the adapter called something the contract does not serve"
    reset_settings_cache()
