"""The sandbox's model without a database: audience, vocabulary, texts, timelines, best hours."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from socialdesk.networks.sandbox import audience, chatter, ids, phrases, timegrid
from socialdesk.networks.sandbox.audience import AccountParams, audience_activity, default_settings, population
from socialdesk.networks.sandbox.seeding import rng_for
from socialdesk.networks.sandbox.simulation import PostInput, follow_state, simulate_post, simulation_for
from socialdesk.networks.sandbox.text_features import post_features
from socialdesk.networks.sandbox.vocabulary import LANGUAGES, TOPICS, analyse

CREATED = datetime(2026, 1, 5, tzinfo=UTC)


def params(handle: str = "brand", seed: int = 1, size: int = 2000, **settings: object) -> AccountParams:
    chosen = default_settings(handle, seed, audience_size=size, languages=settings.get("languages"),  # type: ignore[arg-type]
                              timezone=settings.get("timezone"), topics=settings.get("topics"))  # type: ignore[arg-type]
    return AccountParams.from_settings(handle, seed, size, CREATED, chosen)


def initial_followers(p: AccountParams) -> np.ndarray:
    return follow_state(population(p), [], p.created_at).following(p.created_at)


# The audience ------------------------------------------------------------------------------------


def test_population_is_a_pure_function_of_seed_and_handle() -> None:
    a, b = population(params(seed=3)), population.__wrapped__(params(seed=3))
    assert a is not b
    for field in ("language", "zone_index", "interests", "curves", "level", "bot", "base_follow_at"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    other_seed, other_handle = population(params(seed=4)), population(params("other", seed=3))
    assert not np.array_equal(a.curves, other_seed.curves)
    assert not np.array_equal(a.curves, other_handle.curves)


def test_languages_and_time_zones_follow_the_account() -> None:
    pop = population(params("kafic", languages={"hr": 0.8, "en": 0.2}, timezone="Europe/Zagreb"))
    humans = ~pop.bot
    codes = np.array(LANGUAGES)[pop.language[humans]]
    assert 0.75 < np.mean(codes == "hr") < 0.85
    assert set(codes) == {"hr", "en"}
    zones = np.array(pop.zones)[pop.zone_index]
    # Croatian speakers live in Croatia (or nearby); English speakers partly abroad.
    hr_zones = zones[humans][codes == "hr"]
    en_zones = zones[humans][codes == "en"]
    assert np.mean(hr_zones == "Europe/Zagreb") > 0.9
    assert 0.3 < np.mean(en_zones == "Europe/Zagreb") < 0.8
    assert {"Europe/London", "America/New_York"} <= set(en_zones)
    assert 0.01 < pop.bot.mean() < 0.05


def test_interests_lean_towards_the_account_topics() -> None:
    pop = population(params(topics=["food", "travel"]))
    names = list(TOPICS)
    own = pop.interests[:, [names.index("food"), names.index("travel")]]
    others = np.delete(pop.interests, [names.index("food"), names.index("travel")], axis=1)
    assert (own > 0).mean() > 3 * (others > 0).mean()


def test_activity_curves_have_realistic_peaks_and_differ_by_account() -> None:
    peaks = set()
    for handle in ("a_brand", "b_brand", "c_brand", "d_brand", "e_brand", "f_brand"):
        activity = audience_activity(params(handle))
        assert activity.by_hour_of_week.shape == (7, 24)
        assert activity.peak_hours
        day = activity.by_hour
        night = day[2:5].mean()
        assert day.max() > 3 * night, "people sleep at night"
        assert all(6 <= h <= 23 for h in activity.peak_hours), activity.peak_hours
        peaks.add(activity.peak_hours[0])
    assert len(peaks) >= 3, "accounts differ in their best hours"


def test_weekly_activity_shows_the_weekend() -> None:
    pop = population(params("weekend"))
    activity = audience_activity(params("weekend"))
    weekday, weekend = activity.by_hour_of_week[:4].mean(), activity.by_hour_of_week[5:].mean()
    assert weekend / weekday == pytest.approx(pop.weekday_factor[5], rel=0.05)


def test_local_hours_follow_daylight_saving_time() -> None:
    # Europe switched on 2026-03-29 at 01:00 UTC; a week around it, hour by hour.
    epochs = datetime(2026, 3, 26, tzinfo=UTC).timestamp() + 3600.0 * np.arange(168) + 1800
    hours, weekdays = timegrid.hour_and_weekday("Europe/Zagreb", epochs)
    expected = [datetime.fromtimestamp(e, ZoneInfo("Europe/Zagreb")) for e in epochs]
    assert hours.tolist() == [d.hour for d in expected]
    assert weekdays.tolist() == [d.weekday() for d in expected]


# Words and texts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "topic"), [
    ("Nova kava i kolači danas! #zagreb", "food"),
    ("Ljetni odmor na otoku, rezervirajte hotel", "travel"),
    ("Neue Kollektion: Kleider und Schuhe #mode", "fashion"),
    ("Тренировка в спортзале каждый день", "fitness"),
    ("Nagradna igra: osvoji ulaznice za vikend! #nagradnaigra", "events"),
    ("Our new living room furniture", "home"),
])
def test_topics_are_read_in_several_languages(text: str, topic: str) -> None:
    found = analyse(text)
    assert max(found.weights, key=found.weights.__getitem__) == topic


@pytest.mark.parametrize("text", ["Let me tell you more about it", "C'est pas possible", "Hello world",
                                  "Still waiting, eventually it works"])
def test_common_words_of_other_languages_are_not_topics(text: str) -> None:
    assert analyse(text).weights == {}


def test_post_features() -> None:
    plain = post_features("Hello", ())
    rich = post_features("Win a coffee! Giveaway #kava #coffee https://example.com/x?", ("image", "image"))
    assert rich.giveaway and rich.has_link and rich.asks and rich.hashtags == ("kava", "coffee")
    assert rich.media_factor > post_features("x", ("image",)).media_factor > plain.media_factor
    assert post_features("x" * 2500, ()).length_factor < 0.5 < plain.length_factor
    assert post_features("#a #b #c", ()).hashtag_reach > plain.hashtag_reach
    assert post_features("Bitcoin tips #crypto #stocks business", ()).off_topic(("food",))
    assert not post_features("Bitcoin tips", ()).off_topic(("food",)), "no topic is not off topic"


def test_every_language_has_every_kind_of_message() -> None:
    kinds = set(phrases.COMMENT_KINDS + phrases.DM_KINDS + phrases.MENTION_KINDS + phrases.ANSWER_KINDS + ("topic",))
    for language in LANGUAGES:
        assert set(phrases.PHRASES[language]) == kinds, language
        assert phrases.CITIES[language] and phrases.FIRST_NAMES[language] and phrases.SURNAMES[language]


def test_every_template_renders() -> None:
    slots = {name for _, name, _, _ in string.Formatter().parse("{emoji}{word}{city}{friend}{friend2}{account}{url}")}
    rng = np.random.default_rng(0)
    for language, book in phrases.PHRASES.items():
        for kind, templates in book.items():
            for template in templates:
                used = {name for _, name, _, _ in string.Formatter().parse(template) if name}
                assert used <= slots, (language, kind, template)
        for kind in book:
            text = chatter.write(rng, kind, language, chatter.Context("kavaco", "food", "kava", ("ana", "ivo")))
            assert text and "{" not in text


def test_members_have_names_in_their_language_and_unique_handles() -> None:
    pop = population(params("names", languages={"ru": 0.5, "sr": 0.5}, size=500))
    members = [chatter.member(pop, i) for i in range(pop.size)]
    assert len({m.handle for m in members}) == pop.size
    assert all(m.handle.isascii() for m in members)
    russian = [m for m in members if m.language == "ru" and not m.bot]
    assert russian and all(any("а" <= ch <= "я" for ch in m.name.lower()) for m in russian)
    assert {m.external_id for m in members} == {ids.member_id(ids.account_key("names"), i) for i in range(pop.size)}


def test_ids_round_trip() -> None:
    key = ids.account_key("kavaco@social.example")
    assert ids.parse(key, ids.post_id(key, 17)) == ids.Ref("post", 17)
    assert ids.parse(key, ids.comment_id(key, 17, 3)) == ids.Ref("comment", 17, 3)
    assert ids.parse(key, ids.message_id(key, "dm", 20513, 2)) == ids.Ref("dm", 20513, 2)
    assert ids.parse(key, ids.message_id(key, "mention", 20513, 2)) == ids.Ref("mention", 20513, 2)
    assert ids.parse(key, ids.reply_id(key, 5)) == ids.Ref("reply", 5)
    assert ids.parse(key, ids.post_id(ids.account_key("other"), 17)) is None
    assert ids.parse(key, f"{key}_c17") is None
    assert ids.parse(key, "17") is None


def test_random_streams_are_stable() -> None:
    # Fixed numbers: a change here means every sandbox history changes, so it must be deliberate.
    assert rng_for(1, "x", 2).integers(0, 1_000_000, size=3).tolist() == \
        rng_for(1, "x", 2).integers(0, 1_000_000, size=3).tolist()
    assert rng_for(1, "x", 2).random() != rng_for(1, "x", 3).random()


# Timelines ---------------------------------------------------------------------------------------


def local(p: AccountParams, day: int, hour: int, minute: int = 10) -> float:
    start = datetime(2026, 1, 6, tzinfo=ZoneInfo(p.timezone))
    return (start + timedelta(days=day, hours=hour, minutes=minute)).timestamp()


def test_a_timeline_is_deterministic_and_grows() -> None:
    p = params("grow", size=3000, topics=["food"])
    pop = population(p)
    post = PostInput(1, local(p, 0, 12), "Fresh pastries and coffee today #food", ("image",))
    a = simulate_post(pop, post, initial_followers(p), 1)
    b = simulate_post(pop, post, initial_followers(p), 1)
    assert a.counts(post.published_at + 86400) == b.counts(post.published_at + 86400)
    assert [c.text for c in a.comments] == [c.text for c in b.comments]
    previous = None
    for hours in (0, 0.5, 1, 3, 6, 24, 72, 168, 1000):
        counts = a.counts(post.published_at + hours * 3600)
        if previous:
            assert all(counts[k] >= previous[k] for k in counts), hours
        previous = counts
    assert a.counts(post.published_at)["reach"] == 0
    assert 0 < a.counts(post.published_at + 3600)["reach"] < a.counts(post.published_at + 86400)["reach"]
    # A deletion stops the clock.
    cut = post.published_at + 2 * 3600
    assert a.counts(post.published_at + 86400, cutoff=cut) == a.counts(cut)
    assert all(c.time > post.published_at for c in a.comments)
    assert all(a.comments[i].time <= a.comments[i + 1].time for i in range(len(a.comments) - 1))


def test_engagement_depends_on_posting_time() -> None:
    p = params("timing", size=3000, topics=["food"])
    pop = population(p)
    peak = audience_activity(p).peak_hours[0]
    following = initial_followers(p)

    def engagement(hour: int) -> float:
        total = 0
        for day in range(6):
            post = PostInput(100 * hour + day, local(p, day, hour), "Coffee and cake #food")
            c = simulate_post(pop, post, following, 1).counts(post.published_at + 7 * 86400)
            total += c["likes"] + c["comments"] + c["reposts"] + c["saves"]
        return total / 6

    assert engagement(peak) > 1.8 * engagement(4)


def test_best_hour_is_recoverable_from_a_few_weeks_of_history() -> None:
    """Four weeks, three posts a day at random hours: the best posting hour is a true peak, ±1 h."""
    for handle in ("recover_a", "recover_b", "recover_c"):
        p = params(handle, size=3000)
        activity = audience_activity(p)
        rng = np.random.default_rng(11)
        posts, seq = [], 0
        for day in range(28):
            for hour in sorted(rng.choice(24, size=3, replace=False)):
                seq += 1
                posts.append(PostInput(seq, local(p, day, int(hour), int(rng.integers(60))), "News from us"))
        engagement, count = np.zeros(24), np.zeros(24)
        for post, timeline in simulation_for(p).timelines(posts):
            c = timeline.counts(post.published_at + 7 * 86400)
            hour = datetime.fromtimestamp(post.published_at, ZoneInfo(p.timezone)).hour
            engagement[hour] += c["likes"] + c["comments"] + c["reposts"] + c["saves"]
            count[hour] += 1
        best = int(np.argmax(engagement / np.maximum(count, 1)))
        distance = min(min(abs(best - h), 24 - abs(best - h)) for h in activity.peak_hours)
        assert distance <= 1, (handle, best, activity.peak_hours)


def test_off_topic_and_too_frequent_posts_lose_followers() -> None:
    p = params("churn", size=4000, topics=["food"])
    pop = population(p)
    following = initial_followers(p)
    losses = {"on": 0, "off": 0, "often": 0}
    for day in range(8):
        on = PostInput(day * 10 + 1, local(p, day, 12), "Coffee and cake #food #coffee")
        off = PostInput(day * 10 + 2, local(p, day, 12), "Crypto trading and stock market business tips #crypto")
        losses["on"] += simulate_post(pop, on, following, 1).loss_members.size
        losses["off"] += simulate_post(pop, off, following, 1).loss_members.size
        losses["often"] += simulate_post(pop, on, following, 9).loss_members.size
    assert losses["off"] > 2 * losses["on"]
    assert losses["often"] > 2 * losses["on"]


def test_posting_on_topic_grows_an_account_more_than_silence() -> None:
    for seed in (1, 2, 3, 4):
        p = params("grower", seed=seed, size=3000, topics=["food"])
        sim = simulation_for(p)
        posts = [PostInput(day + 1, local(p, day, 19), "Cake, coffee and brunch #food #coffee #brunch", ("image",))
                 for day in range(20)]
        end = posts[-1].published_at + 20 * 3600
        silent = follow_state(sim.population, [], end).following(end).sum()
        posting = sim.follow_state(posts, end).following(end).sum()
        assert posting > silent + 10, seed


def test_audience_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="languages"):
        default_settings("x", 1, audience_size=100, languages={"tlh": 1.0}, timezone=None, topics=None)
    with pytest.raises(ValueError, match="topics"):
        default_settings("x", 1, audience_size=100, languages=None, timezone=None, topics=["astrology"])
    with pytest.raises(ValueError, match="audience_size"):
        default_settings("x", 1, audience_size=audience.MAX_AUDIENCE + 1, languages=None, timezone=None, topics=None)
    with pytest.raises(Exception, match="Mars"):
        default_settings("x", 1, audience_size=100, languages=None, timezone="Mars/Olympus", topics=None)


def test_the_documentation_states_the_models_constants() -> None:
    """docs/sandbox.md promises to describe the model honestly: its numbers must be the code's."""
    from pathlib import Path

    from socialdesk.networks.sandbox import items, simulation

    doc = (Path(__file__).resolve().parents[2] / "docs" / "sandbox.md").read_text(encoding="utf-8")
    (w1, t1), (w2, t2), (w3, t3) = simulation.VISIBILITY
    assert f"{w1} e^(−age/{t1} h) + {w2} e^(−age/{t2:g} h) + {w3} e^(−age/{t3:g} h)" in doc
    assert f"K = {simulation.K_FEED} for followers" in doc
    assert f"K = {simulation.K_DISCOVERY} × hashtag reach" in doc
    assert f"K = {simulation.K_REPOST} from the hour" in doc
    floor, hours = simulation.FRESHNESS_FLOOR, simulation.FRESHNESS_HOURS
    assert f"{floor} + {1 - floor:g} e^(−age/{hours:g} h)" in doc
    assert f"at {items.DM_RATE} per member per day" in doc and f"at {items.MENTION_RATE} per member per day" in doc
    assert f"{audience.LOCAL_SHARE * 100:g} % live in the account's own zone" in doc
