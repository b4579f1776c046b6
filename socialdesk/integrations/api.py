"""Outgoing webhooks: add one (its secret is shown once), list them, their delivery log, send a test."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from socialdesk.integrations import service
from socialdesk.web.deps import Ctx
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter(tags=["webhooks"])


class WebhookIn(BaseModel):
    name: str = ""
    url: str = Field(description="Where to POST; it must pass the outbound policy (public addresses only "
                                 "unless the operator allows others)")
    events: list[str] = Field(description="Any of: " + ", ".join(service.EVENTS))


class WebhookOut(BaseModel):
    id: str
    name: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime


class NewWebhookOut(WebhookOut):
    secret: str = Field(description="The signing secret: shown this once, keep it in the receiver")


class DeliveryOut(BaseModel):
    id: str
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    response_status: int | None
    response_excerpt: str | None
    error: str | None
    created_at: datetime
    delivered_at: datetime | None


@router.get("/workspaces/{workspace_id}/outgoing-webhooks")
@requires(Permission.WORKSPACE_ADMIN)
def list_webhooks(ctx: Ctx) -> list[WebhookOut]:
    return [WebhookOut.model_validate(h, from_attributes=True) for h in service.webhooks(ctx)]


@router.post("/workspaces/{workspace_id}/outgoing-webhooks", status_code=201)
@requires(Permission.WORKSPACE_ADMIN)
def add_webhook(data: WebhookIn, ctx: Ctx) -> NewWebhookOut:
    hook, secret = service.add(ctx, name=data.name, url=data.url, events=data.events)
    return NewWebhookOut(**WebhookOut.model_validate(hook, from_attributes=True).model_dump(), secret=secret)


@router.delete("/workspaces/{workspace_id}/outgoing-webhooks/{webhook_id}", status_code=204)
@requires(Permission.WORKSPACE_ADMIN)
def remove_webhook(webhook_id: str, ctx: Ctx) -> None:
    service.remove(ctx, webhook_id)


@router.get("/workspaces/{workspace_id}/outgoing-webhooks/{webhook_id}/deliveries")
@requires(Permission.WORKSPACE_ADMIN)
def list_deliveries(webhook_id: str, ctx: Ctx, limit: int = Query(20, ge=1, le=200)) -> list[DeliveryOut]:
    return [DeliveryOut.model_validate(d, from_attributes=True) for d in service.deliveries(ctx, webhook_id, limit)]


@router.post("/workspaces/{workspace_id}/outgoing-webhooks/{webhook_id}/test", status_code=202)
@requires(Permission.WORKSPACE_ADMIN)
def send_test(webhook_id: str, ctx: Ctx) -> DeliveryOut:
    return DeliveryOut.model_validate(service.send_test(ctx, webhook_id), from_attributes=True)
