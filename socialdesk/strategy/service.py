"""Content pillars, the planned mix per network and how the calendar keeps to it (docs/strategy.md).

The actual mix counts a network's publications that are published or scheduled (status published,
publishing or scheduled) with their time (published_at, else scheduled_at) in the window: the last
`days` days and the next 14, so what is already in the calendar counts. A pillar's gap on a network is the
time since its last publication there up to now; it is reported when it is more than 1.5 times the
interval the plan implies (7 / (posts per week x the pillar's share), at least 3 days), or more than
DEFAULT_GAP_DAYS when no frequency is planned for the network."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, Publication
from socialdesk.core import clock
from socialdesk.core.errors import Conflict, NotFound, ValidationFailed
from socialdesk.strategy.models import ContentPillar, PostPillar, StrategyPlan
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

COUNTED = ("published", "publishing", "scheduled")
AHEAD = timedelta(days=14)
DEFAULT_GAP_DAYS = 14
MIN_GAP_DAYS = 3
NAMES = {"x": "X", "instagram": "Instagram", "facebook": "Facebook", "linkedin": "LinkedIn", "tiktok": "TikTok",
         "youtube": "YouTube", "mastodon": "Mastodon", "bluesky": "Bluesky", "threads": "Threads", "vk": "VK",
         "telegram": "Telegram", "pinterest": "Pinterest", "reddit": "Reddit", "wordpress": "WordPress",
         "ghost": "Ghost", "generic": "Sandbox"}


def network_of(channel: Channel) -> str:
    """The network a channel publishes on (a sandbox channel: the network it imitates)."""
    return str(channel.settings.get("profile") or "generic") if channel.network == "sandbox" else channel.network


def network_name(key: str) -> str:
    return NAMES.get(key, key.replace("_", " ").title())


# --- pillars and the plan ------------------------------------------------------------------------------

def pillars(ctx: WorkspaceContext) -> list[ContentPillar]:
    ctx.require(Permission.POSTS_READ)
    return _pillars(ctx)


def _pillars(ctx: WorkspaceContext) -> list[ContentPillar]:
    """The workspace's pillars, for callers that checked their own permission (writing a post needs them)."""
    return list(ctx.session.scalars(ctx.select(ContentPillar).order_by(ContentPillar.name)))


def _share(value: float) -> float:
    if not isinstance(value, int | float) or math.isnan(value) or not 0 <= value <= 1:
        raise ValidationFailed("A pillar's planned share is between 0 and 100 %.")
    return float(value)


def add_pillar(ctx: WorkspaceContext, name: str, *, target_share: float = 0.0, description: str = "") -> ContentPillar:
    ctx.require(Permission.POSTS_WRITE)
    name = " ".join("".join(c if c.isprintable() else " " for c in (name or "")).split())
    if not name or len(name) > 100:
        raise ValidationFailed("Give the pillar a name of at most 100 characters (e.g. Education).")
    share = _share(target_share)
    if any(p.name.casefold() == name.casefold() for p in _pillars(ctx)):
        raise Conflict(f"This workspace already has a pillar named {name!r}.")
    total = sum(p.target_share for p in _pillars(ctx)) + share
    if total > 1.0001:
        raise ValidationFailed(f"The planned shares would add up to {total:.0%}; keep them at 100 % or less.")
    pillar = ContentPillar(workspace_id=ctx.workspace_id, name=name, target_share=share,
                           description=(description or "").strip()[:2000])
    ctx.session.add(pillar)
    ctx.session.flush()
    return pillar


def find_pillar(ctx: WorkspaceContext, name_or_id: str) -> ContentPillar:
    for pillar in _pillars(ctx):
        if pillar.id == name_or_id or pillar.name.casefold() == " ".join(name_or_id.split()).casefold():
            return pillar
    raise NotFound(f"No content pillar named {name_or_id!r} in this workspace.")


def remove_pillar(ctx: WorkspaceContext, name_or_id: str) -> None:
    ctx.require(Permission.POSTS_WRITE)
    ctx.session.delete(find_pillar(ctx, name_or_id))


def tag_post(ctx: WorkspaceContext, post_id: str, pillar: str | None) -> None:
    """Put a post in a pillar (None or "": in none)."""
    ctx.require(Permission.POSTS_WRITE)
    post = ctx.get(Post, post_id, what="post")
    found = ctx.session.scalars(ctx.select(PostPillar).where(PostPillar.post_id == post.id)).first()
    if not pillar:
        if found is not None:
            ctx.session.delete(found)
        return
    chosen = find_pillar(ctx, pillar)
    if found is None:
        ctx.session.add(PostPillar(workspace_id=ctx.workspace_id, post_id=post.id, pillar_id=chosen.id))
    else:
        found.pillar_id = chosen.id
    ctx.session.flush()


def pillar_id_of(ctx: WorkspaceContext, post_id: str) -> str | None:
    """The id of the pillar a post is in (None: in none)."""
    return ctx.session.scalar(select(PostPillar.pillar_id).where(PostPillar.workspace_id == ctx.workspace_id,
                                                                 PostPillar.post_id == post_id))


def post_pillar_names(ctx: WorkspaceContext) -> dict[str, str]:
    """post id -> its pillar's name, for every tagged post of the workspace."""
    ctx.require(Permission.POSTS_READ)
    return dict(ctx.session.execute(select(PostPillar.post_id, ContentPillar.name).join(
        ContentPillar, ContentPillar.id == PostPillar.pillar_id).where(PostPillar.workspace_id == ctx.workspace_id)
        ).all())


def plan(ctx: WorkspaceContext) -> StrategyPlan:
    ctx.require(Permission.POSTS_READ)
    return _plan(ctx)


def _plan(ctx: WorkspaceContext) -> StrategyPlan:
    found = ctx.session.scalars(ctx.select(StrategyPlan)).first()
    if found is None:
        found = StrategyPlan(workspace_id=ctx.workspace_id, cadence={}, personas=[])
        ctx.session.add(found)
        ctx.session.flush()
    return found


def set_cadence(ctx: WorkspaceContext, network: str, posts_per_week: float | None) -> None:
    ctx.require(Permission.POSTS_WRITE)
    network = network.strip().lower()
    known = {network_of(c) for c in ctx.session.scalars(ctx.select(Channel))}
    if network not in known:
        raise ValidationFailed(f"No channel of this workspace publishes on {network!r} "
                               f"(its networks: {', '.join(sorted(known)) or 'none yet'}).")
    current = _plan(ctx)
    cadence = dict(current.cadence)
    if posts_per_week in (None, 0):
        cadence.pop(network, None)
    else:
        if not 0 < float(posts_per_week) <= 100:  # type: ignore[arg-type]
            raise ValidationFailed("Posts per week is a number between 0 and 100.")
        cadence[network] = float(posts_per_week)  # type: ignore[arg-type]
    current.cadence = cadence


def add_persona(ctx: WorkspaceContext, name: str, description: str = "", **fields: Any) -> dict[str, Any]:
    """Add a persona: a name, a description and the fields strategy/personas.py validates (languages,
    countries, timezone, age_min, age_max, genders, interests)."""
    from socialdesk.strategy import personas

    ctx.require(Permission.POSTS_WRITE)
    persona = personas.clean(name, description, **fields)
    current = _plan(ctx)
    if any(personas.load(p).name.casefold() == persona.name.casefold() for p in current.personas):
        raise Conflict(f"This workspace already has a persona named {persona.name!r}; remove it first to change it.")
    current.personas = [*current.personas, persona.as_dict()]
    return persona.as_dict()


def remove_persona(ctx: WorkspaceContext, name_or_id: str) -> str:
    from socialdesk.strategy import personas

    ctx.require(Permission.POSTS_WRITE)
    current = _plan(ctx)
    index = personas.find(current.personas, name_or_id)
    name = personas.load(current.personas[index]).name
    current.personas = [p for i, p in enumerate(current.personas) if i != index]
    return name


def persona_list(ctx: WorkspaceContext) -> list[Any]:
    """The workspace's personas (strategy/personas.Persona), for callers that checked their permission."""
    from socialdesk.strategy import personas

    return [personas.load(p) for p in _plan(ctx).personas]


# --- planned mix vs actual -------------------------------------------------------------------------------

@dataclass
class PillarMix:
    pillar: str
    planned: float  # the planned share, 0..1
    count: int
    actual: float  # share of the network's counted publications, 0..1
    last_at: datetime | None
    gap_days: float | None
    warning: str | None = None


@dataclass
class NetworkMix:
    network: str
    name: str
    total: int
    untagged: int
    posts_per_week_planned: float | None
    posts_per_week_actual: float
    pillars: list[PillarMix] = field(default_factory=list)


@dataclass
class Mix:
    days: int
    networks: list[NetworkMix]
    warnings: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"days": self.days, "warnings": self.warnings, "networks": [
            {"network": n.network, "name": n.name, "total": n.total, "untagged": n.untagged,
             "posts_per_week_planned": n.posts_per_week_planned, "posts_per_week_actual": n.posts_per_week_actual,
             "pillars": [{"pillar": p.pillar, "planned": p.planned, "count": p.count, "actual": p.actual,
                          "last_at": p.last_at.isoformat() if p.last_at else None, "gap_days": p.gap_days,
                          "warning": p.warning} for p in n.pillars]} for n in self.networks]}


def mix(ctx: WorkspaceContext, *, days: int = 28, now: datetime | None = None,
        key_dates: list[Any] | None = None) -> Mix:
    """The planned mix against the calendar's per network, with the gap warnings of the pillars and of coming
    key dates (`key_dates`: already listed by the caller for a window covering the next 14 days)."""
    ctx.require(Permission.POSTS_READ)
    if not 1 <= days <= 366:
        raise ValidationFailed("The window is 1 to 366 days.")
    now = now or clock.now()
    start, end = now - timedelta(days=days), now + AHEAD
    listed = pillars(ctx)
    cadence = plan(ctx).cadence
    channel_network = {c.id: network_of(c) for c in ctx.session.scalars(ctx.select(Channel))}
    post_pillar = {pp.post_id: pp.pillar_id for pp in ctx.session.scalars(ctx.select(PostPillar))}
    rows = ctx.session.execute(select(Publication.post_id, Publication.channel_id, Publication.published_at,
                                      Publication.scheduled_at).where(
        Publication.workspace_id == ctx.workspace_id, Publication.status.in_(COUNTED)))
    counted: dict[str, dict[str | None, int]] = {net: {} for net in set(channel_network.values())}
    past_count: dict[str, int] = {}
    last: dict[tuple[str, str], datetime] = {}
    for post_id, channel_id, published_at, scheduled_at in rows:
        network = channel_network.get(channel_id)
        when = published_at or scheduled_at
        if network is None or when is None:
            continue
        pillar_id = post_pillar.get(post_id)
        if start <= when < end:
            counted[network][pillar_id] = counted[network].get(pillar_id, 0) + 1
        if start <= when <= now:
            past_count[network] = past_count.get(network, 0) + 1
        key = (network, pillar_id or "")
        if pillar_id and when <= now and (key not in last or when > last[key]):
            last[key] = when
    planned_total = sum(p.target_share for p in listed) or 1.0
    networks, warnings = [], []
    for network in sorted(counted, key=network_name):
        counts = counted[network]
        total = sum(counts.values())
        entry = NetworkMix(network, network_name(network), total, counts.get(None, 0),
                           cadence.get(network), round(past_count.get(network, 0) / days * 7, 2))
        for pillar in listed:
            count = counts.get(pillar.id, 0)
            last_at = last.get((network, pillar.id))
            gap = round((now - last_at).total_seconds() / 86400, 1) if last_at else None
            item = PillarMix(pillar.name, round(pillar.target_share / planned_total, 4), count,
                             round(count / total, 4) if total else 0.0, last_at, gap)
            if pillar.target_share > 0:
                item.warning = _gap_warning(pillar, network, gap, cadence.get(network), planned_total)
                if item.warning:
                    warnings.append(item.warning)
            entry.pillars.append(item)
        networks.append(entry)
    from socialdesk.strategy import key_dates as dates

    return Mix(days, networks, dates.gap_warnings(ctx, now, keys=key_dates) + warnings)


def _gap_warning(pillar: ContentPillar, network: str, gap: float | None, per_week: float | None,
                 planned_total: float) -> str | None:
    if per_week:
        share = pillar.target_share / planned_total
        allowed = max(MIN_GAP_DAYS, 1.5 * 7 / (per_week * share))
    else:
        allowed = DEFAULT_GAP_DAYS
    name = network_name(network)
    if gap is None:
        return f"No {pillar.name} post on {name} yet."
    if gap > allowed:
        expects = (f"the plan expects one about every {allowed / 1.5:.0f} days" if per_week
                   else f"no frequency is planned for {name}; warned after {DEFAULT_GAP_DAYS} days")
        return f"No {pillar.name} post on {name} for {int(gap)} days ({expects})."
    return None


def recent_posts(ctx: WorkspaceContext, limit: int = 20) -> list[tuple[Post, str | None]]:
    """The newest posts with their pillar's name (to tag them)."""
    ctx.require(Permission.POSTS_READ)
    names = {p.id: p.name for p in pillars(ctx)}
    tagged = {pp.post_id: names.get(pp.pillar_id) for pp in ctx.session.scalars(ctx.select(PostPillar))}
    posts = ctx.session.scalars(ctx.select(Post).order_by(Post.created_at.desc()).limit(limit))
    return [(post, tagged.get(post.id)) for post in posts]
