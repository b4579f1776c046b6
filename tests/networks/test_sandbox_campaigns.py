"""The sandbox audience enters giveaways and answers quizzes plausibly, the same way every time for a seed."""

from __future__ import annotations

import re
from collections import Counter

from socialdesk.networks.sandbox import campaigns
from socialdesk.networks.sandbox.audience import population
from socialdesk.networks.sandbox.simulation import PostInput, simulate_post
from socialdesk.quizzes.grading import is_correct
from tests.networks.test_sandbox_model import initial_followers, local, params

GIVEAWAY = "GIVEAWAY 🎁 Win an iPhone 16! Comment WIN and tag two friends. #giveaway #coffee"
MODEST = "Giveaway: a bag of our coffee. Comment WIN and tag two friends. #giveaway #coffee"
QUIZ = "Kviz! Koji je glavni grad Etiopije?\nA) Nairobi\nB) Adis Abeba\nC) Kairo\nOdgovor u komentar!"


def _comments(text: str, handle: str = "brand", seq: int = 1, seed: int = 1) -> list:  # type: ignore[type-arg]
    p = params(handle, seed=seed, size=4000, topics=["food"])
    post = PostInput(seq, local(p, 0, 18), text, ("image",))
    return list(simulate_post(population(p), post, initial_followers(p), 1).comments)


def test_giveaway_entries_carry_the_keyword_and_mentions_with_duplicates_bots_and_a_cheat() -> None:
    comments = _comments(GIVEAWAY, seq=3)
    entries = [c for c in comments if c.kind == "entry"]
    assert len(entries) > 10
    everyone = [c for seq in (1, 2, 3, 4) for c in _comments(GIVEAWAY, seq=seq) if c.kind == "entry"]
    with_keyword = sum(1 for c in everyone if "win" in c.text.casefold())
    assert 0.65 < with_keyword / len(everyone) <= 1.0
    mentions = Counter(len(re.findall(r"@\S+", c.text)) for c in everyone)
    assert mentions[1] + mentions[2] > mentions[0] + mentions[3]
    by_member = Counter(c.member for c in entries)
    assert any(n >= 2 for n in by_member.values()), "some entrants enter twice"
    assert any(c.kind == "spam" for c in comments), "bots flock to giveaways"
    same_text = Counter(c.text for c in entries)
    cheat = [text for text, n in same_text.items() if n >= 3]
    # Either this giveaway has a cheat (3-4 accounts, same text minutes apart), or it is one of the 40 % without.
    if cheat:
        times = sorted(c.time for c in entries if c.text == cheat[0])
        assert times[-1] - times[0] < 45 * 60
    assert all(comments[i].time <= comments[i + 1].time for i in range(len(comments) - 1))
    assert all(c.parent is None or c.parent < i for i, c in enumerate(comments))


def test_an_attractive_prize_draws_more_entries() -> None:
    assert campaigns.prize_factor(GIVEAWAY) > campaigns.prize_factor(MODEST) == 1.0
    assert campaigns.prize_factor("Nagradna igra: bon od 500 €") > 1.0
    big = sum(len([c for c in _comments(GIVEAWAY, seq=s) if c.kind == "entry"]) for s in (1, 2, 3))
    small = sum(len([c for c in _comments(MODEST, seq=s) if c.kind == "entry"]) for s in (1, 2, 3))
    assert big > small * 1.15


def test_some_giveaways_have_a_cheat_with_several_accounts() -> None:
    cheats = 0
    for seq in range(1, 9):
        counts = Counter(c.text for c in _comments(GIVEAWAY, seq=seq) if c.kind == "entry")
        cheats += any(n >= 3 for n in counts.values())
    assert 2 <= cheats <= 8


def test_quiz_answers_favour_one_option_and_grade_in_the_members_words() -> None:
    options = campaigns.read(QUIZ, False, ()).options
    assert [letter for letter, _ in options] == ["A", "B", "C"]
    answers, right = 0, 0
    for seq in range(1, 7):
        found = [c for c in _comments(QUIZ, seq=seq) if c.kind == "answer"]
        assert len(found) >= 3
        letter, words = options[campaigns.favourite(1, "brand", seq, options)]
        answers += len(found)
        right += sum(1 for c in found if is_correct(c.text, [letter, words]))
    assert 0.5 < right / answers < 0.95


def test_campaigns_are_deterministic_and_ordinary_posts_unchanged() -> None:
    assert [c.text for c in _comments(GIVEAWAY)] == [c.text for c in _comments(GIVEAWAY)]
    assert [c.text for c in _comments(QUIZ)] == [c.text for c in _comments(QUIZ)]
    assert campaigns.read("Fresh pastries today #food", False, ("food",)) == campaigns.Campaign(False, None, 1.0, ())
