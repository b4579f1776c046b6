"""The sandbox ad auction: play-money ads shown to a sandbox account's simulated audience (docs/sandbox.md,
"Ads").

An ad targets the members of the account's audience by location (IANA zone, or the country it is in),
age, language and interests (topics), and shows its text. Hour by hour over its days:

- **Opportunities**: the targeted members who are online (their activity at that local hour) each offer
  `SLOTS_PER_ACTIVE_HOUR` ad slots; a small audience offers few.
- **Competition**: other advertisers bid for the same slots; the clearing CPM is `BASE_CPM`, higher in
  the busy hours (up to +60 % at the audience's peak) and jittered by the seed. The ad wins a share of
  the slots that grows with its bid over the clearing price (a logistic curve: at the clearing price
  half), and pays the clearing price (a second-price auction), never more than its bid.
- **Budget**: the daily budget is spread over the day in proportion to the opportunities (standard
  pacing), so an hour never spends more than its share and a day never more than the budget.
- **Clicks**: each impression is clicked with `BASE_CTR` × (0.3 + 1.7 × the member's interest in the
  ad's topics) × (0.5 + creative quality), lowered by **fatigue**: × exp(−`FATIGUE` × impressions the
  member has already seen of this ad).
- **Conversions**: a click converts with `BASE_CONVERSION` × (0.5 + interest); each is worth the ad's
  order value. Video ads get views from `VIDEO_VIEW_RATE` of impressions.

Counts are drawn (Poisson) from their expectations with a generator seeded by the world seed, the
account and the ad, so the same ad in the same world always gives the same results. Results come back
per day in the shape of Meta's insights (`date_start`, `spend`, `impressions`, `reach`, `frequency`,
`clicks`, `inline_link_clicks`, `actions`, `action_values`, `video_play_actions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from socialdesk.networks.sandbox.audience import Population, activity_at, local_table
from socialdesk.networks.sandbox.seeding import rng_for
from socialdesk.networks.sandbox.text_features import post_features
from socialdesk.networks.sandbox.vocabulary import LANGUAGES, TOPIC_NAMES

BASE_CPM = 4.0  # play money per 1,000 impressions at a quiet hour
PEAK_PREMIUM = 0.6  # the clearing price rises by up to this share at the audience's busiest hour
BID_STEEPNESS = 6.0  # how sharply the share of slots won grows with bid ÷ clearing price
SLOTS_PER_ACTIVE_HOUR = 0.35  # ad slots an online member offers in an hour
BASE_CTR = 0.012
FATIGUE = 0.18
BASE_CONVERSION = 0.04
VIDEO_VIEW_RATE = 0.25
MIN_AGE, MAX_AGE = 16, 75
PLAY_MONEY = 5000.0  # every sandbox ad account starts with this much play money
PURCHASE = "offsite_conversion.fb_pixel_purchase"
ZONE_COUNTRY = {"Europe/Zagreb": "HR", "Europe/Vienna": "AT", "Europe/Berlin": "DE", "Europe/Belgrade": "RS",
                "Europe/Zurich": "CH", "Europe/London": "GB", "Europe/Dublin": "IE", "America/New_York": "US",
                "America/Chicago": "US", "America/Los_Angeles": "US", "Australia/Sydney": "AU",
                "Europe/Madrid": "ES", "America/Mexico_City": "MX", "America/Argentina/Buenos_Aires": "AR",
                "America/Bogota": "CO", "Europe/Paris": "FR", "Europe/Brussels": "BE", "America/Toronto": "CA",
                "Europe/Moscow": "RU", "Asia/Yekaterinburg": "RU", "Asia/Novosibirsk": "RU", "Europe/Rome": "IT",
                "Europe/Lisbon": "PT", "America/Sao_Paulo": "BR"}


@dataclass(frozen=True)
class Targeting:
    locations: tuple[str, ...] = ()  # IANA zones or two-letter countries; () = everywhere
    age_min: int = 18
    age_max: int = 65
    languages: tuple[str, ...] = ()  # vocabulary.LANGUAGES codes; () = any
    interests: tuple[str, ...] = ()  # vocabulary.TOPIC_NAMES; () = anyone (members with any of them otherwise)

    def check(self) -> None:
        if not MIN_AGE <= self.age_min <= self.age_max <= MAX_AGE:
            raise ValueError(f"ages run from {MIN_AGE} to {MAX_AGE}, the youngest first")
        unknown = sorted(set(self.languages) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown languages {unknown}; the sandbox speaks {', '.join(LANGUAGES)}")
        unknown = sorted(set(self.interests) - set(TOPIC_NAMES))
        if unknown:
            raise ValueError(f"unknown interests {unknown}; known: {', '.join(TOPIC_NAMES)}")
        places = set(ZONE_COUNTRY) | set(ZONE_COUNTRY.values())
        unknown = sorted(set(self.locations) - places)
        if unknown:
            countries = ", ".join(sorted(set(ZONE_COUNTRY.values())))
            raise ValueError(f"unknown locations {unknown}; use a country ({countries}) or a time zone such as "
                             "Europe/Zagreb")

    def as_dict(self) -> dict[str, Any]:
        return {"locations": list(self.locations), "age_min": self.age_min, "age_max": self.age_max,
                "languages": list(self.languages), "interests": list(self.interests)}


@dataclass(frozen=True)
class AdSpec:
    ad_id: str
    text: str
    starts_on: date
    days: int
    daily_budget: float
    bid_cpm: float  # the most it pays per 1,000 impressions
    targeting: Targeting = field(default_factory=Targeting)
    creative_quality: float = 0.5  # 0 (poor) … 1 (excellent)
    media: tuple[str, ...] = ()
    order_value: float = 30.0

    def check(self) -> None:
        if not 1 <= self.days <= 90:
            raise ValueError("an ad runs 1 to 90 days")
        if not 1 <= self.daily_budget <= 10_000:
            raise ValueError("the daily budget is 1 to 10,000 play money")
        if not 0.1 <= self.bid_cpm <= 1000:
            raise ValueError("the bid is 0.10 to 1,000 per 1,000 impressions")
        if not 0 <= self.creative_quality <= 1:
            raise ValueError("creative quality is between 0 and 1")
        self.targeting.check()


def ages(pop: Population) -> np.ndarray:
    """Each member's age: drawn once per account from its own stream (adults mostly 20–45)."""
    rng = rng_for(pop.params.seed, "ad-ages", pop.params.handle)
    return np.clip(rng.normal(34, 11, size=pop.size), MIN_AGE, MAX_AGE).astype(np.int16)


def audience_mask(pop: Population, targeting: Targeting) -> np.ndarray:
    """The members the targeting reaches (spam bots are never shown ads)."""
    mask = ~pop.bot
    if targeting.locations:
        wanted = set(targeting.locations)
        zone_ok = np.array([z in wanted or ZONE_COUNTRY.get(z) in wanted for z in pop.zones])
        mask &= zone_ok[pop.zone_index]
    age = ages(pop)
    mask &= (age >= targeting.age_min) & (age <= targeting.age_max)
    if targeting.languages:
        codes = np.array([LANGUAGES.index(c) for c in targeting.languages])
        mask &= np.isin(pop.language, codes)
    if targeting.interests:
        columns = [TOPIC_NAMES.index(t) for t in targeting.interests]
        mask &= (pop.interests[:, columns] > 0).any(axis=1)
    return mask


def estimated_audience(pop: Population, targeting: Targeting) -> int:
    return int(audience_mask(pop, targeting).sum())


def deliver(pop: Population, spec: AdSpec) -> list[dict[str, Any]]:
    """The ad's results, one insights row per day."""
    spec.check()
    members = np.flatnonzero(audience_mask(pop, spec.targeting))
    features = post_features(spec.text, spec.media)
    weights = features.topic_weights
    match = (pop.interests[members] @ weights) if weights.sum() > 0 else np.full(members.size, 0.15)
    match = np.clip(match, 0, 1).astype(np.float64)
    base_ctr = BASE_CTR * (0.3 + 1.7 * match) * (0.5 + spec.creative_quality)
    convert = np.clip(BASE_CONVERSION * (0.5 + match), 0, 1)
    rng = rng_for(pop.params.seed, "ad-auction", pop.params.handle, spec.ad_id)
    start = datetime(spec.starts_on.year, spec.starts_on.month, spec.starts_on.day, tzinfo=UTC).timestamp()
    seen = np.zeros(members.size)  # expected impressions each member has had so far
    everyone = activity_at(pop, np.array([start + 3600 * h for h in range(24 * 7)]))
    busiest = float(everyone.sum(axis=0).max()) or 1.0
    rows = []
    for day in range(spec.days):
        epochs = np.array([start + 3600 * (24 * day + h) for h in range(24)], dtype=np.float64)
        active = (activity_at(pop, epochs, members, local_table(pop, epochs)).astype(np.float64)
                  * pop.level[members, None] / 24.0) if members.size else np.zeros((0, 24))
        slots = active.sum(axis=0) * SLOTS_PER_ACTIVE_HOUR
        busy = activity_at(pop, epochs).sum(axis=0) / busiest
        clearing = BASE_CPM * (1 + PEAK_PREMIUM * np.clip(busy, 0, 1)) * rng.lognormal(0, 0.12, 24)
        won = 1 / (1 + np.exp(-BID_STEEPNESS * (spec.bid_cpm / clearing - 1)))
        price = np.minimum(clearing, spec.bid_cpm)
        hour_budget = spec.daily_budget * (slots / slots.sum() if slots.sum() > 0 else np.zeros(24))
        impressions_h = np.minimum(slots * won, hour_budget / price * 1000)
        day_seen_before = seen.copy()
        clicks = conversions = 0.0
        for h in range(24):
            if impressions_h[h] <= 0 or active[:, h].sum() <= 0:
                continue
            share = active[:, h] / active[:, h].sum()
            lam = impressions_h[h] * share
            ctr = np.clip(base_ctr * np.exp(-FATIGUE * seen), 0, 1)
            expected_clicks = lam * ctr
            clicks += float(expected_clicks.sum())
            conversions += float((expected_clicks * convert).sum())
            seen += lam
        shown = int(rng.poisson(impressions_h.sum()))
        spend = round(float((impressions_h * price).sum() / 1000) * (shown / impressions_h.sum()
                                                                      if impressions_h.sum() > 0 else 0), 2)
        spend = min(spend, spec.daily_budget)
        reach = round(float((1 - np.exp(-(seen - day_seen_before))).sum()))
        reach = min(max(reach, 1 if shown else 0), shown)
        link_clicks = min(int(rng.poisson(clicks)), shown)
        all_clicks = link_clicks + int(rng.poisson(clicks * 0.45))
        bought = min(int(rng.poisson(conversions)), link_clicks)
        views = int(rng.poisson(shown * VIDEO_VIEW_RATE)) if features.video else 0
        on = spec.starts_on + timedelta(days=day)
        rows.append(_insight(on, spend, shown, reach, all_clicks, link_clicks, bought, bought * spec.order_value,
                             views))
    return rows


def _insight(on: date, spend: float, impressions: int, reach: int, clicks: int, link_clicks: int,
             purchases: int, value: float, views: int) -> dict[str, Any]:
    """One day as Meta's Insights API writes it: numbers as strings, actions as lists."""
    def ratio(a: float, b: float, scale: float) -> str | None:
        return None if b <= 0 else f"{a / b * scale:.6f}"

    row: dict[str, Any] = {
        "date_start": on.isoformat(), "date_stop": on.isoformat(), "spend": f"{spend:.2f}",
        "impressions": str(impressions), "reach": str(reach), "frequency": ratio(impressions, reach, 1),
        "clicks": str(clicks), "inline_link_clicks": str(link_clicks), "ctr": ratio(clicks, impressions, 100),
        "cpc": ratio(spend, clicks, 1), "cpm": ratio(spend, impressions, 1000),
        "actions": [{"action_type": PURCHASE, "value": str(purchases)}] if purchases else [],
        "action_values": [{"action_type": PURCHASE, "value": f"{value:.2f}"}] if purchases else [],
    }
    if views:
        row["video_play_actions"] = [{"action_type": "video_view", "value": str(views)}]
    return {k: v for k, v in row.items() if v is not None}


def run_for_account(handle: str, spec: AdSpec) -> list[dict[str, Any]]:
    """Deliver an ad to the audience of the sandbox account `handle` (the channel's handle)."""
    from socialdesk.networks.sandbox import store
    from socialdesk.networks.sandbox.audience import population

    record = store.find_account(handle)
    if record is None:
        raise LookupError(f"no sandbox account @{handle}")
    return deliver(population(record.params()), spec)


def audience_for_account(handle: str, targeting: Targeting) -> int:
    """The estimated audience size of a targeting on the account, as the platforms estimate reach."""
    from socialdesk.networks.sandbox import store
    from socialdesk.networks.sandbox.audience import population

    targeting.check()
    record = store.find_account(handle)
    if record is None:
        raise LookupError(f"no sandbox account @{handle}")
    return estimated_audience(population(record.params()), targeting)
