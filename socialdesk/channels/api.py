"""Networks and connected channels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from socialdesk.channels import service
from socialdesk.channels.models import Channel
from socialdesk.networks import registry
from socialdesk.web.deps import Ctx, CurrentIdentity
from socialdesk.workspaces.permissions import Access, Permission, requires

router = APIRouter(tags=["channels"])


class ChannelOut(BaseModel):
    id: str
    network: str
    name: str
    handle: str
    status: str
    status_message: str | None
    capabilities: dict[str, Any]
    inbox_fetched_at: datetime | None
    metrics_collected_at: datetime | None
    created_at: datetime


class ChannelIn(BaseModel):
    network: str
    name: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict, description="The network's connect fields")


class ChannelPatch(BaseModel):
    name: str | None = None
    paused: bool | None = None


class NetworkOut(BaseModel):
    key: str
    label: str
    fields: list[dict[str, Any]]


def channel_out(channel: Channel) -> ChannelOut:
    return ChannelOut(id=channel.id, network=channel.network, name=channel.name, handle=channel.handle,
                      status=channel.status, status_message=channel.status_message,
                      capabilities=service.capabilities(channel).to_dict(), inbox_fetched_at=channel.inbox_fetched_at,
                      metrics_collected_at=channel.metrics_collected_at, created_at=channel.created_at)


@router.get("/networks")
@requires(Access.SIGNED_IN)
def list_networks(_: CurrentIdentity) -> list[NetworkOut]:
    return [NetworkOut(key=s.key, label=s.label, fields=[f.__dict__ for f in registry.connect_fields(s.key)])
            for s in registry.NETWORKS.values()]


@router.get("/workspaces/{workspace_id}/channels")
@requires(Permission.POSTS_READ)
def list_channels(ctx: Ctx) -> list[ChannelOut]:
    return [channel_out(c) for c in service.list_channels(ctx)]


@router.post("/workspaces/{workspace_id}/channels", status_code=201)
@requires(Permission.CHANNELS_MANAGE)
def connect_channel(data: ChannelIn, ctx: Ctx) -> ChannelOut:
    return channel_out(service.connect(ctx, data.network, data.name, **data.fields))


@router.get("/workspaces/{workspace_id}/channels/{channel_id}")
@requires(Permission.POSTS_READ)
def get_channel(channel_id: str, ctx: Ctx) -> ChannelOut:
    return channel_out(service.get(ctx, channel_id))


@router.patch("/workspaces/{workspace_id}/channels/{channel_id}")
@requires(Permission.CHANNELS_MANAGE)
def update_channel(channel_id: str, data: ChannelPatch, ctx: Ctx) -> ChannelOut:
    channel = service.get(ctx, channel_id)
    if data.name is not None:
        channel = service.rename(ctx, channel_id, data.name)
    if data.paused is not None:
        channel = service.set_paused(ctx, channel_id, data.paused)
    return channel_out(channel)
