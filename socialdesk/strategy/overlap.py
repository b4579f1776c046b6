"""How much of each network's audience matches each target persona (docs/strategy.md, "Audience overlap").

For a network and a persona, each field the persona sets is compared with what the network's audience
profile knows (strategy/audience.py), as a share with a 95 % interval and its n:

- **language**: the share of the audience's messages whose language is one of the persona's (hr, sr, bs
  also match the triage's joint "hbs"); n = messages.
- **waking hours**: the share of those messages sent between 07:00 and 23:00 in the persona's time zone —
  an audience that writes while the persona sleeps lives elsewhere; n = messages.
- **country**, **age**, **gender**: the share of the network's demographics (followers, or YouTube's
  viewers) in the persona's countries, age range or genders; n = the people (or views) they are of. An age
  bucket that the range only partly covers counts in proportion to the years covered (people spread evenly
  over a bucket; "65+" is 65–100). People of unknown gender count in n, never as a match.
- **interests**: the share of the network's engagements (newest snapshot) that went to posts whose text
  or hashtags contain one of the persona's keywords (compared as the listening monitors compare words:
  lemma, stem, no diacritics); n = measured posts, with a bootstrap interval over posts.

Shares of counts get a Wilson score interval. A share needs MIN_MESSAGES messages, MIN_PEOPLE people or
st.MIN_POSTS posts, else it is "not enough data"; a field the network never reports is "unknown for this
network"; a field the persona leaves empty is not compared. The **overall overlap** multiplies the known
shares, as if the fields were independent (they are not always: it is an estimate, and says so); its
interval multiplies the bounds.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from socialdesk.analytics import statistics as st
from socialdesk.analytics.definitions import METRICS
from socialdesk.analytics.post_values import PostRecord, Sample
from socialdesk.core import clock
from socialdesk.core.timezones import zone
from socialdesk.listening.matching import keys, lemma_languages, words
from socialdesk.strategy.audience import MIN_MESSAGES, Tally
from socialdesk.strategy.personas import MAX_AGE, Persona

Z95 = 1.959963984540054
MIN_PEOPLE = 30
AWAKE = range(7, 23)  # local hours counted as awake: 07:00 to 22:59
HBS = {"hr", "sr", "bs", "hbs", "sh", "cnr"}
OK, NOT_ENOUGH, UNKNOWN = "ok", "not enough data", "unknown for this network"


@dataclass
class Part:
    what: str  # language | waking hours | country | age | gender | interests
    status: str  # ok | not enough data | unknown for this network
    share: float | None = None
    low: float | None = None
    high: float | None = None
    n: int = 0
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"what": self.what, "status": self.status, "share": _r(self.share), "low": _r(self.low),
                "high": _r(self.high), "n": self.n, "note": self.note}


@dataclass
class Fit:
    persona: str
    network: str
    name: str
    parts: list[Part]
    share: float | None = None
    low: float | None = None
    high: float | None = None
    status: str = NOT_ENOUGH
    text: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"persona": self.persona, "network": self.network, "name": self.name, "status": self.status,
                "share": _r(self.share), "low": _r(self.low), "high": _r(self.high), "text": self.text,
                "parts": [p.as_dict() for p in self.parts]}


@dataclass
class NetworkAudience:
    """What the overlap reads about one network's audience."""

    network: str
    name: str
    messages: list[tuple[str, datetime]] = field(default_factory=list)  # (language, received_at)
    demographics: dict[str, Tally] = field(default_factory=dict)
    gives_demographics: bool = False
    records: list[PostRecord] = field(default_factory=list)


def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def wilson(k: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a share k / n."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def _share_part(what: str, k: float, n: int, minimum: int, unit: str) -> Part:
    if n < minimum:
        return Part(what, NOT_ENOUGH, n=n, note=f"{n} {unit}, a share needs {minimum}")
    low, high = wilson(k, n)
    return Part(what, OK, k / n, low, high, n)


def language_matches(persona_languages: Sequence[str], language: str | None) -> bool:
    code = (language or "und").lower()
    wanted = {x.lower() for x in persona_languages}
    return code in wanted or (code in HBS and bool(wanted & HBS))


def age_fraction(bucket: str, low: int, high: int) -> float | None:
    """The share of a bucket ("25-34", "65+", "18-21") inside [low, high] years, people spread evenly
    over the bucket's years; None for a key that is no age bucket."""
    text = bucket.strip()
    try:
        if text.endswith("+"):
            start, end = int(text[:-1]), MAX_AGE
        else:
            first, last = text.split("-", 1)
            start, end = int(first), int(last) if last else MAX_AGE
    except ValueError:
        return None
    if end < start:
        return None
    covered = min(end, high) - max(start, low) + 1
    return max(0, covered) / (end - start + 1)


def demographic_part(what: str, tally: Tally | None, persona: Persona, gives: bool) -> Part:
    if not gives:
        return Part(what, UNKNOWN, note="this network gives no audience demographics")
    if tally is None:
        return Part(what, NOT_ENOUGH, note=f"no {what} figures collected yet")
    total = sum(tally.counts.values())
    if what == "age":
        low, high = persona.age_min or 13, persona.age_max or MAX_AGE
        fractions = {k: age_fraction(k, low, high) for k in tally.counts}
        matched = sum(v * (fractions[k] or 0.0) for k, v in tally.counts.items())
    elif what == "gender":
        matched = sum(v for k, v in tally.counts.items() if k in persona.genders)
    else:  # country
        wanted = set(persona.countries)
        matched = sum(v for k, v in tally.counts.items() if k.upper() in wanted)
    share = matched / total if total else 0.0
    return _share_part(what, share * tally.n, tally.n, MIN_PEOPLE, "people")


def _interest_keys(persona: Persona) -> list[list[frozenset[str]]]:
    languages = lemma_languages(persona.languages)
    return [[keys(w, languages, True) for w in words(keyword)] for keyword in persona.interests]


def post_matches(text: str, hashtags: Sequence[str], wanted: list[list[frozenset[str]]],
                 languages: tuple[str, ...]) -> bool:
    """A post is about a keyword when every word of the keyword is among the post's words or hashtags."""
    found: set[str] = set()
    for word in [*words(text), *hashtags]:
        found |= keys(word, languages)
    return any(all(k & found for k in keyword) for keyword in wanted if keyword)


def interests_part(records: list[PostRecord], persona: Persona) -> Part:
    measured = [r for r in records if r.values is not None]
    if not measured:
        return Part("interests", NOT_ENOUGH, n=0, note="no measured posts in the window")
    values = Sample.of(measured).values(METRICS["engagements"])
    wanted = _interest_keys(persona)
    languages = lemma_languages(persona.languages)
    top, bottom = [], []
    for index, record in enumerate(measured):
        if np.isnan(values[index]):
            continue
        bottom.append(float(values[index]))
        top.append(float(values[index]) if post_matches(record.text, record.hashtags, wanted, languages) else 0.0)
    n = len(bottom)
    if n < st.MIN_POSTS or not sum(bottom):
        return Part("interests", NOT_ENOUGH, n=n, note=f"{n} measured posts with engagements, a share needs "
                                                        f"{st.MIN_POSTS}")
    estimate = st.ratio_ci(top, bottom, scale=1.0)
    return Part("interests", OK, estimate.value, estimate.low, estimate.high, n)


def fit(persona: Persona, audience: NetworkAudience) -> Fit:
    """The persona against one network's audience: a part per field the persona sets, and the overall share."""
    parts: list[Part] = []
    messages = audience.messages
    if persona.languages:
        k = sum(1 for language, _ in messages if language_matches(persona.languages, language))
        parts.append(_share_part("language", k, len(messages), MIN_MESSAGES, "messages"))
    if persona.timezone:
        tz = zone(persona.timezone)
        k = sum(1 for _, at in messages if clock.utc(at).astimezone(tz).hour in AWAKE)
        parts.append(_share_part("waking hours", k, len(messages), MIN_MESSAGES, "messages"))
    if persona.countries:
        parts.append(demographic_part("country", audience.demographics.get("country"), persona,
                                      audience.gives_demographics))
    if persona.age_min is not None or persona.age_max is not None:
        parts.append(demographic_part("age", audience.demographics.get("age"), persona, audience.gives_demographics))
    if persona.genders:
        parts.append(demographic_part("gender", audience.demographics.get("gender"), persona,
                                      audience.gives_demographics))
    if persona.interests:
        parts.append(interests_part(audience.records, persona))
    return combine(persona.name, audience.network, audience.name, parts)


def combine(persona: str, network: str, name: str, parts: list[Part]) -> Fit:
    known = [p for p in parts if p.status == OK]
    result = Fit(persona, network, name, parts)
    if not parts:
        result.text = f"{persona} sets no field to compare (languages, countries, time zone, ages, genders, interests)."
        return result
    if not known:
        result.text = (f"Not enough data for {persona} on {name}: "
                       + "; ".join(f"{p.what} {p.status}" + (f" ({p.note})" if p.note else "") for p in parts) + ".")
        return result
    result.status = OK
    result.share = math.prod(p.share or 0.0 for p in known)
    result.low = math.prod(p.low or 0.0 for p in known)
    result.high = math.prod(p.high or 0.0 for p in known)
    on = ", ".join(p.what for p in known)
    missing = [p for p in parts if p.status != OK]
    result.text = (f"About {result.share:.0%} of {name}'s audience matches {persona} "
                   f"(interval {result.low:.0%}–{result.high:.0%}) on {on}"
                   + (" (taken as independent)" if len(known) > 1 else "")
                   + ("; " + "; ".join(f"{p.what}: {p.status}" for p in missing) if missing else "") + ".")
    return result


def network_audiences(ctx: Any, networks: dict[str, list[Any]], start: datetime, end: datetime,
                      records: list[PostRecord]) -> dict[str, NetworkAudience]:
    """Each network's audience from its channels (channel objects per network): messages, demographics
    (added up over the channels: counts, and n), posts."""
    from socialdesk.strategy.audience import demographic_tallies, gives_demographics, messages_by_channel
    from socialdesk.strategy.service import network_name

    by_channel = messages_by_channel(ctx, start, end)
    found: dict[str, NetworkAudience] = {}
    for network, channels in networks.items():
        item = NetworkAudience(network, network_name(network))
        ids = {c.id for c in channels}
        item.messages = [(language, at) for c in channels for _, language, at in by_channel.get(c.id, [])]
        item.gives_demographics = any(gives_demographics(c) for c in channels)
        merged: dict[str, Counter[str]] = defaultdict(Counter)
        bases: Counter[str] = Counter()
        for channel in channels:
            for breakdown, tally in demographic_tallies(channel).items():
                total = sum(tally.counts.values()) or 1
                # Per cent (YouTube) and counts (the others) are put on one footing: people by their n.
                for key, value in tally.counts.items():
                    merged[breakdown][key] += value / total * tally.n
                bases[breakdown] += tally.n
        item.demographics = {b: Tally(dict(c), int(bases[b])) for b, c in merged.items()}
        item.records = [r for r in records if r.channel_id in ids]
        found[network] = item
    return found


def fits(personas: list[Persona], audiences: dict[str, NetworkAudience]) -> list[Fit]:
    return [fit(p, a) for p in personas for a in audiences.values()]
