"""Outgoing webhooks: a workspace's events sent, signed (integrations/signing.py), to the addresses its
admins add; each delivery is tried by a job and retried with backoff, and every try is in the delivery log.
Every target goes through the outbound policy (networks/outbound.py)."""

from __future__ import annotations

import json
import logging
import random
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import ColumnElement, Exists, Table, select
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.core import clock
from socialdesk.core.crypto import decrypt_json, encrypt_json
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.integrations.models import OutgoingWebhook, WebhookDeliveryAttempt
from socialdesk.integrations.signing import signed_headers
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

log = logging.getLogger("socialdesk.integrations")

EVENTS: dict[str, str] = {
    "post.published": "A publication went out on a channel",
    "post.failed": "A publication failed",
    "comment.received": "A comment arrived (from a network, or a team comment on a post)",
    "approval.decided": "A post was approved or rejected",
    "milestone.met": "A goal's milestone was met",
    "milestone.missed": "A goal's milestone was missed",
    "contest.drawn": "A contest's winners were drawn",
    "listening.alert": "A listening monitor raised an alert, with the mentions behind it",
}
TEST_EVENT = "ping"
MAX_ATTEMPTS = 12  # waits add up to about 14.5 hours
BASE_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 6 * 3600
TIMEOUT_SECONDS = 10
EXCERPT = 500


def backoff(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min, … up to 6 h, with ±20 % jitter so many failed deliveries do not return at once."""
    delay = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** max(0, attempt - 1))
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))


def check_target(url: str) -> None:
    """Refuse now, with the policy's reason, an address the outbound policy would refuse at delivery."""
    from socialdesk.networks.outbound import OutboundRefused, check_url

    try:
        check_url(url)
    except OutboundRefused as exc:
        raise ValidationFailed(str(exc)) from None
    except (OSError, ValueError, httpx.InvalidURL) as exc:  # an unknown name (socket.gaierror), a malformed address
        raise ValidationFailed(f"The address {url[:200]} cannot be reached: {exc}.") from None


def webhooks(ctx: WorkspaceContext) -> list[OutgoingWebhook]:
    ctx.require(Permission.WORKSPACE_ADMIN)
    return list(ctx.session.scalars(ctx.select(OutgoingWebhook).order_by(OutgoingWebhook.created_at)))


def add(ctx: WorkspaceContext, *, name: str, url: str, events: list[str]) -> tuple[OutgoingWebhook, str]:
    """A new webhook and its secret (shown once: only the encrypted secret is kept)."""
    ctx.require(Permission.WORKSPACE_ADMIN)
    url = url.strip()
    if not url.startswith(("https://", "http://")) or len(url) > 2000:
        raise ValidationFailed("The webhook address must be an http(s):// URL of at most 2000 characters.")
    check_target(url)
    unknown = [e for e in events if e not in EVENTS]
    if unknown or not events:
        raise ValidationFailed(f"Choose at least one event among {', '.join(EVENTS)}"
                               + (f" (unknown: {', '.join(unknown)})." if unknown else "."))
    secret = "whsec_" + secrets.token_urlsafe(32)
    hook = OutgoingWebhook(workspace_id=ctx.workspace_id, name=name.strip()[:200] or url[:200], url=url,
                           secret_encrypted=encrypt_json({"secret": secret}), events=sorted(set(events)),
                           created_at=clock.now())
    ctx.session.add(hook)
    ctx.session.flush()
    audit.record(ctx, "webhook.create", "outgoing_webhook", hook.id, f"Added an outgoing webhook to {url[:200]}")
    return hook, secret


def remove(ctx: WorkspaceContext, webhook_id: str) -> None:
    ctx.require(Permission.WORKSPACE_ADMIN)
    hook = ctx.get(OutgoingWebhook, webhook_id, what="webhook")
    audit.record(ctx, "webhook.delete", "outgoing_webhook", hook.id,
                 f"Removed the outgoing webhook to {hook.url[:200]}")
    ctx.session.delete(hook)


def deliveries(ctx: WorkspaceContext, webhook_id: str, limit: int = 20) -> list[WebhookDeliveryAttempt]:
    ctx.require(Permission.WORKSPACE_ADMIN)
    ctx.get(OutgoingWebhook, webhook_id, what="webhook")
    return list(ctx.session.scalars(ctx.select(WebhookDeliveryAttempt).where(
        WebhookDeliveryAttempt.webhook_id == webhook_id).order_by(WebhookDeliveryAttempt.created_at.desc(),
                                                                  WebhookDeliveryAttempt.id.desc()).limit(limit)))


def send_test(ctx: WorkspaceContext, webhook_id: str) -> WebhookDeliveryAttempt:
    ctx.require(Permission.WORKSPACE_ADMIN)
    hook = ctx.get(OutgoingWebhook, webhook_id, what="webhook")
    return _queue(ctx.session, hook, TEST_EVENT, {"message": "A test delivery from socialdesk."})


_WEBHOOKS: Table = OutgoingWebhook.__table__  # type: ignore[assignment]


def any_active(workspace_id: ColumnElement[str]) -> Exists:
    """Whether the workspace has an active webhook, as an expression to fold into a statement a hot path
    runs anyway (publishing's outcome UPDATE returns it): with none, it need not call emit, which would
    look for them in a statement of its own."""
    return select(_WEBHOOKS.c.id).where(_WEBHOOKS.c.workspace_id == workspace_id,
                                        _WEBHOOKS.c.active.is_(True)).exists()


def emit(session: Session, workspace_id: str, event: str, data: dict[str, Any]) -> int:
    """Queue `event` for every active webhook of the workspace that follows it; returns how many."""
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}")
    hooks = list(session.scalars(select(OutgoingWebhook).where(OutgoingWebhook.workspace_id == workspace_id,
                                                               OutgoingWebhook.active.is_(True))))
    count = 0
    for hook in hooks:
        if event in hook.events:
            _queue(session, hook, event, data)
            count += 1
    return count


def _queue(session: Session, hook: OutgoingWebhook, event: str, data: dict[str, Any]) -> WebhookDeliveryAttempt:
    from socialdesk.core.ids import new_id
    from socialdesk.jobs.queue import enqueue

    delivery_id = new_id()
    now = clock.now()
    body = json.dumps({"id": delivery_id, "event": event, "workspace_id": hook.workspace_id,
                       "created_at": now.isoformat(), "data": data}, default=str, separators=(",", ":"))
    delivery = WebhookDeliveryAttempt(id=delivery_id, workspace_id=hook.workspace_id, webhook_id=hook.id,
                                      event=event, body=body, created_at=now, next_attempt_at=now)
    session.add(delivery)
    session.flush()
    enqueue(session, "webhooks.deliver", {"delivery_id": delivery_id}, dedupe_key=f"webhook-delivery:{delivery_id}")
    return delivery


@dataclass(frozen=True)
class _Try:
    url: str
    secret: str
    event: str
    body: bytes


def deliver(db: Database, delivery_id: str) -> str:
    """One try of one delivery (the job); schedules the next try on failure. Returns the new status."""
    with db.unit_of_work() as session:
        delivery = session.get(WebhookDeliveryAttempt, delivery_id)
        if delivery is None or delivery.status != "pending":
            return delivery.status if delivery else "gone"
        hook = session.get(OutgoingWebhook, delivery.webhook_id)
        if hook is None or not hook.active:
            delivery.status, delivery.error = "failed", "The webhook was removed or switched off."
            return delivery.status
        delivery.attempts += 1  # counted before the request, so a crash mid-request still counts
        attempt = delivery.attempts
        job = _Try(hook.url, decrypt_json(hook.secret_encrypted)["secret"], delivery.event, delivery.body.encode())
    status, excerpt, error = _post(job, delivery_id)
    with db.unit_of_work() as session:
        delivery = session.get(WebhookDeliveryAttempt, delivery_id)
        if delivery is None:
            return "gone"
        delivery.response_status, delivery.response_excerpt, delivery.error = status, excerpt, error
        if status is not None and 200 <= status < 300:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", clock.now(), None
        elif attempt >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = "failed", None
        else:
            from socialdesk.jobs.queue import enqueue

            delivery.next_attempt_at = clock.now() + backoff(attempt)
            enqueue(session, "webhooks.deliver", {"delivery_id": delivery_id}, run_at=delivery.next_attempt_at)
        return delivery.status


def _post(job: _Try, delivery_id: str) -> tuple[int | None, str | None, str | None]:
    from socialdesk.networks.outbound import http_client

    headers = signed_headers(job.secret, job.event, delivery_id, job.body)
    try:
        with http_client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            answer = client.post(job.url, content=job.body, headers=headers)
    except Exception as exc:  # refused by the policy, DNS, connection, timeout: all logged, all retried
        log.info("webhook delivery %s failed: %s", delivery_id, exc)
        return None, None, f"{type(exc).__name__}: {exc}"[:1000]
    error = None if answer.is_success else f"HTTP {answer.status_code}"
    return answer.status_code, answer.text[:EXCERPT], error
