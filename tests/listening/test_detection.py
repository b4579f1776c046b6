"""Matching Croatian inflections, the sandbox's public conversation and burst detection on it over many
simulated days (no database: the detector judges hourly counts of matching posts)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from socialdesk.listening import bursts, shifts
from socialdesk.listening.matching import Matcher, search_forms
from socialdesk.networks.public import sandbox_conversation as conversation
from socialdesk.networks.public.sandbox_conversation import Burst, public_posts

START = datetime(2026, 9, 7, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize("text", ["Volim kavu ujutro.", "S kavom i knjigom.", "Jutro bez kave.", "KAVA!",
                                  "Ništa bez #kava", "kave su skupe"])
def test_inflected_forms_match_the_lemma(text: str) -> None:
    assert Matcher(["kava"], languages=["hr"]).match(text) == "kava"


@pytest.mark.parametrize("text", ["kavana je zatvorena", "java i kotlin", "", "   ", "<script>kav</script>"])
def test_other_words_do_not_match(text: str) -> None:
    assert Matcher(["kava"], languages=["hr"]).match(text) is None


def test_phrases_exclusions_and_diacritics() -> None:
    matcher = Matcher(["Brand Café", "ćevapi"], exclusions=["kava bar"], languages=["hr"])
    assert matcher.match("Novi Brand Cafea otvoren") == "Brand Café"
    assert matcher.match("cevapi u Sarajevu") == "ćevapi"
    assert matcher.match("Brand je dobar, café ne") is None  # the phrase's words must be in order, together
    assert matcher.match("Brand Café pokraj kava bara") is None  # an exclusion drops the mention
    assert search_forms("kava", ["hr"])[:5] == ["kava", "kave", "kavi", "kavu", "kavom"]
    assert search_forms("coffee", ["en"]) == ["coffee"]
    assert search_forms("#kava", ["hr"]) == ["#kava"]


def test_the_conversation_is_deterministic_and_independent_of_the_window() -> None:
    end = START + timedelta(days=2)
    whole = public_posts(5, ["kava"], START, end)
    halves = public_posts(5, ["kava"], START, START + timedelta(hours=29)) + \
        public_posts(5, ["kava"], START + timedelta(hours=29), end)
    assert [p.external_id for p in whole] == [p.external_id for p in halves]
    assert [p.text for p in whole] == [p.text for p in public_posts(5, ["kava"], START, end)]
    assert [p.text for p in whole] != [p.text for p in public_posts(6, ["kava"], START, end)]
    assert all(START <= p.posted_at < end for p in whole)


def _hourly(seed: int, start: datetime, end: datetime, **options: object) -> Counter[datetime]:
    matcher = Matcher(["kava"], languages=["hr"])
    posts = public_posts(seed, ["kava"], start, end, **options)  # type: ignore[arg-type]
    return Counter(bursts.floor_hour(p.posted_at) for p in posts if matcher.match(p.text))


def test_a_scheduled_burst_raises_exactly_one_alert_within_its_window() -> None:
    end = START + timedelta(weeks=4)
    scheduled = conversation.scheduled_bursts(3, ["kava"], START + timedelta(weeks=3), end)
    assert len(scheduled) == 1 and scheduled[0].scheduled
    burst = scheduled[0]
    counts = _hourly(3, START, end, random_per_week=0.0)
    # The first three weeks' scheduled bursts are history the detector has learnt from (and flagged).
    verdicts = bursts.scan(counts, START, end, alpha=0.001, history_start=START)
    late = [v for v in verdicts if v.hour >= START + timedelta(weeks=3)]
    episodes = bursts.episodes(late)
    assert len(episodes) == 1
    assert burst.start <= episodes[0][0].hour < burst.end  # raised within the burst's own hours
    assert all(burst.start <= v.hour < burst.end for v in episodes[0])


def test_quiet_hours_raise_false_alarms_at_no_more_than_the_configured_rate() -> None:
    days = 70
    end = START + timedelta(days=days)
    counts = _hourly(11, START, end, random_per_week=0.0, scheduled=False)
    alpha = 0.002
    verdicts = bursts.scan(counts, START, end, alpha=alpha, history_start=START)
    judged = [v for v in verdicts if not v.learning]
    alarms = [v for v in judged if v.burst]
    # Expected at most alpha per judged hour (the discrete test is conservative); 3 sigma of slack.
    expected = alpha * len(judged)
    assert len(alarms) <= expected + 3 * expected ** 0.5, (len(alarms), expected)
    # And a tighter rate gives no more alarms than a looser one.
    strict = [v for v in bursts.scan(counts, START, end, alpha=alpha / 10, history_start=START) if v.burst]
    assert len(strict) <= len(alarms)


def test_random_bursts_are_found_and_a_young_monitor_is_still_learning() -> None:
    end = START + timedelta(days=42)
    randoms = conversation.random_bursts(2, ["kava"], START + timedelta(days=8), end, per_week=2.0)
    assert randoms, "two a week over five weeks: some must happen"
    counts = _hourly(2, START, end, random_per_week=2.0, scheduled=False)
    verdicts = bursts.scan(counts, START, end, alpha=0.001, history_start=START)
    found = bursts.episodes([v for v in verdicts if v.hour >= START + timedelta(days=8)])
    hits = [b for b in randoms if any(b.start <= e[0].hour < b.end for e in found)]
    assert len(hits) >= len(randoms) // 2  # short night-time bursts may stay below the alarm line
    assert all(v.learning and not v.burst for v in verdicts if v.hour < START + timedelta(days=bursts.MIN_HISTORY_DAYS))


def test_a_complaint_burst_is_negative_and_the_sentiment_shift_test_needs_numbers() -> None:
    complaint = Burst("complaint", "kava", START + timedelta(days=1, hours=10), 3, scheduled=False)
    posts = public_posts(4, ["kava"], complaint.start, complaint.end, scheduled=False, random_per_week=0.0,
                         extra_bursts=[complaint])
    angry = [p for p in posts if any(w in p.text for w in ("Sramota", "grozno", "užas", "Shame", "Očajno"))]
    assert len(angry) > len(posts) / 2
    shift = shifts.sentiment_shift(["negative"] * 30 + ["neutral"] * 10, ["negative"] * 10 + ["neutral"] * 90, 0.001)
    assert shift.alert and shift.recent_n == 40
    small = shifts.sentiment_shift(["negative"] * 5, ["neutral"] * 100, 0.001)
    assert not small.alert  # n = 5 is not enough to say anything


def test_the_sandbox_conversation_says_each_post_once_and_nothing_after_now() -> None:
    """Fetched each minute (windows that end mid-hour): no post from after the window, none twice, none lost."""
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    whole = public_posts(5, ["kava"], start, start + timedelta(hours=6))
    pieces = []
    moment = start
    while moment < start + timedelta(hours=6):
        end = min(moment + timedelta(minutes=17), start + timedelta(hours=6))
        piece = public_posts(5, ["kava"], moment, end)
        assert all(moment <= p.posted_at < end for p in piece)
        pieces += piece
        moment = end
    assert sorted(p.external_id for p in pieces) == sorted(p.external_id for p in whole) and whole
