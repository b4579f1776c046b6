"""A score per skill, 0 to 100, with the reasons in plain words (docs/academy.md, "How each skill is scored").

Every scorer reads a `Play` (what was done, and what the sandbox audience did with it) and, where the
skill is relative, the expert reference's play on the same seed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from zoneinfo import ZoneInfo

import numpy as np

from socialdesk.academy import tone
from socialdesk.academy.play import NEGATIVE_KINDS, Play, true_activity
from socialdesk.academy.schema import Exercise
from socialdesk.networks.sandbox.items import Item
from socialdesk.networks.sandbox.simulation import PostInput
from socialdesk.networks.sandbox.text_features import post_features

HOUR = 3600.0
DAY = 86400.0


@dataclass(frozen=True)
class SkillScore:
    skill: str
    score: int  # 0-100
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"skill": self.skill, "score": self.score, "reasons": list(self.reasons)}


def _pct(x: float) -> int:
    return round(max(0.0, min(1.0, x)) * 100)


def _local(play: Play, epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, ZoneInfo(play.params.timezone))


def _hh(hour: int) -> str:
    return f"{hour:02d}:00"


# best-hour -------------------------------------------------------------------------------------------


def timing(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    posts = play.own_posts()
    if not posts:
        return SkillScore("timing", 0, ("You published nothing, so there is no timing to judge.",))
    curve = true_activity(play.params)
    best = int(np.argmax(curve))
    # The first third of the budget is for trying hours out; from then on, posts should hit the peak.
    settled = [p for p in posts if p.published_at >= play.start + ex.days * DAY / 3] or posts
    ratios = [curve[_local(play, p.published_at).hour] / curve.max() for p in settled]
    reasons = [f"Your audience is most active at {_hh(best)} (its time zone, {play.params.timezone}); "
               f"quietest at {_hh(int(np.argmin(curve)))}."]
    by_hour: dict[int, list[int]] = defaultdict(list)
    for p in posts:
        by_hour[_local(play, p.published_at).hour].append(play.reach(p))
    if len(by_hour) >= 2:
        means = {h: float(np.mean(v)) for h, v in by_hour.items()}
        top, low = max(means, key=means.__getitem__), min(means, key=means.__getitem__)
        if means[top] > 0:
            fewer = 1 - means[low] / means[top]
            reasons.append(f"Posts at {_hh(low)} reached {fewer:.0%} fewer people in their first day than your "
                           f"posts at {_hh(top)}: at {_hh(low)} your audience is "
                           f"{'asleep or busy' if curve[low] < 0.6 else 'less active'}.")
    hours = sorted({_local(play, p.published_at).hour for p in settled})
    reasons.append(f"After the first {ex.days // 3 or 1} days you posted at {', '.join(_hh(h) for h in hours)}: "
                   f"on average {np.mean(ratios):.0%} of the audience's peak activity.")
    return SkillScore("timing", _pct(float(np.mean(ratios))), tuple(reasons))


def _mean_reach(play: Play) -> float:
    posts = play.own_posts()
    return float(np.mean([play.reach(p) for p in posts])) if posts else 0.0


def reach_per_post(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    mine = _mean_reach(play)
    expert = _mean_reach(reference) if reference else 0.0
    if not play.own_posts():
        return SkillScore("reach", 0, ("You published nothing, so nobody was reached.",))
    score = _pct(mine / expert) if expert > 0 else 100
    return SkillScore("reach", score, (f"Your posts reached {mine:.0f} people each in their first day on average; "
                                       f"the expert's reached {expert:.0f} on the same audience.",))


# grow-followers ------------------------------------------------------------------------------------


def growth(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    before, after = play.followers(play.start), play.followers(play.end)
    change = (after - before) / before * 100 if before else 0.0
    target = ex.goal.target or 5.0
    reasons = [f"Followers went from {before} to {after} ({change:+.1f} %); the goal was {target:+.0f} %."]
    if reference is not None:
        ref_before, ref_after = reference.followers(reference.start), reference.followers(reference.end)
        ref_change = (ref_after - ref_before) / ref_before * 100 if ref_before else 0.0
        reasons.append(f"The expert strategy reached {ref_change:+.1f} % on the same audience.")
    return SkillScore("growth", _pct(change / target), tuple(reasons))


def _topics(play: Play) -> tuple[str, ...]:
    return play.params.topics


def relevance(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    posts = play.own_posts()
    if not posts:
        return SkillScore("relevance", 0, ("You published nothing.",))
    off = [p for p in posts if post_features(p.text, p.media, _topics(play)).off_topic(_topics(play))
           or not post_features(p.text, p.media, _topics(play)).has_topics]
    lost = 0
    for p, timeline in play.timelines:
        if p in off:
            lost += int((timeline.loss_times <= play.end).sum())
    reasons = [f"{len(posts) - len(off)} of {len(posts)} posts were about what this audience cares for."]
    if off:
        reasons.append(f"{len(off)} posts were off its interests; they lost {lost} followers.")
    return SkillScore("relevance", _pct(1 - len(off) / len(posts)), tuple(reasons))


def _cadence(skill: str, ex: Exercise, play: Play) -> SkillScore:
    per_day = Counter(int((p.published_at - play.start) // DAY) for p in play.own_posts())
    comfortable = play.params.comfortable_posts_per_day
    days = ex.days
    good = sum(1 for d in range(days) if 1 <= per_day.get(d, 0) <= comfortable)
    empty = sum(1 for d in range(days) if per_day.get(d, 0) == 0)
    crowded = sum(1 for d in range(days) if per_day.get(d, 0) > comfortable)
    reasons = [f"{good} of {days} days had one to {comfortable:.0f} posts."]
    if empty:
        reasons.append(f"{empty} days had no post: followers forget an account that goes quiet.")
    if crowded:
        reasons.append(f"{crowded} days had more than {comfortable:.0f} posts: that annoys followers, and some "
                       f"leave.")
    return SkillScore(skill, _pct(good / days), tuple(reasons))


def consistency(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    return _cadence("consistency", ex, play)


def cadence(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    return _cadence("cadence", ex, play)


# answer-negative -----------------------------------------------------------------------------------


def _negative(play: Play, deadline_hours: float) -> list[Item]:
    """Negative comments by people (not bots) that arrived early enough to be answered in time."""
    return [c for c in play.comments if c.subkind in NEGATIVE_KINDS and not play.is_bot(c.member)
            and c.time + deadline_hours * HOUR <= play.end]


def response_time(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    target = ex.goal.response_hours or 2.0
    negative = _negative(play, target)
    if not negative:
        return SkillScore("response_time", 100, ("No negative comment arrived in time to be judged.",))
    first_reply: dict[str, float] = {}
    for r in sorted(play.replies, key=lambda r: r.at):
        first_reply.setdefault(r.item_id, r.at)
    delays = [(first_reply[c.external_id] - c.time) / HOUR for c in negative if c.external_id in first_reply]
    in_time = sum(1 for d in delays if d <= target)
    reasons = [f"You answered {in_time} of {len(negative)} negative comments within {target:g} h."]
    if delays:
        reasons.append(f"Median time to answer: {median(delays):.1f} h.")
    unanswered = len(negative) - len(delays)
    if unanswered:
        reasons.append(f"{unanswered} negative comments were never answered: unanswered anger is what other "
                       f"people read.")
    return SkillScore("response_time", _pct(in_time / len(negative)), tuple(reasons))


def reply_tone(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    by_id = {c.external_id: c for c in play.comments}
    judged = [(r, by_id[r.item_id]) for r in play.replies if r.item_id in by_id
              and by_id[r.item_id].subkind in NEGATIVE_KINDS]
    if not judged:
        return SkillScore("tone", 0, ("You did not answer any negative comment, so there was no tone to judge.",))
    formal = ex.audience.tone == "formal"
    from socialdesk.networks.sandbox.chatter import member

    checks = [tone.check(r.text, formal=formal, name=member(play.population, c.member).name) for r, c in judged]
    lacks = Counter(m for check in checks for m in check.missing)
    reasons = [f"{sum(1 for c in checks if c.score >= 0.75)} of {len(checks)} answers were polite "
               f"(greeting, sorry or thanks, a next step, no blame)."]
    reasons += [f"{n} answers: {what}." for what, n in lacks.most_common(3)]
    return SkillScore("tone", _pct(float(np.mean([c.score for c in checks]))), tuple(reasons))


def triage(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    by_id = {c.external_id: c for c in play.comments}
    answered = [by_id[r.item_id] for r in play.replies if r.item_id in by_id]
    if not answered:
        return SkillScore("triage", 0, ("You answered no comment at all.",))
    worth = [c for c in answered if c.subkind in NEGATIVE_KINDS | {"question"} and not play.is_bot(c.member)]
    spam = [c for c in answered if play.is_bot(c.member) or c.subkind == "spam"]
    reasons = [f"{len(worth)} of {len(answered)} answers went to complaints and questions."]
    if spam:
        reasons.append(f"{len(spam)} answers went to spam bots: mark spam, do not talk to it.")
    negative = _negative(play, 0)
    missed = sum(1 for c in negative if c.external_id not in {r.item_id for r in play.replies})
    if missed:
        reasons.append(f"{missed} negative comments got no answer.")
    coverage = 1 - missed / len(negative) if negative else 1.0
    return SkillScore("triage", _pct(len(worth) / len(answered) * (0.5 + 0.5 * coverage)), tuple(reasons))


# troll-attack --------------------------------------------------------------------------------------


def moderation(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    trolling = [c for c in play.comments if play.is_troll(c)]
    if not trolling:
        return SkillScore("moderation", 100, ("No troll commented during the exercise.",))
    removed = [c for c in trolling if c.external_id in play.removed]
    trolls = {c.member for c in trolling}
    reasons = [f"{len(trolls)} trolls wrote {len(trolling)} comments; you hid or deleted {len(removed)} of them."]
    if len(removed) < len(trolling):
        reasons.append("A troll is recognisable by repeating angry comments on every post, not by one "
                       "complaint.")
    return SkillScore("moderation", _pct(len(removed) / len(trolling)), tuple(reasons))


def criticism_kept(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    honest = [c for c in play.comments if c.subkind in NEGATIVE_KINDS and not play.is_troll(c)
              and not play.is_bot(c.member)]
    if not honest:
        return SkillScore("fairness", 100, ("No honest criticism arrived during the exercise.",))
    removed = [c for c in honest if c.external_id in play.removed]
    reasons = [f"{len(honest) - len(removed)} of {len(honest)} honest complaints stayed visible."]
    if removed:
        reasons.append(f"You hid or deleted {len(removed)} complaints from real customers: criticism deserves "
                       f"an answer, not deletion.")
    return SkillScore("fairness", _pct(1 - len(removed) / len(honest)), tuple(reasons))


# content-mix ---------------------------------------------------------------------------------------

CATEGORIES = ("educational", "engaging", "promotional", "story")
_EDU = ("tip", "how to", "how do", "did you know", "guide", "savjet", "kako", "jeste li znali", "vodič", "trik")
_PROMO = ("%", "€", "off", "sale", "discount", "buy", "shop", "order", "popust", "akcija", "kupi", "naruči",
          "cijena", "price")


def category(text: str) -> str:
    """A post's place in the content mix, from its words (docs/academy.md, "mix")."""
    lower = text.lower()
    if any(word in lower for word in _PROMO):
        return "promotional"
    if any(word in lower for word in _EDU):
        return "educational"
    if "?" in text:
        return "engaging"
    return "story"


def mix(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    posts = play.own_posts()
    if not posts:
        return SkillScore("mix", 0, ("You published nothing.",))
    counts = Counter(category(p.text) for p in posts)
    shares = np.array([counts.get(c, 0) / len(posts) for c in CATEGORIES])
    nonzero = shares[shares > 0]
    balance = float(-(nonzero * np.log(nonzero)).sum() / np.log(len(CATEGORIES)))
    promo = counts.get("promotional", 0) / len(posts)
    penalty = max(0.0, promo - 0.3) / 0.7
    reasons = ["Your mix: " + ", ".join(f"{counts.get(c, 0)} {c}" for c in CATEGORIES) + "."]
    if promo > 0.3:
        reasons.append(f"{promo:.0%} of posts sold something; keep selling under a third, or people tune out.")
    missing = [c for c in CATEGORIES if not counts.get(c)]
    if missing:
        reasons.append(f"Nothing {', '.join(missing)}: a balanced week has every kind.")
    return SkillScore("mix", _pct(balance * (1 - penalty)), tuple(reasons))


def engagement(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    mine = play.engagement()
    expert = reference.engagement() if reference else 0
    if not play.own_posts():
        return SkillScore("reach", 0, ("You published nothing.",))
    return SkillScore("reach", _pct(mine / expert) if expert else 100,
                      (f"Your week drew {mine} likes, comments, shares and saves; the expert's drew {expert}.",))


# fair-giveaway -------------------------------------------------------------------------------------


def _entrants(play: Play) -> set[int]:
    return {c.member for c in play.comments if c.subkind == "entry" and not play.is_bot(c.member)}


def giveaway_reach(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    mine = len(_entrants(play))
    expert = len(_entrants(reference)) if reference else 0
    reasons = [f"{mine} people entered your giveaway; the expert's drew {expert}."]
    if mine == 0:
        reasons.append("A giveaway post names the prize and the word 'giveaway' (nagradna igra), and asks for a "
                       "comment.")
    return SkillScore("reach", _pct(mine / expert) if expert else (100 if mine else 0), tuple(reasons))


def giveaway_fairness(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    c = play.contest
    if c is None:
        return SkillScore("fairness", 0, ("No contest was set up, so winners were not drawn verifiably: create "
                                          "one in Contests before the giveaway opens.",))
    checks: list[tuple[bool, str]] = [
        # 15 minutes' grace: in the product a contest is made on a post once it is out.
        (c.committed_at <= c.opens_at + 15 * 60, "the draw was committed to (the contest made) before entries "
                                                  "opened"),
        (c.closes_at > c.opens_at + 6 * HOUR, "entries were open for at least six hours"),
        (c.drawn_at is not None and c.drawn_at >= c.closes_at, "the draw came after entries closed"),
        (bool(c.keyword.strip()), "entries had to name a keyword"),
        (c.one_entry_per_person, "one entry per person"),
        (c.spam_threshold <= 0.9, "spam entries were excluded"),
        (bool(c.winners) and not any(play.is_bot(w) for w in c.winners), "no spam bot won"),
    ]
    passed = sum(1 for ok, _ in checks if ok)
    reasons = [f"{passed} of {len(checks)} fairness checks passed."]
    reasons += [f"Missed: {what}." for ok, what in checks if not ok]
    return SkillScore("fairness", _pct(passed / len(checks)), tuple(reasons))


# ads-budget -----------------------------------------------------------------------------------------


def _ad_totals(play: Play) -> tuple[float, float, float]:
    """Spend, purchases and link clicks of all the play's ads inside the exercise."""
    days = [d for _, rows in play.ad_results for d in rows]
    return (sum(d["spend"] for d in days), sum(d["purchases"] for d in days), sum(d["clicks"] for d in days))


def _per(spend: float, results: float) -> float | None:
    return spend / results if results > 0 else None


def ad_cost(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    if not play.ads:
        return SkillScore("cost", 0, ("You ran no ads, so nothing was bought: create a sandbox ad in Campaigns.",))
    spend, bought, clicks = _ad_totals(play)
    mine = _per(spend, bought)
    reasons = [f"Your ads spent {spend:.2f} play money for {bought:.0f} purchases and {clicks:.0f} link clicks."]
    expert = _per(*_ad_totals(reference)[:2]) if reference is not None else None
    if expert is not None:
        reasons.append(f"The expert paid {expert:.2f} per purchase on the same audience.")
    if mine is None:
        reasons.append("Your ads spent nothing inside the exercise's days: a bid far below the going price wins no "
                       "slots, and an ad must run while the exercise does." if spend <= 0 else
                       "Not one purchase: the people shown your ads were not interested in what they offered.")
        return SkillScore("cost", 0, tuple(reasons))
    reasons.append(f"You paid {mine:.2f} per purchase.")
    score = _pct(expert / mine) if expert is not None else 100
    return SkillScore("cost", score, tuple(reasons))


def ad_targeting(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    from socialdesk.academy.strategies import ad_traits
    from socialdesk.networks.sandbox.ads import ages, audience_mask

    if not play.ads:
        return SkillScore("targeting", 0, ("You ran no ads, so nobody was targeted.",))
    traits = ad_traits(play.params)
    interests, languages = set(traits["interests"]), set(traits["languages"])  # type: ignore[call-overload]
    pop = play.population
    age = ages(pop)
    core = (~pop.bot) & (age >= int(traits["age_min"])) & (age <= int(traits["age_max"]))  # type: ignore[call-overload]
    reasons = [f"Your audience is into {', '.join(sorted(interests))}, speaks "
               f"{', '.join(sorted(languages))} and is mostly {traits['age_min']}–{traits['age_max']} years old "
               f"(median {traits['age_median']})."]
    marks: list[float] = []
    for spec in play.ads:
        t = spec.targeting
        topic_ok = bool(t.interests) and set(t.interests) <= interests
        language_ok = bool(t.languages) and set(t.languages) <= languages
        reached = audience_mask(pop, t)
        ages_ok = bool(core.sum()) and float((reached & core).sum()) / float(core.sum()) >= 0.5 \
            and float((reached & ~core).sum()) <= float(reached.sum()) * 0.4
        text_topics = post_features(spec.text, spec.media).topic_weights
        from socialdesk.networks.sandbox.vocabulary import TOPIC_NAMES

        text_ok = any(text_topics[TOPIC_NAMES.index(i)] > 0 for i in interests)
        checks = (topic_ok, language_ok, ages_ok, text_ok)
        marks.append(sum(checks) / len(checks))
        missed = [what for ok, what in zip(checks, ("interests", "languages", "ages", "ad text on their interests"),
                                           strict=True) if not ok]
        if missed:
            reasons.append(f"Ad “{spec.text[:40]}” missed on {', '.join(missed)} (it targeted "
                           f"{', '.join(t.interests) or 'any interest'}, {', '.join(t.languages) or 'any language'}, "
                           f"ages {t.age_min}–{t.age_max}).")
    if len(reasons) == 1:
        reasons.append("Every ad aimed at the right people with a text about what they care for.")
    return SkillScore("targeting", _pct(float(np.mean(marks))), tuple(reasons))


def ad_pacing(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    budget = ex.goal.budget or 100.0
    if not play.ads:
        return SkillScore("pacing", 0, (f"You spent nothing of the {budget:.0f} budget.",))
    committed = sum(spec.daily_budget * spec.days for spec in play.ads)
    spend = _ad_totals(play)[0]
    spent_days = {d["day"] for _, rows in play.ad_results for d in rows if d["spend"] > 0}
    span = max(1, ex.days - 1)
    spread = min(1.0, len(spent_days) / span)
    used = min(1.0, spend / budget)
    score = used * (0.4 + 0.6 * spread)
    reasons = [f"You spent {spend:.2f} of the {budget:.0f} budget, on {len(spent_days)} of the {ex.days} days."]
    if committed > budget * 1.05:
        score *= 0.5
        reasons.append(f"Your ads were allowed {committed:.2f}, more than the budget: a client would not pay that.")
    if spread < 0.6:
        reasons.append("Spending it all in a few days shows the ad to the same people again and again (fatigue) "
                       "and misses the other days' buyers; spread the daily budget over the whole period.")
    if used < 0.7:
        reasons.append("Much of the budget stayed unspent: a bid too low for the auction or too narrow an audience "
                       "wins few slots.")
    return SkillScore("pacing", _pct(score), tuple(reasons))


# crisis-burst ---------------------------------------------------------------------------------------


def _crisis(ex: Exercise, play: Play) -> tuple[float, float, float | None, PostInput | None]:
    from socialdesk.academy.strategies import crisis_window, detected_at

    begins, ends = crisis_window(ex, play.params, play.start)
    answer = next((p for p in sorted(play.own_posts(), key=lambda p: p.published_at)
                   if p.published_at >= begins), None)
    return begins, ends, detected_at(ex, play), answer


def crisis_detection(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    begins, _, noticed, _ = _crisis(ex, play)
    topic = ex.crisis.topic if ex.crisis else ""
    when = f"{_local(play, begins):%a %H:%M} ({play.params.timezone})"
    if noticed is None:
        return SkillScore("detection", 0, (
            f"A complaint burst about “{topic}” began {when} and no listening monitor caught it: set up a "
            f"monitor on the sandbox conversation for your brand's words before trouble starts.",))
    late = (noticed - begins) / HOUR
    reasons = [f"The complaint burst about “{topic}” began {when}; your monitor raised it {late:.1f} h later."]
    if late > 1.5:
        reasons.append("A monitor set up in advance alerts within the first hour of a burst.")
    return SkillScore("detection", _pct(1 - max(0.0, late - 1) / 11), tuple(reasons))


def crisis_response(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    begins, _, noticed, answer = _crisis(ex, play)
    target = ex.goal.response_hours or 2.0
    if answer is None:
        return SkillScore("response_time", 0, ("You posted no public answer after the complaints began: the "
                                               "crowd read your silence as not caring.",))
    took = (answer.published_at - begins) / HOUR
    reasons = [f"Your first public answer came {took:.1f} h after the burst began; the target was {target:g} h."]
    if noticed is None:
        reasons.append("It was not prompted by an alert: without a monitor you answered by chance.")
    score = 1.0 if took <= target else max(0.0, 1 - (took - target) / (3 * target))
    return SkillScore("response_time", _pct(score), tuple(reasons))


def crisis_tone(ex: Exercise, play: Play, reference: Play | None) -> SkillScore:
    _, _, _, answer = _crisis(ex, play)
    if answer is None:
        return SkillScore("tone", 0, ("There was no answer whose tone could be judged.",))
    check = tone.check(answer.text, formal=ex.audience.tone == "formal")
    reasons = [f"Your answer “{answer.text[:60]}” reads {check.score:.0%} polite."]
    if check.missing:
        reasons.append("It lacks: " + ", ".join(check.missing) + ".")
    return SkillScore("tone", _pct(check.score), tuple(reasons))


Scorer = Callable[[Exercise, Play, Play | None], SkillScore]
SCORERS: dict[tuple[str, str], Scorer] = {
    ("best-hour", "timing"): timing,
    ("best-hour", "reach"): reach_per_post,
    ("grow-followers", "growth"): growth,
    ("grow-followers", "relevance"): relevance,
    ("grow-followers", "consistency"): consistency,
    ("answer-negative", "response_time"): response_time,
    ("answer-negative", "tone"): reply_tone,
    ("answer-negative", "triage"): triage,
    ("troll-attack", "moderation"): moderation,
    ("troll-attack", "fairness"): criticism_kept,
    ("content-mix", "mix"): mix,
    ("content-mix", "cadence"): cadence,
    ("content-mix", "reach"): engagement,
    ("fair-giveaway", "fairness"): giveaway_fairness,
    ("fair-giveaway", "reach"): giveaway_reach,
    ("ads-budget", "cost"): ad_cost,
    ("ads-budget", "targeting"): ad_targeting,
    ("ads-budget", "pacing"): ad_pacing,
    ("crisis-burst", "detection"): crisis_detection,
    ("crisis-burst", "response_time"): crisis_response,
    ("crisis-burst", "tone"): crisis_tone,
}


def score(ex: Exercise, play: Play, reference: Play | None) -> list[SkillScore]:
    return [SCORERS[(ex.kind, skill)](ex, play, reference) for skill in ex.skills]


def total(scores: list[SkillScore]) -> int:
    return round(sum(s.score for s in scores) / len(scores)) if scores else 0
