"""Incoming comments, mentions and messages."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel

from socialdesk.inbox import service
from socialdesk.inbox.models import InboxItem
from socialdesk.web.deps import Ctx

router = APIRouter(tags=["inbox"])


class InboxItemOut(BaseModel):
    id: str
    channel_id: str
    publication_id: str | None
    kind: str
    author_handle: str
    author_name: str
    text: str
    language: str | None
    url: str | None
    received_at: datetime
    status: str
    hidden: bool
    replied_at: datetime | None
    reply_text: str | None
    parent_external_id: str | None
    external_id: str


class InboxPageOut(BaseModel):
    total: int
    items: list[InboxItemOut]


class ReplyIn(BaseModel):
    text: str


def item_out(item: InboxItem) -> InboxItemOut:
    return InboxItemOut(**{k: getattr(item, k) for k in InboxItemOut.model_fields})


@router.get("/workspaces/{workspace_id}/inbox")
def list_inbox(ctx: Ctx, channel_id: str | None = None, publication_id: str | None = None, kind: str | None = None,
               unanswered: bool = False, limit: int = Query(100, ge=1, le=500),
               offset: int = Query(0, ge=0)) -> InboxPageOut:
    items, total = service.list_items(ctx, service.InboxFilter(channel_id, publication_id, kind, None, unanswered),
                                      limit=limit, offset=offset)
    return InboxPageOut(total=total, items=[item_out(i) for i in items])


@router.get("/workspaces/{workspace_id}/inbox/{item_id}")
def get_item(item_id: str, ctx: Ctx) -> InboxItemOut:
    return item_out(service.get(ctx, item_id))


@router.post("/workspaces/{workspace_id}/inbox/{item_id}/reply")
def reply(item_id: str, data: ReplyIn, ctx: Ctx) -> InboxItemOut:
    return item_out(service.reply(ctx, item_id, data.text))


@router.post("/workspaces/{workspace_id}/inbox/{item_id}/hide")
def hide(item_id: str, ctx: Ctx) -> InboxItemOut:
    return item_out(service.hide(ctx, item_id))
