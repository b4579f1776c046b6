"""A workspace's link rules (shorten links? add UTM tags? which?) and each channel's overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.channels.models import Channel
from socialdesk.links import utm
from socialdesk.links.models import LinkSettings
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission


@dataclass(frozen=True)
class Rules:
    """What happens to the links of a post on one channel when it is saved."""

    shorten: bool = False
    utm_enabled: bool = False
    utm: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.shorten or (self.utm_enabled and any(self.utm.values()))


def _row(session: Session, workspace_id: str, channel_id: str | None) -> LinkSettings | None:
    query = select(LinkSettings).where(LinkSettings.workspace_id == workspace_id)
    query = query.where(LinkSettings.channel_id.is_(None) if channel_id is None
                        else LinkSettings.channel_id == channel_id)
    return session.scalars(query).first()


def workspace_rules(session: Session, workspace_id: str) -> Rules:
    row = _row(session, workspace_id, None)
    if row is None:
        return Rules(utm=dict(utm.DEFAULTS))
    return Rules(shorten=bool(row.shorten), utm_enabled=bool(row.utm_enabled),
                 utm={k: str(v) for k, v in (row.utm or {}).items() if k in utm.PARAMETERS})


def channel_rules(session: Session, workspace_id: str, channel_id: str) -> Rules:
    """The workspace's rules with the channel's overrides (a parameter set on the channel wins)."""
    base = workspace_rules(session, workspace_id)
    row = _row(session, workspace_id, channel_id)
    if row is None:
        return base
    own = {k: str(v) for k, v in (row.utm or {}).items() if k in utm.PARAMETERS and v}
    return Rules(shorten=base.shorten if row.shorten is None else row.shorten,
                 utm_enabled=base.utm_enabled if row.utm_enabled is None else row.utm_enabled,
                 utm={**base.utm, **own})


def channel_overrides(session: Session, workspace_id: str) -> dict[str, LinkSettings]:
    rows = session.scalars(select(LinkSettings).where(LinkSettings.workspace_id == workspace_id,
                                                      LinkSettings.channel_id.is_not(None)))
    return {r.channel_id: r for r in rows if r.channel_id}


def _clean_utm(values: Mapping[str, str]) -> dict[str, str]:
    return {name: utm.check_template(name, values.get(name, "")) for name in utm.PARAMETERS}


def save_workspace(ctx: WorkspaceContext, *, shorten: bool, utm_enabled: bool, values: Mapping[str, str]) -> Rules:
    ctx.require(Permission.WORKSPACE_ADMIN)
    cleaned = _clean_utm(values)
    row = _row(ctx.session, ctx.workspace_id, None)
    if row is None:
        row = LinkSettings(workspace_id=ctx.workspace_id, channel_id=None)
        ctx.session.add(row)
    row.shorten, row.utm_enabled, row.utm = shorten, utm_enabled, cleaned
    ctx.session.flush()
    audit.record(ctx, "links.settings", "workspace", ctx.workspace_id,
                 f"Link rules: shorten {'on' if shorten else 'off'}, UTM tags {'on' if utm_enabled else 'off'}")
    return workspace_rules(ctx.session, ctx.workspace_id)


def save_channel(ctx: WorkspaceContext, channel_id: str, *, shorten: bool | None, utm_enabled: bool | None,
                 values: Mapping[str, str]) -> Rules:
    """A channel's own rules; None and empty values: as the workspace says."""
    ctx.require(Permission.WORKSPACE_ADMIN)
    channel = ctx.get(Channel, channel_id, what="channel")
    cleaned = {k: v for k, v in _clean_utm(values).items() if v}
    row = _row(ctx.session, ctx.workspace_id, channel.id)
    if row is None:
        row = LinkSettings(workspace_id=ctx.workspace_id, channel_id=channel.id)
        ctx.session.add(row)
    row.shorten, row.utm_enabled, row.utm = shorten, utm_enabled, cleaned or None
    ctx.session.flush()
    audit.record(ctx, "links.channel_settings", "channel", channel.id, f"Link rules of {channel.name} changed")
    return channel_rules(ctx.session, ctx.workspace_id, channel.id)
