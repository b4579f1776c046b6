"""Saved audiences per workspace: who a boost or a sandbox ad is shown to, with help from what socialdesk
already knows of the workspace's followers, and the estimated reach where the platform gives one
(docs/ads.md, "Saved audiences").

A spec has locations (two-letter countries, or time zones for the sandbox), ages, genders, languages,
interests, and references to custom and lookalike audiences made in Ads Manager (their ids). For Meta it
becomes a Graph targeting spec (`meta_targeting`); for the sandbox auction a `Targeting`.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select

from socialdesk.audit import service as audit
from socialdesk.campaigns.models import Audience
from socialdesk.core import clock
from socialdesk.core.errors import Conflict, ServiceUnavailable, ValidationFailed
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

GENDERS = {"male": 1, "female": 2}  # Graph's targeting `genders` values (targeting spec reference)
MIN_AGE, MAX_AGE = 13, 65
SUGGEST_DAYS = 90  # the inbox's messages of this many days tell the followers' languages
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_ZONE = re.compile(r"^[A-Za-z_]+/[A-Za-z_/+-]+$")
_ID = re.compile(r"^\d{3,30}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def _words(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    return [" ".join(str(v).split()) for v in value or [] if str(v).strip()]


def clean_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as stored, or a clear error naming what to fix."""
    locations = [p.upper() if len(p) == 2 else p for p in _words(spec.get("locations"))]
    bad = [p for p in locations if not (_COUNTRY.match(p) or _ZONE.match(p))]
    if bad:
        raise ValidationFailed(f"Locations are two-letter countries (HR, DE) or time zones (Europe/Zagreb); "
                               f"not {', '.join(bad)}.")
    try:
        age_min, age_max = int(spec.get("age_min") or 18), int(spec.get("age_max") or MAX_AGE)
    except (TypeError, ValueError):
        raise ValidationFailed("Ages are whole numbers.") from None
    if not MIN_AGE <= age_min <= age_max <= MAX_AGE:
        raise ValidationFailed(f"Ages run from {MIN_AGE} to {MAX_AGE}, the youngest first.")
    genders = [g.lower() for g in _words(spec.get("genders"))]
    if set(genders) - set(GENDERS):
        raise ValidationFailed("Genders are female and/or male (none: everyone).")
    languages = [c.lower() for c in _words(spec.get("languages"))]
    if bad := [c for c in languages if not _LANGUAGE.match(c)]:
        raise ValidationFailed(f"Languages are ISO 639-1 codes (hr, en, de); not {', '.join(bad)}.")
    interests = _words(spec.get("interests"))
    if bad := [i for i in interests if len(i) > 100]:
        raise ValidationFailed(f"An interest is a name or “id:name” of at most 100 characters; not {bad[0][:40]}….")
    refs = {k: _words(spec.get(k)) for k in ("custom_audiences", "lookalikes")}
    for key, ids in refs.items():
        if bad := [i for i in ids if not _ID.match(i)]:
            raise ValidationFailed(f"{key.replace('_', ' ').capitalize()} are the audience ids from Ads Manager "
                                   f"(digits); not {', '.join(bad)}.")
    return {"locations": sorted(set(locations), key=locations.index), "age_min": age_min, "age_max": age_max,
            "genders": sorted(set(genders)), "languages": sorted(set(languages), key=languages.index),
            "interests": sorted(set(interests), key=interests.index), **refs}


def list_audiences(ctx: WorkspaceContext) -> list[Audience]:
    return list(ctx.session.scalars(ctx.select(Audience).order_by(Audience.name)))


def get(ctx: WorkspaceContext, audience_id: str) -> Audience:
    return ctx.get(Audience, audience_id, what="audience")


def save(ctx: WorkspaceContext, *, name: str, spec: dict[str, Any], notes: str = "",
         audience_id: str | None = None) -> Audience:
    ctx.require(Permission.POSTS_WRITE)
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise ValidationFailed("Give the audience a name (at most 200 characters).")
    cleaned = clean_spec(spec)
    clash = ctx.session.scalars(ctx.select(Audience).where(func.lower(Audience.name) == name.lower())).first()
    if clash is not None and clash.id != audience_id:
        raise Conflict(f"An audience named {name} exists already; pick another name or edit it.")
    audience = get(ctx, audience_id) if audience_id else Audience(workspace_id=ctx.workspace_id, name=name)
    if audience_id is None:
        ctx.session.add(audience)
    audience.name, audience.spec, audience.notes = name, cleaned, notes.strip()
    audience.estimate = {}  # a changed audience needs a new estimate
    ctx.session.flush()
    audit.record(ctx, "ads.audience_saved", "audience", audience.id, f"Saved the audience {name}")
    return audience


def delete(ctx: WorkspaceContext, audience_id: str) -> None:
    ctx.require(Permission.POSTS_WRITE)
    audience = get(ctx, audience_id)
    ctx.session.delete(audience)
    audit.record(ctx, "ads.audience_deleted", "audience", audience_id, f"Deleted the audience {audience.name}")


# For the platforms ---------------------------------------------------------------------------------------


def meta_targeting(spec: dict[str, Any]) -> dict[str, Any]:
    """The Graph targeting spec (https://developers.facebook.com/docs/marketing-api/audiences/reference/
    basic-targeting): countries, ages, genders, interests given as "id:name", custom and lookalike audiences
    (both are custom audiences there). Time zones and languages are not sent: Meta targets places by country
    and languages by its own locale keys, which socialdesk does not hold."""
    targeting: dict[str, Any] = {"age_min": max(18, int(spec.get("age_min") or 18)),
                                 "age_max": int(spec.get("age_max") or MAX_AGE)}
    countries = [p for p in spec.get("locations") or [] if _COUNTRY.match(p)]
    if countries:
        targeting["geo_locations"] = {"countries": countries}
    if spec.get("genders") and len(spec["genders"]) < len(GENDERS):
        targeting["genders"] = [GENDERS[g] for g in spec["genders"]]
    interests = [{"id": i.split(":", 1)[0], "name": i.split(":", 1)[1]} for i in spec.get("interests") or []
                 if ":" in i and i.split(":", 1)[0].isdigit()]
    if interests:
        targeting["flexible_spec"] = [{"interests": interests}]
    custom = [*(spec.get("custom_audiences") or []), *(spec.get("lookalikes") or [])]
    if custom:
        targeting["custom_audiences"] = [{"id": i} for i in custom]
    return targeting


def sandbox_targeting(spec: dict[str, Any]) -> Any:
    """The sandbox auction's targeting: interests by the sandbox's topic names, languages by code."""
    from socialdesk.campaigns.sandbox_ads import targeting_from

    return targeting_from({"locations": spec.get("locations") or [], "age_min": max(18, spec.get("age_min", 18)),
                           "age_max": spec.get("age_max", MAX_AGE), "languages": spec.get("languages") or [],
                           "interests": [i for i in spec.get("interests") or [] if ":" not in i]})


def estimate_sandbox(ctx: WorkspaceContext, audience_id: str, channel_id: str) -> dict[str, Any]:
    """How many of a sandbox channel's simulated audience the saved audience reaches (an exact count)."""
    from socialdesk.channels.models import Channel
    from socialdesk.networks.sandbox import ads as auction

    audience = get(ctx, audience_id)
    channel = ctx.get(Channel, channel_id, what="channel")
    if channel.network != "sandbox":
        raise ValidationFailed("The sandbox's estimate is for a sandbox channel.")
    try:
        count = auction.audience_for_account(channel.handle, sandbox_targeting(audience.spec))
    except (ValueError, LookupError) as exc:
        raise ValidationFailed(f"Sandbox: {exc}.") from None
    audience.estimate = {"source": "sandbox", "channel": channel.name, "lower": count, "upper": count,
                         "at": clock.now().isoformat()}
    return audience.estimate


def estimate_meta(ctx: WorkspaceContext, audience_id: str, *, token: str = "", ad_account: str = "") -> dict[str, Any]:
    """Meta's reach estimate for the audience (a range, `users_lower_bound`–`users_upper_bound`), with the
    pasted token or, without one, the workspace's Meta login."""
    from socialdesk.campaigns.meta_ads import client_for

    audience = get(ctx, audience_id)
    targeting = meta_targeting(audience.spec)
    if not targeting.get("geo_locations"):
        raise ValidationFailed("Meta estimates reach for an audience with at least one country.")
    with client_for(ctx, token, ad_account) as client:
        found = client.reach_estimate(targeting)
    lower, upper = int(found.get("users_lower_bound", -1)), int(found.get("users_upper_bound", -1))
    if lower < 0 or upper < 0:
        raise ServiceUnavailable("Meta gives no estimate for this audience (it does not for some custom "
                                 "audiences); the audience still works.")
    audience.estimate = {"source": "meta", "lower": lower, "upper": upper, "ready": bool(found.get("estimate_ready")),
                         "at": clock.now().isoformat()}
    return audience.estimate


# What socialdesk already knows ---------------------------------------------------------------------------


def suggest(ctx: WorkspaceContext) -> dict[str, Any]:
    """The followers' languages (from the inbox's messages of the last 90 days and the sandbox audiences),
    their countries and time zones and interests (sandbox audiences), each as shares, with a proposed spec
    covering most of them. `sources` says where each number came from."""
    from socialdesk.channels.models import Channel
    from socialdesk.inbox.models import InboxItem

    ctx.require(Permission.ANALYTICS_READ)
    since = clock.now() - timedelta(days=SUGGEST_DAYS)
    languages: Counter[str] = Counter(dict(ctx.session.execute(
        select(InboxItem.language, func.count()).where(InboxItem.workspace_id == ctx.workspace_id,
                                                       InboxItem.received_at >= since,
                                                       InboxItem.language.is_not(None))
        .group_by(InboxItem.language)).all()))
    sources = [f"{sum(languages.values())} inbox messages of the last {SUGGEST_DAYS} days"] if languages else []
    countries: Counter[str] = Counter()
    zones: Counter[str] = Counter()
    interests: Counter[str] = Counter()
    for channel in ctx.session.scalars(ctx.select(Channel).where(Channel.network == "sandbox")):
        found = _sandbox_followers(channel.handle)
        if found is None:
            continue
        for counter, part in zip((languages, countries, zones, interests), found, strict=True):
            counter.update(part)
        sources.append(f"the simulated audience of {channel.name}")
    shares = {name: _shares(counter) for name, counter in
              (("languages", languages), ("countries", countries), ("time_zones", zones), ("interests", interests))}
    proposal = {"locations": _covering(shares["countries"]), "languages": _covering(shares["languages"]),
                "interests": [k for k, _ in shares["interests"][:3]], "age_min": 18, "age_max": MAX_AGE}
    return {**shares, "proposal": proposal, "sources": sources}


def _shares(counter: Counter[str], top: int = 8) -> list[tuple[str, float]]:
    total = sum(counter.values())
    return [(k, round(v / total, 3)) for k, v in counter.most_common(top)] if total else []


def _covering(shares: list[tuple[str, float]], part: float = 0.8) -> list[str]:
    """The fewest top entries that together hold `part` of the whole."""
    chosen, held = [], 0.0
    for key, share in shares:
        if held >= part:
            break
        chosen.append(key)
        held += share
    return chosen


def _sandbox_followers(handle: str) -> tuple[Counter[str], ...] | None:
    from socialdesk.networks.sandbox import store
    from socialdesk.networks.sandbox.ads import ZONE_COUNTRY
    from socialdesk.networks.sandbox.audience import population
    from socialdesk.networks.sandbox.vocabulary import LANGUAGES, TOPIC_NAMES

    record = store.find_account(handle)
    if record is None:
        return None
    pop = population(record.params())
    people = ~pop.bot
    languages = Counter({LANGUAGES[i]: int(n) for i, n in enumerate(np.bincount(pop.language[people],
                                                                                 minlength=len(LANGUAGES))) if n})
    per_zone = np.bincount(pop.zone_index[people], minlength=len(pop.zones))
    zones = Counter({z: int(n) for z, n in zip(pop.zones, per_zone, strict=True) if n})
    countries: Counter[str] = Counter()
    for zone, n in zones.items():
        if zone in ZONE_COUNTRY:
            countries[ZONE_COUNTRY[zone]] += n
    interested = (pop.interests[people] > 0).sum(axis=0)
    interests = Counter({TOPIC_NAMES[i]: int(n) for i, n in enumerate(interested) if n})
    return languages, countries, zones, interests
