"""The expert reference strategy, and a random poster, for each kind of exercise (docs/academy.md).

Both act in memory on the exercise's own audience (same seed, same account), seeing only what a
learner could see in the product: the reach of their earlier posts, the comments and who wrote them.
The expert is the "what a professional would have done"; the random poster is the floor a learner
should beat.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from socialdesk.academy.play import NEGATIVE_KINDS, ContestPlay, MonitorPlay, Play, Reply
from socialdesk.academy.schema import Exercise
from socialdesk.networks.sandbox.audience import AccountParams
from socialdesk.networks.sandbox.chatter import member
from socialdesk.networks.sandbox.simulation import PostInput
from socialdesk.networks.sandbox.vocabulary import TOPIC_NAMES, topic_tags, topic_word

HOUR = 3600.0
DAY = 86400.0
TRY_HOURS = (7, 12, 19, 9, 17, 21, 8, 13, 20, 22)  # what the expert tries first


def at_local(params: AccountParams, start: float, day: int, clock: str) -> float:
    """Epoch seconds of local `clock` ("HH:MM") on the exercise's `day` (0 = the day it starts)."""
    tz = ZoneInfo(params.timezone)
    first = datetime.fromtimestamp(start, tz).date()
    hour, minute = (int(x) for x in clock.split(":"))
    return datetime.combine(first + timedelta(days=day), time(hour, minute), tzinfo=tz).timestamp()


def main_language(params: AccountParams) -> str:
    return max(params.languages, key=lambda pair: pair[1])[0]


def _text(kind: str, topic: str, language: str, brand: str) -> str:
    word, tags = topic_word(topic, language), topic_tags(topic, language)
    tag = " ".join(f"#{t}" for t in tags[:2])
    hr = language == "hr"
    templates = {
        "educational": (f"Savjet tjedna: kako odabrati {word}? Tri stvari koje vrijedi znati. {tag}" if hr else
                        f"Tip of the week: how to choose {word} — three things worth knowing. {tag}"),
        "engaging": (f"Što vama znači {word}? Napišite nam u komentarima 👇 {tag}" if hr else
                     f"What does {word} mean to you? Tell us in the comments 👇 {tag}"),
        "story": (f"Iza kulisa u {brand}: naš tim i {word}, dan kao svaki drugi. {tag}" if hr else
                  f"Behind the scenes at {brand}: our team and {word}, a day like any other. {tag}"),
        "promotional": (f"Ovaj tjedan 20 % popusta na {word} — naručite na {brand.lower()}.example {tag}" if hr else
                        f"This week 20 % off {word} — order at {brand.lower()}.example {tag}"),
    }
    return templates[kind]


def _posts_from(plan: list[tuple[float, str, tuple[str, ...]]], end: float) -> list[PostInput]:
    ordered = sorted(p for p in plan if p[0] < end)
    return [PostInput(seq, when, text, media) for seq, (when, text, media) in enumerate(ordered, start=1)]


def planned(ex: Exercise, params: AccountParams, start: float) -> list[tuple[float, str, tuple[str, ...]]]:
    """The exercise's own posts (answer-negative, troll-attack), published whatever the learner does."""
    return [(at_local(params, start, p.day, p.time), p.text, ("image",)) for p in ex.planned_posts
            if at_local(params, start, p.day, p.time) > start]


def _play(ex: Exercise, params: AccountParams, start: float,
          plan: list[tuple[float, str, tuple[str, ...]]]) -> Play:
    end = start + ex.days * DAY
    return Play(params, start, end, _posts_from(plan + planned(ex, params, start), end))


# Timing: try hours, then keep to the best measured ones -------------------------------------------


def _explore_then_exploit(ex: Exercise, params: AccountParams, start: float, per_day: int,
                          texts: list[str]) -> list[tuple[float, str, tuple[str, ...]]]:
    explore_days = max(1, ex.days // 3)
    plan: list[tuple[float, str, tuple[str, ...]]] = []
    n = 0
    for day in range(explore_days):
        for k in range(per_day):
            hour = TRY_HOURS[(day * per_day + k) % len(TRY_HOURS)]
            when = at_local(params, start, day, f"{hour:02d}:00")
            if when > start:
                plan.append((when, texts[n % len(texts)], ("image",)))
                n += 1
    trial = Play(params, start, at_local(params, start, explore_days, "00:00"), _posts_from(plan, start + DAY * 99))
    reach: dict[int, list[int]] = defaultdict(list)
    tz = ZoneInfo(params.timezone)
    for post in trial.own_posts():
        reach[datetime.fromtimestamp(post.published_at, tz).hour].append(trial.reach(post))
    best = sorted(reach, key=lambda h: -float(np.mean(reach[h])))[:per_day] or [19]
    for day in range(explore_days, ex.days):
        for hour in sorted(best):
            plan.append((at_local(params, start, day, f"{hour:02d}:00"), texts[n % len(texts)], ("image",)))
            n += 1
    return plan


def _good_texts(ex: Exercise, params: AccountParams, kinds: tuple[str, ...]) -> list[str]:
    language = main_language(params)
    topics = list(params.topics) or ["food"]
    return [_text(kinds[i % len(kinds)], topics[i % len(topics)], language, ex.brief.brand) for i in range(28)]


def _random_plan(ex: Exercise, params: AccountParams, start: float, rng: random.Random,
                 per_day: tuple[int, int]) -> list[tuple[float, str, tuple[str, ...]]]:
    language = main_language(params)
    plan = []
    for day in range(ex.days):
        for _ in range(rng.randint(*per_day)):
            when = at_local(params, start, day, f"{rng.randint(0, 23):02d}:{rng.choice((0, 15, 30, 45)):02d}")
            kind = rng.choice(("promotional", "promotional", "story", "engaging", "educational"))
            topic = rng.choice(TOPIC_NAMES)
            plan.append((when, _text(kind, topic, language, ex.brief.brand), () if rng.random() < 0.5 else ("image",)))
    return [p for p in plan if p[0] > start]


# Replies and moderation ---------------------------------------------------------------------------

POLITE = {
    "en": "Hi {name}, we are sorry this happened and thank you for telling us. Please send us a message with "
          "the details and we will sort it out today.",
    "hr": "Bok {name}, žao nam je što se to dogodilo i hvala što ste nam javili. Pošaljite nam poruku s "
          "detaljima i riješit ćemo to danas.",
}
FORMAL = {
    "en": "Dear {name}, we apologise for this and thank you for your patience. Please send us a message with "
          "the details and we will sort it out today.",
    "hr": "Poštovani {name}, ispričavamo se i hvala na strpljenju. Pošaljite nam poruku s detaljima i riješit "
          "ćemo to danas.",
}
CURT = ("ok", "Read the FAQ.", "Not our problem, sorry", "?", "Calm down, it's fine")


def _polite(ex: Exercise, play: Play, item_member: int, language: str) -> str:
    who = member(play.population, item_member).name.split()[0]
    book = FORMAL if ex.audience.tone == "formal" else POLITE
    return book.get(language, book["en"]).format(name=who)


def _answer_negative_expert(ex: Exercise, play: Play) -> Play:
    for c in play.comments:
        if c.subkind in NEGATIVE_KINDS and not play.is_bot(c.member):
            play.replies.append(Reply(c.external_id, _polite(ex, play, c.member, c.language), c.time + 0.5 * HOUR))
    return play


def _answer_negative_random(ex: Exercise, play: Play, rng: random.Random) -> Play:
    for c in play.comments:
        if rng.random() < 0.3:
            play.replies.append(Reply(c.external_id, rng.choice(CURT), c.time + rng.uniform(0, 24) * HOUR))
    return play


def _troll_expert(ex: Exercise, play: Play) -> Play:
    """Hide an author's angry comments from their second one on (and the first, once recognised); answer the
    others."""
    seen: Counter[int] = Counter()
    first: dict[int, str] = {}
    for c in play.comments:
        if c.subkind not in NEGATIVE_KINDS or play.is_bot(c.member):
            continue
        seen[c.member] += 1
        if seen[c.member] == 1:
            first[c.member] = c.external_id
            play.replies.append(Reply(c.external_id, _polite(ex, play, c.member, c.language), c.time + HOUR))
        else:
            play.removed[c.external_id] = c.time + 0.5 * HOUR
            play.removed.setdefault(first[c.member], c.time + 0.5 * HOUR)
    return play


def _troll_random(ex: Exercise, play: Play, rng: random.Random) -> Play:
    for c in play.comments:
        if (c.subkind in NEGATIVE_KINDS and rng.random() < 0.5) or rng.random() < 0.1:
            play.removed[c.external_id] = c.time + rng.uniform(0, 12) * HOUR
    return play


# Giveaway -----------------------------------------------------------------------------------------


def _giveaway_text(params: AccountParams, brand: str, attractive: bool) -> str:
    if main_language(params) == "hr":
        prize = "poklon bon od 100 €" if attractive else "naljepnicu"
        return f"Nagradna igra! Osvojite {prize} od {brand}. Komentirajte WIN i označite prijatelja. #nagradnaigra"
    prize = "a 100 € voucher" if attractive else "a sticker"
    return f"Giveaway! Win {prize} from {brand}. Comment WIN and tag a friend. #giveaway"


def _giveaway_expert(ex: Exercise, params: AccountParams, start: float) -> Play:
    when = at_local(params, start, 1, "19:00")
    play = _play(ex, params, start, [(when, _giveaway_text(params, ex.brief.brand, True), ("image",))])
    opens, closes = when + 300, when + 2 * DAY
    eligible = sorted({c.member for c in play.comments if c.subkind == "entry" and opens <= c.time <= closes
                       and "win" in c.text.lower() and not play.is_bot(c.member)})
    winners = tuple(random.Random(ex.seed).sample(eligible, min(2, len(eligible))))
    # The contest is made on the post as soon as it is out, and opens then.
    play.contest = ContestPlay(opens, opens, closes, closes + 12 * HOUR, "WIN", True, 0.8, winners)
    return play


def _giveaway_random(ex: Exercise, params: AccountParams, start: float, rng: random.Random) -> Play:
    when = at_local(params, start, rng.randint(0, max(0, ex.days - 2)), f"{rng.randint(0, 23):02d}:00")
    play = _play(ex, params, start, [(max(when, start + 60), _giveaway_text(params, ex.brief.brand, False), ())])
    first = [c.member for c in play.comments][:2]
    if rng.random() < 0.5:  # half the time a contest, set up carelessly
        play.contest = ContestPlay(when + DAY, when, when + 2 * HOUR, when + HOUR, "", False, 1.0, tuple(first))
    return play


# Ads ------------------------------------------------------------------------------------------------


def ad_traits(params: AccountParams) -> dict[str, object]:
    """The audience traits an ad should target (the expert reads them; the reveal shows them)."""
    from socialdesk.networks.sandbox.ads import ages
    from socialdesk.networks.sandbox.audience import population
    from socialdesk.networks.sandbox.vocabulary import LANGUAGES

    pop = population(params)
    humans = ~pop.bot
    share = pop.interests[humans].astype(bool).mean(axis=0)
    interests = [TOPIC_NAMES[i] for i in np.argsort(-share)[:2]]
    counts = Counter(LANGUAGES[int(c)] for c in pop.language[humans])
    total = max(1, sum(counts.values()))
    languages = [code for code, n in counts.most_common() if n / total >= 0.1]
    age = ages(pop)[humans]
    low, high = (int(x) for x in np.percentile(age, (15, 85)))
    return {"interests": interests, "languages": languages, "age_min": low, "age_max": high,
            "age_median": int(np.median(age))}


def _ad_start(start: float, day: int = 0) -> object:
    return (datetime.fromtimestamp(start, ZoneInfo("UTC")) + timedelta(days=day)).date()


def _ads_expert(ex: Exercise, params: AccountParams, start: float) -> Play:
    from socialdesk.networks.sandbox.ads import BASE_CPM, PEAK_PREMIUM, AdSpec, Targeting

    traits = ad_traits(params)
    interests = tuple(traits["interests"])  # type: ignore[arg-type]
    budget = ex.goal.budget or 100.0
    days = max(1, ex.days - 1)  # from the first full day to the end
    text = _text("promotional", interests[0], main_language(params), ex.brief.brand)
    spec = AdSpec(ad_id="expert", text=text, starts_on=_ad_start(start, 1), days=days,  # type: ignore[arg-type]
                  daily_budget=round(budget / days, 2), bid_cpm=round(BASE_CPM * (1 + PEAK_PREMIUM) * 1.1, 2),
                  targeting=Targeting(age_min=int(traits["age_min"]), age_max=int(traits["age_max"]),  # type: ignore[call-overload]
                                      languages=tuple(traits["languages"]), interests=interests),  # type: ignore[arg-type]
                  creative_quality=0.7, media=("image",))
    play = _play(ex, params, start, [])
    play.ads = [spec]
    return play


def _ads_random(ex: Exercise, params: AccountParams, start: float, rng: random.Random) -> Play:
    from socialdesk.networks.sandbox.ads import AdSpec, Targeting
    from socialdesk.networks.sandbox.vocabulary import LANGUAGES

    budget = ex.goal.budget or 100.0
    play = _play(ex, params, start, [])
    pieces = rng.randint(1, 3)
    for n in range(pieces):
        days = rng.randint(1, 3)
        low = rng.randint(16, 50)
        topic = rng.choice(TOPIC_NAMES)
        play.ads.append(AdSpec(
            ad_id=f"random-{n}", text=_text("promotional", topic, rng.choice(LANGUAGES), ex.brief.brand),
            starts_on=_ad_start(start, rng.randint(0, max(0, ex.days - days))), days=days,  # type: ignore[arg-type]
            daily_budget=round(budget / pieces / days, 2), bid_cpm=round(rng.uniform(1.0, 30.0), 2),
            targeting=Targeting(age_min=low, age_max=min(75, low + rng.randint(5, 30)),
                                languages=(rng.choice(LANGUAGES),) if rng.random() < 0.6 else (),
                                interests=tuple(rng.sample(TOPIC_NAMES, rng.randint(0, 2)))),
            creative_quality=0.5))
    return play


# Crisis burst ---------------------------------------------------------------------------------------

CRISIS_POST = {
    "en": "Hello everyone, we are sorry: some of you got a bad {topic} this week and we did not answer fast "
          "enough. Thank you for telling us. Please send us a message with your order and we will refund or "
          "replace it today.",
    "hr": "Pozdrav svima, žao nam je: neki od vas ovaj su tjedan dobili lošu narudžbu ({topic}), a nismo se "
          "javili dovoljno brzo. Hvala što ste nam rekli. Pošaljite nam poruku s brojem narudžbe i danas ćemo "
          "vam vratiti novac ili je zamijeniti.",
}
CARELESS_POSTS = ("Our {topic} is the best, ignore the haters!!", "New flavours of {topic} this week, order now!",
                  "ok")


def crisis_window(ex: Exercise, params: AccountParams, start: float) -> tuple[float, float]:
    """When the exercise's complaint burst starts and ends (epoch seconds)."""
    assert ex.crisis is not None
    begins = at_local(params, start, ex.crisis.day, ex.crisis.time)
    return begins, begins + ex.crisis.hours * HOUR


def detected_at(ex: Exercise, play: Play) -> float | None:
    """When the burst was noticed: the product's first burst alert after it began, or (for the in-memory
    strategies) the hourly monitor run after its first hour, for a sandbox monitor on the burst's word."""
    begins, ends = crisis_window(ex, play.params, play.start)
    alerts = [at for at in play.alerts if begins <= at <= play.end]
    if alerts:
        return min(alerts)
    topic = ex.crisis.topic.casefold() if ex.crisis else ""
    found = []
    for monitor in play.monitors:
        if monitor.sandbox and monitor.created_at < ends and any(t.casefold().lstrip("#") == topic
                                                                 for t in monitor.terms):
            ran = begins + HOUR if monitor.created_at <= begins else (monitor.created_at // HOUR + 1) * HOUR
            found.append(ran)
    return min(found) if found else None


def _crisis_expert(ex: Exercise, params: AccountParams, start: float) -> Play:
    assert ex.crisis is not None
    play = _play(ex, params, start, [])
    play.monitors = [MonitorPlay(start + 600, (ex.crisis.topic, ex.brief.brand))]
    noticed = detected_at(ex, play) or start
    text = CRISIS_POST.get(main_language(params), CRISIS_POST["en"]).format(topic=ex.crisis.topic)
    return _play_with(ex, params, start, play, [(noticed + 0.5 * HOUR, text, ())])


def _play_with(ex: Exercise, params: AccountParams, start: float, play: Play,
               plan: list[tuple[float, str, tuple[str, ...]]]) -> Play:
    again = _play(ex, params, start, plan)
    again.monitors, again.alerts = play.monitors, play.alerts
    return again


def _crisis_random(ex: Exercise, params: AccountParams, start: float, rng: random.Random) -> Play:
    assert ex.crisis is not None
    play = _play(ex, params, start, [])
    if rng.random() < 0.5:
        terms = (rng.choice((ex.crisis.topic, "news", "weather", ex.brief.brand)),)
        play.monitors = [MonitorPlay(start + rng.uniform(0, ex.days) * DAY, terms, rng.random() < 0.7)]
    plan = []
    for _ in range(rng.randint(0, 3)):
        when = start + rng.uniform(0, ex.days) * DAY
        plan.append((when, rng.choice(CARELESS_POSTS).format(topic=ex.crisis.topic), ()))
    return _play_with(ex, params, start, play, plan)


# The two strategies -------------------------------------------------------------------------------


def expert(ex: Exercise, params: AccountParams, start: float) -> Play:
    """What a professional would have done, on the same audience."""
    if ex.kind == "best-hour":
        return _play(ex, params, start, _explore_then_exploit(ex, params, start, 2, _good_texts(
            ex, params, ("story", "educational", "engaging"))))
    if ex.kind in ("grow-followers", "content-mix"):
        kinds = ("educational", "engaging", "story", "educational", "engaging", "story", "promotional")
        return _play(ex, params, start, _explore_then_exploit(ex, params, start, 2, _good_texts(ex, params, kinds)))
    if ex.kind == "answer-negative":
        return _answer_negative_expert(ex, _play(ex, params, start, []))
    if ex.kind == "troll-attack":
        return _troll_expert(ex, _play(ex, params, start, []))
    if ex.kind == "ads-budget":
        return _ads_expert(ex, params, start)
    if ex.kind == "crisis-burst":
        return _crisis_expert(ex, params, start)
    return _giveaway_expert(ex, params, start)


def random_poster(ex: Exercise, params: AccountParams, start: float, seed: int = 0) -> Play:
    """A beginner who posts, answers and moderates at random."""
    rng = random.Random(seed)
    if ex.kind in ("best-hour", "grow-followers", "content-mix"):
        return _play(ex, params, start, _random_plan(ex, params, start, rng, (0, 4)))
    if ex.kind == "answer-negative":
        return _answer_negative_random(ex, _play(ex, params, start, []), rng)
    if ex.kind == "troll-attack":
        return _troll_random(ex, _play(ex, params, start, []), rng)
    if ex.kind == "ads-budget":
        return _ads_random(ex, params, start, rng)
    if ex.kind == "crisis-burst":
        return _crisis_random(ex, params, start, rng)
    return _giveaway_random(ex, params, start, rng)
