"""Key dates of the strategy: dated events a workspace plans around (holidays, launches, campaigns), one day
or a range, with an optional pillar and network and a note; listed on the strategy page, marked on the
calendar (docs/strategy.md, "Key dates")."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select

from socialdesk.core.errors import NotFound, ValidationFailed
from socialdesk.core.inputs import check_day
from socialdesk.strategy import service
from socialdesk.strategy.models import KeyDate
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

KINDS = ("holiday", "launch", "campaign", "event")
MAX_DAYS = 366
WARN_AHEAD_DAYS = 14  # key dates this close with nothing planned for them are a gap warning


def _clean(text: str | None) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in (text or "")).split())


def _day(value: date | str, what: str) -> date:
    if isinstance(value, date):
        return check_day(value, what)
    try:
        return check_day(date.fromisoformat(str(value).strip()), what)
    except ValueError:
        raise ValidationFailed(f"{what}: {value!r} is not a date; use YYYY-MM-DD.") from None


def add(ctx: WorkspaceContext, name: str, starts_on: date | str, *, ends_on: date | str | None = None,
        kind: str = "event", pillar: str | None = None, network: str | None = None, note: str = "") -> KeyDate:
    ctx.require(Permission.POSTS_WRITE)
    name = _clean(name)
    if not name or len(name) > 200:
        raise ValidationFailed("Give the key date a name of at most 200 characters (e.g. Christmas, Spring launch).")
    kind = _clean(kind).lower() or "event"
    if kind not in KINDS:
        raise ValidationFailed(f"A key date is a {', '.join(KINDS[:-1])} or {KINDS[-1]}, not {kind!r}.")
    start = _day(starts_on, "Starts on")
    end = _day(ends_on, "Ends on") if ends_on not in (None, "") else start
    assert end is not None
    if end < start:
        raise ValidationFailed(f"The key date ends ({end}) before it starts ({start}).")
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailed("A key date spans at most a year; split a longer one.")
    pillar_id = service.find_pillar(ctx, pillar).id if pillar and pillar.strip() else None
    net = _clean(network).lower() or None
    if net is not None and (len(net) > 40 or not net.replace("_", "").isalnum()):
        raise ValidationFailed(f"{network!r} is not a network's name (e.g. instagram, facebook, bluesky).")
    found = KeyDate(workspace_id=ctx.workspace_id, name=name, kind=kind, starts_on=start, ends_on=end,
                    pillar_id=pillar_id, network=net, note=(note or "").strip()[:2000])
    ctx.session.add(found)
    ctx.session.flush()
    return found


def listing(ctx: WorkspaceContext, start: date | None = None, end: date | None = None) -> list[KeyDate]:
    """The key dates that touch [start, end) (all of them without bounds), earliest first."""
    ctx.require(Permission.POSTS_READ)
    return _touching(ctx, start, end)


def _touching(ctx: WorkspaceContext, start: date | None, end: date | None) -> list[KeyDate]:
    query = ctx.select(KeyDate)
    if start is not None:
        query = query.where(KeyDate.ends_on >= start)
    if end is not None:
        query = query.where(KeyDate.starts_on < end)
    return list(ctx.session.scalars(query.order_by(KeyDate.starts_on, KeyDate.name)))


def find(ctx: WorkspaceContext, name_or_id: str) -> KeyDate:
    wanted = _clean(name_or_id)
    matches = list(ctx.session.scalars(ctx.select(KeyDate).where(or_(KeyDate.id == wanted, KeyDate.name == wanted))))
    if not matches:
        matches = [k for k in ctx.session.scalars(ctx.select(KeyDate)) if k.name.casefold() == wanted.casefold()]
    if not matches:
        raise NotFound(f"No key date named {name_or_id!r} in this workspace.")
    if len(matches) > 1:
        raise ValidationFailed(f"{len(matches)} key dates are named {name_or_id!r}; remove one by its id "
                               f"({', '.join(k.id for k in matches)}).")
    return matches[0]


def remove(ctx: WorkspaceContext, name_or_id: str) -> KeyDate:
    ctx.require(Permission.POSTS_WRITE)
    found = find(ctx, name_or_id)
    ctx.session.delete(found)
    ctx.session.flush()
    return found


def by_day(ctx: WorkspaceContext, start: date, end: date, *,
           keys: list[KeyDate] | None = None) -> dict[date, list[KeyDate]]:
    """Each day of [start, end) with the key dates on it (a range is marked on every day it covers);
    `keys`: key dates already listed for a window that covers [start, end)."""
    days: dict[date, list[KeyDate]] = defaultdict(list)
    found = listing(ctx, start, end) if keys is None else [k for k in keys if k.ends_on >= start and k.starts_on < end]
    for key in found:
        day = max(key.starts_on, start)
        while day <= key.ends_on and day < end:
            days[day].append(key)
            day += timedelta(days=1)
    return dict(days)


def gap_warnings(ctx: WorkspaceContext, now: datetime | None = None, *,
                 keys: list[KeyDate] | None = None) -> list[str]:
    """Key dates starting within WARN_AHEAD_DAYS (or under way) with nothing planned for them: for each
    network the key date concerns (its own, else every network of the workspace's channels), no publication
    scheduled, publishing or published from now to the key date's last day (in its pillar, when it has
    one) → "Black Friday in 5 days, nothing planned on Instagram." Days count in the workspace's time zone.
    `keys`: key dates already listed for a window that covers the coming WARN_AHEAD_DAYS (one query less)."""
    from socialdesk.channels.models import Channel
    from socialdesk.content.models import Publication
    from socialdesk.core import clock
    from socialdesk.core.timezones import zone
    from socialdesk.strategy.models import PostPillar
    from socialdesk.workspaces.models import Workspace

    ctx.require(Permission.POSTS_READ)
    now = clock.utc(now or clock.now())
    workspace = ctx.session.get(Workspace, ctx.workspace_id)
    tz = zone(workspace.timezone if workspace else "UTC")
    today = now.astimezone(tz).date()
    horizon = today + timedelta(days=WARN_AHEAD_DAYS + 1)
    upcoming = listing(ctx, today, horizon) if keys is None else \
        [k for k in keys if k.ends_on >= today and k.starts_on < horizon]
    if not upcoming:
        return []
    network_of_channel = {c.id: service.network_of(c) for c in ctx.session.scalars(ctx.select(Channel))}
    networks = sorted(set(network_of_channel.values()), key=service.network_name)
    pillar_of = {pp.post_id: pp.pillar_id for pp in ctx.session.scalars(ctx.select(PostPillar))}
    planned: list[tuple[str, str | None, datetime]] = []
    for post_id, channel_id, published_at, scheduled_at in ctx.session.execute(
            select(Publication.post_id, Publication.channel_id, Publication.published_at, Publication.scheduled_at)
            .where(Publication.workspace_id == ctx.workspace_id, Publication.status.in_(service.COUNTED))):
        when = published_at or scheduled_at
        if when is not None and channel_id in network_of_channel and clock.utc(when) >= now:
            planned.append((network_of_channel[channel_id], pillar_of.get(post_id), clock.utc(when)))
    pillar_names = {p.id: p.name for p in service._pillars(ctx)}
    found = []
    for key in upcoming:
        until = datetime.combine(key.ends_on + timedelta(days=1), time(), tz).astimezone(UTC)
        days = (key.starts_on - today).days
        when_text = "under way" if days < 0 else "today" if days == 0 else "tomorrow" if days == 1 \
            else f"in {days} days"
        for network in [key.network] if key.network else networks:
            if network not in networks:
                continue
            ready = [1 for net, pillar, at in planned if net == network and at < until
                     and (key.pillar_id is None or pillar == key.pillar_id)]
            if ready:
                continue
            what = f"no {pillar_names[key.pillar_id]} post" if key.pillar_id in pillar_names else "nothing"
            found.append(f"{key.name} {when_text}, {what} planned on {service.network_name(network)}.")
    return found


def around(ctx: WorkspaceContext, start: datetime, end: datetime, *, first: date, last: date, timezone: str,
           channel_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """The key dates in an analytics period (local days first..last), each with the posts published on
    its days (and on its network, when it has one) against the period's other posts: engagements per post
    (newest snapshot) with a bootstrap interval, and the difference with its interval ("higher" or "lower"
    only when it excludes zero). Marks for the timeline: `days` within the period."""
    from socialdesk.analytics import statistics as st
    from socialdesk.analytics.definitions import METRICS
    from socialdesk.analytics.post_values import Age, Sample, post_records
    from socialdesk.core.timezones import zone

    ctx.require(Permission.ANALYTICS_READ)  # analytics alone may see the key dates it is measured around
    keys = _touching(ctx, first, last + timedelta(days=1))
    if not keys:
        return []
    tz = zone(timezone)
    records = [r for r in post_records(ctx, start, end, age=Age.LATEST, channel_ids=channel_ids)
               if r.values is not None]
    values = Sample.of(records).values(METRICS["engagements"]) if records else []
    found = []
    for key in keys:
        inside, outside = [], []
        for index, record in enumerate(records):
            if values[index] != values[index]:  # NaN: not measured
                continue
            day = record.published_at.astimezone(tz).date()
            on = key.starts_on <= day <= key.ends_on and (key.network is None or record.network == key.network)
            (inside if on else outside).append(float(values[index]))
        during, rest = st.mean_ci(inside), st.mean_ci(outside)
        difference = st.mean_difference(inside, outside)
        days = [(max(key.starts_on, first) + timedelta(days=i)).isoformat()
                for i in range((min(key.ends_on, last) - max(key.starts_on, first)).days + 1)]
        found.append({**as_dict(ctx, key), "days": days, "posts": len(inside),
                      "engagements_per_post": _estimate(during), "other_posts": len(outside),
                      "engagements_per_post_otherwise": _estimate(rest), "difference": _estimate(difference),
                      "verdict": st.VERDICT_TEXT[st.verdict(difference)]})
    return found


def _estimate(e: Any) -> dict[str, Any]:
    def r(v: float | None) -> float | None:
        return None if v is None else round(float(v), 2)
    return {"value": r(e.value), "low": r(e.low), "high": r(e.high), "n": e.n, "enough": e.enough}


def as_dict(ctx: WorkspaceContext, key: KeyDate) -> dict[str, object]:
    pillar = service.find_pillar(ctx, key.pillar_id).name if key.pillar_id else None
    return {"id": key.id, "name": key.name, "kind": key.kind, "starts_on": key.starts_on.isoformat(),
            "ends_on": key.ends_on.isoformat(), "pillar": pillar, "network": key.network, "note": key.note}
