"""Meta's webhook handler: the verify-token handshake, X-Hub-Signature-256, and the events of a delivery."""

from __future__ import annotations

import importlib.util
import sys
import types
from typing import Any

import pytest

from socialdesk.core.config import reset_settings_cache
from socialdesk.networks import webhooks
from socialdesk.networks.base import IncomingKind
from socialdesk.networks.meta.webhooks import handler
from tests.contract.meta import MetaWorld, signed_delivery
from tests.contract.meta_facebook import add_comment, add_message, comment_delivery, message_delivery


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> MetaWorld:
    world = MetaWorld()
    monkeypatch.setenv("SOCIALDESK_META_APP_SECRET", world.app_secret)
    monkeypatch.setenv("SOCIALDESK_META_WEBHOOK_VERIFY_TOKEN", "verify-me")
    reset_settings_cache()
    return world


def request(method: str = "POST", query: dict[str, str] | None = None, headers: dict[str, str] | None = None,
            body: bytes = b"") -> Any:
    return webhooks.WebhookRequest(method=method, query=query or {},
                                   headers={k.lower(): v for k, v in (headers or {}).items()}, body=body)


def test_handshake_answers_the_challenge_only_for_the_verify_token(world: MetaWorld) -> None:
    ok = handler.answer(request("GET", {"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                                        "hub.challenge": "1158201444"}), None)
    assert ok is not None and ok.status == 200 and ok.body == "1158201444"
    wrong = handler.answer(request("GET", {"hub.mode": "subscribe", "hub.verify_token": "guess",
                                           "hub.challenge": "1"}), None)
    assert wrong is not None and wrong.status == 403
    assert handler.answer(request("POST"), None) is None


def test_signature_is_checked_on_the_raw_body(world: MetaWorld) -> None:
    post = world.add("post", {"page_id": "200", "created": 1.0})
    world.add("page", {"name": "Brand"}, id="200")
    comment = add_comment(world, post["id"], {"id": "5001", "name": "Ivo"}, "Hello")
    body, headers = signed_delivery(world, comment_delivery(world, comment))
    handler.verify(request(headers=headers, body=body), None)
    with pytest.raises(webhooks.WebhookRefused):
        handler.verify(request(headers=headers, body=body + b" "), None)
    _, forged = signed_delivery(world, comment_delivery(world, comment), secret="not-the-app-secret")
    with pytest.raises(webhooks.WebhookRefused):
        handler.verify(request(headers=forged, body=body), None)
    with pytest.raises(webhooks.WebhookRefused):
        handler.verify(request(body=body), None)


def test_page_deliveries_become_inbox_events(world: MetaWorld) -> None:
    world.add("page", {"name": "Brand"}, id="200")
    post = world.add("post", {"page_id": "200", "created": 1.0}, id="200_1")
    comment = add_comment(world, post["id"], {"id": "5001", "name": "Ivo"}, "Do you deliver?")
    own = add_comment(world, post["id"], {"id": "200", "name": "Brand"}, "Yes")
    message = add_message(world, "200", {"id": "7001", "name": "Maja"}, "Open today?")
    events = []
    for payload in (comment_delivery(world, comment), comment_delivery(world, own), message_delivery(world, message)):
        body, headers = signed_delivery(world, payload)
        events.extend(handler.events(request(headers=headers, body=body), None))
    assert [(e.account_external_id, e.items[0].kind, e.items[0].text) for e in events] == [
        ("200", IncomingKind.COMMENT, "Do you deliver?"), ("200", IncomingKind.DIRECT_MESSAGE, "Open today?")]
    assert events[0].items[0].post_external_id == "200_1" and events[0].event_id == f"page:{comment['id']}"
    assert len({e.event_id for e in events}) == 2


def test_instagram_entries_go_to_the_instagram_module(world: MetaWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, Any]] = []
    if importlib.util.find_spec("socialdesk.networks.instagram") is None:
        package = types.ModuleType("socialdesk.networks.instagram")
        package.__path__ = []  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "socialdesk.networks.instagram", package)
    fake = types.ModuleType("socialdesk.networks.instagram.webhooks")
    fake.events_from_entry = lambda entry: seen.append(entry) or []  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "socialdesk.networks.instagram.webhooks", fake)
    body, headers = signed_delivery(world, {"object": "instagram", "entry": [{"id": "17841400000", "time": 1}]})
    assert handler.events(request(headers=headers, body=body), None) == []
    assert seen == [{"id": "17841400000", "time": 1}]
