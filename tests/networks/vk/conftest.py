"""A running VK contract server, with SOCIALDESK_VK_API_URL (and VK ID's base) pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from socialdesk.core.config import reset_settings_cache
from socialdesk.networks.base import ChannelAccount
from socialdesk.networks.vk.adapter import VkAdapter, account_for
from tests.contract.vk import VkContract
from tests.helpers import allow_private_targets


@pytest.fixture
def vk(monkeypatch: pytest.MonkeyPatch) -> Iterator[VkContract]:
    contract = VkContract()
    monkeypatch.setattr("socialdesk.networks.vk.api.USER_PER_SECOND", 1000)  # the contract server has no limit
    with contract.server.running() as base:
        allow_private_targets(monkeypatch)
        monkeypatch.setenv("SOCIALDESK_VK_API_URL", base)
        monkeypatch.setenv("SOCIALDESK_VK_ID_URL", base)
        monkeypatch.setenv("SOCIALDESK_VK_APP_ID", contract.state.client_id)
        monkeypatch.setenv("SOCIALDESK_VK_CLIENT_SECRET", contract.state.client_secret)
        reset_settings_cache()
        yield contract
        reset_settings_cache()
    assert contract.server.unexpected == [], "requests to paths VK does not serve"


def adapter_for(vk: VkContract, *, community: bool = True, secret: str | None = "s3cret") -> VkAdapter:
    state = vk.state
    found = account_for(str(state.group_id), state.user_token,
                        community_token=state.community_token if community else None, callback_secret=secret)
    return VkAdapter(ChannelAccount(channel_id="ch1", external_id=found["external_id"], handle=found["handle"],
                                    credentials=found["credentials"], settings=found["settings"]))
