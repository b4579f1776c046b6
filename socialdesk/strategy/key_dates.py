"""Key dates of the strategy: dated events a workspace plans around (holidays, launches, campaigns), one day
or a range, with an optional pillar and network and a note; listed on the strategy page, marked on the
calendar (docs/strategy.md, "Key dates")."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import or_

from socialdesk.core.errors import NotFound, ValidationFailed
from socialdesk.core.inputs import check_day
from socialdesk.strategy import service
from socialdesk.strategy.models import KeyDate
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

KINDS = ("holiday", "launch", "campaign", "event")
MAX_DAYS = 366


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


def by_day(ctx: WorkspaceContext, start: date, end: date) -> dict[date, list[KeyDate]]:
    """Each day of [start, end) with the key dates on it (a range is marked on every day it covers)."""
    days: dict[date, list[KeyDate]] = defaultdict(list)
    for key in listing(ctx, start, end):
        day = max(key.starts_on, start)
        while day <= key.ends_on and day < end:
            days[day].append(key)
            day += timedelta(days=1)
    return dict(days)


def as_dict(ctx: WorkspaceContext, key: KeyDate) -> dict[str, object]:
    pillar = service.find_pillar(ctx, key.pillar_id).name if key.pillar_id else None
    return {"id": key.id, "name": key.name, "kind": key.kind, "starts_on": key.starts_on.isoformat(),
            "ends_on": key.ends_on.isoformat(), "pillar": pillar, "network": key.network, "note": key.note}
