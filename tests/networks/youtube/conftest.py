"""The YouTube contract server, running, with socialdesk's settings pointing at it."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from socialdesk.core.config import reset_settings_cache
from socialdesk.networks.youtube import upload
from tests.contract.server import ContractServer
from tests.contract.youtube import YouTubeState, make_server
from tests.helpers import allow_private_targets


@dataclass
class YouTube:
    server: ContractServer
    state: YouTubeState
    base_url: str


@pytest.fixture
def youtube(monkeypatch: pytest.MonkeyPatch) -> Iterator[YouTube]:
    server, state = make_server()
    with server.running() as base_url:
        monkeypatch.setenv("SOCIALDESK_YOUTUBE_API_URL", base_url)
        monkeypatch.setenv("SOCIALDESK_YOUTUBE_ANALYTICS_URL", base_url)
        monkeypatch.setenv("SOCIALDESK_GOOGLE_OAUTH_AUTHORIZE_URL", f"{base_url}/o/oauth2/v2/auth")
        monkeypatch.setenv("SOCIALDESK_GOOGLE_OAUTH_TOKEN_URL", f"{base_url}/token")
        monkeypatch.setenv("SOCIALDESK_GOOGLE_CLIENT_ID", state.client_id)
        monkeypatch.setenv("SOCIALDESK_GOOGLE_CLIENT_SECRET", state.client_secret)
        monkeypatch.setenv("SOCIALDESK_YOUTUBE_INBOX_MINUTES", "0")  # tests poll back to back
        monkeypatch.setattr(upload, "DEFAULT_CHUNK", upload.CHUNK_UNIT)  # 256 KiB: several chunks per test video
        allow_private_targets(monkeypatch)
        reset_settings_cache()
        yield YouTube(server, state, base_url)
        assert server.unexpected == [], "requests to endpoints the contract server does not serve"


def mp4(seconds: int = 30, padding: int = 700 * 1024) -> bytes:
    """An MP4 that states its duration (ftyp + moov/mvhd), padded with an mdat box to span a few chunks."""
    ftyp = struct.pack(">I4s4sI4s", 20, b"ftyp", b"isom", 0, b"isom")
    mvhd_body = struct.pack(">B3xIIII", 0, 0, 0, 1000, seconds * 1000) + b"\x00" * 80
    mvhd = struct.pack(">I4s", 8 + len(mvhd_body), b"mvhd") + mvhd_body
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    mdat = struct.pack(">I4s", 8 + padding, b"mdat") + bytes(range(256)) * (padding // 256) + b"\x00" * (padding % 256)
    return ftyp + moov + mdat
