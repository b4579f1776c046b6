"""A local SMTP server (aiosmtpd) for tests that send e-mail: import `smtp_server_fixture`, ask for `smtp_server`."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import Message

import pytest

from socialdesk.core.config import reset_settings_cache


@pytest.fixture(name="smtp_server")
def smtp_server_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Message]]:
    """A local SMTP server that keeps what it receives; the settings point at it."""
    from aiosmtpd.controller import Controller

    received: list[Message] = []

    class Keep:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            received.append(email.message_from_bytes(envelope.content))  # type: ignore[attr-defined]
            return "250 OK"

    with socket.socket() as probe:  # a free port (the controller checks its port by connecting to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SOCIALDESK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SOCIALDESK_SMTP_PORT", str(port))
    monkeypatch.setenv("SOCIALDESK_SMTP_STARTTLS", "false")
    monkeypatch.setenv("SOCIALDESK_SMTP_FROM", "reports@socialdesk.test")
    reset_settings_cache()
    yield received
    controller.stop()
    reset_settings_cache()
