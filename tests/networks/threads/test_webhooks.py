"""Threads webhooks: the handshake, the signature, and the documentation's reply delivery as inbox items."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from socialdesk.core.config import reset_settings_cache
from socialdesk.networks.base import IncomingKind
from socialdesk.networks.threads.webhooks import handler
from socialdesk.networks.webhooks import WebhookRefused, WebhookRequest

SECRET = "threads-app-secret"
# The example delivery on https://developers.facebook.com/docs/threads/webhooks (field "replies").
REPLY = {"app_id": "123456", "topic": "moderate", "target_id": "78901", "time": 1723226877,
         "subscription_id": "234567", "has_uid_field": False,
         "values": {"value": {"id": "8901234", "username": "test_username", "text": "Reply", "media_type": "TEXT_POST",
                              "permalink": "https://www.threads.net/@test_username/post/Pp",
                              "replied_to": {"id": "567890"},
                              "root_post": {"id": "123456", "owner_id": "123456", "username": "test_username_2"},
                              "shortcode": "Pp", "timestamp": "2024-08-07T10:33:16+0000"},
                    "field": "replies"}}


@pytest.fixture(autouse=True)
def _app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALDESK_THREADS_APP_SECRET", SECRET)
    monkeypatch.setenv("SOCIALDESK_META_WEBHOOK_VERIFY_TOKEN", "verify-me")
    reset_settings_cache()


def _signed(body: bytes, secret: str = SECRET) -> WebhookRequest:
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return WebhookRequest(method="POST", query={}, headers={"x-hub-signature-256": f"sha256={signature}",
                                                            "content-type": "application/json"}, body=body)


def test_the_handshake_answers_the_challenge_only_with_the_verify_token() -> None:
    ok = handler.answer(WebhookRequest("GET", {"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                                              "hub.challenge": "1158201444"}, {}, b""), None)
    assert ok is not None and ok.body == "1158201444"
    refused = handler.answer(WebhookRequest("GET", {"hub.mode": "subscribe", "hub.verify_token": "guess",
                                                    "hub.challenge": "1"}, {}, b""), None)
    assert refused is not None and refused.status == 403 and "1" not in refused.body
    assert handler.answer(_signed(b"{}"), None) is None


def test_a_signed_reply_delivery_becomes_an_inbox_comment() -> None:
    body = json.dumps(REPLY).encode()
    request = _signed(body)
    handler.verify(request, None)
    events = handler.events(request, None)
    assert len(events) == 1
    event = events[0]
    assert event.event_id == "replies:8901234" and event.account_external_id == "78901"
    item = event.items[0]
    assert item.kind == IncomingKind.COMMENT and item.text == "Reply" and item.author_handle == "test_username"
    assert item.post_external_id == "123456" and item.parent_external_id == "567890"


def test_a_forged_or_unsigned_delivery_is_refused() -> None:
    body = json.dumps(REPLY).encode()
    with pytest.raises(WebhookRefused):
        handler.verify(_signed(body, "not-the-secret"), None)
    with pytest.raises(WebhookRefused):
        handler.verify(WebhookRequest("POST", {}, {}, body), None)
    tampered = _signed(body)
    with pytest.raises(WebhookRefused):
        handler.verify(WebhookRequest("POST", {}, tampered.headers, body.replace(b"Reply", b"Spam!")), None)
