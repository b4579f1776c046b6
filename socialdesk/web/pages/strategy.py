"""The strategy page: content pillars with their planned share, posting frequency per network, personas,
tagging posts with a pillar, and the planned mix against the calendar's with gap warnings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.core.errors import ValidationFailed
from socialdesk.goals import service as goals
from socialdesk.strategy import audience, key_dates, platforms
from socialdesk.strategy import service as strategy
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, field, fields, render, ws_url
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()


def _number(text: str, what: str) -> float:
    try:
        return float(text.strip().replace(",", ".").rstrip("%").strip() or "0")
    except ValueError:
        raise ValidationFailed(f"{what} is a number, not {text!r}.") from None


@router.get("/w/{workspace_id}/strategy", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def strategy_page(request: Request, ctx: Ctx) -> HTMLResponse:
    from socialdesk.channels.models import Channel

    networks = sorted({strategy.network_of(c) for c in ctx.session.scalars(ctx.select(Channel))},
                      key=strategy.network_name)
    measured = ctx.can(Permission.ANALYTICS_READ)
    pillars = strategy.pillars(ctx)
    return render(request, "strategy.html", ctx=ctx, section="strategy", pillars=pillars,
                  key_dates=key_dates.listing(ctx), key_date_kinds=key_dates.KINDS,
                  key_date_pillars={p.id: p.name for p in pillars},
                  network_names={n: strategy.network_name(n) for n in networks},
                  plan=strategy.plan(ctx), personas=strategy.persona_list(ctx),
                  mix=strategy.mix(ctx), posts=strategy.recent_posts(ctx),
                  networks=[(n, strategy.network_name(n)) for n in networks],
                  audience=audience.profile(ctx) if measured else None,
                  platforms=platforms.compare(ctx) if measured else None,
                  goals=goals.list_goals(ctx) if measured else None, goal_metrics=goals.GOAL_METRICS)


@router.post("/w/{workspace_id}/strategy/pillars")
@requires(Permission.POSTS_WRITE)
def add_pillar(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        pillar = strategy.add_pillar(ctx, field(form, "name"),
                                     target_share=_number(field(form, "share"), "The planned share") / 100,
                                     description=field(form, "description"))
        return [f"Pillar {pillar.name} added."]

    return act(ctx, run, back=ws_url(ctx, "/strategy"))


@router.post("/w/{workspace_id}/strategy/pillars/{pillar_id}/delete")
@requires(Permission.POSTS_WRITE)
def remove_pillar(ctx: Ctx, pillar_id: str) -> Response:
    def run() -> list[str]:
        strategy.remove_pillar(ctx, pillar_id)
        return ["Pillar removed; its posts are in no pillar now."]

    return act(ctx, run, back=ws_url(ctx, "/strategy"))


@router.post("/w/{workspace_id}/strategy/key-dates")
@requires(Permission.POSTS_WRITE)
def add_key_date(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        found = key_dates.add(ctx, field(form, "name"), field(form, "starts_on"),
                              ends_on=field(form, "ends_on") or None, kind=field(form, "kind") or "event",
                              pillar=field(form, "pillar") or None, network=field(form, "network") or None,
                              note=field(form, "note"))
        return [f"Key date {found.name} added."]

    return act(ctx, run, back=ws_url(ctx, "/strategy#key-dates"))


@router.post("/w/{workspace_id}/strategy/key-dates/{key_date_id}/delete")
@requires(Permission.POSTS_WRITE)
def remove_key_date(ctx: Ctx, key_date_id: str) -> Response:
    def run() -> list[str]:
        from socialdesk.strategy.models import KeyDate

        found = key_dates.remove(ctx, ctx.get(KeyDate, key_date_id, what="key date").id)
        return [f"Key date {found.name} removed."]

    return act(ctx, run, back=ws_url(ctx, "/strategy#key-dates"))


@router.post("/w/{workspace_id}/strategy/cadence")
@requires(Permission.POSTS_WRITE)
def set_cadence(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        strategy.set_cadence(ctx, field(form, "network"), _number(field(form, "per_week"), "Posts per week"))
        return ["Posting frequency saved."]

    return act(ctx, run, back=ws_url(ctx, "/strategy"))


@router.post("/w/{workspace_id}/strategy/personas")
@requires(Permission.POSTS_WRITE)
def add_persona(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        found = strategy.add_persona(ctx, field(form, "name"), field(form, "description"),
                                     languages=field(form, "languages"), countries=field(form, "countries"),
                                     timezone=field(form, "timezone"), age_min=field(form, "age_min"),
                                     age_max=field(form, "age_max"), genders=fields(form, "genders"),
                                     interests=field(form, "interests"))
        return [f"Persona {found['name']} added."]

    return act(ctx, run, back=ws_url(ctx, "/strategy#personas"))


@router.post("/w/{workspace_id}/strategy/personas/delete")
@requires(Permission.POSTS_WRITE)
def remove_persona(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        return [f"Persona {strategy.remove_persona(ctx, field(form, 'persona'))} removed."]

    return act(ctx, run, back=ws_url(ctx, "/strategy#personas"))


@router.post("/w/{workspace_id}/strategy/posts/{post_id}/pillar")
@requires(Permission.POSTS_WRITE)
def tag_post(ctx: Ctx, post_id: str, form: Form) -> Response:
    def run() -> list[str]:
        strategy.tag_post(ctx, post_id, field(form, "pillar") or None)
        return ["Pillar saved."]

    return act(ctx, run, back=ws_url(ctx, "/strategy#posts"))
