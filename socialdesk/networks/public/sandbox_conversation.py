"""The sandbox's public conversation: what the simulated world says in public about the topics a monitor
follows, so listening, trends, bursts and crisis handling can be tried without any real network.

It lives beside the public readers rather than in networks/sandbox/: it shares nothing with the simulated
accounts and audiences, and the recorded demo history's fingerprint covers networks/sandbox/ only.

Deterministic for a seed: each hour's posts are drawn from a generator seeded with (seed, hour), so the
same hour always holds the same posts whatever window is asked for. See docs/sandbox.md ("Public
conversation") for the rates and the bursts:

- quiet volume per topic: Poisson with a daily rhythm (Europe/Zagreb: low at night, peaks at 8-9 and
  19-21) and a quieter weekend, QUIET_PER_HOUR at its peak;
- scheduled bursts: one a week per world at a day and hour drawn from the seed, announced ahead
  (`scheduled_bursts`), rotating news event, meme and a complaint going viral about the brand;
- random bursts: unannounced, RANDOM_BURSTS_PER_WEEK on average;
- in a burst the volume is multiplied (news ×12, meme ×15, complaint ×20) for its hours, and a complaint's
  posts are negative.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from socialdesk.networks.public import FoundPost

ZONE = ZoneInfo("Europe/Zagreb")
QUIET_PER_HOUR = 2.0
RANDOM_BURSTS_PER_WEEK = 0.5
# Relative activity by local hour (0-23): people post in the morning, at lunch and in the evening.
RHYTHM = (0.15, 0.08, 0.05, 0.05, 0.05, 0.1, 0.3, 0.6, 1.0, 0.9, 0.7, 0.6, 0.7, 0.6, 0.5, 0.5, 0.6, 0.7, 0.8,
          1.0, 1.0, 0.8, 0.5, 0.3)
WEEKEND = 0.7
KINDS = {"news": 12.0, "meme": 15.0, "complaint": 20.0}
EPOCH = datetime(2020, 1, 6, tzinfo=UTC)  # a Monday: weeks of the world count from here
# Scheduled bursts: one a week, 4 hours, on a day and at an hour (8:00-20:00 local) drawn from the seed,
# so the weekly baseline cannot learn them; `scheduled_bursts` lists them ahead.
SCHEDULED_FIRST_HOUR, SCHEDULED_LAST_HOUR, SCHEDULED_HOURS = 8, 20, 4
BACKGROUND_TOPICS = ("promet", "utakmica", "vrijeme")

_NAMES = ("ana", "marko", "ivana", "luka", "petra", "tomislav", "maja", "josip", "lucija", "ivan", "sara",
          "filip", "ema", "karlo", "nina", "dino", "tea", "marin", "lea", "bruno")
_TEMPLATES = {
    "quiet": (
        "Jutro bez {gen} nije pravo jutro.", "Netko za {acc} u centru?", "Najbolje pauze su uz {acc}.",
        "Danas probala novu {acc}, nije loše.", "Što mislite o {ins} iz one nove trgovine?",
        "Good {nom} this morning, finally.", "{Nom} i knjiga, savršena subota.", "Tko još pije {acc} poslije 18h?",
    ),
    "news": (
        "VIJEST: cijena {gen} raste od ponedjeljka, piše lokalni portal.",
        "Objavljeni novi podaci o potrošnji {gen} u Hrvatskoj.",
        "Breaking: new report on {nom} prices published today.", "Ministarstvo najavilo promjene oko {gen}.",
    ),
    "meme": (
        "Ja prije {gen} vs ja poslije {gen} 😂", "Kad ti netko kaže da ne piješ {acc} 😂😂",
        "Ovaj meme o {ins} je najbolji danas 🤣", "me explaining {nom} to my cat 😹",
    ),
    "complaint": (
        "Sramota, opet hladna {nom} i nitko se ne javlja na poruke! #bojkot", "Nikad više vaša {nom}, grozno iskustvo.",
        "Tri dana čekam povrat novca za {acc}, užas. Podijelite!", "Worst {nom} ever, and support ignores us. Shame.",
        "Jesam li jedini kojem je {nom} stigla pokvarena? Očajno.",
    ),
}


@dataclass(frozen=True)
class Burst:
    kind: str  # news | meme | complaint
    topic: str
    start: datetime  # UTC, on the hour
    hours: int
    scheduled: bool

    @property
    def end(self) -> datetime:
        return self.start + timedelta(hours=self.hours)

    @property
    def multiplier(self) -> float:
        return KINDS[self.kind]


def forms(topic: str) -> dict[str, str]:
    """The word's cases the templates need (a feminine -a noun declines kava/kave/kavu/kavom; others get
    the masculine endings): a sandbox's Croatian, not a grammar."""
    word = topic.strip()
    if word.lower().endswith("a") and len(word) > 2:
        stem = word[:-1]
        found = {"nom": word, "gen": stem + "e", "acc": stem + "u", "ins": stem + "om"}
    else:
        found = {"nom": word, "gen": word + "a", "acc": word, "ins": word + "om"}
    return {**found, "Nom": word[:1].upper() + word[1:]}


def _hour(at: datetime) -> int:
    return int((at - EPOCH).total_seconds() // 3600)


def _rng(seed: int, *parts: int) -> np.random.Generator:
    return np.random.default_rng([seed & 0xFFFFFFFF, *[p & 0xFFFFFFFF for p in parts]])


def _topic_code(topic: str) -> int:
    return int.from_bytes(hashlib.sha256(topic.casefold().encode()).digest()[:4], "big")


def quiet_rate(at: datetime) -> float:
    local = at.astimezone(ZONE)
    return QUIET_PER_HOUR * RHYTHM[local.hour] * (WEEKEND if local.weekday() >= 5 else 1.0)


def scheduled_bursts(seed: int, topics: Sequence[str], start: datetime, end: datetime) -> list[Burst]:
    """The week's announced burst, for each week that overlaps [start, end)."""
    if not topics:
        return []
    found = []
    week = (start - EPOCH).days // 7 - 1
    while True:
        rng = _rng(seed, week, 11)
        monday = (EPOCH + timedelta(weeks=week)).astimezone(ZONE).replace(hour=0)
        day = monday + timedelta(days=int(rng.integers(7)))
        at = day.replace(hour=int(rng.integers(SCHEDULED_FIRST_HOUR, SCHEDULED_LAST_HOUR + 1))).astimezone(UTC)
        if at >= end:
            break
        burst = Burst(kind=tuple(KINDS)[week % len(KINDS)], topic=topics[int(rng.integers(len(topics)))], start=at,
                      hours=SCHEDULED_HOURS, scheduled=True)
        if burst.end > start:
            found.append(burst)
        week += 1
    return found


def random_bursts(seed: int, topics: Sequence[str], start: datetime, end: datetime,
                  per_week: float = RANDOM_BURSTS_PER_WEEK) -> list[Burst]:
    """Unannounced bursts: each day has a per_week/7 chance of one, at a random daytime hour."""
    if not topics or per_week <= 0:
        return []
    found = []
    day = (start - EPOCH).days - 1
    while EPOCH + timedelta(days=day) < end:
        rng = _rng(seed, day, 13)
        if rng.random() < per_week / 7:
            at = EPOCH + timedelta(days=day, hours=int(rng.integers(7, 20)))
            kind = tuple(KINDS)[int(rng.integers(len(KINDS)))]
            burst = Burst(kind=kind, topic=topics[int(rng.integers(len(topics)))], start=at,
                          hours=int(rng.integers(2, 6)), scheduled=False)
            if burst.end > start and burst.start < end:
                found.append(burst)
        day += 1
    return found


def public_posts(seed: int, topics: Sequence[str], start: datetime, end: datetime, *,
                 random_per_week: float = RANDOM_BURSTS_PER_WEEK, scheduled: bool = True,
                 extra_bursts: Sequence[Burst] = ()) -> list[FoundPost]:
    """Everything the simulated public said in [start, end) about the topics (and a little background
    chatter about other things), oldest first."""
    topics = [t.strip().lstrip("#") for t in topics if t.strip().lstrip("#")]
    bursts = list(extra_bursts)
    if scheduled:
        bursts += scheduled_bursts(seed, topics, start, end)
    bursts += random_bursts(seed, topics, start, end, random_per_week)
    posts: list[FoundPost] = []
    # Every hour that overlaps [start, end) is drawn whole (the same draws whatever the window), and only what
    # falls inside the window is said: consecutive windows say each post once, and nothing after `end`.
    for hour in range(_hour(start), _hour(end - timedelta(microseconds=1)) + 1):
        at = EPOCH + timedelta(hours=hour)
        for topic in [*topics, *BACKGROUND_TOPICS]:
            rng = _rng(seed, hour, _topic_code(topic))
            rate = quiet_rate(at)
            kind = "quiet"
            for burst in bursts:
                if burst.topic.casefold() == topic.casefold() and burst.start <= at < burst.end:
                    rate *= burst.multiplier
                    kind = burst.kind
            count = int(rng.poisson(rate))
            cases = forms(topic)
            for n in range(count):
                in_kind = kind if kind == "quiet" or rng.random() < 0.8 else "quiet"
                templates = _TEMPLATES[in_kind]
                text = templates[int(rng.integers(len(templates)))].format(**cases)
                who = f"{_NAMES[int(rng.integers(len(_NAMES)))]}{int(rng.integers(1, 400))}"
                moment = at + timedelta(seconds=int(rng.integers(3600)))
                ident = f"{seed}-{hour}-{_topic_code(topic)}-{n}"
                if not start <= moment < end:
                    continue
                posts.append(FoundPost(source="sandbox", external_id=ident,
                                       url=f"https://sandbox.invalid/public/{ident}", author=f"{who}.sandbox",
                                       text=text, posted_at=moment, language=None))
    posts.sort(key=lambda p: p.posted_at)
    return posts
