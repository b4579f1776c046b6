"""Add, list and remove competitor accounts, take their snapshots, and benchmark them against the
workspace's own channels. Knows nothing of HTTP; reading the networks is networks/public/profiles.py."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import regex
from sqlalchemy import func, or_, select

from socialdesk.analytics.models import ChannelMetricSnapshot
from socialdesk.analytics.post_values import Age, post_records
from socialdesk.audit import service as audit
from socialdesk.competitors import discovery
from socialdesk.competitors.benchmark import Account, BenchPost, compare, summarise
from socialdesk.competitors.models import Competitor, CompetitorSnapshot
from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.errors import Conflict, NotFound, ValidationFailed
from socialdesk.networks.base import NetworkError
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Workspace
from socialdesk.workspaces.permissions import Permission

if TYPE_CHECKING:
    from socialdesk.networks.public.profiles import PublicProfile

log = logging.getLogger(__name__)
NETWORKS = ("bluesky", "mastodon", "youtube", "vk")
NETWORKS = (*NETWORKS, *discovery.NETWORKS)  # read through an account: competitors/discovery.py
# YouTube and VK are one service each, read through SOCIALDESK_YOUTUBE_API_URL / SOCIALDESK_VK_API_URL; the
# site's address stands for them in the competitor's `service` (shown, and part of its uniqueness).
SITES = {"youtube": "https://www.youtube.com", "vk": "https://vk.com"}
_BLUESKY_HANDLE = regex.compile(r"^(did:[a-z]+:[A-Za-z0-9._:%-]+"
                                 r"|([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63})$")
_MASTODON_HANDLE = regex.compile(r"^@?[A-Za-z0-9_]{1,30}(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?$")
MAX_PERIOD_DAYS = 366

Reader = Callable[[str, str], "PublicProfile"]


def _read_bluesky(service: str, handle: str) -> PublicProfile:
    from socialdesk.networks.public import profiles  # atproto's client: a second to import, only when read

    return profiles.bluesky_profile(service, handle)


def _read_mastodon(service: str, handle: str) -> PublicProfile:
    from socialdesk.networks.public import profiles

    return profiles.mastodon_profile(service, handle)


READERS: dict[str, Reader] = {"bluesky": _read_bluesky, "mastodon": _read_mastodon}


def _connected(ctx: WorkspaceContext, network: str) -> Any:
    """The workspace's first connected channel on the network whose credentials still work, or None."""
    from socialdesk.channels.models import Channel, ChannelStatus

    return ctx.session.scalars(ctx.select(Channel).where(
        Channel.network == network, Channel.status != ChannelStatus.NEEDS_RECONNECTION).order_by(Channel.created_at)
    ).first()


def _youtube_reader(ctx: WorkspaceContext) -> Reader:
    """YouTube channels with the operator's API key (the one listening's search uses), else the token of a
    YouTube channel connected in the workspace; each call charged to that key's or client's quota."""
    from socialdesk.channels import service as channels
    from socialdesk.networks.public import youtube_channels
    from socialdesk.networks.youtube.api import keyed

    def read(_service: str, handle: str) -> PublicProfile:
        key = get_settings().listening_youtube_api_key
        if key:
            api = keyed(key)
        else:
            channel = _connected(ctx, "youtube")
            if channel is None:
                raise ValidationFailed("Reading YouTube channels needs an API key "
                                       "(SOCIALDESK_LISTENING_YOUTUBE_API_KEY, the one YouTube listening uses) or a "
                                       "YouTube channel connected in this workspace.")
            api = channels.adapter(channel).api()  # type: ignore[attr-defined]
        try:
            return youtube_channels.channel_profile(api, handle)
        finally:
            api.close()

    return read


def _vk_reader(ctx: WorkspaceContext) -> Reader:
    """VK walls with the app's service token, else the user token of a VK channel connected in the workspace."""
    from socialdesk.channels import service as channels
    from socialdesk.networks.public import vk_walls
    from socialdesk.networks.vk.api import VkApi

    def read(_service: str, handle: str) -> PublicProfile:
        token = get_settings().vk_service_token
        if not token:
            channel = _connected(ctx, "vk")
            token = channels.adapter(channel).account.credentials.get("access_token") if channel else None  # type: ignore[attr-defined]
        if not token:
            raise ValidationFailed("Reading VK walls needs a token: the VK app's service token "
                                   "(SOCIALDESK_VK_SERVICE_TOKEN) or a VK channel connected in this workspace.")
        with VkApi(str(token)) as api:
            return vk_walls.wall_profile(api, handle)

    return read


def reader_for(ctx: WorkspaceContext, network: str) -> Reader:
    if network in discovery.NETWORKS:
        return discovery.reader(ctx, network)
    if network == "youtube":
        return _youtube_reader(ctx)
    if network == "vk":
        return _vk_reader(ctx)
    return READERS[network]


def _service_url(network: str, service: str | None) -> str:
    if network in discovery.NETWORKS:
        return discovery.service_url(network)
    if network in SITES:
        if service and service.strip().rstrip("/") not in (SITES[network], ""):
            raise ValidationFailed(f"{network} has one server: leave the server empty (the API address is the "
                                   f"setting SOCIALDESK_{network.upper()}_API_URL).")
        return SITES[network]
    if not service:
        if network == "bluesky":
            return get_settings().listening_bluesky_service.rstrip("/")
        raise ValidationFailed("Name the Mastodon instance the account is on, e.g. --service https://mastodon.social.")
    service = service.strip().rstrip("/")
    if "://" not in service:
        service = f"https://{service}"
    parts = urlsplit(service)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in service):
        raise ValidationFailed(f"{service!r} is not a server address: give one like https://mastodon.social.")
    return service


def _handle(network: str, handle: str) -> str:
    if network in discovery.NETWORKS:
        return discovery.handle(network, handle)
    handle = (handle or "").strip()
    if network == "youtube":
        from socialdesk.networks.public.youtube_channels import channel_key

        return channel_key(handle)
    if network == "vk":
        from socialdesk.networks.public.vk_walls import wall_key

        return wall_key(handle)
    if network == "bluesky":
        handle = handle.lstrip("@").lower()
        if not _BLUESKY_HANDLE.match(handle):
            raise ValidationFailed(f"{handle!r} is not a Bluesky handle: give one like brand.bsky.social.")
        return handle
    if not _MASTODON_HANDLE.match(handle):
        raise ValidationFailed(f"{handle!r} is not a Mastodon account name: "
                               "give one like brand or brand@instance.social.")
    return handle.lstrip("@")


def add(ctx: WorkspaceContext, *, network: str, handle: str, service: str | None = None, notes: str = "") -> Competitor:
    ctx.require(Permission.INBOX_WRITE)
    network = (network or "").strip().lower()
    if network not in NETWORKS:
        raise ValidationFailed(f"Competitors can be followed on {', '.join(NETWORKS)} (their profiles are public); "
                               f"{network!r} is not one of them.")
    service_url, handle = _service_url(network, service), _handle(network, handle)
    if network in discovery.NETWORKS:
        discovery.check_access(ctx, network)
    if len(notes or "") > 2000:
        raise ValidationFailed("Notes are at most 2000 characters.")
    if ctx.session.scalars(ctx.select(Competitor).where(
            Competitor.network == network, Competitor.service == service_url, Competitor.handle == handle)).first():
        raise Conflict(f"{handle} on {service_url} is already a competitor in this workspace.")
    competitor = Competitor(workspace_id=ctx.workspace_id, network=network, handle=handle, service=service_url,
                            notes=(notes or "").strip(), added_by=ctx.actor.label)
    ctx.session.add(competitor)
    ctx.session.flush()
    audit.record(ctx, "competitor.add", "competitor", competitor.id, f"Competitor added: {handle} ({network})")
    return competitor


def _all(ctx: WorkspaceContext) -> list[Competitor]:
    return list(ctx.session.scalars(ctx.select(Competitor).order_by(Competitor.network, Competitor.handle)))


def competitors(ctx: WorkspaceContext) -> list[Competitor]:
    ctx.require(Permission.INBOX_READ)
    return _all(ctx)


def find(ctx: WorkspaceContext, handle_or_id: str) -> Competitor:
    ctx.require(Permission.INBOX_READ)
    key = (handle_or_id or "").strip().lstrip("@")
    found = ctx.session.scalars(ctx.select(Competitor).where(
        or_(Competitor.id == key, func.lower(Competitor.handle).in_([key.lower(), f"@{key.lower()}"])))).first()
    if found is None:
        raise NotFound(f"No competitor {handle_or_id!r} in this workspace (see `socialdesk competitor list`).")
    return found


def remove(ctx: WorkspaceContext, handle_or_id: str) -> None:
    competitor = find(ctx, handle_or_id)
    ctx.require(Permission.INBOX_WRITE)
    audit.record(ctx, "competitor.remove", "competitor", competitor.id,
                 f"Competitor removed: {competitor.handle} ({competitor.network})")
    ctx.session.delete(competitor)
    ctx.session.flush()


def latest_snapshot(ctx: WorkspaceContext, competitor: Competitor) -> CompetitorSnapshot | None:
    return ctx.session.scalars(ctx.select(CompetitorSnapshot).where(
        CompetitorSnapshot.competitor_id == competitor.id).order_by(CompetitorSnapshot.collected_at.desc())).first()


HIDDEN_FOLLOWERS = {
    "youtube": "the channel hides its subscriber count (hiddenSubscriberCount)",
    "vk": "VK does not show this wall's members or followers",
}


def followers_note(network: str, snap: CompetitorSnapshot | None) -> str:
    """Why a snapshot has no follower count although it was read (YouTube and VK let an owner hide it)."""
    if snap is None or snap.followers is not None:
        return ""
    return HIDDEN_FOLLOWERS.get(network, "the profile showed no follower count")


def as_dict(ctx: WorkspaceContext, competitor: Competitor) -> dict[str, Any]:
    snap = latest_snapshot(ctx, competitor)
    return {"id": competitor.id, "network": competitor.network, "handle": competitor.handle,
            "service": competitor.service, "display_name": competitor.display_name, "notes": competitor.notes,
            "added_by": competitor.added_by,
            "last_snapshot_at": snap.collected_at.isoformat() if snap else None,
            "followers": snap.followers if snap else None, "posts_count": snap.posts_count if snap else None,
            "followers_note": followers_note(competitor.network, snap),
            "recent_posts": len(snap.posts) if snap else 0, "last_error": competitor.last_error}


@dataclass
class SnapshotResult:
    competitor: Competitor
    snapshot: CompetitorSnapshot | None
    error: str = ""


def snapshot(ctx: WorkspaceContext, competitor: Competitor, *, reader: Reader | None = None) -> SnapshotResult:
    """Read the profile now and store what it shows; a network error is kept on the competitor (nothing
    saved before is lost)."""
    ctx.require(Permission.INBOX_WRITE)
    read = reader or reader_for(ctx, competitor.network)
    try:
        profile = read(competitor.service, competitor.handle)
    except (NetworkError, ValidationFailed) as exc:  # a refusal, or no key/token to read with: said, not raised
        discovery.note_rate_limit(competitor, exc)
        competitor.last_error = str(exc)[:2000]
        ctx.session.flush()
        return SnapshotResult(competitor, None, competitor.last_error)
    snap = CompetitorSnapshot(workspace_id=ctx.workspace_id, competitor_id=competitor.id, collected_at=clock.now(),
                              followers=profile.followers, posts_count=profile.posts_count,
                              posts=[p.as_dict() for p in profile.posts])
    competitor.display_name = profile.display_name[:300]
    competitor.last_error = ""
    competitor.last_snapshot_at = snap.collected_at
    ctx.session.add(snap)
    ctx.session.flush()
    return SnapshotResult(competitor, snap)


def snapshot_all(ctx: WorkspaceContext) -> list[SnapshotResult]:
    ctx.require(Permission.INBOX_WRITE)  # taking snapshots is enough to go through the list (an inbox:write token)
    return [snapshot(ctx, c) for c in _all(ctx)]


# Benchmark -------------------------------------------------------------------------------------------


def _followers_at(points: list[tuple[datetime, int]], moment: datetime) -> int | None:
    before = [f for at, f in points if at <= moment]
    if before:
        return before[-1]
    return points[0][1] if points else None


def competitor_account(ctx: WorkspaceContext, competitor: Competitor, start: datetime, end: datetime) -> Account:
    snaps = list(ctx.session.scalars(ctx.select(CompetitorSnapshot).where(
        CompetitorSnapshot.competitor_id == competitor.id, CompetitorSnapshot.collected_at < end + timedelta(days=1))
        .order_by(CompetitorSnapshot.collected_at)))
    in_period = [s for s in snaps if clock.utc(s.collected_at) >= start and s.followers is not None]
    points = [(clock.utc(s.collected_at), int(s.followers)) for s in snaps if s.followers is not None]
    newest: dict[str, dict[str, Any]] = {}
    for snap in snaps:  # oldest first: a later snapshot's numbers replace an earlier one's
        for post in snap.posts or []:
            newest[str(post.get("id"))] = post
    posts = []
    for post in newest.values():
        posted_at = clock.utc(datetime.fromisoformat(str(post["posted_at"])))
        if start <= posted_at < end:
            posts.append(BenchPost(posted_at, int(post.get("likes") or 0), int(post.get("reposts") or 0),
                                   int(post.get("replies") or 0), str(post.get("format") or "text"),
                                   tuple(post.get("hashtags") or ()), str(post.get("url") or ""),
                                   str(post.get("text") or ""), _followers_at(points, posted_at),
                                   str(post.get("id") or ""),
                                   None if post.get("views") is None else int(post["views"])))
    notes = []
    if not snaps:
        notes.append("no snapshot yet: run `socialdesk competitor snapshot`")
    elif competitor.last_error:
        notes.append(f"last snapshot failed: {competitor.last_error}")
    if snaps and (hidden := followers_note(competitor.network, snaps[-1])):
        notes.append(f"followers unknown: {hidden}")
    return Account(name=competitor.handle, network=competitor.network, posts=sorted(posts, key=lambda p: p.posted_at),
                   followers_start=in_period[0].followers if len(in_period) > 1 else None,
                   followers_end=in_period[-1].followers if in_period else None, notes=notes)


def own_account(ctx: WorkspaceContext, start: datetime, end: datetime) -> Account:
    """The workspace's own channels together: published posts in the period with their newest numbers, and
    the sum of the channels' followers at the first and last snapshot in the period."""
    records = [r for r in post_records(ctx, start, end, age=Age.LATEST) if r.values is not None]
    posts = [BenchPost(r.published_at, int(r.values.get("likes") or 0), int((r.values.get("reposts") or 0)
                       + (r.values.get("quotes") or 0)), int(r.values.get("comments") or 0),
                       {"carousel": "image"}.get(r.content_type, r.content_type), tuple(r.hashtags), "", r.text,
                       r.followers, r.post_id) for r in records if r.values]
    rows = ctx.session.execute(select(ChannelMetricSnapshot.channel_id, ChannelMetricSnapshot.collected_at,
                                      ChannelMetricSnapshot.followers).where(
        ChannelMetricSnapshot.workspace_id == ctx.workspace_id, ChannelMetricSnapshot.followers.is_not(None),
        ChannelMetricSnapshot.collected_at >= start, ChannelMetricSnapshot.collected_at < end)
        .order_by(ChannelMetricSnapshot.collected_at)).all()
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for channel_id, _, followers in rows:
        first.setdefault(channel_id, followers)
        last[channel_id] = followers
    several = len(rows) > len(first)
    return Account(name="Your channels", network="all", posts=posts, is_own=True,
                   followers_start=sum(first.values()) if first and several else None,
                   followers_end=sum(last.values()) if last else None)


def benchmark(ctx: WorkspaceContext, *, days: int = 30, end: datetime | None = None) -> dict[str, Any]:
    ctx.require(Permission.ANALYTICS_READ)
    if not 1 <= days <= MAX_PERIOD_DAYS:
        raise ValidationFailed(f"The period is 1 to {MAX_PERIOD_DAYS} days.")
    end = clock.utc(end or clock.now())
    start = end - timedelta(days=days)
    workspace = ctx.session.get(Workspace, ctx.workspace_id)
    try:
        zone = ZoneInfo(workspace.timezone if workspace else "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    own = own_account(ctx, start, end)
    rows = [summarise(own, days, zone)]
    for competitor in _all(ctx):  # the benchmark is an analytics view: analytics:read is enough
        account = competitor_account(ctx, competitor, start, end)
        rows.append({**summarise(account, days, zone), "competitor_id": competitor.id,
                     "service": competitor.service, "versus_you": compare(account, own)})
    return {"period": {"start": start.isoformat(), "end": end.isoformat(), "days": days},
            "timezone": str(zone),
            "engagement": "likes + reposts + replies (YouTube: likes + comments; VK: likes + reposts + comments), "
                          "newest numbers seen",
            "accounts": rows}
