"""The audience's hidden traits, read from the sandbox itself (not from the exercise file) for the reveal."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from socialdesk.academy.schema import Exercise
from socialdesk.networks.sandbox.audience import AccountParams, audience_activity, population
from socialdesk.networks.sandbox.vocabulary import LANGUAGES, TOPIC_NAMES


def reveal(ex: Exercise, params: AccountParams) -> dict[str, Any]:
    """What the audience really was: languages, time zones, interests, active hours, tone, trolls and spam."""
    pop = population(params)
    humans = ~pop.bot
    n = max(1, int(humans.sum()))
    languages = Counter(LANGUAGES[int(code)] for code in pop.language[humans])
    zones = Counter(pop.zones[int(z)] for z in pop.zone_index[humans])
    interest = pop.interests[humans].astype(bool).mean(axis=0)
    top_interests = [TOPIC_NAMES[i] for i in np.argsort(-interest)[:3]]
    activity = audience_activity(params)
    extra: dict[str, Any] = {}
    if ex.kind == "ads-budget":
        from socialdesk.academy.strategies import ad_traits

        extra["ad_traits"] = ad_traits(params)
    return {**extra,
        "audience_size": pop.size,
        "languages": {code: round(count / n, 3) for code, count in languages.most_common()},
        "time_zones": {zone: round(count / n, 3) for zone, count in zones.most_common(4)},
        "interests": top_interests,
        "peak_hours": list(activity.peak_hours),
        "activity_by_hour": [round(float(x), 3) for x in activity.by_hour],
        "best_hour": int(np.argmax(activity.by_hour)),
        "tone": ex.audience.tone,
        "troll_share": round(float(pop.troll.mean()), 4),
        "spam_share": round(float(pop.bot.mean()), 4),
        "timezone": params.timezone,
    }
