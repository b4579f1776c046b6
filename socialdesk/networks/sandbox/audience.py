"""The simulated audience of one sandbox account: who its members are and when they are online.

A population is a pure function of the world seed and the account's parameters (handle, size,
languages, time zone, topics), generated with numpy in one go and cached. Each member has:

- a language (drawn from the account's language weights) and an IANA time zone correlated with it:
  a share of members lives in the account's own zone whatever their language, the rest where their
  language is spoken (`LANGUAGE_ZONES`);
- interests: a strength in [0, 1] per topic of `vocabulary.TOPICS`, more often the account's topics;
- a daily activity curve in local time (mean 1): a floor while awake and four bumps - morning commute,
  lunch, evening, late night - whose times and weights are set per account (so accounts differ in
  their best hours) and jittered per member, shifted by a personal chronotype (early bird, night owl);
- an activity level (how much time they spend on the network) and propensities to like, comment,
  share, be angry and ask questions;
- a flag for the small share of spam bots, who are online around the clock.

`audience_activity()` gives the account's true activity by hour of the week in its own time zone,
which is what a "best time to post" analysis should rediscover from the simulated history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from socialdesk.networks.sandbox import timegrid
from socialdesk.networks.sandbox.seeding import rng_for
from socialdesk.networks.sandbox.vocabulary import LANGUAGES, TOPIC_NAMES

# Where speakers of each language live, as weights over IANA zones.
LANGUAGE_ZONES: dict[str, dict[str, float]] = {
    "en": {"Europe/London": 0.4, "America/New_York": 0.3, "America/Chicago": 0.1,
           "America/Los_Angeles": 0.1, "Australia/Sydney": 0.05, "Europe/Dublin": 0.05},
    "hr": {"Europe/Zagreb": 0.92, "Europe/Vienna": 0.04, "Europe/Berlin": 0.04},
    "sr": {"Europe/Belgrade": 0.9, "Europe/Vienna": 0.05, "Europe/Berlin": 0.05},
    "de": {"Europe/Berlin": 0.8, "Europe/Vienna": 0.12, "Europe/Zurich": 0.08},
    "es": {"Europe/Madrid": 0.6, "America/Mexico_City": 0.2, "America/Argentina/Buenos_Aires": 0.1,
           "America/Bogota": 0.1},
    "fr": {"Europe/Paris": 0.85, "Europe/Brussels": 0.08, "America/Toronto": 0.07},
    "ru": {"Europe/Moscow": 0.8, "Asia/Yekaterinburg": 0.1, "Asia/Novosibirsk": 0.1},
    "it": {"Europe/Rome": 0.95, "Europe/Zurich": 0.05},
    "pt": {"Europe/Lisbon": 0.5, "America/Sao_Paulo": 0.5},
}
HOME_ZONE = {language: max(zones, key=zones.__getitem__) for language, zones in LANGUAGE_ZONES.items()}
DEFAULT_LANGUAGES: dict[str, float] = {"en": 0.4, "hr": 0.15, "sr": 0.07, "de": 0.1, "es": 0.08, "fr": 0.06,
                                       "ru": 0.05, "it": 0.05, "pt": 0.04}

# The four daily bumps: (name, usual local hour, width in hours, base weight).
PEAKS: tuple[tuple[str, float, float, float], ...] = (
    ("morning", 7.5, 1.0, 0.22),
    ("lunch", 12.5, 0.9, 0.20),
    ("evening", 19.5, 1.3, 0.38),
    ("late", 22.5, 1.0, 0.20),
)
# How far an account's bumps may sit from the usual hour, and how likely each is the dominant one.
PEAK_SHIFTS = ((-0.75, 0.75), (-0.5, 1.0), (-1.5, 1.5), (-0.5, 0.5))
DOMINANT_ODDS = (0.3, 0.25, 0.45, 0.0)

LOCAL_SHARE = 0.55  # members living in the account's own zone whatever their language
MAX_AUDIENCE = 20_000
DEFAULT_AUDIENCE = 2_000


@dataclass(frozen=True)
class AccountParams:
    """Everything the audience and the simulation depend on besides the posts."""

    handle: str
    seed: int
    audience_size: int
    timezone: str
    languages: tuple[tuple[str, float], ...]
    topics: tuple[str, ...]
    created_at: float  # epoch seconds
    initial_follow_share: float = 0.6
    following: int = 150
    comfortable_posts_per_day: float = 3.0
    bot_share: float = 0.025
    troll_share: float = 0.0  # members who comment angrily and often, whatever is posted (the academy)

    @classmethod
    def from_settings(cls, handle: str, seed: int, audience_size: int, created_at: datetime,
                      settings: dict[str, Any]) -> AccountParams:
        languages = settings.get("languages") or DEFAULT_LANGUAGES
        return cls(
            handle=handle, seed=int(seed), audience_size=int(audience_size),
            timezone=str(settings.get("timezone") or "UTC"),
            languages=tuple(sorted((str(k), float(v)) for k, v in languages.items())),
            topics=tuple(settings.get("topics") or ()),
            created_at=timegrid.to_epoch(created_at),
            initial_follow_share=float(settings.get("initial_follow_share", 0.6)),
            following=int(settings.get("following", 150)),
            comfortable_posts_per_day=float(settings.get("comfortable_posts_per_day", 3.0)),
            bot_share=float(settings.get("bot_share", 0.025)),
            troll_share=float(settings.get("troll_share", 0.0)),
        )


def default_settings(handle: str, seed: int, *, audience_size: int | None, languages: dict[str, float] | None,
                     timezone: str | None, topics: list[str] | None) -> dict[str, Any]:
    """The settings of a new account: what was asked for, the rest drawn from the seed."""
    rng = rng_for(seed, "account-defaults", handle)
    if languages:
        unknown = sorted(set(languages) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown languages {unknown}; the sandbox speaks {', '.join(LANGUAGES)}")
        if any(w < 0 for w in languages.values()) or sum(languages.values()) <= 0:
            raise ValueError("language weights must be non-negative and not all zero")
    weights = dict(languages or DEFAULT_LANGUAGES)
    main_language = max(weights, key=weights.__getitem__)
    if timezone:
        try:
            timegrid.zone(timezone)
        except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"unknown time zone {timezone!r}; use an IANA name such as Europe/Zagreb") from None
    if topics:
        unknown = sorted(set(topics) - set(TOPIC_NAMES))
        if unknown:
            raise ValueError(f"unknown topics {unknown}; known: {', '.join(TOPIC_NAMES)}")
    else:
        topics = sorted(rng.choice(TOPIC_NAMES, size=int(rng.integers(2, 4)), replace=False).tolist())
    size = DEFAULT_AUDIENCE if audience_size is None else int(audience_size)
    if not 10 <= size <= MAX_AUDIENCE:
        raise ValueError(f"audience_size must be between 10 and {MAX_AUDIENCE}")
    return {
        "languages": weights,
        "timezone": timezone or HOME_ZONE[main_language],
        "topics": list(topics),
        "initial_follow_share": round(float(rng.uniform(0.5, 0.7)), 3),
        "following": int(rng.integers(40, 400)),
        "comfortable_posts_per_day": 3.0,
        "bot_share": 0.025,
        "audience_size": size,
    }


@dataclass(frozen=True, eq=False)
class Population:
    params: AccountParams
    zones: tuple[str, ...]  # the distinct zones; members point into it
    language: np.ndarray  # int8 index into vocabulary.LANGUAGES
    zone_index: np.ndarray  # int16 index into zones
    interests: np.ndarray  # float32 (n, topics), 0 = not interested
    account_affinity: np.ndarray  # float32 (n,): mean interest in the account's own topics
    curves: np.ndarray  # float32 (n, 24): activity by local hour, mean 1 per member
    curve_max: np.ndarray  # float32 (n,)
    weekday_factor: np.ndarray  # float64 (7,): account-wide, by the member's local weekday
    level: np.ndarray  # float32 (n,): time spent on the network, median 1
    like: np.ndarray
    comment: np.ndarray
    share: np.ndarray
    anger: np.ndarray
    question: np.ndarray
    bot: np.ndarray  # bool
    troll: np.ndarray  # bool: comments angrily and often (only where the account's troll_share asks for them)
    first_name: np.ndarray  # int indices into phrases.FIRST_NAMES[language]
    surname: np.ndarray
    # Follow history that does not depend on posts (initial followers, organic follows, churn).
    base_follow_at: np.ndarray  # float64 epoch, inf = never of their own accord
    churn_delay: np.ndarray  # float64 seconds from following (or account creation) to leaving
    peak_hours: tuple[float, ...]  # the account's bump centres, local hours
    peak_weights: tuple[float, ...]

    @property
    def size(self) -> int:
        return int(self.language.shape[0])


def _circular_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.abs(a - b) % 24.0
    return np.minimum(d, 24.0 - d)


def _zones(rng: np.random.Generator, params: AccountParams, language: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    names = sorted({params.timezone} | {z for zones in LANGUAGE_ZONES.values() for z in zones})
    position = {name: i for i, name in enumerate(names)}
    n = language.shape[0]
    chosen = np.empty(n, dtype=np.int16)
    local = rng.random(n) < LOCAL_SHARE
    for li, code in enumerate(LANGUAGES):
        members = np.flatnonzero(language == li)
        zones = LANGUAGE_ZONES[code]
        picks = rng.choice(len(zones), size=members.size, p=np.array(list(zones.values())) / sum(zones.values()))
        chosen[members] = np.array([position[z] for z in zones], dtype=np.int16)[picks]
    chosen[local] = position[params.timezone]
    used = sorted(set(chosen.tolist()))
    remap = np.zeros(len(names), dtype=np.int16)
    remap[used] = np.arange(len(used), dtype=np.int16)
    return tuple(names[i] for i in used), remap[chosen]


def _account_peaks(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    centres = np.array([p[1] + rng.uniform(*shift) for p, shift in zip(PEAKS, PEAK_SHIFTS, strict=True)])
    widths = np.array([p[2] for p in PEAKS])
    weights = np.array([p[3] for p in PEAKS]) * rng.uniform(0.6, 1.4, size=len(PEAKS))
    # One bump dominates clearly, so every account has a best time worth finding.
    weights[rng.choice(len(PEAKS), p=DOMINANT_ODDS)] += 0.6
    return centres, widths, weights / weights.sum()


def _curves(rng: np.random.Generator, n: int, centres: np.ndarray, widths: np.ndarray,
            weights: np.ndarray) -> np.ndarray:
    hours = np.arange(24) + 0.5  # each hour is represented by its middle
    chronotype = np.clip(rng.normal(0.0, 0.6, size=n), -1.5, 1.5)
    member_weights = rng.dirichlet(weights * 30.0, size=n)
    jitter = rng.normal(0.0, 0.4, size=(n, len(centres)))
    member_centres = centres[None, :] + jitter + chronotype[:, None]
    distance = _circular_distance(hours[None, None, :], member_centres[:, :, None])  # (n, peaks, 24)
    bumps = (member_weights[:, :, None] * np.exp(-0.5 * (distance / widths[None, :, None]) ** 2)).sum(axis=1)
    awake = ((hours[None, :] - chronotype[:, None]) % 24.0) >= 6.5  # asleep 00:00-06:30, shifted
    curves = bumps + np.where(awake, 0.24, 0.04)
    return (curves / curves.mean(axis=1, keepdims=True)).astype(np.float32)


def _follow_history(rng: np.random.Generator, params: AccountParams, affinity: np.ndarray,
                    level: np.ndarray, bot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Who follows from the start, who would follow later on their own, and how long each stays."""
    n = affinity.shape[0]
    appeal = 0.4 + affinity
    p_initial = np.clip(appeal / appeal.mean() * params.initial_follow_share, 0.0, 0.98)
    initial = rng.random(n) < p_initial
    days_before = rng.uniform(1.0, 730.0, size=n)
    # Organic follows: 0.2 % of a non-follower's chance per day, more for the interested and active.
    rate_follow = 0.002 * (0.3 + 1.4 * affinity) * np.sqrt(level) * np.where(bot, 3.0, 1.0)
    days_until = rng.exponential(1.0, size=n) / rate_follow
    base_follow = np.where(initial, params.created_at - days_before * timegrid.DAY,
                           params.created_at + days_until * timegrid.DAY)
    # Churn: 0.08 % of followers a day leave of their own accord, the less interested sooner.
    rate_leave = 0.0008 * (1.5 - affinity)
    churn_delay = rng.exponential(1.0, size=n) / rate_leave * timegrid.DAY
    return base_follow, churn_delay


@lru_cache(maxsize=32)
def population(params: AccountParams) -> Population:
    """The account's members; a pure function of `params`, cached."""
    rng = rng_for(params.seed, "population", params.handle)
    n = params.audience_size
    lang_codes = [code for code, _ in params.languages]
    lang_weights = np.array([w for _, w in params.languages], dtype=np.float64)
    picks = rng.choice(len(lang_codes), size=n, p=lang_weights / lang_weights.sum())
    language = np.array([LANGUAGES.index(code) for code in lang_codes], dtype=np.int8)[picks]
    bot = rng.random(n) < params.bot_share
    # Spam bots mostly write English, wherever the account is.
    language[bot & (rng.random(n) < 0.7)] = LANGUAGES.index("en")
    zones, zone_index = _zones(rng, params, language)

    topic_count = len(TOPIC_NAMES)
    own = np.array([name in params.topics for name in TOPIC_NAMES])
    p_interest = np.where(own, 0.55, 1.5 / topic_count)
    strength = rng.uniform(0.3, 1.0, size=(n, topic_count))
    strength[:, own] = np.maximum(strength[:, own], 0.5)
    interests = np.where(rng.random((n, topic_count)) < p_interest[None, :], strength, 0.0).astype(np.float32)
    affinity = (interests[:, own].mean(axis=1) if own.any() else np.full(n, 0.3)).astype(np.float32)

    centres, widths, weights = _account_peaks(rng)
    curves = _curves(rng, n, centres, widths, weights)
    curves[bot] = 1.0
    weekday = np.ones(7)
    weekday[4] = rng.uniform(0.9, 1.05)  # Friday
    weekday[5:] = rng.uniform(0.75, 1.2)  # the weekend, both days alike

    level = np.clip(rng.lognormal(0.0, 0.6, size=n), 0.15, 5.0).astype(np.float32)
    level[bot] = 1.5
    base_follow, churn_delay = _follow_history(rng, params, affinity, level, bot)

    like = rng.beta(2.0, 8.0, size=n).astype(np.float32)
    comment = rng.beta(1.2, 18.0, size=n).astype(np.float32)
    share = rng.beta(1.0, 25.0, size=n).astype(np.float32)
    anger = rng.beta(1.0, 14.0, size=n).astype(np.float32)
    question = rng.beta(1.5, 5.0, size=n).astype(np.float32)
    first_name, surname = rng.integers(0, 10, size=n), rng.integers(0, 8, size=n)
    troll = np.zeros(n, dtype=bool)
    if params.troll_share > 0:
        # Their own random stream, so an account without trolls is exactly as before.
        troll = (rng_for(params.seed, "trolls", params.handle).random(n) < params.troll_share) & ~bot
        anger[troll], comment[troll], question[troll] = 0.9, 0.9, 0.02
        level[troll] = 5.0  # online a lot: they see every post
        base_follow[troll] = np.minimum(base_follow[troll], params.created_at - timegrid.DAY)

    return Population(
        params=params, zones=zones, language=language, zone_index=zone_index, interests=interests,
        account_affinity=affinity, curves=curves, curve_max=curves.max(axis=1), weekday_factor=weekday,
        level=level, like=like, comment=comment, share=share, anger=anger, question=question, bot=bot, troll=troll,
        first_name=first_name, surname=surname,
        base_follow_at=base_follow, churn_delay=churn_delay,
        peak_hours=tuple(float(c % 24.0) for c in centres), peak_weights=tuple(float(w) for w in weights),
    )


LocalTable = list[tuple[np.ndarray, np.ndarray]]  # per zone: local hour and weekday of each instant


def local_table(pop: Population, epochs: np.ndarray) -> LocalTable:
    return [timegrid.hour_and_weekday(name, epochs) for name in pop.zones]


def activity_at(pop: Population, epochs: np.ndarray, members: np.ndarray | None = None,
                table: LocalTable | None = None) -> np.ndarray:
    """Members' activity at each instant: curve at the local hour x the weekday factor, (members, len).

    `table` is `local_table(pop, epochs)`, passed in when the same instants are used repeatedly.
    """
    table = table if table is not None else local_table(pop, epochs)
    rows = np.arange(pop.size) if members is None else members
    zone_of = pop.zone_index[rows]
    out = np.empty((rows.size, epochs.shape[0]), dtype=np.float32)
    for zi, (hours, weekdays) in enumerate(table):
        where = np.flatnonzero(zone_of == zi)
        if where.size == 0:
            continue
        factor = pop.weekday_factor[weekdays].astype(np.float32)
        out[where] = np.take(pop.curves[rows[where]], hours, axis=1) * factor[None, :]
    return out


@dataclass(frozen=True)
class AudienceActivity:
    timezone: str
    week_start: datetime  # local Monday 00:00 of the week it was computed for
    by_hour_of_week: np.ndarray  # (7, 24), Monday first, mean 1
    by_hour: np.ndarray  # (24,), the average day, mean 1
    peak_hours: tuple[int, ...]  # local hours of the daily peaks worth naming, strongest first
    peak_slots: tuple[tuple[int, int], ...]  # the five strongest (weekday, hour) of the week


def audience_activity(params: AccountParams, week_of: datetime | None = None) -> AudienceActivity:
    """The account's true audience activity by hour of week in its own time zone.

    Members count in proportion to their activity level; spam bots are left out. The hours are local
    to the account for the week containing `week_of` (default: the account's creation), so daylight
    saving time differences between members' zones are those of that week.
    """
    pop = population(params)
    tz = timegrid.zone(params.timezone)
    reference = (week_of or timegrid.from_epoch(params.created_at)).astimezone(tz)
    monday = (reference - timedelta(days=reference.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    # The middle of each local hour of the week, as UTC instants (wall-clock arithmetic, then UTC).
    slots = [monday + timedelta(days=d, hours=h, minutes=30) for d in range(7) for h in range(24)]
    epochs = np.array([s.replace(tzinfo=tz).timestamp() for s in slots])
    humans = ~pop.bot
    weights = pop.level[humans].astype(np.float64)
    activity = activity_at(pop, epochs)[humans].astype(np.float64)
    week = (weights[:, None] * activity).sum(axis=0).reshape(7, 24)
    week /= week.mean()
    day = week.mean(axis=0)
    day /= day.mean()
    local_max = [h for h in range(24) if day[h] >= day[(h - 1) % 24] and day[h] >= day[(h + 1) % 24]]
    peaks = sorted((h for h in local_max if day[h] >= 0.75 * day.max()), key=lambda h: -day[h])
    order = np.argsort(-week, axis=None, kind="stable")[:5]
    return AudienceActivity(
        timezone=params.timezone, week_start=monday, by_hour_of_week=week, by_hour=day,
        peak_hours=tuple(int(h) for h in peaks),
        peak_slots=tuple((int(i // 24), int(i % 24)) for i in order),
    )
