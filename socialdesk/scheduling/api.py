"""Calendar and queue."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from socialdesk.core.errors import ValidationFailed
from socialdesk.scheduling import service
from socialdesk.web.deps import Ctx
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter(tags=["calendar"])
MAX_CALENDAR_DAYS = 92


class CalendarChannel(BaseModel):
    name: str
    network: str
    status: str


class CalendarItem(BaseModel):
    post_id: str
    at: datetime
    status: str
    text: str
    channels: list[CalendarChannel]


class SlotIn(BaseModel):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    local_time: str = Field(description="HH:MM in the workspace's time zone")


class SlotsIn(BaseModel):
    channel_id: str | None = None
    slots: list[SlotIn]


class SlotOut(SlotIn):
    id: str
    channel_id: str | None


class NextSlotOut(BaseModel):
    at: datetime
    local: str
    timezone: str


@router.get("/workspaces/{workspace_id}/calendar")
@requires(Permission.POSTS_READ)
def calendar(ctx: Ctx, start: date, end: date) -> list[CalendarItem]:
    if end <= start or end - start > timedelta(days=MAX_CALENDAR_DAYS):
        raise ValidationFailed(f"Give an end after the start, at most {MAX_CALENDAR_DAYS} days later.")
    days = service.calendar(ctx, start, end)
    return [CalendarItem(post_id=e.post_id, at=e.at, status=e.status, text=e.text,
                         channels=[CalendarChannel(name=c.name, network=c.network, status=c.status)
                                   for c in e.channels])
            for day in sorted(days) for e in days[day]]


@router.get("/workspaces/{workspace_id}/queue/slots")
@requires(Permission.POSTS_READ)
def list_slots(ctx: Ctx) -> list[SlotOut]:
    return [SlotOut(id=s.id, channel_id=s.channel_id, weekday=s.weekday, local_time=s.local_time)
            for s in service.list_slots(ctx)]


@router.put("/workspaces/{workspace_id}/queue/slots")
@requires(Permission.WORKSPACE_ADMIN)
def replace_slots(data: SlotsIn, ctx: Ctx) -> list[SlotOut]:
    service.set_slots(ctx, [(s.weekday, s.local_time) for s in data.slots], data.channel_id)
    return list_slots(ctx)


@router.get("/workspaces/{workspace_id}/queue/next-slot")
@requires(Permission.POSTS_READ)
def next_slot(ctx: Ctx, channel_ids: list[str] = Query(...)) -> NextSlotOut:
    from socialdesk.channels.service import get as get_channel
    from socialdesk.core.timezones import zone

    for channel_id in channel_ids:
        get_channel(ctx, channel_id)
    at = service.next_free_slot(ctx, channel_ids)
    return NextSlotOut(at=at, local=at.astimezone(zone(ctx.workspace.timezone)).strftime("%Y-%m-%d %H:%M"),
                       timezone=ctx.workspace.timezone)
