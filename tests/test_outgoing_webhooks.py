"""Outgoing webhooks: a receiver verifies a signed delivery and refuses a replayed one; failed deliveries are
retried with backoff and logged; the outbound policy guards the target."""

from __future__ import annotations

import json
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from socialdesk.content import service as content
from socialdesk.content.schemas import PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.integrations.models import WebhookDeliveryAttempt
from socialdesk.integrations.signing import InvalidDelivery, sign, verify
from socialdesk.jobs.runner import Runner
from tests.helpers import World, allow_private_targets, make_world, serving
from tests.web_client import signed_in_client


class Receiver(HTTPServer):
    """What a customer's endpoint does: verify each request with integrations/signing.verify, remembering the
    delivery ids it accepted; answer 204 when it is authentic and fresh, 401 otherwise."""

    def __init__(self) -> None:
        self.secret = ""
        self.seen: dict[str, float] = {}
        self.accepted: list[dict[str, object]] = []
        self.refused: list[str] = []
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.fail_next = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = dict(self.headers.items())
                outer.requests.append((headers, body))
                if outer.fail_next:
                    outer.fail_next -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                try:
                    verify(outer.secret, headers, body, seen=outer.seen)
                except InvalidDelivery as exc:
                    outer.refused.append(str(exc))
                    self.send_response(401)
                    self.end_headers()
                    return
                outer.accepted.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/socialdesk"


@pytest.fixture
def world(database: Database, clock: ManualClock) -> World:
    return make_world(database, approval_steps=["approver"])


def test_a_receiver_verifies_a_delivery_and_refuses_a_replay(database: Database, world: World,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    allow_private_targets(monkeypatch)
    owner, _ = signed_in_client(database, world.users["owner"])
    base = f"/api/v1/workspaces/{world.workspace_id}/outgoing-webhooks"
    receiver = Receiver()
    with serving(receiver):
        made = owner.post(base, json={"name": "CRM", "url": receiver.url, "events": ["approval.decided"]})
        assert made.status_code == 201, made.text
        receiver.secret = made.json()["secret"]
        assert receiver.secret.startswith("whsec_")
        assert "secret" not in owner.get(base).json()[0]  # shown once

        # An event the webhook follows: an approver decides on a post.
        with database.unit_of_work() as session:
            post = content.compose(world.ctx(session, "editor"), PostIn(text="Hello", channel_ids=[
                world.channels["x"]])).post
            content.submit(world.ctx(session, "editor"), post.id)
            content.reject(world.ctx(session, "approver"), post.id, "Fix the price")
        Runner(database).run_pending()

        assert [d["event"] for d in receiver.accepted] == ["approval.decided"]
        delivered = receiver.accepted[0]
        assert delivered["data"]["decision"] == "rejected" and delivered["data"]["post_id"] == post.id  # type: ignore[index]
        log = owner.get(f"{base}/{made.json()['id']}/deliveries").json()
        assert [(d["status"], d["attempts"], d["response_status"]) for d in log] == [("delivered", 1, 204)]

        # The same request sent again (someone captured it) is refused by the receiver.
        headers, body = receiver.requests[-1]
        import httpx
        again = httpx.post(receiver.url, content=body, headers={k: v for k, v in headers.items()
                                                                if k.lower() != "content-length"})
        assert again.status_code == 401 and "already received" in receiver.refused[-1]

    # Without the receiver's memory, the timestamp still refuses it once the window has passed …
    stamp = int(headers["X-Socialdesk-Timestamp"])
    with pytest.raises(InvalidDelivery, match="replay"):
        verify(receiver.secret, headers, body, now=stamp + 301)
    # … and a changed body or a wrong secret never passes.
    with pytest.raises(InvalidDelivery, match="signature"):
        verify(receiver.secret, headers, body.replace(b"rejected", b"approved"), now=stamp)
    with pytest.raises(InvalidDelivery, match="signature"):
        verify("whsec_other", headers, body, now=stamp)
    assert verify(receiver.secret, headers, body, now=stamp) == headers["X-Socialdesk-Delivery"]
    assert headers["X-Socialdesk-Signature"] == sign(receiver.secret, stamp, body)


def test_failed_deliveries_are_retried_with_backoff_and_logged(database: Database, world: World, clock: ManualClock,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    allow_private_targets(monkeypatch)
    owner, _ = signed_in_client(database, world.users["owner"])
    base = f"/api/v1/workspaces/{world.workspace_id}/outgoing-webhooks"
    receiver = Receiver()
    with serving(receiver):
        made = owner.post(base, json={"url": receiver.url, "events": ["post.published"]}).json()
        receiver.secret, receiver.fail_next = made["secret"], 2
        assert owner.post(f"{base}/{made['id']}/test").status_code == 202  # the "send test" button
        runner = Runner(database)
        runner.run_pending()
        with database.read_sessions() as session:
            delivery = session.scalars(select(WebhookDeliveryAttempt)).one()
            assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 503)
            first_wait = delivery.next_attempt_at - clock.now()  # type: ignore[operator]
        assert timedelta(seconds=20) <= first_wait <= timedelta(seconds=40)
        clock.advance(first_wait)
        runner.run_pending()
        with database.read_sessions() as session:
            delivery = session.scalars(select(WebhookDeliveryAttempt)).one()
            second_wait = delivery.next_attempt_at - clock.now()  # type: ignore[operator]
        assert delivery.attempts == 2 and second_wait > first_wait  # backing off
        clock.advance(second_wait)
        runner.run_pending()
        log = owner.get(f"{base}/{made['id']}/deliveries").json()
        assert [(d["event"], d["status"], d["attempts"]) for d in log] == [("ping", "delivered", 3)]
        assert len(receiver.accepted) == 1 and len(receiver.requests) == 3
        # Every try of one delivery carries the same id and body, freshly signed.
        assert len({h["X-Socialdesk-Delivery"] for h, _ in receiver.requests}) == 1
        assert len({b for _, b in receiver.requests}) == 1
        page = owner.get(f"/w/{world.workspace_id}/integrations")
        assert page.status_code == 200 and "delivered" in page.text and receiver.url in page.text


def test_the_target_goes_through_the_outbound_policy(database: Database, world: World) -> None:
    owner, _ = signed_in_client(database, world.users["owner"])
    answer = owner.post(f"/api/v1/workspaces/{world.workspace_id}/outgoing-webhooks",
                        json={"url": "http://127.0.0.1:9/x", "events": ["post.published"]})
    assert answer.status_code in (400, 422) and "loopback" in answer.text
    editor, _ = signed_in_client(database, world.users["editor"])
    assert editor.get(f"/api/v1/workspaces/{world.workspace_id}/outgoing-webhooks").status_code == 403


def test_a_published_post_is_delivered_to_a_webhook_following_post_published(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from socialdesk.content.schemas import Intent

    allow_private_targets(monkeypatch)
    world = make_world(database, profiles=("x",))
    owner, _ = signed_in_client(database, world.users["owner"])
    receiver = Receiver()
    with serving(receiver):
        made = owner.post(f"/api/v1/workspaces/{world.workspace_id}/outgoing-webhooks",
                          json={"url": receiver.url, "events": ["post.published"]}).json()
        receiver.secret = made["secret"]
        with database.unit_of_work() as session:
            post = content.compose(world.ctx(session), PostIn(text="Out now", channel_ids=[world.channels["x"]],
                                                              intent=Intent.PUBLISH_NOW)).post
        Runner(database).run_pending()
    assert [d["event"] for d in receiver.accepted] == ["post.published"]
    data = receiver.accepted[0]["data"]
    assert data["post_id"] == post.id and data["external_id"] and data["channel_id"] == world.channels["x"]  # type: ignore[index]
