"""A person's own notifications and preferences, and the workspace's chat webhooks."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from socialdesk.notifications import people
from socialdesk.web.deps import Ctx
from socialdesk.workspaces.permissions import Access, Permission, requires

router = APIRouter(tags=["notifications"])


class PersonalNotificationOut(BaseModel):
    id: str
    event: str
    message: str
    link: str | None
    created_at: datetime
    read_at: datetime | None
    email_state: str


class PreferencesIn(BaseModel):
    email: str = Field(description="off, immediate or digest (one e-mail a day)")
    in_app_muted: list[str] = Field(default_factory=list, description="Events not shown in the app")
    email_muted: list[str] = Field(default_factory=list, description="Events never e-mailed")


class PreferencesOut(PreferencesIn):
    events: dict[str, str] = Field(description="Every event, with what it means")


class ChatWebhookIn(BaseModel):
    name: str = ""
    flavour: str = Field(description="slack, mattermost or teams")
    url: str = Field(description="The incoming webhook's address (kept encrypted; never shown again)")
    events: list[str]


class ChatWebhookOut(BaseModel):
    id: str
    name: str
    flavour: str
    events: list[str]
    active: bool
    last_status: str | None
    last_sent_at: datetime | None


@router.get("/workspaces/{workspace_id}/notifications/mine")
@requires(Access.MEMBER)
def my_notifications(ctx: Ctx, unread_only: bool = False) -> list[PersonalNotificationOut]:
    return [PersonalNotificationOut.model_validate(n, from_attributes=True)
            for n in people.mine(ctx, unread_only=unread_only)]


@router.post("/workspaces/{workspace_id}/notifications/mine/read")
@requires(Access.MEMBER)
def mark_my_notifications_read(ctx: Ctx) -> dict[str, int]:
    return {"marked": people.mark_mine_read(ctx)}


@router.get("/workspaces/{workspace_id}/notifications/preferences")
@requires(Access.MEMBER)
def my_preferences(ctx: Ctx) -> PreferencesOut:
    found = people.preferences(ctx)
    return PreferencesOut(email=found.email, in_app_muted=found.in_app_muted, email_muted=found.email_muted,
                          events=people.EVENTS)


@router.put("/workspaces/{workspace_id}/notifications/preferences")
@requires(Access.MEMBER)
def set_my_preferences(data: PreferencesIn, ctx: Ctx) -> PreferencesOut:
    people.set_preferences(ctx, email=data.email, in_app_muted=data.in_app_muted, email_muted=data.email_muted)
    return my_preferences(ctx)


@router.get("/workspaces/{workspace_id}/chat-webhooks")
@requires(Permission.WORKSPACE_ADMIN)
def list_chat_webhooks(ctx: Ctx) -> list[ChatWebhookOut]:
    return [ChatWebhookOut.model_validate(h, from_attributes=True) for h in people.chat_webhooks(ctx)]


@router.post("/workspaces/{workspace_id}/chat-webhooks", status_code=201)
@requires(Permission.WORKSPACE_ADMIN)
def add_chat_webhook(data: ChatWebhookIn, ctx: Ctx) -> ChatWebhookOut:
    hook = people.add_chat_webhook(ctx, name=data.name, flavour=data.flavour, url=data.url, events=data.events)
    return ChatWebhookOut.model_validate(hook, from_attributes=True)


@router.delete("/workspaces/{workspace_id}/chat-webhooks/{chat_webhook_id}", status_code=204)
@requires(Permission.WORKSPACE_ADMIN)
def remove_chat_webhook(chat_webhook_id: str, ctx: Ctx) -> None:
    people.remove_chat_webhook(ctx, chat_webhook_id)
