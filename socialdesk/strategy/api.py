"""Strategy over JSON: content pillars, posting frequency, personas, a post's pillar and the pillar the
composer would suggest, the planned mix, posting effort, the audience profile and the platform comparison."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from socialdesk.core.inputs import Number, Text
from socialdesk.strategy import audience, key_dates, platforms, service, suggest
from socialdesk.strategy.models import ContentPillar
from socialdesk.web.deps import Ctx
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter(tags=["strategy"])
WS = "/workspaces/{workspace_id}"


class PillarIn(BaseModel):
    name: Text = Field(max_length=100)
    share_percent: Number = Field(0, ge=0, le=100, description="the planned share of posts, in per cent")
    description: Text = Field("", max_length=2000)


class FrequencyIn(BaseModel):
    network: Text = Field(max_length=40, description="a network of the workspace's channels, e.g. instagram")
    posts_per_week: Number | None = Field(None, ge=0, le=100, description="null or 0: no plan for the network")


class PersonaIn(BaseModel):
    name: Text = Field(max_length=100)
    description: Text = Field("", max_length=2000)
    languages: list[Text] | Text | None = Field(None, description="ISO 639 codes, e.g. [\"hr\", \"en\"]")
    countries: list[Text] | Text | None = Field(None, description="ISO 3166-1 alpha-2 codes, e.g. [\"HR\"]")
    timezone: Text | None = Field(None, max_length=60, description="IANA time zone, e.g. Europe/Zagreb")
    age_min: int | None = Field(None, description="youngest age, 13 to 100")
    age_max: int | None = Field(None, description="oldest age, 13 to 100")
    genders: list[Text] | Text | None = Field(None, description="female and/or male; none: everyone")
    interests: list[Text] | Text | None = Field(None, description="keywords, e.g. [\"coffee\", \"home brewing\"]")


class PostPillarIn(BaseModel):
    pillar: Text | None = Field(None, max_length=100, description="the pillar's name or id; null: in no pillar")


class KeyDateIn(BaseModel):
    name: Text = Field(max_length=200, description="e.g. Christmas, Spring launch")
    starts_on: Text = Field(max_length=10, description="YYYY-MM-DD")
    ends_on: Text | None = Field(None, max_length=10, description="YYYY-MM-DD; none: a one-day event")
    kind: Text = Field("event", max_length=20, description="holiday, launch, campaign or event")
    pillar: Text | None = Field(None, max_length=100, description="a content pillar's name or id")
    network: Text | None = Field(None, max_length=40, description="e.g. instagram")
    note: Text = Field("", max_length=2000)


class SuggestIn(BaseModel):
    text: Text = Field(max_length=20000)


class EffortIn(BaseModel):
    minutes: Number = Field(gt=0, le=240, description="time worked on the post, added to what the composer measured")


def _pillar(p: ContentPillar) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "share_percent": round(p.target_share * 100, 2), "description": p.description}


def _strategy(ctx: Ctx) -> dict[str, Any]:
    plan = service.plan(ctx)
    return {"pillars": [_pillar(p) for p in service.pillars(ctx)], "posts_per_week": plan.cadence,
            "personas": [p.as_dict() for p in service.persona_list(ctx)]}


@router.get(WS + "/strategy")
@requires(Permission.POSTS_READ)
def get_strategy(ctx: Ctx) -> dict[str, Any]:
    return _strategy(ctx)


@router.post(WS + "/strategy/pillars", status_code=201)
@requires(Permission.POSTS_WRITE)
def add_pillar(data: PillarIn, ctx: Ctx) -> dict[str, Any]:
    return _pillar(service.add_pillar(ctx, data.name, target_share=data.share_percent / 100,
                                      description=data.description))


@router.delete(WS + "/strategy/pillars/{pillar_id}", status_code=204)
@requires(Permission.POSTS_WRITE)
def remove_pillar(pillar_id: str, ctx: Ctx) -> Response:
    service.remove_pillar(ctx, ctx.get(ContentPillar, pillar_id, what="content pillar").id)
    return Response(status_code=204)


@router.put(WS + "/strategy/frequency")
@requires(Permission.POSTS_WRITE)
def set_frequency(data: FrequencyIn, ctx: Ctx) -> dict[str, Any]:
    service.set_cadence(ctx, data.network, data.posts_per_week)
    return {"network": data.network.strip().lower(), "posts_per_week": data.posts_per_week or None}


@router.post(WS + "/strategy/personas", status_code=201)
@requires(Permission.POSTS_WRITE)
def add_persona(data: PersonaIn, ctx: Ctx) -> dict[str, Any]:
    return service.add_persona(ctx, data.name, data.description, languages=data.languages,
                               countries=data.countries, timezone=data.timezone, age_min=data.age_min,
                               age_max=data.age_max, genders=data.genders, interests=data.interests)


@router.delete(WS + "/strategy/personas", status_code=204)
@requires(Permission.POSTS_WRITE)
def remove_persona(ctx: Ctx, persona: str = Query(max_length=100, description="the persona's name or id")) -> Response:
    # Personas live in the workspace's plan (JSON), so they are named in the query, not as a path object.
    service.remove_persona(ctx, persona)
    return Response(status_code=204)


@router.get(WS + "/strategy/key-dates")
@requires(Permission.POSTS_READ)
def list_key_dates(ctx: Ctx, start: str | None = Query(None, alias="from", description="YYYY-MM-DD"),
                   end: str | None = Query(None, alias="to", description="YYYY-MM-DD, exclusive"),
                   ) -> list[dict[str, Any]]:
    from socialdesk.core.inputs import parse_day

    first = parse_day(start, "from") if start else None
    last = parse_day(end, "to") if end else None
    return [key_dates.as_dict(ctx, k) for k in key_dates.listing(ctx, first, last)]


@router.post(WS + "/strategy/key-dates", status_code=201)
@requires(Permission.POSTS_WRITE)
def add_key_date(data: KeyDateIn, ctx: Ctx) -> dict[str, Any]:
    found = key_dates.add(ctx, data.name, data.starts_on, ends_on=data.ends_on, kind=data.kind, pillar=data.pillar,
                          network=data.network, note=data.note)
    return key_dates.as_dict(ctx, found)


@router.delete(WS + "/strategy/key-dates/{key_date_id}", status_code=204)
@requires(Permission.POSTS_WRITE)
def remove_key_date(key_date_id: str, ctx: Ctx) -> Response:
    from socialdesk.strategy.models import KeyDate

    key_dates.remove(ctx, ctx.get(KeyDate, key_date_id, what="key date").id)
    return Response(status_code=204)


@router.get(WS + "/strategy/mix")
@requires(Permission.POSTS_READ)
def mix(ctx: Ctx, days: int = Query(28, ge=1, le=366)) -> dict[str, Any]:
    return service.mix(ctx, days=days).as_dict()


@router.put(WS + "/posts/{post_id}/pillar")
@requires(Permission.POSTS_WRITE)
def set_post_pillar(post_id: str, data: PostPillarIn, ctx: Ctx) -> dict[str, Any]:
    service.tag_post(ctx, post_id, data.pillar or None)
    found = service.pillar_id_of(ctx, post_id)
    return {"post_id": post_id, "pillar_id": found,
            "pillar": ctx.get(ContentPillar, found).name if found else None}


@router.post(WS + "/strategy/suggest-pillar")
@requires(Permission.POSTS_READ)
def suggest_pillar(data: SuggestIn, ctx: Ctx) -> dict[str, Any]:
    return suggest.suggest(ctx, data.text).as_dict()


@router.post(WS + "/posts/{post_id}/effort", status_code=201)
@requires(Permission.POSTS_WRITE)
def add_effort(post_id: str, data: EffortIn, ctx: Ctx) -> dict[str, Any]:
    seconds = platforms.record_effort(ctx, post_id, round(data.minutes * 60), source="entered")
    return {"post_id": post_id, "added_seconds": seconds,
            "total_seconds": platforms.effort_of(ctx, [post_id]).get(post_id, 0)}


@router.get(WS + "/audience")
@requires(Permission.ANALYTICS_READ)
def audience_profile(ctx: Ctx, days: int = Query(90, ge=7, le=366)) -> dict[str, Any]:
    return audience.profile(ctx, days=days).as_dict()


@router.get(WS + "/platforms")
@requires(Permission.ANALYTICS_READ)
def platform_comparison(ctx: Ctx, days: int = Query(90, ge=7, le=366)) -> dict[str, Any]:
    return platforms.compare(ctx, days=days).as_dict()
